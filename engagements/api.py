"""Public-host API v1 (consultants): clients, assignment, phases, theater checks, portfolio."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from engagements import selectors, services
from engagements.models import THEATER_SIGNS, Client, ConsultantToken, Phase, PhaseChange, TheaterCheck, User
from engagements.services import EMAIL_MAX_LENGTH, TOKEN_NAME_MAX_LENGTH
from smartwork.actors import request_actor
from smartwork.api import StrictBooleanField, actor_field, page_of, paginated
from smartwork.permissions import IsConsultant

# The states a client shows through the API; warming and pooled are the schema pool's own, never shown.
CLIENT_STATUSES = [
    (state.value, state.label) for state in (Client.Status.PROVISIONING, Client.Status.READY, Client.Status.FAILED)
]
CLIENT_STATUS_HELP = "provisioning: its workspace is being set up; ready; failed: see failure_reason, then retry."
THEATER_ANSWERS_HELP = "Six booleans, true where the sign is present, in METHOD.md's order:\n" + "\n".join(
    f"{number}. {sign}" for number, sign in enumerate(THEATER_SIGNS, start=1)
)


class BlankAsNullMixin(serializers.Field):
    """An absent value answers null, not "" (the database keeps "")."""

    def to_representation(self, value):
        return None if value == "" else super().to_representation(value)


class NullableCharField(BlankAsNullMixin, serializers.CharField):
    pass


class NullableChoiceField(BlankAsNullMixin, serializers.ChoiceField):
    pass


NOTE_MAX_LENGTH = 2000


class NoteField(serializers.CharField):
    """An optional free-text note: left out, "" or null all mean none (kept as "")."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", NOTE_MAX_LENGTH)
        super().__init__(required=False, allow_blank=True, allow_null=True, default="", **kwargs)

    def validate_empty_values(self, data):
        is_empty, value = super().validate_empty_values(data)
        return is_empty, "" if value is None else value


class ClientOutput(serializers.ModelSerializer):
    domain = serializers.CharField(source="primary_domain")
    phase = serializers.ChoiceField(source="engagement.phase", choices=Phase.choices, read_only=True)
    status = serializers.ChoiceField(choices=CLIENT_STATUSES, read_only=True, help_text=CLIENT_STATUS_HELP)
    failure_reason = NullableCharField(
        read_only=True, allow_null=True, help_text="Why provisioning failed, for a person to act on; null otherwise."
    )
    consultants = serializers.SerializerMethodField()
    theater_score = serializers.IntegerField(allow_null=True, read_only=True, default=None)

    class Meta:
        model = Client
        fields = [
            "id",
            "name",
            "slug",
            "domain",
            "phase",
            "status",
            "failure_reason",
            "consultants",
            "theater_score",
            "created_at",
        ]

    def get_consultants(self, client) -> list[str]:
        return sorted(a.consultant.email for a in client.assignments.all())


