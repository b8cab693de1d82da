"""The API keys page's form."""

from django import forms

from apikeys.models import ApiKey


class ApiKeyForm(forms.Form):
    name = forms.CharField(max_length=50, help_text="What it is for, e.g. 'CRM sync'.")
    scope = forms.ChoiceField(choices=ApiKey.Scope.choices, initial=ApiKey.Scope.WRITE)
