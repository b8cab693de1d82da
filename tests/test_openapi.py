"""The OpenAPI contract of both hosts, complete by construction (smartwork/openapi.py): every operation
has a summary, a description, the credentials that work on it and its error answers, and no internal
state leaks into it. Operations are found by generating the schemas, so a new endpoint is held to the
same rules without being listed here."""

from functools import cache

import pytest
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema

from engagements.models import THEATER_SIGNS
from tests.conftest import PUBLIC_HOST
from tests.isolation.routes import HOST_URLCONFS

METHODS = ("get", "post", "put", "patch", "delete")
HOSTS = sorted(HOST_URLCONFS)
INTERNAL_CLIENT_STATES = {"warming", "pooled"}


@cache
def _generated(host: str) -> tuple[dict, list[str], list[str]]:
    """The host's schema as drf-spectacular makes it, with the warnings and errors it emitted."""
    GENERATOR_STATS.reset()
    with GENERATOR_STATS.silence():
        schema = SchemaGenerator(urlconf=HOST_URLCONFS[host]).get_schema(request=None, public=True)
    warnings, errors = list(GENERATOR_STATS._warn_cache), list(GENERATOR_STATS._error_cache)
    GENERATOR_STATS.reset()
    return schema, warnings, errors


def _operations(host: str) -> list[tuple[str, dict]]:
    schema = _generated(host)[0]
    found = [
        (f"{method.upper()} {path}", operation)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    ]
    assert found, f"the {host} schema lists no operation"
    return found


def _security(operation: dict) -> set[str]:
    return {name for requirement in operation.get("security", []) for name in requirement}


def _open(operation: dict) -> bool:
    """Whether the operation needs no credentials at all (an empty security requirement)."""
    return {} in operation.get("security", [])


def _enums(node):
    if isinstance(node, dict):
        if isinstance(node.get("enum"), list):
            yield node["enum"]
        for value in node.values():
            yield from _enums(value)
    elif isinstance(node, list):
        for value in node:
            yield from _enums(value)


@pytest.mark.parametrize("host", HOSTS)
def test_the_schema_generates_without_warnings_and_is_valid_openapi(host):
    schema, warnings, errors = _generated(host)
    assert not warnings and not errors, "\n".join(warnings + errors)
    validate_schema(schema)


@pytest.mark.parametrize("host", HOSTS)
def test_every_operation_has_a_summary_and_a_description(host):
    missing = [
        name
        for name, operation in _operations(host)
        if not operation.get("summary", "").strip() or not operation.get("description", "").strip()
    ]
    assert not missing, f"operations without a handler docstring (summary line + description): {missing}"


@pytest.mark.parametrize("host", HOSTS)
def test_every_operation_documents_its_refusals_with_the_error_shape(host):
    for name, operation in _operations(host):
        responses = operation["responses"]
        expected = {"401", "403"}
        if any(parameter["in"] == "path" for parameter in operation.get("parameters", [])):
            expected.add("404")
        if "requestBody" in operation:
            expected.add("400")
        if "application/json" in operation.get("requestBody", {}).get("content", {}):
            expected |= {"413", "415"}
        if host == "tenant":
            expected.add("503")
        assert expected <= set(responses), f"{name} does not document {sorted(expected - set(responses))}"
        for code, response in responses.items():
            if code >= "400":
                assert response["description"], f"{name} {code} has no description"
                assert response["content"]["application/json"]["schema"]["$ref"], f"{name} {code} has no body"


@pytest.mark.parametrize("host", HOSTS)
def test_error_bodies_are_documented_shapes(host):
    schemas = _generated(host)[0]["components"]["schemas"]
    assert schemas["ErrorOutput"]["required"] == ["detail"]
    assert {"detail", "code"} <= set(schemas["ErrorOutput"]["properties"])
    assert "additionalProperties" in schemas["ValidationErrorOutput"]


def test_declared_conflicts_are_documented():
    for host, name in [
        ("public", "POST /api/v1/clients/{slug}/phase/"),
        ("public", "POST /api/v1/clients/{slug}/retry/"),
        ("tenant", "DELETE /api/v1/members/{member_id}/"),
    ]:
        response = dict(_operations(host))[name]["responses"]["409"]
        assert response["description"] and "ErrorOutput" in response["content"]["application/json"]["schema"]["$ref"]


@pytest.mark.parametrize("host", HOSTS)
def test_no_enum_shows_an_internal_client_state(host):
    for enum in _enums(_generated(host)[0]):
        assert not INTERNAL_CLIENT_STATES & set(enum), enum


def test_the_client_status_is_provisioning_ready_or_failed():
    schemas = _generated("public")[0]["components"]["schemas"]
    for component in ("ClientOutput", "PortfolioRowOutput"):
        status = schemas[component]["properties"]["status"]
        refs = [status, *status.get("allOf", [])]
        enums = [schemas[ref["$ref"].rsplit("/", 1)[-1]]["enum"] for ref in refs if "$ref" in ref]
        assert [sorted(enum) for enum in enums] == [["failed", "provisioning", "ready"]], component


