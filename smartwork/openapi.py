"""The OpenAPI contract, complete by construction: SmartWork's credentials, and the schema class that
documents every operation's summary, description, credentials and error answers.

The convention (SmartWorkAutoSchema, the DEFAULT_SCHEMA_CLASS):
- Every handler method of an API view (get, post, put, patch, delete) has its own docstring. Its first
  line is the operation's summary, a short imperative ("List your clients"); the rest is the
  description: who may call it, what it does, and its notable refusals. The class docstring is never
  used. A handler without both parts makes schema generation warn, which fails
  `manage.py spectacular --validate --fail-on-warn` and tests/test_openapi.py.
- The credentials an operation lists, and an "Access" line appended to its description, come from
  the view's permission classes: IsConsultant (public host) takes a consultant's token or a session;
  TenantAccess (a client's host) takes a session, plus an API key when the view's read_key_scope
  (safe methods) or write_key_scope (other methods) is not None.
- Error answers are added from what the view can answer: 401 and 403 always, 404 when the path has
  parameters, 400 when there is a request body, 413 and 415 when that body is JSON, 503 on a client's
  host (its workspace is being set up or failed). A 409 is listed when the handler declares it, with
  `@extend_schema(responses={..., 409: OpenApiResponse(description="why")})`; any declared error
  answer without a body gets the error body's shape.
"""

import inspect
from functools import cache
from typing import cast

from django.conf import settings
from django.urls import get_resolver
from drf_spectacular.drainage import warn
from drf_spectacular.extensions import OpenApiAuthenticationExtension, OpenApiSerializerExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import ResolvedComponent
from rest_framework import serializers
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import SAFE_METHODS, AllowAny
from rest_framework.settings import api_settings

from smartwork.permissions import IsConsultant, TenantAccess
from smartwork.tenancy import ANY_ROLE, CLIENT_ADMIN, CLIENT_VIEWER, CONSULTANT

# --- credentials ----------------------------------------------------------------------------------


class TenantApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "apikeys.authentication.TenantApiKeyAuthentication"
    name = "ApiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": (
                "`Api-Key <key>` on the client's own host (the workspace's API). A key has a scope, read < write < admin;"
                " each operation's description says the lowest scope it needs, and operations that do not"
                " list this scheme refuse API keys."
            ),
        }


class ConsultantTokenScheme(OpenApiAuthenticationExtension):
    target_class = "engagements.authentication.ConsultantTokenAuthentication"
    name = "ConsultantToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Token <key>`: a consultant's personal token, on the public host.",
        }


# --- error bodies ---------------------------------------------------------------------------------


class ErrorOutput(serializers.Serializer):
    """A refusal: why, in words a person can act on."""

    detail = serializers.CharField()
    code = serializers.CharField(
        required=False, help_text="A stable code for programs, when the error has one (e.g. conflict)."
    )


class ValidationErrorOutput(serializers.Serializer):
    """Invalid input: {"field": ["message", ...]} per refused field, or {"detail": "..."} for the whole request."""

    detail = serializers.CharField(required=False, help_text="A refusal of the request as a whole.")
    non_field_errors = serializers.ListField(
        child=serializers.CharField(), required=False, help_text="Refusals of a combination of fields."
    )


class ValidationErrorOutputScheme(OpenApiSerializerExtension):
    """Any other key of a validation error is a field's name; serializers cannot say so, so say it here."""

    target_class = ValidationErrorOutput

    def map_serializer(self, auto_schema, direction):
        schema = auto_schema._map_basic_serializer(self.target, direction)
        schema["additionalProperties"] = {
            "description": "The messages of the field of that name (an object for nested or list fields).",
            "oneOf": [{"type": "array", "items": {"type": "string"}}, {"type": "object"}],
        }
        return schema


class WorkspaceUnavailableOutput(serializers.Serializer):
    """The client's workspace cannot serve requests: it is being set up, or it is unavailable."""

    detail = serializers.CharField()
    status = serializers.CharField(
        help_text="provisioning (being set up: try again after Retry-After seconds) or unavailable."
    )


