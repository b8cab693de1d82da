"""The trackers' live feed (audits.webhooks): Toggl Track's and Clockify's time-entry events, signed with
the client's own secret, written, changed and deleted as entries; unsigned, wrongly signed, replayed and
stale calls refused with nothing stored; and GET|PUT /api/v1/webhooks/ for the secrets.

Payloads are copies of the trackers' documented shapes (tests/audits/payloads/); each test changes the
fields it is about and signs the bytes it sends, as the tracker would."""

import copy
import hashlib
import hmac
import json
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.db import models
from django.test import Client as HttpClient
from django.utils import timezone
from django_tenants.utils import tenant_context

from audits import webhooks
from audits.models import AuditSettings, Participant, TimeEntry, WebhookDelivery, WebhookSecret
from audits.services.people import identity_hash
from smartwork.actors import Actor
from smartwork.tenancy import workspace_url
from tests.conftest import PUBLIC_HOST

PAYLOADS = Path(__file__).resolve().parent / "payloads"
TOGGL_PATH = "/api/v1/webhooks/toggl/"
CLOCKIFY_PATH = "/api/v1/webhooks/clockify/"
SETTINGS_PATH = "/api/v1/webhooks/"
TOGGL_SECRET = "toggl-secret-of-client-a-0123456789"
CLOCKIFY_TOKEN = "eyJhbGciOiJSUzI1NiJ9.clockify-signing-token-of-client-a.c2lnbmF0dXJl"
ACTOR = Actor.cli("tests")

pytestmark = pytest.mark.django_db


def payload(name: str) -> dict:
    return json.loads((PAYLOADS / name).read_text())


def toggl_event(
    action: str = "created", *, event_id: int = 1717000000123, stamp: datetime | None = None, **changes
) -> dict:
    event = payload("toggl-time-entry.json")
    event["event_id"] = event_id
    event["timestamp"] = (stamp or timezone.now()).isoformat().replace("+00:00", "Z")
    event["metadata"]["action"] = action
    event["payload"].update(changes)
    return event


def clockify_entry(**changes) -> dict:
    entry = payload("clockify-time-entry.json")
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(entry.get(key), dict):
            entry[key] = {**entry[key], **value}
        else:
            entry[key] = value
    return entry


def toggl_signature(body: bytes, secret: str = TOGGL_SECRET) -> str:
    """Toggl's documented signature, computed here independently of the code under test."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def send_toggl(host: str, event: dict | bytes, *, signature: str | None = "sign", secret: str = TOGGL_SECRET):
    body = event if isinstance(event, bytes) else json.dumps(event, separators=(",", ":")).encode()
    headers = {"HTTP_HOST": host}
    if signature is not None:
        headers["HTTP_X_WEBHOOK_SIGNATURE_256"] = toggl_signature(body, secret) if signature == "sign" else signature
    return HttpClient().post(TOGGL_PATH, body, content_type="application/json", **headers)


def send_clockify(host: str, event_type: str, entry: dict | bytes, *, token: str | None = CLOCKIFY_TOKEN):
    body = entry if isinstance(entry, bytes) else json.dumps(entry).encode()
    headers = {"HTTP_HOST": host, "HTTP_CLOCKIFY_WEBHOOK_EVENT_TYPE": event_type}
    if token is not None:
        headers["HTTP_CLOCKIFY_SIGNATURE"] = token
    return HttpClient().post(CLOCKIFY_PATH, body, content_type="application/json", **headers)


def secrets_set(tenant, *, toggl: str = TOGGL_SECRET, clockify: str = CLOCKIFY_TOKEN) -> None:
    with tenant_context(tenant.client):
        webhooks.webhook_secret_set(tracker="toggl", secret=toggl, actor=ACTOR)
        webhooks.webhook_secret_set(tracker="clockify", secret=clockify, actor=ACTOR)


def entries_of(tenant) -> list[TimeEntry]:
    with tenant_context(tenant.client):
        return list(TimeEntry.objects.select_related("task", "participant").order_by("id"))


def stored(tenant) -> tuple[int, int, int]:
    """(entries, participants, deliveries) in the tenant's schema."""
    with tenant_context(tenant.client):
        return TimeEntry.objects.count(), Participant.objects.count(), WebhookDelivery.objects.count()


@pytest.fixture
def a(world):
    secrets_set(world.a)
    return world.a


# --- Toggl Track ----------------------------------------------------------------------------------------


