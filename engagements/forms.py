"""Forms of the pages: sign-in and passwords on both hosts, new client, phase, theater check, people,
personal tokens."""

from django import forms
from django.conf import settings
from django.contrib.auth import authenticate, password_validation

from engagements.models import THEATER_SIGNS, Membership, Phase
from engagements.services import EMAIL_MAX_LENGTH, TOKEN_NAME_MAX_LENGTH

# The one answer to every refused sign-in, on every host (engagements.backends).
SIGN_IN_REFUSED = (
    "That e-mail and password do not sign you in here. Check them, make sure this is your workspace's "
    "address, or reset your password."
)


def email_field(**kwargs) -> forms.EmailField:
    return forms.EmailField(max_length=EMAIL_MAX_LENGTH, **kwargs)


class HostLoginForm(forms.Form):
    """E-mail and password. Every refusal gives the same answer (SIGN_IN_REFUSED)."""

    username = email_field(label="E-mail", widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}))
    password = forms.CharField(
        label="Password",
        max_length=4096,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, request=None, *args, **kwargs):
        self.request = request
        self.user_cache = None
        super().__init__(*args, **kwargs)

    def clean(self):
        email = (self.cleaned_data.get("username") or "").strip().lower()
        password = self.cleaned_data.get("password")
        if self.errors:
            raise forms.ValidationError(SIGN_IN_REFUSED, code="invalid_login")
        self.user_cache = authenticate(self.request, username=email, password=password)
        if self.user_cache is None:
            raise forms.ValidationError(SIGN_IN_REFUSED, code="invalid_login")
        return self.cleaned_data

    def get_user(self):
        return self.user_cache


class PasswordResetRequestForm(forms.Form):
    email = email_field(label="E-mail", widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}))


class NewPasswordForm(forms.Form):
    """Choose a password (invitation or reset link). The service checks it against the validators."""

    new_password1 = forms.CharField(
        label="New password",
        max_length=4096,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    new_password2 = forms.CharField(
        label="Repeat it",
        max_length=4096,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        one, two = self.cleaned_data.get("new_password1"), self.cleaned_data.get("new_password2")
        if one and two and one != two:
            self.add_error("new_password2", "The two passwords differ.")
        return self.cleaned_data


class ClientForm(forms.Form):
    name = forms.CharField(max_length=200)
    slug = forms.SlugField(max_length=63, help_text="Lowercase letters, digits and hyphens, e.g. acme.")
    domain = forms.CharField(max_length=253, required=False)
    admin_email = email_field(
        required=False,
        label="First client admin (optional)",
        help_text="They get an invitation by e-mail.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        suffix = settings.TENANT_DOMAIN_SUFFIX
        self.fields["domain"].help_text = f"Leave empty for slug.{suffix} (e.g. acme.{suffix})."


class PhaseForm(forms.Form):
    to = forms.ChoiceField(choices=Phase.choices, label="Move to phase")
    note = forms.CharField(required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class TheaterCheckForm(forms.Form):
    note = forms.CharField(required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    # Sent by the confirmation step: the person meant "none of the six signs is true".
    confirm_none = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for index, sign in enumerate(THEATER_SIGNS, start=1):
            self.fields[f"sign_{index}"] = forms.BooleanField(required=False, label=sign)
        self.order_fields([f"sign_{i}" for i in range(1, len(THEATER_SIGNS) + 1)] + ["note", "confirm_none"])

    def answers(self) -> list[bool]:
        return [self.cleaned_data[f"sign_{i}"] for i in range(1, len(THEATER_SIGNS) + 1)]


class MemberForm(forms.Form):
    email = email_field()
    role = forms.ChoiceField(choices=Membership.Role.choices, initial=Membership.Role.CLIENT_VIEWER)


class TokenForm(forms.Form):
    name = forms.CharField(max_length=TOKEN_NAME_MAX_LENGTH, help_text="What it is for, e.g. 'CRM sync'.")
