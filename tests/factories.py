"""factory_boy factories: one per model, with realistic defaults, for tests that need a row of a kind.

Rows whose making has behaviour that matters go through the product's own code in `_create`: a
client through `client_create_ready` (a real, migrated schema), a membership through `member_invite`
(the invitation e-mail and its link), phase changes and theater checks through their services,
one-time links through `link_create`, tokens and API keys through their manager's `create_key` (only
a hash is stored, so the plain key is put on the returned row as `plain_key`, a link's token as
`token`). Every history row (ActorFields) takes `actor=` (an `Actor`), a CLI actor by default.

A client is a PostgreSQL schema, so a test that makes one uses the `committed` fixture (tests/conftest.py),
which drops it afterwards. Step apps add their factories here, or in tests/<app>/factories.py, the
same way: one small factory per model, a tenant model's factory documented as needing
`tenant_context(client)`.
"""

from typing import Any

import factory
from django.db import connection
from django.utils.text import slugify
from django_tenants.utils import get_public_schema_name

from apikeys.models import ApiKey
from engagements import links, services
from engagements.models import (
    Assignment,
    Client,
    ConsultantToken,
    Domain,
    Engagement,
    Membership,
    OneTimeLink,
    Phase,
    PhaseChange,
    TheaterCheck,
    User,
)
from smartwork.actors import Actor

PASSWORD = "Factory-pass-42"


def cli_actor() -> Actor:
    return Actor.cli("tests")


def _actor_pop(fields: dict[str, Any]) -> Actor:
    """The Actor an ActorFieldsFactory expanded into its four columns, taken back out of `fields`."""
    return Actor(
        kind=fields.pop("actor_kind"),
        label=fields.pop("actor_label"),
        user_id=fields.pop("actor_user_id"),
        role=fields.pop("actor_role"),
    )


def _rest_saved(instance, rest: dict[str, Any]):
    """Set the fields a service does not take (e.g. a past timestamp) on what it made, and save them."""
    if rest:
        for name, value in rest.items():
            setattr(instance, name, value)
        instance.save(update_fields=list(rest))
    return instance


class ActorFieldsFactory(factory.django.DjangoModelFactory):
    """Base of history rows: `actor=` (an Actor, a CLI actor by default) fills the four actor columns."""

    class Meta:
        abstract = True

    class Params:
        actor = factory.LazyFunction(cli_actor)

    actor_kind = factory.LazyAttribute(lambda o: o.actor.kind)
    actor_label = factory.LazyAttribute(lambda o: o.actor.label)
    actor_user_id = factory.LazyAttribute(lambda o: o.actor.user_id)
    actor_role = factory.LazyAttribute(lambda o: o.actor.role)


class UserFactory(factory.django.DjangoModelFactory):
    """A person with a password (PASSWORD; `password=None` for none yet); `consultant=True` for consultancy staff."""

    class Meta:
        model = User

    class Params:
        consultant = factory.Trait(is_consultant=True)

    full_name = factory.Faker("name")
    email = factory.LazyAttributeSequence(lambda o, n: f"{slugify(o.full_name) or 'person'}.{n}@example.test")
    password = PASSWORD
    is_consultant = False

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return model_class.objects.create_user(*args, **kwargs)


class ClientFactory(factory.django.DjangoModelFactory):
    """A ready client (its schema migrated) made by `client_create_ready`; admin and consultant by e-mail, optional."""

    class Meta:
        model = Client

    name = factory.Faker("company")
    slug = factory.LazyAttributeSequence(lambda o, n: f"{slugify(o.name)[:40].strip('-') or 'client'}-{n}")
    domain = factory.LazyAttribute(lambda o: f"{o.slug}.localhost")
    admin_email = None
    admin_password = None
    consultant_email = None
    actor = factory.LazyFunction(cli_actor)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        made = {name: kwargs.pop(name) for name in ("name", "slug", "domain", "admin_email", "admin_password")}
        return _rest_saved(
            services.client_create_ready(
                actor=kwargs.pop("actor"), consultant_email=kwargs.pop("consultant_email"), **made
            ),
            kwargs,
        )


class DomainFactory(factory.django.DjangoModelFactory):
    """An extra, non-primary host name of a client (client creation makes the primary one)."""

    class Meta:
        model = Domain

    tenant = factory.SubFactory(ClientFactory)
    domain = factory.Sequence(lambda n: f"extra-{n}.localhost")
    is_primary = False