def test_a_toggl_created_event_adds_one_entry_with_its_minutes_day_and_label(a):
    with tenant_context(a.client):
        AuditSettings.objects.update(timezone="Asia/Tokyo")
    # 23:50 on 7 September at UTC+2 is 06:50 on 8 September in Tokyo (and still the 7th in UTC).
    response = send_toggl(a.domain, toggl_event(start="2026-09-07T23:50:00+02:00", stop="2026-09-08T00:05:30+02:00"))
    assert response.status_code == 200, response.content
    assert response.json() == {"result": "created"}
    [entry] = entries_of(a)
    assert entry.source == "toggl" and entry.external_id == "webhook-3400000001"
    assert entry.minutes == 16  # 930 s is 15.5 minutes: half up
    assert entry.day == date(2026, 9, 8)  # its start's date in the client's time zone
    assert entry.started_at == datetime.fromisoformat("2026-09-07T23:50:00+02:00")
    assert entry.label == "Answer customer emails" and entry.task.name == "Answer customer emails"
    assert entry.description == "Answer customer emails"
    assert entry.participant.pseudonym.startswith("P-")


def test_a_toggl_updated_event_changes_the_same_entry_and_adds_none(a):
    send_toggl(a.domain, toggl_event("created", event_id=1))
    response = send_toggl(
        a.domain, toggl_event("updated", event_id=2, duration=3600, description="Qualify inbound lead")
    )
    assert response.json() == {"result": "updated"}
    [entry] = entries_of(a)
    assert (entry.minutes, entry.label) == (60, "Qualify inbound lead")


def test_a_toggl_deleted_event_removes_the_entry(a):
    send_toggl(a.domain, toggl_event("created", event_id=1))
    response = send_toggl(a.domain, toggl_event("deleted", event_id=2))
    assert response.status_code == 200 and response.json() == {"result": "deleted"}
    assert entries_of(a) == []


def test_the_toggl_task_name_is_the_label_and_the_project_name_is_kept_when_the_payload_has_them(a):
    send_toggl(a.domain, toggl_event(task_name="Qualify inbound lead", project_name="Sales"))
    [entry] = entries_of(a)
    assert (entry.label, entry.project, entry.description) == (
        "Qualify inbound lead",
        "Sales",
        "Answer customer emails",
    )


def test_the_toggl_validation_ping_is_answered_with_its_code(a):
    ping = payload("toggl-ping.json")
    response = send_toggl(a.domain, ping)
    assert response.status_code == 200
    assert response.json() == {"validation_code": ping["validation_code"]}
    assert stored(a)[0] == 0


def test_an_unsigned_toggl_ping_is_refused(a):
    assert send_toggl(a.domain, payload("toggl-ping.json"), signature=None).status_code == 401


@pytest.mark.parametrize(
    "how",
    ["no signature", "another secret", "a signature of other bytes", "a bare hex digest", "an empty header"],
)
def test_a_toggl_call_without_its_right_signature_is_refused_and_stores_nothing(a, how):
    event = toggl_event()
    body = json.dumps(event).encode()
    signature = {
        "no signature": None,
        "another secret": toggl_signature(body, "not-the-secret-of-this-client"),
        "a signature of other bytes": toggl_signature(body + b" "),
        "a bare hex digest": toggl_signature(body).removeprefix("sha256="),
        "an empty header": "",
    }[how]
    response = send_toggl(a.domain, body, signature=signature)
    assert response.status_code in (401, 403), response.content
    assert stored(a) == (0, 0, 0)


def test_a_toggl_call_to_a_workspace_without_a_secret_is_refused(world):
    response = send_toggl(world.a.domain, toggl_event())
    assert response.status_code == 403 and "secret" in response.json()["detail"]
    assert stored(world.a) == (0, 0, 0)


def test_a_replayed_toggl_event_is_refused_and_changes_nothing(a):
    event = toggl_event(event_id=77)
    assert send_toggl(a.domain, event).status_code == 200
    send_toggl(a.domain, toggl_event("updated", event_id=78, duration=600))
    before = [(e.minutes, e.label) for e in entries_of(a)]
    replay = send_toggl(a.domain, event)  # the very same bytes, correctly signed
    assert replay.status_code == 403 and "replay" in replay.json()["detail"]
    deleted_with_old_id = send_toggl(a.domain, toggl_event("deleted", event_id=77))
    assert deleted_with_old_id.status_code == 403
    assert [(e.minutes, e.label) for e in entries_of(a)] == before == [(10, "Answer customer emails")]