UNAUTHENTICATED = "No credentials, or credentials that are unknown, revoked, expired or made for another host."
FORBIDDEN = (
    "Authenticated but not allowed: your role, your API key's scope or this host does not allow it"
    " (a browser session also needs its CSRF token)."
)
NOT_FOUND = "Not found, or not yours: another client's object answers the same."
INVALID = "The input is refused: a list of messages per field, or a detail for the whole request."
TOO_LARGE = "The body is larger than the API's size limit."
UNSUPPORTED = "The body is not in a media type this operation takes: send JSON (`Content-Type: application/json`)."
UNAVAILABLE = "This workspace is being set up (try again after Retry-After seconds), or it is unavailable."

ROLE_NAMES = {CLIENT_ADMIN: "client admins", CLIENT_VIEWER: "client viewers", CONSULTANT: "assigned consultants"}


@cache
def routed_views(urlconf: str) -> frozenset[type]:
    """The view classes a URL conf routes to (to tell which host an operation is on)."""

    def walk(patterns):
        for pattern in patterns:
            if hasattr(pattern, "url_patterns"):
                yield from walk(pattern.url_patterns)
            elif view := getattr(pattern.callback, "view_class", None) or getattr(pattern.callback, "cls", None):
                yield view

    return frozenset(walk(get_resolver(urlconf).url_patterns))


# --- the schema class -----------------------------------------------------------------------------


