"""factory_boy factories of the time audit (audits): one per model, each needing
`tenant_context(client)` (the rows live in the client's schema). Participants get their pseudonym
from the client's secret, as an import would name them."""

import datetime
import secrets

import factory

from audits.models import (
    FrictionVote,
    ImportJob,
    ImportRowError,
    MappingRule,
    Participant,
    SurveyLink,
    Task,
    TimeEntry,
    WebhookDelivery,
    WebhookSecret,
)
from audits.selectors import audit_settings_get
from audits.services.friction import survey_token_hash, voter_key_of
from audits.services.people import identity_hash
from tests.factories import ActorFieldsFactory


class ParticipantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Participant

    class Params:
        identity = factory.Sequence(lambda n: f"person{n}@client.test")

    identity_hash = factory.LazyAttribute(
        lambda o: identity_hash(o.identity, secret=audit_settings_get().pseudonym_secret)
    )
    pseudonym = factory.LazyAttribute(lambda o: f"P-{o.identity_hash[:6]}")
    team = "Customer Service"
    role_title = "Agent"


class TaskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Task

    name = factory.Sequence(lambda n: f"Answer shipment emails {n}")
    process = "Customer service"


class MappingRuleFactory(ActorFieldsFactory):
    class Meta:
        model = MappingRule

    position = factory.Sequence(lambda n: n + 1)
    field = "label"
    match = "contains"
    pattern = factory.Sequence(lambda n: f"shipment {n}")
    task = factory.SubFactory(TaskFactory)


class ImportJobFactory(ActorFieldsFactory):
    """A finished import (no file waiting)."""

    class Meta:
        model = ImportJob

    filename = factory.Sequence(lambda n: f"toggl-export-{n}.csv")
    path = ""
    size = 1024
    format_requested = "auto"
    format = "toggl"
    status = ImportJob.Status.SUCCEEDED
    rows_total = 2
    rows_imported = 2
    progress = 100
    message = "2 entries imported."


class ImportRowErrorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ImportRowError

    job = factory.SubFactory(ImportJobFactory)
    row = 2
    column = "Duration"
    code = "invalid_duration"
    message = "'a while' is not a duration."


class TimeEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TimeEntry

    participant = factory.SubFactory(ParticipantFactory)
    task = factory.SubFactory(TaskFactory)
    day = datetime.date(2026, 9, 7)
    minutes = 7
    source = "toggl"
    external_id = factory.Sequence(lambda n: f"entry-{n}")
    project = "Support"
    label = factory.LazyAttribute(lambda o: o.task.name if o.task else "")
    description = ""
    note = ""


class WebhookSecretFactory(ActorFieldsFactory):
    class Meta:
        model = WebhookSecret
        django_get_or_create = ("tracker",)

    tracker = "toggl"
    secret = factory.Sequence(lambda n: f"toggl-secret-{n:040d}")


class WebhookDeliveryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WebhookDelivery

    tracker = "toggl"
    delivery_key = factory.Sequence(lambda n: f"event-{n}")


class SurveyLinkFactory(ActorFieldsFactory):
    """An open survey link; its token is kept for the test (as the links page shows it)."""

    class Meta:
        model = SurveyLink

    token = factory.LazyFunction(lambda: secrets.token_urlsafe(24))
    token_hash = factory.LazyAttribute(lambda o: survey_token_hash(o.token))


class FrictionVoteFactory(factory.django.DjangoModelFactory):
    """A vote through a survey link by one browser (a random voter key)."""

    class Meta:
        model = FrictionVote

    task = factory.SubFactory(TaskFactory)
    pain = 4
    note = ""
    survey_link = factory.SubFactory(SurveyLinkFactory)
    voter_key = factory.LazyFunction(lambda: voter_key_of(secrets.token_urlsafe(24)))
