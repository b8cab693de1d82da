"""Sign-in by e-mail and password, on the hosts where the person has access only.

Every refusal looks the same to the person signing in (wrong password, unknown address, or no access
on this host), so the sign-in page of one workspace cannot test the passwords of another's people;
and each refusal is a failed authentication, which django-axes counts.
"""

from django.contrib.auth.backends import ModelBackend
from django.db import connection

from engagements.models import Client
from engagements.services import user_may_sign_in_at


def normalised_email(value) -> str:
    return (value or "").strip().lower() if isinstance(value, str) else ""


def axes_username(request, credentials) -> str:
    """django-axes counts failures per normalised e-mail, so `Ana@X` and `ana@x` are one account."""
    return normalised_email((credentials or {}).get("username"))


class HostAccessBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        return super().authenticate(request, username=normalised_email(username), password=password, **kwargs)

    def user_can_authenticate(self, user) -> bool:
        tenant = getattr(connection, "tenant", None)
        client = tenant if isinstance(tenant, Client) and tenant.schema_name != "public" else None
        return super().user_can_authenticate(user) and user_may_sign_in_at(user=user, client=client)
