"""Tenant-host API v1, people: the workspace's members and their invitations."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from engagements import selectors, services
from engagements.models import Membership
from smartwork.api import WorkspaceManagersApi, page_of, paginated
from smartwork.permissions import TenantAccess
from smartwork.tenancy import MANAGERS


class MemberOutput(serializers.ModelSerializer):
    email = serializers.EmailField(source="user.email")
    has_password = serializers.SerializerMethodField()

    class Meta:
        model = Membership
        fields = ["id", "email", "role", "has_password", "created_at"]

    def get_has_password(self, membership) -> bool:
        return membership.user.has_usable_password()


class MemberCreatedOutput(MemberOutput):
    invitation_url = serializers.CharField(allow_null=True)

    class Meta(MemberOutput.Meta):
        fields = [*MemberOutput.Meta.fields, "invitation_url"]


class MemberInput(serializers.Serializer):
    email = serializers.EmailField()
    role = serializers.ChoiceField(choices=Membership.Role.choices)


class PeopleBase(WorkspaceManagersApi):
    """Client admins and assigned consultants manage people; API keys may not."""


class MemberListCreateApi(PeopleBase):
    @extend_schema(operation_id="members_list", responses=page_of(MemberOutput))
    def get(self, request):
        return paginated(self, selectors.membership_list(client=request.tenant), MemberOutput)

    @extend_schema(request=MemberInput, responses={201: MemberCreatedOutput})
    def post(self, request):
        data = MemberInput(data=request.data)
        data.is_valid(raise_exception=True)
        invited = services.member_invite(client=request.tenant, invited_by=request.user, **data.validated_data)
        body = MemberOutput(invited.membership).data
        body["invitation_url"] = (
            request.build_absolute_uri(invited.invitation_path) if invited.invitation_path else None
        )
        return Response(body, status=status.HTTP_201_CREATED)


class MemberDetailApi(PeopleBase):
    @extend_schema(responses=MemberOutput)
    def get(self, request, member_id: int):
        return Response(MemberOutput(selectors.membership_get(client=request.tenant, membership_id=member_id)).data)

    @extend_schema(responses={204: None})
    def delete(self, request, member_id: int):
        membership = selectors.membership_get(client=request.tenant, membership_id=member_id)
        services.member_remove(membership=membership, removed_by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class WorkspaceOutput(serializers.Serializer):
    name = serializers.CharField()
    slug = serializers.CharField()
    domain = serializers.CharField(source="primary_domain")
    phase = serializers.CharField(source="engagement.phase")
    currency = serializers.CharField()


class WorkspaceInput(serializers.Serializer):
    currency = serializers.RegexField(r"^[A-Z]{3}$", help_text="ISO 4217 code, e.g. EUR.")


class WorkspaceApi(APIView):
    """The workspace itself: anyone with access reads it; admins, consultants and write keys set its currency."""

    permission_classes = [TenantAccess]
    read_key_scope = "read"
    write_roles = MANAGERS
    write_key_scope = "write"

    @extend_schema(responses=WorkspaceOutput)
    def get(self, request):
        return Response(WorkspaceOutput(request.tenant).data)

    @extend_schema(request=WorkspaceInput, responses=WorkspaceOutput)
    def patch(self, request):
        data = WorkspaceInput(data=request.data)
        data.is_valid(raise_exception=True)
        client = services.client_currency_set(client=request.tenant, currency=data.validated_data["currency"])
        return Response(WorkspaceOutput(client).data)