class AssignmentFactory(ActorFieldsFactory):
    """A consultant assigned to a client."""

    class Meta:
        model = Assignment

    consultant = factory.SubFactory(UserFactory, consultant=True)
    client = factory.SubFactory(ClientFactory)


class MembershipFactory(ActorFieldsFactory):
    """A person added to a client's workspace by `member_invite` (e-mailed; a link when they have no password)."""

    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    client = factory.SubFactory(ClientFactory)
    role = Membership.Role.CLIENT_VIEWER

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        actor = _actor_pop(kwargs)
        user, client, role = kwargs.pop("user"), kwargs.pop("client"), kwargs.pop("role")
        membership = services.member_invite(client=client, email=user.email, role=role, actor=actor)
        return _rest_saved(membership, kwargs)


class OneTimeLinkFactory(ActorFieldsFactory):
    """A one-time link made by `link_create` (a consultant's password reset on the public host by default); `.token`."""

    class Meta:
        model = OneTimeLink

    user = factory.SubFactory(UserFactory, consultant=True)
    purpose = OneTimeLink.Purpose.PASSWORD_RESET
    client = None

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        actor = _actor_pop(kwargs)
        user, purpose, client = kwargs.pop("user"), kwargs.pop("purpose"), kwargs.pop("client")
        token = links.link_create(user=user, purpose=purpose, client=client, actor=actor)
        link = links.link_check(token=token, purpose=purpose, client=client).link
        assert link is not None, "a link just made is usable"
        link.token = token
        return _rest_saved(link, kwargs)


class EngagementFactory(factory.django.DjangoModelFactory):
    """A client's engagement, which client creation starts: fetched, never made twice (phases: PhaseChangeFactory)."""

    class Meta:
        model = Engagement

    client = factory.SubFactory(ClientFactory)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return _rest_saved(model_class.objects.get(client=kwargs.pop("client")), kwargs)


class PhaseChangeFactory(ActorFieldsFactory):
    """A move of an engagement to `to_phase` (audit by default) by `engagement_phase_change`."""

    class Meta:
        model = PhaseChange

    engagement = factory.SubFactory(EngagementFactory)
    to_phase = Phase.AUDIT
    note = factory.Faker("sentence")

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        actor = _actor_pop(kwargs)
        client = kwargs.pop("engagement").client
        change = services.engagement_phase_change(
            client=client, to=kwargs.pop("to_phase"), note=kwargs.pop("note"), actor=actor
        )
        return _rest_saved(change, kwargs)


class TheaterCheckFactory(ActorFieldsFactory):
    """An answered AI-theater check (six yes/no answers, scored) by `theater_check_record`."""

    class Meta:
        model = TheaterCheck

    engagement = factory.SubFactory(EngagementFactory)
    answers = factory.List([factory.Faker("pybool") for _ in range(6)])
    note = factory.Faker("sentence")

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        actor = _actor_pop(kwargs)
        client = kwargs.pop("engagement").client
        check = services.theater_check_record(
            client=client, answers=kwargs.pop("answers"), note=kwargs.pop("note"), actor=actor
        )
        return _rest_saved(check, kwargs)


class ConsultantTokenFactory(factory.django.DjangoModelFactory):
    """A consultant's personal token by `create_key` (only its hash is stored); the key is `.plain_key`."""

    class Meta:
        model = ConsultantToken

    user = factory.SubFactory(UserFactory, consultant=True)
    name = factory.Sequence(lambda n: f"laptop token {n}")

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        token, key = model_class.objects.create_key(**kwargs)
        token.plain_key = key
        return token


class ApiKeyFactory(ActorFieldsFactory):
    """A tenant's API key by `create_key`; the key is `.plain_key`. Call it inside `tenant_context(client)`."""

    class Meta:
        model = ApiKey

    name = factory.Sequence(lambda n: f"CRM sync {n}")
    scope = ApiKey.Scope.WRITE

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        if connection.schema_name == get_public_schema_name():
            raise RuntimeError("ApiKeyFactory makes a tenant's key: call it inside tenant_context(client).")
        api_key, key = model_class.objects.create_key(**kwargs)
        api_key.plain_key = key
        return api_key