@pytest.mark.parametrize("offset", [timedelta(minutes=-6), timedelta(minutes=6), timedelta(days=-30)])
def test_a_toggl_event_stamped_more_than_five_minutes_from_now_is_refused(a, offset):
    response = send_toggl(a.domain, toggl_event(stamp=timezone.now() + offset))
    assert response.status_code == 403 and "5 minutes" in response.json()["detail"]
    assert stored(a) == (0, 0, 0)


def test_a_toggl_event_without_a_timestamp_is_refused(a):
    event = toggl_event()
    del event["timestamp"], event["created_at"]
    assert send_toggl(a.domain, event).status_code == 403


def test_a_running_toggl_timer_is_acknowledged_and_stores_nothing(a):
    started = int(timezone.now().timestamp())
    response = send_toggl(a.domain, toggl_event(duration=-started, stop=None))
    assert response.status_code == 200 and response.json() == {"result": "ignored"}
    assert stored(a)[:2] == (0, 0)


def test_a_toggl_event_of_another_model_is_acknowledged_and_stores_nothing(a):
    event = toggl_event()
    event["metadata"]["model"] = "project"
    assert send_toggl(a.domain, event).json() == {"result": "ignored"}
    assert stored(a)[:2] == (0, 0)


def test_a_signed_but_malformed_toggl_event_answers_400_and_stores_nothing(a):
    for broken in (b"{not json", b"[1, 2]", json.dumps(toggl_event(start="yesterday")).encode()):
        assert send_toggl(a.domain, broken).status_code == 400
    assert stored(a) == (0, 0, 0)


def test_a_webhook_body_over_one_mebibyte_is_refused_with_413(a):
    body = b'{"pad": "' + b"x" * (1024 * 1024) + b'"}'
    assert send_toggl(a.domain, body).status_code == 413
    assert send_clockify(a.domain, "NEW_TIME_ENTRY", body).status_code == 413
    assert stored(a) == (0, 0, 0)


# --- Clockify -------------------------------------------------------------------------------------------


def test_clockify_new_updated_and_deleted_time_entries_write_change_and_remove_one_entry(a):
    created = send_clockify(a.domain, "NEW_TIME_ENTRY", clockify_entry())
    assert created.status_code == 200 and created.json() == {"result": "created"}, created.content
    [entry] = entries_of(a)
    assert entry.source == "clockify" and entry.external_id == "webhook-66dc0f1e8a4b2c3d4e5f6a7b"
    assert entry.minutes == 46  # PT45M30S, half up
    assert entry.day == date(2026, 9, 7)
    assert (entry.label, entry.project) == ("Prepare weekly KPI report", "Reporting")
    assert entry.description == "Weekly KPI numbers"

    changed = clockify_entry(timeInterval={"end": "2026-09-07T08:00:00Z", "duration": "PT1H"}, task=None)
    assert send_clockify(a.domain, "TIME_ENTRY_UPDATED", changed).json() == {"result": "updated"}
    [entry] = entries_of(a)
    assert (entry.minutes, entry.label) == (60, "Weekly KPI numbers")  # no task: the description

    deleted = send_clockify(a.domain, "TIME_ENTRY_DELETED", changed)
    assert deleted.json() == {"result": "deleted"}
    assert entries_of(a) == []


@pytest.mark.parametrize("token", [None, "", "eyJhbGciOiJSUzI1NiJ9.another-webhooks-token.c2ln", CLOCKIFY_TOKEN + "x"])
def test_a_clockify_call_without_its_token_is_refused_and_stores_nothing(a, token):
    response = send_clockify(a.domain, "NEW_TIME_ENTRY", clockify_entry(), token=token)
    assert response.status_code in (401, 403), response.content
    assert stored(a) == (0, 0, 0)


def test_a_replayed_clockify_body_is_refused_and_changes_nothing(a):
    body = json.dumps(clockify_entry()).encode()
    assert send_clockify(a.domain, "NEW_TIME_ENTRY", body).status_code == 200
    assert send_clockify(a.domain, "TIME_ENTRY_DELETED", clockify_entry(description="gone")).status_code == 200
    assert entries_of(a) == []
    replay = send_clockify(a.domain, "NEW_TIME_ENTRY", body)
    assert replay.status_code == 403 and "replay" in replay.json()["detail"]
    assert entries_of(a) == []