class SmartWorkAutoSchema(AutoSchema):
    """drf-spectacular's AutoSchema with SmartWork's convention (see the module docstring)."""

    def _handler_doc(self) -> tuple[str, str]:
        """(summary, description) from the handler's own docstring; empty strings where it has none."""
        action = getattr(self.view, "action", None) or self.method.lower()
        doc = inspect.cleandoc(getattr(getattr(self.view, action, None), "__doc__", None) or "")
        summary, _, description = doc.partition("\n")
        return summary.strip(), description.strip()

    def get_summary(self) -> str | None:
        return self._handler_doc()[0] or None

    # drf-spectacular's own get_description takes no arguments, unlike DRF's ViewInspector it
    # subclasses (drf-spectacular ignores the same override error there); ours keeps its signature.
    def get_description(self) -> str:  # type: ignore[override]
        return self._handler_doc()[1]

    # Who may call: read from the view's permission classes.

    def host(self) -> str | None:
        """'public', 'tenant' or 'open' (AllowAny), from the view's permission classes; None if unknown."""
        permissions = self.view.get_permissions()
        if any(isinstance(p, IsConsultant) for p in permissions):
            return "public"
        if any(isinstance(p, TenantAccess) for p in permissions):
            return "tenant"
        if any(isinstance(p, AllowAny) for p in permissions):
            return "open"
        return None

    def on_tenant_host(self) -> bool:
        """Routed on a client's host, where TenantReadinessMiddleware answers 503 until the workspace is ready."""
        return type(self.view) in routed_views(settings.ROOT_URLCONF)

    def _safe(self) -> bool:
        return self.method in SAFE_METHODS

    def key_scope(self) -> str | None:
        """The lowest API key scope this operation takes, None when it refuses keys (as TenantAccess reads it)."""
        if self.host() != "tenant":
            return None
        return getattr(self.view, "read_key_scope" if self._safe() else "write_key_scope", None)

    def roles(self) -> frozenset[str]:
        """The roles of signed-in people this operation takes (as TenantAccess reads them)."""
        safe = self._safe()
        return getattr(self.view, "read_roles" if safe else "write_roles", ANY_ROLE if safe else frozenset())

    def accepted_authenticators(self) -> tuple[type, ...]:
        """The configured credentials that work on this host (each says where: `credential_host`),
        API keys only where the operation takes them; and a signed-in session."""
        host = self.host()
        if host not in ("public", "tenant"):
            return ()
        # The stubs type the setting as the dotted paths written in settings; DRF has imported the classes.
        configured = cast("list[type]", api_settings.DEFAULT_AUTHENTICATION_CLASSES)
        credentials = [auth for auth in configured if getattr(auth, "credential_host", None) == host]
        if host == "tenant" and self.key_scope() is None:
            credentials = []
        return (*credentials, SessionAuthentication)

    def access_note(self) -> str:
        custom = getattr(self.view, "access_description", None)
        if custom:  # a credential of its own kind, e.g. a tracker's signature
            return f"**Access:** {custom}"
        host = self.host()
        if host == "public":
            return "**Access:** consultants, with their personal token or a session signed in on the public host."
        if host == "open":
            return "**Access:** anyone; no credentials needed."
        if host != "tenant":
            return ""
        roles = [ROLE_NAMES[role] for role in ROLE_NAMES if role in self.roles()]
        people = " and ".join([", ".join(roles[:-1]), roles[-1]] if len(roles) > 1 else roles) or "nobody"
        scope = self.key_scope()
        keys = (
            f"API keys with the {scope} scope{'' if scope == 'admin' else ' or higher'}."
            if scope
            else "API keys: refused; a person must sign in."
        )
        return f"**Access:** {people}, signed in on this workspace's host. {keys}"

    def get_auth(self):
        """Only the credentials that work on this operation, and only their schemes in the components."""
        accepted = self.accepted_authenticators()
        if self.host() is None:
            warn(
                f"{self.method} {self.path}: cannot tell which credentials work here; use IsConsultant or "
                f"TenantAccess (smartwork.permissions) or AllowAny."
            )
        requirements = []
        for authenticator in self.view.get_authenticators():
            scheme = OpenApiAuthenticationExtension.get_match(authenticator)
            if scheme is None or not isinstance(authenticator, accepted):
                continue
            requirements.append(scheme.get_security_requirement(self))
            self.registry.register_on_missing(
                ResolvedComponent(
                    name=scheme.name,
                    type=ResolvedComponent.SECURITY_SCHEMA,
                    object=authenticator.__class__,
                    schema=scheme.get_security_definition(self),
                )
            )
        if self.host() == "open":
            requirements.append({})
        return requirements

    # The operation: checked, with its access line and error answers.

    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        if not operation.get("summary") or not operation.get("description"):
            warn(
                f"{method} {path}: the handler needs a docstring: a one-line summary, then a description "
                f"(who may call it, what it does, its refusals). See smartwork/openapi.py."
            )
        note = self.access_note()
        if note:
            operation["description"] = "\n\n".join(filter(None, [operation.get("description"), note]))
        operation["responses"] = self._responses_with_errors(operation)
        return operation

    def _error_response(self, serializer, description: str, **extra) -> dict:
        ref = self.resolve_serializer(serializer, "response").ref
        return {"content": {"application/json": {"schema": ref}}, "description": description, **extra}

    def _responses_with_errors(self, operation) -> dict:
        body = operation.get("requestBody", {}).get("content", {})
        errors: dict[str, tuple[type[serializers.Serializer], str]] = {
            "401": (ErrorOutput, UNAUTHENTICATED),
            "403": (ErrorOutput, FORBIDDEN),
        }
        if any(p["in"] == "path" for p in operation.get("parameters", [])):
            errors["404"] = (ErrorOutput, NOT_FOUND)
        if body:
            errors["400"] = (ValidationErrorOutput, INVALID)
        if "application/json" in body:
            errors["413"] = (ErrorOutput, TOO_LARGE)
            errors["415"] = (ErrorOutput, UNSUPPORTED)
        if self.on_tenant_host():
            errors["503"] = (WorkspaceUnavailableOutput, UNAVAILABLE)
        responses = dict(operation["responses"])
        for code, answer in responses.items():
            # A declared error answer (e.g. 409 with its reason) without a body has the error body.
            if code.isdigit() and code >= "400" and "content" not in answer:
                responses[code] = self._error_response(ErrorOutput, answer.get("description") or "Refused.")
        for code, (serializer, description) in errors.items():
            if code not in responses:
                retry_after = {"schema": {"type": "integer"}, "description": "Seconds to wait, while being set up."}
                extra = {"headers": {"Retry-After": retry_after}} if code == "503" else {}
                responses[code] = self._error_response(serializer, description, **extra)
        return dict(sorted(responses.items()))
