"""API keys of one client tenant, stored in that tenant's schema (only a hash of each key)."""

from django.db import models
from rest_framework_api_key.models import AbstractAPIKey

from smartwork.actors import ActorFields


class ApiKey(AbstractAPIKey, ActorFields):
    """`Authorization: Api-Key <key>` on the tenant's host. The prefix is the key's public id."""

    class Scope(models.TextChoices):
        READ = "read", "read"
        WRITE = "write", "write"
        ADMIN = "admin", "admin"

    scope = models.CharField(max_length=8, choices=Scope.choices, default=Scope.WRITE)
    # Who made the key is its actor (ActorFields).
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta(AbstractAPIKey.Meta):
        verbose_name = "API key"

    def allows(self, *, write: bool = False, admin: bool = False) -> bool:
        if admin:
            return self.scope == self.Scope.ADMIN
        if write:
            return self.scope in (self.Scope.WRITE, self.Scope.ADMIN)
        return True
