"""Tenant-host API v1, the friction survey (API.md "Tenant host: step 1"): survey links, friction votes
(anonymous through a link's token, or by a write key or a signed-in manager) and the friction per task."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from audits.models import SURVEY_NOTE_MAX_LENGTH, FrictionVote, SurveyLink, Task
from audits.services import friction
from smartwork.actors import request_actor
from smartwork.api import actor_field, page_of, paginated
from smartwork.openapi import SmartWorkAutoSchema
from smartwork.permissions import TenantAccess
from smartwork.tenancy import ANY_ROLE, MANAGERS, on_public_host

CLOSED = "This survey link is closed; ask whoever sent it whether there is a new one."
UNKNOWN = "No survey link of this workspace has this token; check the link you were sent."
TOO_MANY = "Too many votes through this survey link from your network; wait a minute, then try again."


# --- survey links -----------------------------------------------------------------------------------


class SurveyLinkOutput(serializers.ModelSerializer):
    url = serializers.SerializerMethodField(help_text="The survey page to send to the team; it needs no account.")
    votes = serializers.IntegerField(source="vote_count", default=0, help_text="Votes cast through this link.")
    actor = actor_field("Who made the link.")

    class Meta:
        model = SurveyLink
        fields = ["id", "token", "url", "created_at", "revoked_at", "votes", "actor"]

    def get_url(self, link) -> str:
        return friction.survey_link_url(client=self.context["request"].tenant, link=link)


class _SurveyLinkApi(APIView):
    """Client admins, consultants and API keys (read to list, write to change); the links are the
    survey's credentials, so client viewers do not list them."""

    permission_classes = [TenantAccess]
    read_roles = MANAGERS
    read_key_scope = "read"
    write_roles = MANAGERS
    write_key_scope = "write"


class SurveyLinkListCreateApi(_SurveyLinkApi):
    @extend_schema(operation_id="survey_links_list", responses=page_of(SurveyLinkOutput))
    def get(self, request):
        """List the survey links.

        Every link, newest first, open or revoked, with its token and the url of its survey page
        (meant to be shared with the team: the link's token is the page's only credential), who made
        it and the votes cast through it.
        """
        return paginated(self, friction.survey_link_list(), SurveyLinkOutput, context={"request": request})

    @extend_schema(request=None, responses={201: SurveyLinkOutput})
    def post(self, request):
        """Open a new survey link.

        Send its url to the team: anyone with it can vote, without an account, until it is revoked.
        Links already open stay open.
        """
        link = friction.survey_link_create(actor=request_actor(request))
        return Response(SurveyLinkOutput(link, context={"request": request}).data, status=status.HTTP_201_CREATED)


