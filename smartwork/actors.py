"""Who did a write: a person (in the role they acted in), an API key, a CLI command or a system job.

One Actor is built once per request (`request_actor`), command (`Actor.cli`) or job (`Actor.system`)
and passed as `actor=` to every service that writes. Every history row stores it in one shape,
`ActorFields`, so pages, the API and later the design pipeline's log say who did each change the
same way, even after the person, key or job is gone.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import models

from smartwork.tenancy import CONSULTANT, ApiKeyPrincipal, on_public_host, request_tenant_role

if TYPE_CHECKING:
    from django.http import HttpRequest


class ActorKind(models.TextChoices):
    PERSON = "person", "person"
    API_KEY = "api_key", "API key"
    CLI = "cli", "command line"
    SYSTEM = "system", "system job"


ROLE_WORDS = {"consultant": "consultant", "client_admin": "client admin", "client_viewer": "client viewer"}


@dataclass(frozen=True, slots=True)
class Actor:
    kind: str  # an ActorKind value
    label: str  # what history shows: an e-mail, "API key <name> (<prefix>)", "command <name>", "job <name>"
    user_id: int | None = None  # the person's user id (public schema), for a person only
    role: str = ""  # the role the person acted in, or the key's scope

    @classmethod
    def person(cls, user: Any, role: str) -> Actor:
        return cls(kind=ActorKind.PERSON, label=user.email, user_id=user.pk, role=role or "")

    @classmethod
    def api_key(cls, api_key: Any) -> Actor:
        return cls(
            kind=ActorKind.API_KEY,
            label=f"API key {api_key.name} ({api_key.prefix})",
            role=getattr(api_key, "scope", ""),
        )

    @classmethod
    def cli(cls, command: str) -> Actor:
        return cls(kind=ActorKind.CLI, label=f"command {command}")

    @classmethod
    def system(cls, job: str) -> Actor:
        return cls(kind=ActorKind.SYSTEM, label=f"job {job}")

    @property
    def is_person(self) -> bool:
        return self.kind == ActorKind.PERSON

    def __str__(self) -> str:
        """One line for pages: "ann@example.com (client admin)", "API key CRM (Ab12cd34) (write)"."""
        if self.kind == ActorKind.PERSON and self.role:
            return f"{self.label} ({ROLE_WORDS.get(self.role, self.role)})"
        if self.kind == ActorKind.API_KEY and self.role:
            return f"{self.label}, {self.role} scope"
        return self.label

    def as_fields(self) -> dict[str, Any]:
        """The ActorFields columns, for Model.objects.create(**actor.as_fields())."""
        return {
            "actor_kind": self.kind,
            "actor_label": self.label,
            "actor_user_id": self.user_id,
            "actor_role": self.role,
        }


def request_actor(request: HttpRequest) -> Actor:
    """The actor of an authenticated request: its API key, or its person in their role on this host
    (a consultant on the public host)."""
    user = request.user
    if isinstance(user, ApiKeyPrincipal):
        return Actor.api_key(user.api_key)
    if on_public_host():
        return Actor.person(user, CONSULTANT if getattr(user, "is_consultant", False) else "")
    return Actor.person(user, request_tenant_role(request) or "")


class ActorFields(models.Model):
    """The one shape in which a history row stores its Actor. No foreign key to the user: the row
    keeps who acted after the person, the key or the schema's link to public is gone."""

    actor_kind = models.CharField(max_length=8, choices=ActorKind.choices)
    actor_label = models.CharField(max_length=300)
    actor_user_id = models.BigIntegerField(null=True, blank=True)
    actor_role = models.CharField(max_length=16, blank=True)

    class Meta:
        abstract = True

    @property
    def actor(self) -> Actor:
        return Actor(kind=self.actor_kind, label=self.actor_label, user_id=self.actor_user_id, role=self.actor_role)
