"""What the harness puts in paths and bodies: the target tenant's real identifiers, people and canary
strings, so a request that slipped past a check would act on, or show, the target's data.

A path parameter or body field the tables below cannot fill fails the suite with a message naming
it: a new route or field is then covered by adding one line here.
"""

from engagements.models import THEATER_SIGNS
from tests.isolation.routes import Route, page_form_fields, request_body_schema, resolve
from tests.world import PASSWORD, Tenant

NEW_PASSWORD = "Harness-new-pass-93"
# Path parameters that are themselves a credential (one-time links): filled with one link of each
# kind (see the harness), never with an id.
# A survey link's token (`survey_token`) is a credential too: on B's host B's own token would open its
# page to anyone, as it should, so the harness fills it with the links of the side whose credentials
# it tries; B's survey token on A's host is tested in tests/audits/test_friction.py.
CREDENTIAL_PARAMS = {"token", "survey_token"}
# Body fields that name a person (see test_isolation._bodies: they are tried with several people).
PERSON_FIELDS = {"email", "admin_email", "username"}


def param_values(target: Tenant) -> dict[str, object]:
    """Path parameters filled with `target`'s real object ids. A new parameter name must be added here."""
    return {
        "slug": target.client.slug,
        "member_id": target.viewer_membership.id,
        "key_id": target.key_prefixes["admin"],
        "token_id": target.consultant_token_id,
        "import_id": target.import_id,
        "participant_id": target.participant_id,
        "task_id": target.task_id,
        "rule_id": target.rule_id,
        "survey_link_id": target.survey_link_id,
    }


def body_values(target: Tenant, *, people: Tenant) -> dict[str, object]:
    """Body fields by name: `target`'s names, slug, domain and canary notes; people (e-mails, a sign-in)
    from `people` (the target on the attacker's own host; the attacker on the target's host, where
    anyone may legitimately ask a reset e-mail for the target's own people). A new field name must be
    added here."""
    return {
        "name": target.client.name,
        "slug": target.client.slug,
        "domain": target.domain,
        "note": target.theater_note,
        "to": "design",
        "answers": [True] * len(THEATER_SIGNS),
        "currency": "USD",
        "role": "client_admin",
        "scope": "admin",
        "email": people.viewer.email,
        "admin_email": people.admin.email,
        "username": people.admin.email,
        "password": PASSWORD,
        "new_password1": NEW_PASSWORD,
        "new_password2": NEW_PASSWORD,
        "confirm_none": True,
        # step 1 (audits): the target's task, its words, and a file naming them
        "start": "2026-09-07",
        "end": "2026-09-18",
        "window_start": "2026-09-07",
        "window_end": "2026-09-18",
        "working_days": [1, 2, 3, 4, 5],
        "working_days_per_month": 21,
        "hourly_cost": 55,
        "timezone": "Europe/Berlin",
        "holidays": ["2026-09-10"],
        "k": 5,
        "keep_names": True,
        "file": f"person,task,date,minutes\n{people.admin.email},{target.canary} task,2026-09-07,10\n".encode(),
        "format": "auto",
        "mode": "valid_rows",
        "team": f"{target.canary} team",
        "role_title": f"{target.canary} role",
        "process": f"{target.canary} process",
        **dict.fromkeys(("rules", "input_type", "input_quality", "stability", "documentation"), 4),
        "task": target.task_id,
        "into": target.task_id,
        "task_name": f"{target.canary} task",
        "position": 1,
        "field": "label",
        "match": "contains",
        "pattern": f"{target.canary} task",
        "project": f"{target.canary} project",
        "description": f"{target.canary} description",
        "participant": people.admin.email,
        "day": "2026-09-07",
        "started_at": "2026-09-07T08:00:00+02:00",
        "minutes": 10,
        "source": "api",
        "external_id": f"{target.canary}-harness",
        "tracker": "clockify",
        "secret": f"{target.canary} webhook token",
        # friction votes: a survey link's token is a credential, so it is `people`'s (A's on B's host, B's
        # on A's host), like the sign-in above; the note is the target's words
        "pain": 5,
        "token": people.survey_token,
        **{f"sign_{number}": True for number in range(1, len(THEATER_SIGNS) + 1)},
    }


def mass_assignment_fields(target: Tenant) -> dict[str, object]:
    """Fields no route takes, naming the target: a view that honoured one would act on the target."""
    return {
        "client": target.client.slug,
        "client_id": target.client.pk,
        "tenant": target.client.pk,
        "slug": target.client.slug,
        "schema_name": target.schema,
        "user": target.admin.pk,
        "user_id": target.consultant.pk,
        "membership": target.viewer_membership.pk,
        "id": target.viewer_membership.pk,
    }


class Unfillable(AssertionError):
    pass


def _fill(schema: dict, node: dict, name: str, values: dict, missing: list[str]):
    if name in values:
        return values[name]
    node = resolve(schema, node)
    if node.get("type") == "object" or "properties" in node:
        return {key: _fill(schema, child, key, values, missing) for key, child in node.get("properties", {}).items()}
    if node.get("type") == "array" and resolve(schema, node.get("items", {})).get("properties"):
        return [_fill(schema, node["items"], name, values, missing)]
    missing.append(name)
    return None


def body_fields(route: Route, method: str, values: dict) -> dict:
    """The body this route takes for this method, every field filled from `values`."""
    missing: list[str] = []
    if route.is_api:
        found = request_body_schema(route, method)
        body = {} if found is None else _fill(found[0], found[1], "(body)", values, missing)
    else:
        body = {}
        for field in page_form_fields(route):
            if field in values:
                body[field] = values[field]
            else:
                missing.append(field)
    if missing:
        raise Unfillable(
            f"{route.id} {method.upper()}: the isolation harness cannot fill the body field(s) {sorted(set(missing))}; "
            "add them to body_values() in tests/isolation/bodies.py"
        )
    return body


def missing_params(route: Route, target: Tenant) -> list[str]:
    return [name for name in route.params if name not in param_values(target) and name not in CREDENTIAL_PARAMS]