class SurveyLinkDetailApi(_SurveyLinkApi):
    @extend_schema(responses={204: None})
    def delete(self, request, survey_link_id: int):
        """Revoke a survey link.

        At once: its page then says the link is closed and votes through it are refused (403). The
        votes it brought stay counted. Revoking a revoked link changes nothing.
        """
        link = get_object_or_404(SurveyLink, pk=survey_link_id)
        friction.survey_link_revoke(link=link, actor=request_actor(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- votes ------------------------------------------------------------------------------------------


def _survey_token(request) -> str | None:
    token = request.data.get("token") if isinstance(request.data, dict) else None
    return token if isinstance(token, str) and token else None


class SurveyTokenOrTenantAccess(TenantAccess):
    """A vote that carries a survey link's `token` needs no other credential (the view checks the
    token); without one, TenantAccess's roles and key scopes."""

    def has_permission(self, request, view) -> bool:
        if on_public_host():
            return False
        if request.method == "POST" and _survey_token(request) is not None:
            return True
        return super().has_permission(request, view)


class SurveyTokenOrCredentialsSchema(SmartWorkAutoSchema):
    """Lists, besides a session and a write key, no credential at all: a survey link's token in the body."""

    def get_auth(self):
        return [*super().get_auth(), {}]


class FrictionVoteInput(serializers.Serializer):
    task = serializers.PrimaryKeyRelatedField(queryset=Task.objects.all())
    pain = serializers.IntegerField(
        min_value=friction.PAIN_MIN, max_value=friction.PAIN_MAX, help_text="1 no pain ... 5 very painful."
    )
    note = serializers.CharField(
        max_length=SURVEY_NOTE_MAX_LENGTH,
        required=False,
        allow_blank=True,
        default="",
        help_text="Where the process breaks (optional). Shown without any name.",
    )
    token = serializers.CharField(
        max_length=100,
        required=False,
        allow_blank=True,
        default="",
        help_text="A survey link's token, for a vote without an account.",
    )


class FrictionVoteOutput(serializers.ModelSerializer):
    class Meta:
        model = FrictionVote
        fields = ["id", "task", "pain", "note", "created_at"]


class FrictionVoteCreateApi(APIView):
    permission_classes = [SurveyTokenOrTenantAccess]
    schema = SurveyTokenOrCredentialsSchema()
    write_roles = MANAGERS
    write_key_scope = "write"

    @extend_schema(
        request=FrictionVoteInput,
        responses={
            201: FrictionVoteOutput,
            403: OpenApiResponse(
                description="Not allowed (your role or key scope); or the survey link of `token` is closed or unknown."
            ),
            429: OpenApiResponse(description=TOO_MANY),
        },
    )
    def post(self, request):
        """Cast a friction vote.

        How painful a task is, 1 (no pain) to 5 (very painful), and optionally where its process
        breaks. With `token` (a survey link's) no other credential is needed: the vote is anonymous,
        and a revoked or unknown token answers 403; votes through a link are limited per link and
        network address (429). Without a token, client admins, assigned consultants and write keys.
        Votes carry no name; notes are shown without any.
        """
        link, token = None, _survey_token(request)
        if token is not None:  # the token first: without an open link, nothing of the body is looked at
            link = friction.survey_link_for_token(token)
            if link is None:
                raise exceptions.PermissionDenied(UNKNOWN)
            if not link.is_open:
                raise exceptions.PermissionDenied(CLOSED)
            if friction.survey_vote_limited(request=request, link=link):
                raise exceptions.Throttled(detail=TOO_MANY)
        data = FrictionVoteInput(data=request.data)
        data.is_valid(raise_exception=True)
        vote = friction.vote_cast(
            link=link,
            task=data.validated_data["task"],
            pain=data.validated_data["pain"],
            note=data.validated_data["note"],
        )
        return Response(FrictionVoteOutput(vote).data, status=status.HTTP_201_CREATED)


# --- friction per task ------------------------------------------------------------------------------


class FrictionOutput(serializers.Serializer):
    task = serializers.IntegerField()
    task_name = serializers.CharField()
    votes = serializers.IntegerField()
    mean_pain = serializers.DecimalField(
        max_digits=3, decimal_places=2, coerce_to_string=False, help_text="The mean vote, 1-5 (rounded to 2 places)."
    )
    notes = serializers.ListField(
        child=serializers.CharField(), help_text="Where the process breaks, in the order of their text; no names."
    )

    def to_representation(self, instance):
        return super().to_representation(
            {
                "task": instance.task_id,
                "task_name": instance.task_name,
                "votes": instance.votes,
                "mean_pain": instance.mean_pain,
                "notes": instance.notes,
            }
        )


class FrictionSummaryApi(APIView):
    permission_classes = [TenantAccess]
    read_roles = ANY_ROLE
    read_key_scope = "read"

    @extend_schema(operation_id="friction_list", responses=page_of(FrictionOutput))
    def get(self, request):
        """List the friction per task.

        Anyone with access. Each task with votes: how many, the mean pain and the notes on where its
        process breaks, without any name. Most painful first.
        """
        return paginated(self, friction.friction_summary(), FrictionOutput)
