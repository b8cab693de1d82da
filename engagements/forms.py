"""Forms of the pages: login for both hosts, new client, phase change, theater check, people and keys."""

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm, SetPasswordForm

from apikeys.models import ApiKey
from engagements.models import THEATER_SIGNS, Membership, Phase
from smartwork.tenancy import on_public_host, tenant_role


class HostLoginForm(AuthenticationForm):
    """E-mail and password; a person signs in only where they have access."""

    username = forms.EmailField(
        label="E-mail", widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"})
    )

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if on_public_host():
            if not user.is_consultant:
                raise forms.ValidationError(
                    "This is the consultancy's sign-in. Client members sign in at their workspace's address.",
                    code="wrong_host",
                )
        elif tenant_role(user, getattr(self.request, "tenant", None)) is None:
            raise forms.ValidationError("This account has no access to this workspace.", code="no_access")


class ClientForm(forms.Form):
    name = forms.CharField(max_length=200)
    slug = forms.SlugField(max_length=63, help_text="Lowercase letters, digits and hyphens, e.g. acme.")
    domain = forms.CharField(max_length=253, required=False)
    admin_email = forms.EmailField(required=False, label="First client admin (optional)")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        suffix = settings.TENANT_DOMAIN_SUFFIX
        self.fields["domain"].help_text = f"Leave empty for slug.{suffix} (e.g. acme.{suffix})."


class PhaseForm(forms.Form):
    to = forms.ChoiceField(choices=Phase.choices, label="Move to phase")
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))


class TheaterCheckForm(forms.Form):
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for index, sign in enumerate(THEATER_SIGNS, start=1):
            self.fields[f"sign_{index}"] = forms.BooleanField(required=False, label=sign)
        self.order_fields([f"sign_{i}" for i in range(1, len(THEATER_SIGNS) + 1)] + ["note"])

    def answers(self) -> list[bool]:
        return [self.cleaned_data[f"sign_{i}"] for i in range(1, len(THEATER_SIGNS) + 1)]


class MemberForm(forms.Form):
    email = forms.EmailField()
    role = forms.ChoiceField(choices=Membership.Role.choices)


class ApiKeyForm(forms.Form):
    name = forms.CharField(max_length=50)
    scope = forms.ChoiceField(choices=ApiKey.Scope.choices, initial=ApiKey.Scope.WRITE)


class InvitationForm(SetPasswordForm):
    """Choose a password to accept an invitation."""
