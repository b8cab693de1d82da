"""Shared pieces of the REST API: page-number pagination for list answers, and its OpenAPI shape."""

from collections.abc import Sequence
from functools import cache
from typing import Any

from django.db.models import QuerySet
from rest_framework import serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from smartwork.actors import ActorKind
from smartwork.permissions import TenantAccess
from smartwork.tenancy import MANAGERS


class Pagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


def paginated(
    view: APIView,
    items: QuerySet[Any] | Sequence[Any],
    serializer_class: type[serializers.BaseSerializer],
    context: dict[str, Any] | None = None,
) -> Response:
    """The list answer of API.md: {count, next, previous, results}."""
    paginator = Pagination()
    page = paginator.paginate_queryset(items, view.request, view=view)
    return paginator.get_paginated_response(serializer_class(page, many=True, context=context or {}).data)


@cache
def page_of(serializer_class) -> type[serializers.Serializer]:
    """The OpenAPI shape of a paginated list of serializer_class (or of a serializer instance made with
    many=True, e.g. drf-spectacular's PolymorphicProxySerializer)."""
    if isinstance(serializer_class, serializers.BaseSerializer):
        proxy: Any = getattr(serializer_class, "child", serializer_class)  # many=True wraps it in a list
        name = f"{proxy.component_name}Page"
        results = serializer_class
    else:
        name = serializer_class.__name__.removesuffix("Output") + "Page"
        results = serializer_class(many=True)
    return type(
        name,
        (serializers.Serializer,),
        {
            "count": serializers.IntegerField(),
            "next": serializers.URLField(allow_null=True),
            "previous": serializers.URLField(allow_null=True),
            "results": results,
        },
    )


class StrictBooleanField(serializers.BooleanField):
    """true or false, and nothing DRF would coerce ("yes", 1, "on")."""

    default_error_messages = {"invalid": "Must be true or false."}

    def to_internal_value(self, data):
        if not isinstance(data, bool):
            self.fail("invalid")
        return data


class ActorOutput(serializers.Serializer):
    """Who did a write (smartwork.actors.Actor), the same shape on every history row."""

    kind = serializers.ChoiceField(choices=ActorKind.choices, help_text="person, api_key, cli or system.")
    # A declared field named `label` shadows Field.label for the type checker only: DRF's metaclass
    # moves declared fields out of the class attributes.
    label = serializers.CharField(  # type: ignore[assignment]
        help_text="A person's e-mail, 'API key <name> (<id>)', 'command <name>' or 'job <name>'."
    )
    role = serializers.CharField(
        allow_null=True,
        help_text="The role a person acted in (consultant, client_admin, client_viewer) or a key's scope; null otherwise.",
    )

    def to_representation(self, instance):
        actor = instance.actor
        return {"kind": actor.kind, "label": actor.label, "role": actor.role or None}


def actor_field(help_text: str) -> ActorOutput:
    """The `actor` of a history row's output: ActorOutput read from the row itself."""
    return ActorOutput(source="*", read_only=True, help_text=help_text)


class WorkspaceManagersApi(APIView):
    """A tenant-host endpoint for client admins and assigned consultants only; no API key may use it."""

    permission_classes = [TenantAccess]
    read_roles = MANAGERS
    write_roles = MANAGERS