def test_a_running_clockify_timer_is_acknowledged_and_stores_nothing(a):
    running = clockify_entry(timeInterval={"end": None, "duration": None}, currentlyRunning=True)
    for event_type in ("NEW_TIMER_STARTED", "TIME_ENTRY_UPDATED"):
        response = send_clockify(a.domain, event_type, running)
        assert response.status_code == 200 and response.json() == {"result": "ignored"}
    assert stored(a)[:2] == (0, 0)


def test_a_clockify_event_that_is_no_time_entry_is_acknowledged_and_stores_nothing(a):
    assert send_clockify(a.domain, "NEW_PROJECT", {"id": "66aa11bb22cc33dd44ee55ff", "name": "Reporting"}).json() == {
        "result": "ignored"
    }
    assert stored(a)[:2] == (0, 0)


def test_a_clockify_stopped_timer_is_written(a):
    assert send_clockify(a.domain, "TIMER_STOPPED", clockify_entry()).json() == {"result": "created"}
    assert [e.minutes for e in entries_of(a)] == [46]


# --- each client its own secrets, on its own host ---------------------------------------------------------


def test_the_secrets_of_client_a_do_not_verify_a_call_on_client_bs_host(world, a):
    b = world.b
    assert send_toggl(b.domain, toggl_event()).status_code == 403  # B has set no secret
    assert send_clockify(b.domain, "NEW_TIME_ENTRY", clockify_entry()).status_code == 403
    secrets_set(b, toggl="toggl-secret-of-client-b-9876543210", clockify="clockify-token-of-client-b-987654")
    assert send_toggl(b.domain, toggl_event()).status_code == 401
    assert send_clockify(b.domain, "NEW_TIME_ENTRY", clockify_entry()).status_code == 401
    assert stored(b) == (0, 0, 0)
    # ... and on A's own host the same calls are taken, into A's schema only.
    assert send_toggl(a.domain, toggl_event()).status_code == 200
    assert len(entries_of(a)) == 1 and stored(b) == (0, 0, 0)


def test_the_webhooks_are_not_served_on_the_public_host(a):
    for path in (TOGGL_PATH, CLOCKIFY_PATH, SETTINGS_PATH):
        assert HttpClient().post(path, b"{}", content_type="application/json", HTTP_HOST=PUBLIC_HOST).status_code == 404


# --- privacy ---------------------------------------------------------------------------------------------


def test_the_participant_is_a_pseudonym_and_no_email_or_name_is_stored_in_any_audits_table(a):
    email = "Dev.Ito@Northwind.test"
    send_clockify(a.domain, "NEW_TIME_ENTRY", clockify_entry(user={"email": email}))
    send_toggl(a.domain, toggl_event(user_email=email, user_name="Dev Ito", id=3400000002))
    assert len(entries_of(a)) == 2
    with tenant_context(a.client):
        secret = AuditSettings.objects.get().pseudonym_secret
        # One person across both trackers: both carried the e-mail, the identity METHOD.md prefers.
        [participant] = Participant.objects.all()
        assert participant.identity_hash == identity_hash(email, secret=secret)
        assert participant.name == ""
        for model in apps.get_app_config("audits").get_models():
            text_fields = [
                f.name for f in model._meta.get_fields() if isinstance(f, models.CharField | models.TextField)
            ]
            for field in text_fields:
                for needle in ("northwind.test", "Dev Ito", "dev.ito"):
                    found = model.objects.filter(**{f"{field}__icontains": needle})
                    assert not found.exists(), f"{model.__name__}.{field} holds {needle!r}"


def test_without_an_email_the_trackers_user_id_is_the_identity(a):
    send_toggl(a.domain, toggl_event())
    with tenant_context(a.client):
        secret = AuditSettings.objects.get().pseudonym_secret
        assert Participant.objects.get().identity_hash == identity_hash("toggl-user-9876543", secret=secret)


# --- GET|PUT /api/v1/webhooks/ ---------------------------------------------------------------------------


def as_session(tenant, role: str) -> HttpClient:
    http = HttpClient()
    http.cookies[settings.SESSION_COOKIE_NAME] = tenant.sessions[role]
    return http


def api(http: HttpClient, tenant, method: str, body: dict | None = None, key: str | None = None):
    headers = {"HTTP_HOST": tenant.domain}
    if key:
        headers["HTTP_AUTHORIZATION"] = f"Api-Key {tenant.keys[key]}"
    if method == "get":
        return http.get(SETTINGS_PATH, **headers)
    return http.put(SETTINGS_PATH, json.dumps(body), content_type="application/json", **headers)


