"""Tenant-host API v1: API keys (the key appears once, in the answer to its creation)."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from apikeys import selectors, services
from apikeys.models import ApiKey
from smartwork.actors import request_actor
from smartwork.api import WorkspaceManagersApi, actor_field, page_of, paginated


class ApiKeyOutput(serializers.ModelSerializer):
    id = serializers.CharField(source="prefix", help_text="The key's public id: its first characters.")
    actor = actor_field("Who made the key.")

    class Meta:
        model = ApiKey
        fields = ["id", "name", "scope", "created", "actor", "last_used_at", "revoked", "revoked_at"]


class ApiKeyCreatedOutput(ApiKeyOutput):
    key = serializers.CharField(help_text="Shown once: store it now.")

    class Meta(ApiKeyOutput.Meta):
        fields = [*ApiKeyOutput.Meta.fields, "key"]


class ApiKeyInput(serializers.Serializer):
    name = serializers.CharField(max_length=50)
    scope = serializers.ChoiceField(choices=ApiKey.Scope.choices, default=ApiKey.Scope.WRITE)


class ApiKeyBase(WorkspaceManagersApi):
    """Client admins and assigned consultants; an API key never manages keys."""


class ApiKeyListCreateApi(ApiKeyBase):
    @extend_schema(operation_id="api_keys_list", responses=page_of(ApiKeyOutput))
    def get(self, request):
        """List the workspace's API keys.

        Client admins and assigned consultants, signed in (an API key never manages keys). Every key of
        this workspace, newest first, revoked ones too, each by its public id (its first characters)
        with its name, scope and last use; never the key itself.
        """
        return paginated(self, selectors.api_key_list(), ApiKeyOutput)

    @extend_schema(request=ApiKeyInput, responses={201: ApiKeyCreatedOutput})
    def post(self, request):
        """Create an API key.

        Client admins and assigned consultants, signed in (an API key never manages keys). The key
        works on this workspace's host only, with the scope given (read, write or admin; write when
        left out). The answer carries the key once; only a hash is kept. Refused with 400 for an empty
        name, one over 50 characters, or an unknown scope.
        """
        data = ApiKeyInput(data=request.data)
        data.is_valid(raise_exception=True)
        api_key, key = services.api_key_create(actor=request_actor(request), **data.validated_data)
        return Response({**ApiKeyOutput(api_key).data, "key": key}, status=status.HTTP_201_CREATED)


class ApiKeyDetailApi(ApiKeyBase):
    @extend_schema(responses=ApiKeyOutput)
    def get(self, request, key_id: str):
        """Show one API key.

        Client admins and assigned consultants, signed in (an API key never manages keys). key_id is
        the key's public id; another workspace's key answers 404.
        """
        return Response(ApiKeyOutput(selectors.api_key_get(prefix=key_id)).data)

    @extend_schema(responses={204: None})
    def delete(self, request, key_id: str):
        """Revoke an API key.

        Client admins and assigned consultants, signed in (an API key never manages keys). The key stops
        working at once; it stays listed as revoked. Revoking twice is harmless.
        """
        services.api_key_revoke(api_key=selectors.api_key_get(prefix=key_id))
        return Response(status=status.HTTP_204_NO_CONTENT)
