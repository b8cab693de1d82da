"""Tenant-host API v1, people: the workspace's members and their invitations."""

from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from engagements import selectors, services
from engagements.models import Membership, Phase
from engagements.services import EMAIL_MAX_LENGTH
from smartwork.actors import request_actor
from smartwork.api import WorkspaceManagersApi, actor_field, page_of, paginated
from smartwork.permissions import TenantAccess
from smartwork.tenancy import MANAGERS

MEMBER_STATUSES = [("invited", "invited"), ("joined", "joined")]


class MemberOutput(serializers.ModelSerializer):
    email = serializers.EmailField(source="user.email")
    name = serializers.SerializerMethodField()
    status = serializers.SerializerMethodField()
    actor = actor_field("Who invited them.")

    class Meta:
        model = Membership
        fields = ["id", "email", "name", "role", "status", "created_at", "joined_at", "actor"]

    def get_name(self, membership) -> str | None:
        # Only once the person has joined: before that, nothing about their account (which may
        # belong to another workspace too) reaches the inviter.
        return (membership.user.full_name or None) if membership.joined_at else None

    @extend_schema_field(
        serializers.ChoiceField(
            choices=MEMBER_STATUSES,
            help_text="invited until the person first signs in to this workspace, then joined.",
        )
    )
    def get_status(self, membership) -> str:
        return "joined" if membership.joined_at else "invited"


class MemberInput(serializers.Serializer):
    email = serializers.EmailField(max_length=EMAIL_MAX_LENGTH)
    role = serializers.ChoiceField(choices=Membership.Role.choices, default=Membership.Role.CLIENT_VIEWER)


class PeopleBase(WorkspaceManagersApi):
    """Client admins and assigned consultants manage people; API keys may not."""


class MemberListCreateApi(PeopleBase):
    @extend_schema(operation_id="members_list", responses=page_of(MemberOutput))
    def get(self, request):
        """List the workspace's members.

        Client admins and assigned consultants, signed in (API keys are refused). Every member of this
        workspace, by e-mail, with their role and whether they have joined yet.
        """
        return paginated(self, selectors.membership_list(client=request.tenant), MemberOutput)

    @extend_schema(request=MemberInput, responses={201: MemberOutput})
    def post(self, request):
        """Invite a person to the workspace.

        Client admins and assigned consultants, signed in (API keys are refused). Adds the person with
        the role given (client_admin or client_viewer) and e-mails them an invitation; a person with no
        password yet gets a single-use link to set one, for this workspace's host, that expires. The
        answer never carries the link. Refused with 400 for an invalid e-mail, a consultant's e-mail
        (consultants are assigned, not invited) or someone who is already a member.
        """
        data = MemberInput(data=request.data)
        data.is_valid(raise_exception=True)
        membership = services.member_invite(client=request.tenant, actor=request_actor(request), **data.validated_data)
        return Response(MemberOutput(membership).data, status=status.HTTP_201_CREATED)


class MemberDetailApi(PeopleBase):
    @extend_schema(responses=MemberOutput)
    def get(self, request, member_id: int):
        """Show one member.

        Client admins and assigned consultants, signed in (API keys are refused). The id of a member of
        another workspace answers 404.
        """
        return Response(MemberOutput(selectors.membership_get(client=request.tenant, membership_id=member_id)).data)

    @extend_schema(
        responses={
            204: None,
            409: OpenApiResponse(description="This is the workspace's last client admin; add another admin first."),
        }
    )
    def delete(self, request, member_id: int):
        """Remove a member.

        Client admins and assigned consultants, signed in (API keys are refused). The person loses
        access to this workspace at once, and their open links for it stop working. Refused with 409
        for the last client admin: a workspace always keeps one.
        """
        membership = selectors.membership_get(client=request.tenant, membership_id=member_id)
        services.member_remove(membership=membership, actor=request_actor(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class MemberResendApi(PeopleBase):
    @extend_schema(
        request=None,
        responses={202: MemberOutput, 409: OpenApiResponse(description="The person has already joined.")},
    )
    def post(self, request, member_id: int):
        """Send a member's invitation again.

        Client admins and assigned consultants. The person gets a new e-mail (with a new link to set a
        password when they have none; an earlier link stops working). Refused with 409 once the person
        has joined: they can reset a forgotten password from the sign-in page.
        """
        membership = selectors.membership_get(client=request.tenant, membership_id=member_id)
        membership = services.member_invitation_resend(membership=membership, actor=request_actor(request))
        return Response(MemberOutput(membership).data, status=status.HTTP_202_ACCEPTED)


class WorkspaceOutput(serializers.Serializer):
    name = serializers.CharField()
    slug = serializers.CharField()
    domain = serializers.CharField(source="primary_domain")
    phase = serializers.ChoiceField(source="engagement.phase", choices=Phase.choices, read_only=True)
    currency = serializers.CharField()


class WorkspaceInput(serializers.Serializer):
    name = serializers.CharField(max_length=200, required=False, help_text="The client's name, as its people see it.")
    currency = serializers.RegexField(r"^[A-Z]{3}$", required=False, help_text="ISO 4217 code, e.g. EUR.")


class WorkspaceApi(APIView):
    """The workspace itself: anyone with access reads it; admins, consultants and write keys set its name and currency."""

    permission_classes = [TenantAccess]
    read_key_scope = "read"
    write_roles = MANAGERS
    write_key_scope = "write"

    @extend_schema(responses=WorkspaceOutput)
    def get(self, request):
        """Show the workspace.

        Anyone with access to it: its members in either role, assigned consultants, and API keys of any
        scope. Its name, slug, domain, engagement phase (read-only: consultants move it) and currency.
        """
        return Response(WorkspaceOutput(request.tenant).data)

    @extend_schema(request=WorkspaceInput, responses=WorkspaceOutput)
    def patch(self, request):
        """Change the workspace's name or currency.

        Client admins, assigned consultants and API keys with the write scope; client viewers are
        refused. Only the fields sent change. Refused with 400 for an empty name or one over 200
        characters, or a currency that is not a three-letter ISO 4217 code.
        """
        data = WorkspaceInput(data=request.data)
        data.is_valid(raise_exception=True)
        client = services.client_workspace_update(client=request.tenant, **data.validated_data)
        return Response(WorkspaceOutput(client).data)