def test_public_operations_take_a_consultant_token_or_a_session_never_an_api_key():
    for name, operation in _operations("public"):
        assert "ApiKey" not in _security(operation), name
        if not _open(operation):
            assert _security(operation) == {"ConsultantToken", "cookieAuth"}, name
    assert "ApiKey" not in _generated("public")[0]["components"]["securitySchemes"]


def test_tenant_operations_list_an_api_key_only_where_keys_are_allowed():
    operations = dict(_operations("tenant"))
    for name, operation in operations.items():
        security = _security(operation)
        assert "ConsultantToken" not in security, name
        assert "cookieAuth" in security or _open(operation), name
        if name.split(" ")[1].startswith(("/api/v1/members/", "/api/v1/api-keys/")):
            assert "ApiKey" not in security, f"{name} refuses API keys but lists them"
        # The description says the same as the security requirement.
        says_keys = "API keys with the" in operation["description"]
        assert says_keys == ("ApiKey" in security), name
    assert "ApiKey" in _security(operations["GET /api/v1/workspace/"])
    assert "read scope" in operations["GET /api/v1/workspace/"]["description"]
    assert "write scope" in operations["PATCH /api/v1/workspace/"]["description"]
    assert "ConsultantToken" not in _generated("tenant")[0]["components"]["securitySchemes"]


def test_the_theater_answers_name_the_six_signs_in_order():
    schemas = _generated("public")[0]["components"]["schemas"]
    for component in ("TheaterCheckInputRequest", "TheaterCheckOutput"):
        description = schemas[component]["properties"]["answers"]["description"]
        positions = [description.find(f"{number}. {sign}") for number, sign in enumerate(THEATER_SIGNS, start=1)]
        assert -1 not in positions and positions == sorted(positions), component


def test_absent_values_are_documented_as_null():
    schemas = _generated("public")[0]["components"]["schemas"]

    def nullable(component: str, field: str) -> bool:
        prop = schemas[component]["properties"][field]
        return prop.get("nullable") is True or any(
            option.get("$ref", "").endswith("/NullEnum") for option in prop.get("oneOf", [])
        )

    for component, field in [
        ("ClientOutput", "failure_reason"),
        ("PhaseChangeOutput", "from_phase"),
        ("PhaseChangeOutput", "note"),
        ("TheaterCheckOutput", "note"),
    ]:
        assert nullable(component, field), f"{component}.{field}"


@pytest.mark.django_db
def test_absent_values_answer_null_and_a_null_note_is_accepted(client, world):
    headers = {"HTTP_HOST": PUBLIC_HOST, "HTTP_AUTHORIZATION": f"Token {world.a.consultant_token}"}
    slug = world.a.client.slug
    assert client.get(f"/api/v1/clients/{slug}/", **headers).json()["failure_reason"] is None
    history = client.get(f"/api/v1/clients/{slug}/phase-history/", **headers).json()["results"]
    assert history[-1]["from_phase"] is None
    check = client.post(
        f"/api/v1/clients/{slug}/theater-checks/",
        {"answers": [True, False, False, True, False, False], "note": None},
        content_type="application/json",
        **headers,
    )
    assert check.status_code == 201, check.content
    assert check.json()["note"] is None and check.json()["score"] == 2


@pytest.mark.django_db
def test_each_host_serves_its_own_contract_and_its_docs(client, world):
    for host, domain in [("public", PUBLIC_HOST), ("tenant", world.a.domain)]:
        served = client.get("/api/schema/", HTTP_HOST=domain, HTTP_ACCEPT="application/vnd.oai.openapi+json")
        assert served.status_code == 200
        assert set(served.json()["paths"]) == set(_generated(host)[0]["paths"])
        assert all(
            operation.get("summary")
            for item in served.json()["paths"].values()
            for method, operation in item.items()
            if method in METHODS
        )
        assert client.get("/api/docs/", HTTP_HOST=domain).status_code == 200


def test_the_word_tenant_never_reaches_what_users_read():
    """One word per concept: users read "client" and "workspace"; "tenant" is for developers."""
    from pathlib import Path

    for urlconf in ("smartwork.urls_public", "smartwork.urls_tenant"):
        schema = SchemaGenerator(urlconf=urlconf).get_schema(request=None, public=True)
        texts = [
            str(value)
            for item in schema["paths"].values()
            for operation in item.values()
            if isinstance(operation, dict)
            for key, value in operation.items()
            if key in ("summary", "description")
        ]
        texts += [str(scheme.get("description", "")) for scheme in schema["components"]["securitySchemes"].values()]
        assert not [text for text in texts if "tenant" in text.lower()], urlconf
    root = Path(__file__).resolve().parents[1]
    for template in [*root.glob("*/templates/**/*.html"), *root.glob("*/templates/**/*.txt")]:
        assert "tenant" not in template.read_text().lower(), template