@pytest.mark.parametrize(
    ("who", "allowed"),
    [("admin", True), ("consultant", True), ("viewer", False), ("read", False), ("write", False), ("key admin", True)],
)
def test_the_webhook_settings_are_for_client_admins_consultants_and_admin_keys(world, who, allowed):
    tenant = world.a
    http = HttpClient() if who in ("read", "write", "key admin") else as_session(tenant, who)
    key = who.removeprefix("key ") if who in ("read", "write", "key admin") else None
    read = api(http, tenant, "get", key=key)
    write = api(http, tenant, "put", {"tracker": "toggl"}, key=key)
    assert (read.status_code, write.status_code) == ((200, 200) if allowed else (403, 403)), (
        read.content,
        write.content,
    )
    if not allowed:
        with tenant_context(tenant.client):
            assert not WebhookSecret.objects.exists()


def test_nobody_reads_the_webhook_settings_without_credentials(world):
    assert api(HttpClient(), world.a, "get").status_code in (401, 403)


def test_a_new_toggl_secret_is_shown_once_verifies_calls_and_is_never_shown_again(world):
    tenant = world.a
    http = as_session(tenant, "admin")
    before = api(http, tenant, "get").json()
    assert [(s["tracker"], s["secret_set"], s["updated_at"], s["actor"]) for s in before] == [
        ("toggl", False, None, None),
        ("clockify", False, None, None),
    ]
    made = api(http, tenant, "put", {"tracker": "toggl"})
    assert made.status_code == 200
    secret = made.json()["secret"]
    assert len(secret) >= 32 and made.json()["secret_set"] is True
    assert made.json()["actor"] == {"kind": "person", "label": tenant.admin.email, "role": "client_admin"}
    shown = api(http, tenant, "get")
    assert secret not in shown.content.decode() and all("secret" not in s for s in shown.json())
    assert shown.json()[0]["secret_set"] is True and shown.json()[0]["updated_at"]
    assert send_toggl(tenant.domain, toggl_event(), secret=secret).status_code == 200
    # A second PUT makes another secret: the first no longer verifies.
    again = api(http, tenant, "put", {"tracker": "toggl"}).json()["secret"]
    assert again != secret
    assert send_toggl(tenant.domain, toggl_event(event_id=5), secret=secret).status_code == 401


def test_the_urls_are_the_absolute_endpoints_on_the_clients_own_host(world):
    answer = api(HttpClient(), world.a, "get", key="admin").json()
    assert {s["tracker"]: s["url"] for s in answer} == {
        "toggl": workspace_url(world.a.client, TOGGL_PATH),
        "clockify": workspace_url(world.a.client, CLOCKIFY_PATH),
    }
    assert f"//{world.a.domain}" in answer[0]["url"]


def test_a_clockify_token_is_stored_never_shown_and_verifies_calls(world):
    tenant = world.a
    http = HttpClient()
    assert api(http, tenant, "put", {"tracker": "clockify"}, key="admin").status_code == 400
    answer = api(http, tenant, "put", {"tracker": "clockify", "secret": CLOCKIFY_TOKEN}, key="admin")
    assert answer.status_code == 200 and "secret" not in answer.json()
    assert answer.json()["actor"]["kind"] == "api_key"
    assert CLOCKIFY_TOKEN not in api(http, tenant, "get", key="admin").content.decode()
    with tenant_context(tenant.client):
        assert CLOCKIFY_TOKEN not in WebhookSecret.objects.get(tracker="clockify").secret  # only its hash
    assert send_clockify(tenant.domain, "NEW_TIME_ENTRY", clockify_entry()).status_code == 200


def test_a_toggl_secret_from_togglss_own_form_can_be_given_and_is_not_shown_back(world):
    tenant = world.a
    answer = api(HttpClient(), tenant, "put", {"tracker": "toggl", "secret": "PGuRrhCFajIyEvFlreKL"}, key="admin")
    assert answer.status_code == 200 and "secret" not in answer.json()
    assert send_toggl(tenant.domain, toggl_event(), secret="PGuRrhCFajIyEvFlreKL").status_code == 200