class ClientInput(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    slug = serializers.CharField(max_length=63)
    domain = serializers.CharField(max_length=253)
    admin_email = serializers.EmailField(
        required=False,
        max_length=EMAIL_MAX_LENGTH,
        help_text="The first client admin: they get an invitation by e-mail (no answer ever carries a link).",
    )


class ConsultantBase(APIView):
    permission_classes = [IsConsultant]

    def client(self, slug: str) -> Client:
        consultant = self.request.user
        assert isinstance(consultant, User)  # IsConsultant lets only a signed-in consultant in
        return selectors.client_get_for_consultant(consultant=consultant, slug=slug)


class ClientListCreateApi(ConsultantBase):
    @extend_schema(operation_id="clients_list", responses=page_of(ClientOutput))
    def get(self, request):
        """List your clients.

        The clients assigned to you, by name, each with its domain, phase, status (provisioning,
        ready or failed, with the reason), consultants and latest theater score. Other consultants'
        clients never appear.
        """
        clients = selectors.client_list_for_consultant(consultant=request.user)
        return paginated(self, clients, ClientOutput)

    @extend_schema(request=ClientInput, responses={201: ClientOutput, 202: ClientOutput})
    def post(self, request):
        """Create a client.

        Makes the client's workspace (its own schema) on the domain given, assigns you to it and starts
        its engagement in the diagnose phase. Answers 201 when a prepared workspace was ready at once,
        202 while it is still being provisioned (status provisioning; poll the client until ready or
        failed). With admin_email, that person becomes the workspace's first client admin and gets an
        invitation by e-mail. Refused with 400 when the slug or domain is invalid, reserved or
        taken, or when admin_email belongs to a consultant.
        """
        data = ClientInput(data=request.data)
        data.is_valid(raise_exception=True)
        created = services.client_create(actor=request_actor(request), **data.validated_data)
        assert created.client.slug is not None  # client_create gives the client the slug it was asked for
        client = self.client(created.client.slug)
        code = status.HTTP_201_CREATED if created.from_pool else status.HTTP_202_ACCEPTED
        return Response(ClientOutput(client).data, status=code)


class ClientDetailApi(ConsultantBase):
    @extend_schema(responses=ClientOutput)
    def get(self, request, slug: str):
        """Show one of your clients.

        The client with this slug, if it is assigned to you; one that is not assigned to you answers
        404, like one that does not exist. Poll it after creating or retrying until its status is ready
        or failed.
        """
        return Response(ClientOutput(self.client(slug)).data)


class ClientRetryApi(ConsultantBase):
    @extend_schema(
        request=None,
        responses={
            202: ClientOutput,
            409: OpenApiResponse(
                description="The client is not failed, or its domain was taken meanwhile; the detail says which."
            ),
        },
    )
    def post(self, request, slug: str):
        """Retry a failed client's provisioning.

        For one of your clients whose provisioning failed: reserves its domain again and queues the
        provisioning anew; the answer (202) shows it provisioning. Refused with 409 when the client is
        not failed, or when another client took its domain meanwhile.
        """
        services.client_provision_retry(client=self.client(slug))
        return Response(ClientOutput(self.client(slug)).data, status=status.HTTP_202_ACCEPTED)


class AssignInput(serializers.Serializer):
    email = serializers.EmailField(max_length=EMAIL_MAX_LENGTH)


class ClientConsultantsApi(ConsultantBase):
    @extend_schema(request=AssignInput, responses={201: ClientOutput})
    def post(self, request, slug: str):
        """Assign a consultant to a client.

        For one of your clients: gives the consultant with this e-mail access to it too; assigning
        someone already assigned changes nothing. Answers the client with its consultants. Refused with
        400 when no active consultant has that e-mail.
        """
        client = self.client(slug)
        data = AssignInput(data=request.data)
        data.is_valid(raise_exception=True)
        consultant = services.consultant_get(email=data.validated_data["email"])
        services.consultant_assign(client=client, consultant=consultant, actor=request_actor(request))
        return Response(ClientOutput(self.client(slug)).data, status=status.HTTP_201_CREATED)


class PhaseChangeOutput(serializers.ModelSerializer):
    from_phase = NullableChoiceField(
        choices=Phase.choices, read_only=True, allow_null=True, help_text="null for the engagement's start."
    )
    note = NullableCharField(read_only=True, allow_null=True, help_text="null when none was given.")
    changed_by = serializers.CharField(source="actor_label", help_text="Who changed it: the actor's label.")
    actor = actor_field("Who changed it.")

    class Meta:
        model = PhaseChange
        fields = ["id", "from_phase", "to_phase", "note", "changed_by", "actor", "changed_at"]


class PhaseInput(serializers.Serializer):
    to = serializers.ChoiceField(choices=Phase.choices)
    note = NoteField()


class ClientPhaseApi(ConsultantBase):
    @extend_schema(
        request=PhaseInput,
        responses={
            201: PhaseChangeOutput,
            409: OpenApiResponse(description="The engagement is already in that phase."),
        },
    )
    def post(self, request, slug: str):
        """Move a client's engagement to another phase.

        For one of your clients: records the change (from, to, your note, you, now) in its phase
        history and moves the engagement to the phase given (diagnose, audit, design, measure or
        maintain; any order). Refused with 409 when it is already in that phase.
        """
        client = self.client(slug)
        data = PhaseInput(data=request.data)
        data.is_valid(raise_exception=True)
        change = services.engagement_phase_change(client=client, actor=request_actor(request), **data.validated_data)
        return Response(PhaseChangeOutput(change).data, status=status.HTTP_201_CREATED)


class ClientPhaseHistoryApi(ConsultantBase):
    @extend_schema(operation_id="clients_phase_history_list", responses=page_of(PhaseChangeOutput))
    def get(self, request, slug: str):
        """List a client's phase changes.

        For one of your clients: every phase change of its engagement, newest first; the last one is
        the engagement's start (from_phase null).
        """
        changes = self.client(slug).engagement.phase_changes.all()
        return paginated(self, changes, PhaseChangeOutput)


class TheaterCheckOutput(serializers.ModelSerializer):
    answers = serializers.ListField(
        child=serializers.BooleanField(),
        min_length=len(THEATER_SIGNS),
        max_length=len(THEATER_SIGNS),
        help_text=THEATER_ANSWERS_HELP,
    )
    note = NullableCharField(allow_null=True, help_text="null when none was given.")
    answered_by = serializers.CharField(source="actor_label", help_text="Who answered: the actor's label.")
    actor = actor_field("Who answered.")
    at_risk = serializers.BooleanField()

    class Meta:
        model = TheaterCheck
        fields = ["id", "answers", "score", "at_risk", "note", "answered_by", "actor", "answered_at"]


class TheaterCheckInput(serializers.Serializer):
    answers = serializers.ListField(
        child=StrictBooleanField(),
        min_length=len(THEATER_SIGNS),
        max_length=len(THEATER_SIGNS),
        help_text=THEATER_ANSWERS_HELP,
    )
    note = NoteField()


class ClientTheaterChecksApi(ConsultantBase):
    @extend_schema(operation_id="clients_theater_checks_list", responses=page_of(TheaterCheckOutput))
    def get(self, request, slug: str):
        """List a client's theater checks.

        For one of your clients: every "AI theater" check answered (METHOD.md section 1), newest
        first, each with its six answers, score (the number of signs present), at_risk (a score of 3
        or more), note, who answered and when.
        """
        checks = self.client(slug).engagement.theater_checks.all()
        return paginated(self, checks, TheaterCheckOutput)

    @extend_schema(request=TheaterCheckInput, responses={201: TheaterCheckOutput})
    def post(self, request, slug: str):
        """Record a theater check.

        For one of your clients: six true/false answers, one per sign of "AI theater" in METHOD.md's
        order, and an optional note. The check is kept in the client's history with its score. Refused
        with 400 unless there are exactly six answers, each true or false (not "yes", 1 or null).
        """
        client = self.client(slug)
        data = TheaterCheckInput(data=request.data)
        data.is_valid(raise_exception=True)
        check = services.theater_check_record(client=client, actor=request_actor(request), **data.validated_data)
        return Response(TheaterCheckOutput(check).data, status=status.HTTP_201_CREATED)


class PortfolioRowOutput(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    domain = serializers.CharField()
    status = serializers.ChoiceField(choices=CLIENT_STATUSES, read_only=True, help_text=CLIENT_STATUS_HELP)
    phase = serializers.ChoiceField(choices=Phase.choices, read_only=True)
    theater_score = serializers.IntegerField(allow_null=True)
    theater_at_risk = serializers.BooleanField(allow_null=True)
    hours_recovered_90d = serializers.FloatField(allow_null=True)
    money_90d = serializers.FloatField(allow_null=True)
    currency = serializers.CharField()
    open_alerts = serializers.IntegerField()
    last_report_at = serializers.DateTimeField(allow_null=True)
    members = serializers.IntegerField()
    consultants = serializers.ListField(child=serializers.EmailField())


class PortfolioApi(ConsultantBase):
    @extend_schema(operation_id="portfolio_list", responses=page_of(PortfolioRowOutput))
    def get(self, request):
        """List your portfolio.

        One row per client assigned to you, by name: status, phase, latest theater score, members,
        consultants and outcome figures (hours and money recovered in 90 days, open alerts, last
        report). A figure nothing has measured yet is null, never 0.
        """
        return paginated(self, selectors.portfolio(consultant=request.user), PortfolioRowOutput)


class TokenOutput(serializers.ModelSerializer):
    id = serializers.CharField(source="prefix", help_text="The token's public id: its first characters.")
    expires_at = serializers.DateTimeField(source="expiry_date", allow_null=True)

    class Meta:
        model = ConsultantToken
        fields = ["id", "name", "created", "last_used_at", "expires_at", "revoked"]


class TokenCreatedOutput(TokenOutput):
    token = serializers.CharField(help_text="Shown once: store it now. Send it as `Authorization: Token <token>`.")

    class Meta(TokenOutput.Meta):
        fields = [*TokenOutput.Meta.fields, "token"]


class TokenInput(serializers.Serializer):
    name = serializers.CharField(max_length=TOKEN_NAME_MAX_LENGTH, help_text="What the token is for.")


class TokenListCreateApi(ConsultantBase):
    @extend_schema(operation_id="tokens_list", responses=page_of(TokenOutput))
    def get(self, request):
        """List your personal tokens.

        Consultants only, their own tokens (never the token itself, which is shown once), newest
        first; revoked tokens are listed and marked.
        """
        return paginated(self, selectors.consultant_token_list(consultant=request.user), TokenOutput)

    @extend_schema(request=TokenInput, responses={201: TokenCreatedOutput})
    def post(self, request):
        """Create a personal token.

        Consultants only. The answer carries the token once; only a hash is kept. Use it as
        `Authorization: Token <token>` on the public host.
        """
        data = TokenInput(data=request.data)
        data.is_valid(raise_exception=True)
        token, key = services.consultant_token_create(consultant=request.user, name=data.validated_data["name"])
        return Response({**TokenOutput(token).data, "token": key}, status=status.HTTP_201_CREATED)


class TokenDetailApi(ConsultantBase):
    @extend_schema(responses={204: None})
    def delete(self, request, token_id: str):
        """Revoke one of your personal tokens.

        Consultants only, their own tokens; anyone else's token id answers 404. The token stops
        working at once; revoking twice is harmless.
        """
        services.consultant_token_revoke(
            token=selectors.consultant_token_get(consultant=request.user, token_id=token_id)
        )
        return Response(status=status.HTTP_204_NO_CONTENT)
