"""The trackers' live feed (API.md "Tenant host: step 1"): Toggl Track's and Clockify's time-entry
webhooks, verified with the client's own secret and written as time entries, and the page of the API
where client admins set those secrets.

Three layers, top to bottom: pure functions (signatures, freshness, a payload read into a
`TrackerEvent`) tested on bytes alone; the services that store secrets and apply an event (one
transaction with the delivery that brought it, so a replay is refused and a failure stores nothing);
the API views, which read the raw body before anything parses it.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_duration
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from audits.models import LABEL_MAX_LENGTH, Source, WebhookDelivery, WebhookSecret, WebhookTracker
from audits.services.entries import EntryIn, entries_upsert, entry_delete
from smartwork.actors import Actor, request_actor
from smartwork.api import ActorOutput
from smartwork.errors import ApplicationError
from smartwork.parsers import BodyTooLarge, LimitedJSONParser
from smartwork.permissions import TenantAccess
from smartwork.tenancy import MANAGERS, on_public_host, workspace_url

WEBHOOK_MAX_BYTES = 1024 * 1024  # a time entry's event is a few kilobytes
TOGGL_SIGNATURE_HEADER = "X-Webhook-Signature-256"
CLOCKIFY_SIGNATURE_HEADER = "Clockify-Signature"
CLOCKIFY_EVENT_HEADER = "Clockify-Webhook-Event-Type"
TOGGL_MAX_AGE = timedelta(minutes=5)  # a Toggl event stamped further from now is refused as a replay
MAX_ENTRY_SECONDS = 10_000 * 3600  # as imports: longer than a year of full-time work is a typo
EXTERNAL_ID_PREFIX = "webhook-"  # file imports' external ids are content hashes: the two never meet
SECRET_MIN_LENGTH = 16
TOGGL_SECRET_MAX_LENGTH = 128  # stored as it is (it keys the HMAC): the column's length
CLOCKIFY_TOKEN_MAX_LENGTH = 4096  # Clockify's token is a JWT; only its SHA-256 is stored

CLOCKIFY_UPSERTS = frozenset({"NEW_TIME_ENTRY", "TIME_ENTRY_UPDATED", "TIMER_STOPPED"})
CLOCKIFY_DELETES = frozenset({"TIME_ENTRY_DELETED"})


# --- refusals ---------------------------------------------------------------------------------------


class SignatureInvalid(ApplicationError):
    status_code = status.HTTP_401_UNAUTHORIZED
    code = "bad_signature"


class WebhookRefused(ApplicationError):
    """Signed, but not taken: no secret set here, a replay, or an event too old or too new."""

    status_code = status.HTTP_403_FORBIDDEN
    code = "refused"


class PayloadInvalid(ApplicationError):
    status_code = status.HTTP_400_BAD_REQUEST
    code = "invalid_payload"


# --- pure: signatures and freshness -----------------------------------------------------------------


def toggl_signature(body: bytes, *, secret: str) -> str:
    """The X-Webhook-Signature-256 value Toggl sends: sha256= and the hex HMAC-SHA256 of the raw body."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def toggl_signature_valid(body: bytes, header: str, *, secret: str) -> bool:
    return bool(header) and hmac.compare_digest(header.strip().encode(), toggl_signature(body, secret=secret).encode())


def clockify_token_hash(token: str) -> str:
    """What is stored of Clockify's signing token: it is only ever compared, so its hash is enough."""
    return hashlib.sha256(token.strip().encode()).hexdigest()


def clockify_token_valid(header: str, *, token_hash: str) -> bool:
    return bool(header) and hmac.compare_digest(clockify_token_hash(header).encode(), token_hash.encode())


def clockify_delivery_key(event_type: str, body: bytes) -> str:
    """A Clockify call's identity for replays: its signature carries no time, so its content is the key."""
    return hashlib.sha256(event_type.encode() + b"\n" + body).hexdigest()