def test_an_unknown_tracker_or_a_short_secret_is_refused(world):
    http = HttpClient()
    assert api(http, world.a, "put", {"tracker": "harvest"}, key="admin").status_code == 400
    assert api(http, world.a, "put", {"tracker": "clockify", "secret": "short"}, key="admin").status_code == 400


# --- pure functions ---------------------------------------------------------------------------------------


def test_the_toggl_signature_is_the_hmac_sha256_of_the_raw_body():
    body = b'{"event_id":0,"payload":"ping"}'
    expected = "sha256=" + hmac.new(b"PGuRrhCFajIyEvFlreKL", body, hashlib.sha256).hexdigest()
    assert webhooks.toggl_signature(body, secret="PGuRrhCFajIyEvFlreKL") == expected
    assert webhooks.toggl_signature_valid(body, expected, secret="PGuRrhCFajIyEvFlreKL")
    assert not webhooks.toggl_signature_valid(body + b"\n", expected, secret="PGuRrhCFajIyEvFlreKL")
    assert not webhooks.toggl_signature_valid(body, "", secret="PGuRrhCFajIyEvFlreKL")


def test_toggl_freshness_allows_five_minutes_either_way():
    now = timezone.now()
    for offset, fresh in [
        (timedelta(0), True),
        (timedelta(minutes=4, seconds=59), True),
        (timedelta(minutes=-5), True),
    ]:
        assert webhooks.toggl_event_fresh({"timestamp": (now + offset).isoformat()}, now=now) is fresh
    assert not webhooks.toggl_event_fresh({"timestamp": (now - timedelta(minutes=5, seconds=1)).isoformat()}, now=now)
    assert webhooks.toggl_event_fresh({"created_at": now.isoformat()}, now=now)
    assert not webhooks.toggl_event_fresh({"timestamp": "2026-09-07T08:27:31"}, now=now)  # no offset
    assert not webhooks.toggl_event_fresh({}, now=now)


def test_toggl_timestamps_with_nanoseconds_are_read():
    stamp = "2022-06-25T03:58:10.207820267Z"
    now = datetime.fromisoformat("2022-06-25T03:59:00+00:00")
    assert webhooks.toggl_event_fresh({"timestamp": stamp}, now=now)


def test_minutes_are_rounded_half_up():
    event = toggl_event()
    for seconds, minutes in [(29, 0), (30, 1), (89, 1), (90, 2), (930, 16), (3600, 60)]:
        event["payload"]["duration"] = seconds
        entry = webhooks.toggl_event_read(event).entry
        assert entry is not None and entry.minutes == minutes, seconds


def test_a_toggl_entry_without_a_duration_takes_stop_minus_start():
    event = toggl_event()
    del event["payload"]["duration"]
    entry = webhooks.toggl_event_read(event).entry
    assert entry is not None and entry.minutes == 16


def test_clockify_durations_are_read_from_iso_8601_or_from_end_minus_start():
    for duration, minutes in [("PT1H30M", 90), ("PT45.5S", 1), ("PT29S", 0), ("P1DT1M", 1441), (None, 46)]:
        entry = webhooks.clockify_event_read(
            "NEW_TIME_ENTRY", clockify_entry(timeInterval={"duration": duration})
        ).entry
        assert entry is not None and entry.minutes == minutes, duration


def test_labels_are_cut_to_the_columns_length_and_nul_bytes_dropped():
    entry = webhooks.clockify_event_read(
        "NEW_TIME_ENTRY", clockify_entry(task=None, description="a\x00b" + "c" * 600, project={"name": "p\x00"})
    ).entry
    assert entry is not None
    assert entry.label == ("ab" + "c" * 600)[:500] and entry.project == "p" and "\x00" not in entry.description


def test_events_read_into_delete_and_ignore():
    assert webhooks.toggl_event_read(toggl_event("deleted")) == webhooks.TrackerEvent(
        "delete", external_id="webhook-3400000001"
    )
    assert webhooks.clockify_event_read("TIME_ENTRY_DELETED", {"id": "abc"}).external_id == "webhook-abc"
    assert webhooks.clockify_event_read("NEW_TIMER_STARTED", clockify_entry()).action == "ignore"
    with pytest.raises(webhooks.PayloadInvalid):
        webhooks.toggl_event_read(toggl_event(user_id=None))
    with pytest.raises(webhooks.PayloadInvalid):
        webhooks.clockify_event_read("NEW_TIME_ENTRY", copy.deepcopy({"timeInterval": {}, "id": "x"}))
