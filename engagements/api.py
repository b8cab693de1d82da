"""Public-host API v1 (consultants): clients, assignment, phases, theater checks, portfolio."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from engagements import selectors, services
from engagements.models import THEATER_SIGNS, Client, Phase, PhaseChange, TheaterCheck
from smartwork.api import StrictBooleanField, page_of, paginated
from smartwork.permissions import IsConsultant
from smartwork.tenancy import workspace_url


class ClientOutput(serializers.ModelSerializer):
    domain = serializers.CharField(source="primary_domain")
    phase = serializers.CharField(source="engagement.phase")
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


class ClientCreatedOutput(ClientOutput):
    admin_invitation_url = serializers.URLField(
        required=False, help_text="Only when the first admin is new: the link to set their password."
    )

    class Meta(ClientOutput.Meta):
        fields = [*ClientOutput.Meta.fields, "admin_invitation_url"]


class ClientInput(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    slug = serializers.CharField(max_length=63)
    domain = serializers.CharField(max_length=253)
    admin_email = serializers.EmailField(required=False)


class ConsultantBase(APIView):
    permission_classes = [IsConsultant]

    def client(self, slug: str) -> Client:
        return selectors.client_get_for_consultant(consultant=self.request.user, slug=slug)


class ClientListCreateApi(ConsultantBase):
    @extend_schema(operation_id="clients_list", responses=page_of(ClientOutput))
    def get(self, request):
        clients = selectors.client_list_for_consultant(consultant=request.user)
        return paginated(self, clients, ClientOutput)

    @extend_schema(request=ClientInput, responses={201: ClientCreatedOutput, 202: ClientCreatedOutput})
    def post(self, request):
        data = ClientInput(data=request.data)
        data.is_valid(raise_exception=True)
        created = services.client_create(created_by=request.user, **data.validated_data)
        client = self.client(created.client.slug)
        code = status.HTTP_201_CREATED if created.from_pool else status.HTTP_202_ACCEPTED
        body = ClientOutput(client).data
        if created.admin_invitation_path:
            body["admin_invitation_url"] = workspace_url(request, client, created.admin_invitation_path)
        return Response(body, status=code)


class ClientDetailApi(ConsultantBase):
    @extend_schema(responses=ClientOutput)
    def get(self, request, slug: str):
        return Response(ClientOutput(self.client(slug)).data)


class ClientRetryApi(ConsultantBase):
    @extend_schema(request=None, responses={202: ClientOutput})
    def post(self, request, slug: str):
        services.client_provision_retry(client=self.client(slug))
        return Response(ClientOutput(self.client(slug)).data, status=status.HTTP_202_ACCEPTED)


class AssignInput(serializers.Serializer):
    email = serializers.EmailField()


class ClientConsultantsApi(ConsultantBase):
    @extend_schema(request=AssignInput, responses={201: ClientOutput})
    def post(self, request, slug: str):
        client = self.client(slug)
        data = AssignInput(data=request.data)
        data.is_valid(raise_exception=True)
        consultant = services.consultant_get(email=data.validated_data["email"])
        services.consultant_assign(client=client, consultant=consultant, assigned_by=request.user)
        return Response(ClientOutput(self.client(slug)).data, status=status.HTTP_201_CREATED)


class PhaseChangeOutput(serializers.ModelSerializer):
    changed_by = serializers.CharField(source="changed_by.email", default=None)

    class Meta:
        model = PhaseChange
        fields = ["id", "from_phase", "to_phase", "note", "changed_by", "changed_at"]


class PhaseInput(serializers.Serializer):
    to = serializers.ChoiceField(choices=Phase.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ClientPhaseApi(ConsultantBase):
    @extend_schema(request=PhaseInput, responses={201: PhaseChangeOutput})
    def post(self, request, slug: str):
        client = self.client(slug)
        data = PhaseInput(data=request.data)
        data.is_valid(raise_exception=True)
        change = services.engagement_phase_change(client=client, changed_by=request.user, **data.validated_data)
        return Response(PhaseChangeOutput(change).data, status=status.HTTP_201_CREATED)


class ClientPhaseHistoryApi(ConsultantBase):
    @extend_schema(operation_id="clients_phase_history_list", responses=page_of(PhaseChangeOutput))
    def get(self, request, slug: str):
        changes = self.client(slug).engagement.phase_changes.select_related("changed_by")
        return paginated(self, changes, PhaseChangeOutput)


class TheaterCheckOutput(serializers.ModelSerializer):
    answered_by = serializers.CharField(source="answered_by.email", default=None)
    at_risk = serializers.BooleanField()

    class Meta:
        model = TheaterCheck
        fields = ["id", "answers", "score", "at_risk", "note", "answered_by", "answered_at"]


class TheaterCheckInput(serializers.Serializer):
    answers = serializers.ListField(
        child=StrictBooleanField(), min_length=len(THEATER_SIGNS), max_length=len(THEATER_SIGNS)
    )
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ClientTheaterChecksApi(ConsultantBase):
    @extend_schema(operation_id="clients_theater_checks_list", responses=page_of(TheaterCheckOutput))
    def get(self, request, slug: str):
        checks = self.client(slug).engagement.theater_checks.select_related("answered_by")
        return paginated(self, checks, TheaterCheckOutput)

    @extend_schema(request=TheaterCheckInput, responses={201: TheaterCheckOutput})
    def post(self, request, slug: str):
        client = self.client(slug)
        data = TheaterCheckInput(data=request.data)
        data.is_valid(raise_exception=True)
        check = services.theater_check_record(client=client, answered_by=request.user, **data.validated_data)
        return Response(TheaterCheckOutput(check).data, status=status.HTTP_201_CREATED)


class PortfolioRowOutput(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    domain = serializers.CharField()
    status = serializers.CharField()
    phase = serializers.CharField()
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
        return paginated(self, selectors.portfolio(consultant=request.user), PortfolioRowOutput)