def toggl_event_fresh(event: dict[str, Any], *, now: datetime) -> bool:
    """Whether the event's timestamp (else created_at) is within 5 minutes of now."""
    stamp = _moment(event.get("timestamp") or event.get("created_at"))
    return stamp is not None and abs(now - stamp) <= TOGGL_MAX_AGE


def toggl_is_ping(event: dict[str, Any]) -> bool:
    """Toggl's validation event: its payload is "ping", and it may carry a validation_code."""
    return event.get("payload") == "ping" or "validation_code" in event


# --- pure: payloads into entries ----------------------------------------------------------------------


@dataclass(frozen=True)
class TrackerEvent:
    """What one tracker event asks: write an entry, delete one, or nothing (a running timer, another model)."""

    action: Literal["upsert", "delete", "ignore"]
    external_id: str = ""
    entry: EntryIn | None = None


IGNORED = TrackerEvent("ignore")


def toggl_event_read(event: dict[str, Any]) -> TrackerEvent:
    """A Toggl Track webhook event (Webhooks API v1) as an entry to write or delete (METHOD.md section 2:
    the label is the task, else the description; minutes are the duration rounded half up)."""
    metadata = event.get("metadata")
    payload = event.get("payload")
    if not isinstance(metadata, dict) or not isinstance(payload, dict):
        raise PayloadInvalid("A Toggl event has a metadata object and a payload object.")
    if metadata.get("model") != "time_entry":
        return IGNORED
    action = metadata.get("action")
    external_id = _external_id(payload.get("id"))
    if action == "deleted":
        return TrackerEvent("delete", external_id=external_id)
    if action not in ("created", "updated"):
        return IGNORED
    started_at = _moment(payload.get("start"))
    if started_at is None:
        raise PayloadInvalid("A Toggl time entry has a start with its offset.")
    duration = payload.get("duration")
    if isinstance(duration, bool) or not (duration is None or isinstance(duration, int | float)):
        raise PayloadInvalid("A Toggl time entry's duration is a number of seconds.")
    stop = payload.get("stop")
    if (duration is not None and duration < 0) or (duration is None and not stop):
        return IGNORED  # a running timer (negative duration, no stop): its entry comes when it stops
    if duration is not None:
        seconds = Decimal(str(duration))
    else:
        stopped_at = _moment(stop)
        if stopped_at is None:
            raise PayloadInvalid("A Toggl time entry has a duration in seconds, or a stop with its offset.")
        seconds = Decimal((stopped_at - started_at) // timedelta(microseconds=1)) / 1_000_000
    description = _text(payload.get("description"))
    return TrackerEvent(
        "upsert",
        external_id=external_id,
        entry=EntryIn(
            identity=_identity(
                _text(payload.get("user_email") or payload.get("email")), "toggl-user", payload.get("user_id")
            ),
            name=_text(payload.get("user_name")),
            minutes=_minutes(seconds),
            source=Source.TOGGL,
            external_id=external_id,
            started_at=started_at,
            label=_label(_text(payload.get("task_name")) or description),
            project=_label(_text(payload.get("project_name"))),
            description=description,
        ),
    )


def clockify_event_read(event_type: str, body: dict[str, Any]) -> TrackerEvent:
    """A Clockify webhook's time entry as an entry to write or delete (METHOD.md section 2: the label is
    task.name, else the description; minutes are timeInterval.duration rounded half up)."""
    if event_type not in CLOCKIFY_UPSERTS | CLOCKIFY_DELETES:
        return IGNORED
    external_id = _external_id(body.get("id"))
    if event_type in CLOCKIFY_DELETES:
        return TrackerEvent("delete", external_id=external_id)
    interval = body.get("timeInterval")
    if not isinstance(interval, dict):
        raise PayloadInvalid("A Clockify time entry has a timeInterval object.")
    started_at = _moment(interval.get("start"))
    if started_at is None:
        raise PayloadInvalid("A Clockify time entry has a timeInterval.start with its offset.")
    if not interval.get("end"):
        return IGNORED  # a running timer: its entry comes when it stops
    seconds = _iso_duration_seconds(interval.get("duration"))
    if seconds is None:
        ended_at = _moment(interval.get("end"))
        if ended_at is None:
            raise PayloadInvalid("A Clockify time entry has a timeInterval.duration or end.")
        seconds = Decimal((ended_at - started_at) // timedelta(microseconds=1)) / 1_000_000
    user = body["user"] if isinstance(body.get("user"), dict) else {}
    description = _text(body.get("description"))
    return TrackerEvent(
        "upsert",
        external_id=external_id,
        entry=EntryIn(
            identity=_identity(_text(user.get("email")), "clockify-user", body.get("userId") or user.get("id")),
            name=_text(user.get("name")),
            minutes=_minutes(seconds),
            source=Source.CLOCKIFY,
            external_id=external_id,
            started_at=started_at,
            label=_label(_name_of(body.get("task")) or description),
            project=_label(_name_of(body.get("project"))),
            description=description,
        ),
    )


def _text(value: Any) -> str:
    """A text field of a payload: '' when absent; NUL bytes (never meant, never storable) dropped."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise PayloadInvalid(f"Expected text, found {type(value).__name__}.")
    return value.replace("\x00", "").strip()


def _label(text: str) -> str:
    """A label or project as the entries keep it (the column's length)."""
    return text[:LABEL_MAX_LENGTH]


def _name_of(value: Any) -> str:
    return _text(value.get("name")) if isinstance(value, dict) else ""


def _identity(email: str, prefix: str, user_id: Any) -> str:
    """The person's identity (METHOD.md section 2): the e-mail when the payload has one, else the
    tracker's user id. Turned into the pseudonym on arrival, never stored."""
    if "@" in email:
        return email.lower()
    if isinstance(user_id, int | str) and not isinstance(user_id, bool) and str(user_id).strip():
        return f"{prefix}-{_text(str(user_id))}"
    raise PayloadInvalid("The time entry names no user (no e-mail and no user id).")


def _external_id(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, int | str) or not str(value).strip() or len(str(value)) > 100:
        raise PayloadInvalid("The time entry has no id.")
    return EXTERNAL_ID_PREFIX + _text(str(value))


def _moment(value: Any) -> datetime | None:
    """An RFC 3339 moment with its offset ('Z' too, any digits of fraction); None when it is not one."""
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def _iso_duration_seconds(value: Any) -> Decimal | None:
    """Clockify's ISO 8601 duration ('PT1H30M', 'PT45.5S') in seconds; None when absent or not one."""
    if not isinstance(value, str) or not value.startswith("P"):
        return None
    parsed = parse_duration(value)
    return None if parsed is None else Decimal(parsed // timedelta(microseconds=1)) / 1_000_000


def _minutes(seconds: Decimal) -> int:
    """Whole minutes, the nearest half up (METHOD.md section 2)."""
    try:
        if seconds < 0 or seconds > MAX_ENTRY_SECONDS:
            raise PayloadInvalid("The time entry's duration is negative or longer than 10,000 hours.")
        return int((seconds / 60).to_integral_value(ROUND_HALF_UP))
    except InvalidOperation:
        raise PayloadInvalid("The time entry's duration is not a number.") from None


# --- services -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SecretSet:
    row: WebhookSecret
    shown: str  # the secret made here, to show once; '' when the person gave it


@transaction.atomic
def webhook_secret_set(*, tracker: str, secret: str, actor: Actor) -> SecretSet:
    """Set a tracker's webhook secret. Toggl: the one given (its own form's), else a new random one,
    to be shown once. Clockify: the signing token its webhook shows, required; its hash is kept."""
    shown = ""
    if tracker == WebhookTracker.CLOCKIFY:
        if not secret:
            raise ValidationError({"secret": ["Give the signing token Clockify shows for this webhook."]})
        stored = clockify_token_hash(secret)
    else:
        if len(secret) > TOGGL_SECRET_MAX_LENGTH:
            raise ValidationError({"secret": [f"A Toggl secret has at most {TOGGL_SECRET_MAX_LENGTH} characters."]})
        stored = secret or secrets.token_hex(24)
        shown = "" if secret else stored
    row, _ = WebhookSecret.objects.update_or_create(tracker=tracker, defaults={"secret": stored, **actor.as_fields()})
    return SecretSet(row=row, shown=shown)


def webhook_secret_get(*, tracker: str) -> str:
    found = WebhookSecret.objects.filter(tracker=tracker).values_list("secret", flat=True).first()
    if not found:
        raise WebhookRefused(f"No {WebhookTracker(tracker).label} webhook secret is set in this workspace.")
    return found


@transaction.atomic
def webhook_event_apply(*, tracker: str, delivery_key: str, event: TrackerEvent) -> str:
    """Record the delivery and do what its event asks, in one transaction: a delivery seen before is
    refused (403) and changes nothing. Returns what happened: created, updated, deleted or ignored."""
    try:
        with transaction.atomic():
            WebhookDelivery.objects.create(tracker=tracker, delivery_key=delivery_key)
    except IntegrityError:
        raise WebhookRefused("This delivery was received before; a replay is refused.") from None
    if event.action == "delete":
        return "deleted" if entry_delete(source=tracker, external_id=event.external_id) else "ignored"
    if event.entry is None:
        return "ignored"
    created, _ = entries_upsert(entries=[event.entry])
    return "created" if created else "updated"


# --- API: the trackers' calls -------------------------------------------------------------------------


class OnClientHost(AllowAny):
    """A tracker's call: no account and no API key (the view checks the tracker's signature, the only
    credential), on a client's host only. AllowAny to the OpenAPI schema, which then lists no scheme."""

    message = "Webhooks are received on a workspace's own host."

    def has_permission(self, request, view) -> bool:
        return not on_public_host()


def _raw_body(request) -> bytes:
    """The body exactly as sent (signatures are over these bytes), refused past 1 MiB before it is read."""
    too_large = BodyTooLarge(f"A webhook body has at most {WEBHOOK_MAX_BYTES:,} bytes.")
    declared = request.META.get("CONTENT_LENGTH")
    if declared and declared.isdigit() and int(declared) > WEBHOOK_MAX_BYTES:
        raise too_large
    body = request.body
    if len(body) > WEBHOOK_MAX_BYTES:
        raise too_large
    return body


def _json_object(request, body: bytes) -> dict[str, Any]:
    """The body as a JSON object, with the API's own limits (depth, no NaN); 400 otherwise."""
    data = LimitedJSONParser().parse(io.BytesIO(body), parser_context={"request": request})
    if not isinstance(data, dict):
        raise PayloadInvalid("The body is a JSON object.")
    return data


RESULT_HELP = "ignored: a running timer, another kind of event, or the deletion of an entry not here."


class WebhookOutput(serializers.Serializer):
    result = serializers.ChoiceField(choices=["created", "updated", "deleted", "ignored"], help_text=RESULT_HELP)


class TogglWebhookOutput(serializers.Serializer):
    result = serializers.ChoiceField(
        choices=["created", "updated", "deleted", "ignored", "ping"],
        required=False,
        help_text=f"{RESULT_HELP} ping: a ping with no validation code. Absent in the answer to a validation ping.",
    )
    validation_code = serializers.CharField(
        required=False, help_text="Toggl's validation ping only (and then alone): its validation_code, back."
    )


class _TrackerWebhookApi(APIView):
    authentication_classes: list = []
    permission_classes = [OnClientHost]
    access_description = (
        "the tracker, which signs each call with this workspace's webhook secret (set it with PUT "
        "/api/v1/webhooks/); no account or API key."
    )


class TogglWebhookApi(_TrackerWebhookApi):
    @extend_schema(
        operation_id="webhooks_toggl",
        request={"application/json": OpenApiTypes.OBJECT},
        parameters=[
            OpenApiParameter(
                TOGGL_SIGNATURE_HEADER,
                str,
                OpenApiParameter.HEADER,
                required=True,
                description="sha256= and the hex HMAC-SHA256 of the raw body, keyed with this workspace's Toggl secret.",
            )
        ],
        responses={200: TogglWebhookOutput},
    )
    def post(self, request):
        """Receive a Toggl Track webhook event.

        Toggl Track calls it (Webhooks API v1) for its time_entry events: created and updated write the
        entry (source toggl, external id webhook-<entry id>; the person's pseudonym; the task, else the
        description, as the label; the duration rounded to the nearest minute; the day of its start in
        the workspace's time zone), deleted removes it; a running timer is acknowledged and stores
        nothing. Toggl's validation ping is answered with its validation_code. No account or API key:
        the X-Webhook-Signature-256 header, an HMAC of the raw body with the Toggl secret set through
        /api/v1/webhooks/, is the credential. A missing or wrong signature answers 401; no secret set,
        an event id already received, or a timestamp more than 5 minutes from now answers 403; none of
        them stores anything. Bodies over 1 MiB answer 413.
        """
        body = _raw_body(request)
        secret = webhook_secret_get(tracker=WebhookTracker.TOGGL)
        if not toggl_signature_valid(body, request.headers.get(TOGGL_SIGNATURE_HEADER, ""), secret=secret):
            raise SignatureInvalid(f"The {TOGGL_SIGNATURE_HEADER} header is missing or does not match the body.")
        event = _json_object(request, body)
        if toggl_is_ping(event):
            # Toggl reads exactly {"validation_code": ...} back to validate the subscription.
            code = event.get("validation_code")
            return Response({"result": "ping"} if code is None else {"validation_code": code})
        if not toggl_event_fresh(event, now=timezone.now()):
            raise WebhookRefused("The event's timestamp is more than 5 minutes from now; it is refused as a replay.")
        event_id = event.get("event_id")
        if isinstance(event_id, bool) or not isinstance(event_id, int | str) or not 0 < len(str(event_id)) <= 64:
            raise PayloadInvalid("A Toggl event has an event_id.")
        result = webhook_event_apply(
            tracker=WebhookTracker.TOGGL, delivery_key=str(event_id), event=toggl_event_read(event)
        )
        return Response({"result": result})


class ClockifyWebhookApi(_TrackerWebhookApi):
    @extend_schema(
        operation_id="webhooks_clockify",
        request={"application/json": OpenApiTypes.OBJECT},
        parameters=[
            OpenApiParameter(
                CLOCKIFY_SIGNATURE_HEADER,
                str,
                OpenApiParameter.HEADER,
                required=True,
                description="The signing token Clockify shows for the webhook, as set through /api/v1/webhooks/.",
            ),
            OpenApiParameter(
                CLOCKIFY_EVENT_HEADER,
                str,
                OpenApiParameter.HEADER,
                required=True,
                description="NEW_TIME_ENTRY, TIME_ENTRY_UPDATED, TIMER_STOPPED, TIME_ENTRY_DELETED; others are ignored.",
            ),
        ],
        responses={200: WebhookOutput},
    )
    def post(self, request):
        """Receive a Clockify webhook event.

        Clockify calls it with a time entry: NEW_TIME_ENTRY, TIME_ENTRY_UPDATED and TIMER_STOPPED write
        the entry (source clockify, external id webhook-<entry id>; the person's pseudonym; the task,
        else the description, as the label; timeInterval.duration rounded to the nearest minute; the day
        of its start in the workspace's time zone), TIME_ENTRY_DELETED removes it; a running timer and
        other events are acknowledged and store nothing. No account or API key: the Clockify-Signature
        header, the webhook's signing token set through /api/v1/webhooks/, is the credential. A missing
        or wrong token answers 401; no token set, or a body already received with the same event type,
        answers 403; none of them stores anything. Bodies over 1 MiB answer 413.
        """
        body = _raw_body(request)
        token_hash = webhook_secret_get(tracker=WebhookTracker.CLOCKIFY)
        if not clockify_token_valid(request.headers.get(CLOCKIFY_SIGNATURE_HEADER, ""), token_hash=token_hash):
            raise SignatureInvalid(f"The {CLOCKIFY_SIGNATURE_HEADER} header is missing or is not this webhook's token.")
        event_type = request.headers.get(CLOCKIFY_EVENT_HEADER, "").strip()
        if not event_type:
            raise PayloadInvalid(f"The {CLOCKIFY_EVENT_HEADER} header is missing.")
        event = clockify_event_read(event_type, _json_object(request, body))
        result = webhook_event_apply(
            tracker=WebhookTracker.CLOCKIFY, delivery_key=clockify_delivery_key(event_type, body), event=event
        )
        return Response({"result": result})


# --- API: the secrets ---------------------------------------------------------------------------------


class WebhookSettingOutput(serializers.Serializer):
    tracker = serializers.ChoiceField(choices=WebhookTracker.choices)
    url = serializers.CharField(help_text="Where the tracker sends its events: paste it into its webhook form.")
    secret_set = serializers.BooleanField(help_text="Whether calls can be verified; until then they are refused.")
    updated_at = serializers.DateTimeField(allow_null=True, help_text="When the secret was last set.")
    actor = ActorOutput(allow_null=True, read_only=True, help_text="Who set the secret; null while none is set.")


class WebhookSecretOutput(WebhookSettingOutput):
    secret = serializers.CharField(
        required=False,
        help_text="A Toggl secret made by this request: shown in this answer only; paste it into Toggl's webhook form.",
    )


class WebhookSecretInput(serializers.Serializer):
    tracker = serializers.ChoiceField(choices=WebhookTracker.choices)
    secret = serializers.CharField(
        required=False,
        default="",
        min_length=SECRET_MIN_LENGTH,
        max_length=CLOCKIFY_TOKEN_MAX_LENGTH,
        help_text=(
            "Clockify: the signing token its webhook shows (required). Toggl: leave out for a new random"
            " secret, or give the one Toggl's form made."
        ),
    )


def _setting(request, tracker: str, row: WebhookSecret | None) -> dict[str, Any]:
    return {
        "tracker": tracker,
        "url": workspace_url(request.tenant, reverse(f"api:webhook_{tracker}")),
        "secret_set": row is not None,
        "updated_at": row.updated_at if row else None,
        "actor": row,
    }


class WebhookSettingsApi(APIView):
    permission_classes = [TenantAccess]
    read_roles = MANAGERS
    write_roles = MANAGERS
    read_key_scope = "admin"
    write_key_scope = "admin"

    @extend_schema(operation_id="webhooks_list", responses=WebhookSettingOutput(many=True))
    def get(self, request):
        """Show the trackers' webhook settings.

        Client admins, assigned consultants and admin keys. Per tracker (toggl, clockify): the url to
        paste into its webhook form, whether a secret is set, when and by whom. A secret is never shown.
        """
        rows = {row.tracker: row for row in WebhookSecret.objects.all()}
        return Response(
            [WebhookSettingOutput(_setting(request, tracker, rows.get(tracker))).data for tracker in WebhookTracker]
        )

    @extend_schema(request=WebhookSecretInput, responses=WebhookSecretOutput)
    def put(self, request):
        """Set a tracker's webhook secret.

        Client admins, assigned consultants and admin keys. {tracker: toggl} makes a new random secret
        and answers it once, in `secret`, to paste into Toggl's webhook form (or give Toggl's own in
        `secret`); {tracker: clockify, secret} stores the signing token Clockify shows for the webhook,
        which is never shown back. Calls signed with the previous secret are refused from now on. A
        Clockify setting without its token answers 400.
        """
        data = WebhookSecretInput(data=request.data)
        data.is_valid(raise_exception=True)
        tracker = data.validated_data["tracker"]
        made = webhook_secret_set(tracker=tracker, secret=data.validated_data["secret"], actor=request_actor(request))
        answer = WebhookSecretOutput(_setting(request, tracker, made.row)).data
        if made.shown:
            answer["secret"] = made.shown
        return Response(answer)
