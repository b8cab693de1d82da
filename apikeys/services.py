"""Writes of tenant API keys: create (the key is shown once) and revoke (at once)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from apikeys.models import ApiKey
from smartwork.actors import Actor


def api_key_create(*, name: str, scope: str = ApiKey.Scope.WRITE, actor: Actor) -> tuple[ApiKey, str]:
    name = (name or "").strip()
    errors = {}
    if not name:
        errors["name"] = ["An API key needs a name (what it is for)."]
    elif len(name) > 50:
        errors["name"] = ["An API key name has at most 50 characters."]
    if scope not in ApiKey.Scope.values:
        errors["scope"] = [f"'{scope}' is not a scope; choose read, write or admin."]
    if errors:
        raise ValidationError(errors)
    api_key, key = ApiKey.objects.create_key(name=name, scope=scope, **actor.as_fields())
    assert isinstance(api_key, ApiKey)  # the library's manager is typed as returning its abstract base
    return api_key, key


@transaction.atomic
def api_key_revoke(*, api_key: ApiKey) -> ApiKey:
    if not api_key.revoked:
        api_key.revoked = True
        api_key.revoked_at = timezone.now()
        api_key.save(update_fields=["revoked", "revoked_at"])
    return api_key
