"""Tenant-host API v1, step 1 (API.md "Tenant host: step 1"): audit settings, imports, time entries,
participants, tasks and mapping rules."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.utils.dateparse import parse_datetime
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_field,
)
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from audits import selectors
from audits.models import SUITABILITY_QUESTIONS, ImportJob, MappingRule, Participant, Source, Task, TimeEntry
from audits.services import catalogue, entries, imports, people
from audits.services import settings as audit_settings
from audits.services.entries import EntryIn
from smartwork.actors import request_actor
from smartwork.api import actor_field, page_of, paginated
from smartwork.permissions import TenantAccess
from smartwork.tenancy import ANY_ROLE, CONSULTANT, MANAGERS, ApiKeyPrincipal, request_tenant_role, workspace_url


class _StepOneApi(APIView):
    """Everyone with access reads; client admins, consultants and write keys change."""

    permission_classes = [TenantAccess]
    read_roles = ANY_ROLE
    read_key_scope = "read"
    write_roles = MANAGERS
    write_key_scope = "write"


class _RawDataApi(_StepOneApi):
    """Raw time data (METHOD.md privacy rule): consultants and API keys only, never client people."""

    read_roles = frozenset({CONSULTANT})
    write_roles = frozenset({CONSULTANT})


# --- audit settings -----------------------------------------------------------------------------------


class AuditSettingsOutput(serializers.Serializer):
    window_start = serializers.DateField()
    window_end = serializers.DateField()
    window_is_default = serializers.BooleanField(
        help_text="true: no window is set; these are the last 10 working days."
    )
    window_working_days = serializers.IntegerField()
    working_days = serializers.ListField(child=serializers.IntegerField(), help_text="ISO weekdays, 1 = Monday.")
    working_days_per_month = serializers.DecimalField(max_digits=5, decimal_places=2, coerce_to_string=False)
    hourly_cost = serializers.DecimalField(max_digits=10, decimal_places=2, coerce_to_string=False)
    currency = serializers.CharField()
    timezone = serializers.CharField()
    holidays = serializers.ListField(child=serializers.DateField())
    k = serializers.IntegerField(help_text="A team is shown on its own from k participants with entries in the window.")
    keep_names = serializers.BooleanField(help_text="Whether names from imports are stored (off unless turned on).")


class AuditSettingsInput(serializers.Serializer):
    window_start = serializers.DateField(required=False, allow_null=True)
    window_end = serializers.DateField(required=False, allow_null=True)
    working_days = serializers.ListField(child=serializers.IntegerField(), required=False, max_length=7)
    working_days_per_month = serializers.DecimalField(max_digits=5, decimal_places=2, required=False)
    hourly_cost = serializers.DecimalField(max_digits=10, decimal_places=2, required=False)
    currency = serializers.RegexField(r"^[A-Z]{3}$", required=False, help_text="ISO 4217 code, e.g. EUR.")
    timezone = serializers.CharField(max_length=64, required=False)
    holidays = serializers.ListField(child=serializers.DateField(), required=False, max_length=400)
    k = serializers.IntegerField(required=False)
    keep_names = serializers.BooleanField(required=False)


def _settings_answer(request) -> dict:
    audit = selectors.audit_settings_get()
    window = selectors.audit_window(audit)
    return AuditSettingsOutput(
        {
            "window_start": window.start,
            "window_end": window.end,
            "window_is_default": window.default,
            "window_working_days": window.working_days,
            "working_days": audit.working_days,
            "working_days_per_month": audit.working_days_per_month,
            "hourly_cost": audit.hourly_cost,
            "currency": request.tenant.currency,
            "timezone": audit.timezone,
            "holidays": audit.holidays,
            "k": audit.k,
            "keep_names": audit.keep_names,
        }
    ).data


class AuditSettingsApi(_StepOneApi):
    @extend_schema(responses=AuditSettingsOutput)
    def get(self, request):
        """Show the audit settings.

        Anyone with access. The audit window (the last 10 working days while none is set), working
        days, working days per month, loaded hourly cost and currency, time zone, holidays, k.
        """
        return Response(_settings_answer(request))

    @extend_schema(request=AuditSettingsInput, responses=AuditSettingsOutput)
    def patch(self, request):
        """Change the audit settings.

        Client admins, assigned consultants and write keys. Only the fields sent change; a window with
        no working day, an unknown time zone or a k under 2 is refused with 400 and changes nothing.
        """
        data = AuditSettingsInput(data=request.data)
        data.is_valid(raise_exception=True)
        audit_settings.audit_settings_update(client=request.tenant, actor=request_actor(request), **data.validated_data)
        return Response(_settings_answer(request))


# --- imports --------------------------------------------------------------------------------------------


class ImportErrorOutput(serializers.Serializer):
    row = serializers.IntegerField(help_text="As a spreadsheet numbers it: the header is row 1.")
    column = serializers.CharField()
    code = serializers.CharField()
    message = serializers.CharField()


class ImportOutput(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    format = serializers.CharField(help_text="The format read: the one given, or the one recognised.")
    stalled = serializers.SerializerMethodField()
    actor = actor_field("Who uploaded it.")

    class Meta:
        model = ImportJob
        fields = [
            "id", "url", "filename", "status", "format", "mode", "rows_total", "rows_imported",
            "rows_duplicate", "rows_rejected", "progress", "message", "stalled", "actor",
            "created_at", "started_at", "finished_at",
        ]  # fmt: skip

    def get_url(self, job) -> str:
        return workspace_url(self.context["request"].tenant, f"/api/v1/imports/{job.pk}/")

    def get_stalled(self, job) -> bool:
        """true: unfinished and no worker on it; POST .../run/ queues it again."""
        return imports.import_job_stalled(job=job)


class ImportDetailOutput(ImportOutput):
    # A declared field named `errors` shadows Serializer.errors for the type checker only: DRF's
    # metaclass moves declared fields out of the class attributes.
    errors = ImportErrorOutput(source="row_errors", many=True, read_only=True)  # type: ignore[assignment]

    class Meta(ImportOutput.Meta):
        fields = [*ImportOutput.Meta.fields, "errors"]


class ImportInput(serializers.Serializer):
    file = serializers.FileField(help_text="A tracker's export, CSV or XLSX.")
    format = serializers.ChoiceField(choices=imports.IMPORT_FORMATS, default="auto")
    mode = serializers.ChoiceField(choices=ImportJob.Mode.choices, default=ImportJob.Mode.ALL_OR_NOTHING)


class ImportListCreateApi(_StepOneApi):
    parser_classes = [MultiPartParser]

    @extend_schema(operation_id="imports_list", responses=page_of(ImportOutput))
    def get(self, request):
        """List the imports.

        Anyone with access. Every import of this workspace, newest first, with its counts and status.
        """
        return paginated(self, selectors.import_job_list(), ImportOutput, context={"request": request})

    @extend_schema(
        request={"multipart/form-data": ImportInput},
        responses={
            202: ImportOutput,
            400: OpenApiResponse(description="The file cannot be imported; nothing was stored."),
        },
    )
    def post(self, request):
        """Import a tracker's export.

        Client admins, assigned consultants and write keys. multipart: `file` (CSV or XLSX of Toggl
        Track, Clockify, Harvest, Kimai or the generic format), `format` (auto recognises the header)
        and `mode` (all_or_nothing: any rejected row and nothing is written; valid_rows: the good rows
        are written and the rejected listed). Answers 202 at once; a worker imports the file and the
        import's url shows its progress and, at the end, its counts and every rejected row. An empty,
        too large or unknown file is refused with 400 and nothing stored.
        """
        data = ImportInput(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["file"]
        job = imports.import_job_create(
            upload=upload,
            filename=upload.name or "upload",
            size=upload.size or 0,
            format=data.validated_data["format"],
            mode=data.validated_data["mode"],
            actor=request_actor(request),
        )
        return Response(ImportOutput(job, context={"request": request}).data, status=status.HTTP_202_ACCEPTED)


class ImportDetailApi(_StepOneApi):
    @extend_schema(responses=ImportDetailOutput)
    def get(self, request, import_id: int):
        """Show an import.

        Anyone with access. Its status (queued, running, succeeded, failed), progress (0-100), counts
        and every rejected row (row, column, code, message).
        """
        job = get_object_or_404(ImportJob, pk=import_id)
        return Response(ImportDetailOutput(job, context={"request": request}).data)


class ImportRunApi(_StepOneApi):
    @extend_schema(request=None, responses={202: ImportOutput, 400: OpenApiResponse(description="Not stalled.")})
    def post(self, request, import_id: int):
        """Run a stalled import again.

        Client admins, assigned consultants and write keys. Only an import whose worker stopped
        half-way (stalled true) runs again; it starts from the file, and nothing was written before.
        """
        job = get_object_or_404(ImportJob, pk=import_id)
        imports.import_job_requeue(job=job)
        return Response(ImportOutput(job, context={"request": request}).data, status=status.HTTP_202_ACCEPTED)


# --- time entries ---------------------------------------------------------------------------------------


class TimeEntryOutput(serializers.ModelSerializer):
    participant = serializers.CharField(source="participant.pseudonym", help_text="A pseudonym, never a name.")
    team = serializers.CharField(source="participant.team")
    task_name = serializers.CharField(source="task.name", default=None, allow_null=True)

    class Meta:
        model = TimeEntry
        fields = [
            "id", "participant", "team", "task", "task_name", "day", "started_at", "minutes", "source",
            "external_id", "project", "label", "description", "note",
        ]  # fmt: skip


class OffsetDateTimeField(serializers.DateTimeField):
    """A time with its offset: a bare local time would be read in the server's zone, not the tracker's."""

    default_error_messages = {"naive": "Give the time with its offset, e.g. 2026-09-07T08:12:00+02:00."}

    def to_internal_value(self, value):
        parsed = parse_datetime(value) if isinstance(value, str) else None
        if parsed is not None and parsed.tzinfo is None:
            self.fail("naive")
        return super().to_internal_value(value)


class TimeEntryInput(serializers.Serializer):
    participant = serializers.CharField(
        max_length=254, help_text="An identity (e-mail, staff id or name), turned into the pseudonym on arrival."
    )
    team = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    task = serializers.PrimaryKeyRelatedField(queryset=Task.objects.all(), required=False, allow_null=True)
    task_name = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    project = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    day = serializers.DateField(required=False, allow_null=True)
    started_at = OffsetDateTimeField(required=False, allow_null=True)
    minutes = serializers.IntegerField(min_value=1, max_value=24 * 60)
    # A declared field named `source` shadows Field.source for the type checker only (DRF's metaclass
    # moves declared fields out of the class attributes).
    source = serializers.ChoiceField(choices=Source.choices, default=Source.API)  # type: ignore[assignment]
    external_id = serializers.CharField(max_length=200)
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")

    def validate(self, attrs):
        if not attrs.get("day") and not attrs.get("started_at"):
            raise serializers.ValidationError({"day": ["Give day or started_at."]})
        if attrs.get("started_at") and attrs["started_at"].tzinfo is None:
            raise serializers.ValidationError(
                {"started_at": ["Give started_at with its offset, e.g. 2026-09-07T08:12:00+02:00."]}
            )
        return attrs


class TimeEntryListCreateApi(_RawDataApi):
    @extend_schema(
        operation_id="time_entries_list",
        parameters=[
            OpenApiParameter("task", int),
            OpenApiParameter("day_after", str, description="YYYY-MM-DD"),
            OpenApiParameter("day_before", str, description="YYYY-MM-DD"),
            OpenApiParameter("source", str),
        ],
        responses=page_of(TimeEntryOutput),
    )
    def get(self, request):
        """List the raw time entries.

        Assigned consultants and API keys only (client admins and viewers see figures of the process,
        never raw entries). Each entry names its participant by pseudonym. Filters: task, day_after,
        day_before, source.
        """
        filters = TimeEntryFilters(data=request.query_params)
        filters.is_valid(raise_exception=True)
        return paginated(self, selectors.time_entry_list(**filters.validated_data), TimeEntryOutput)

    @extend_schema(
        request=TimeEntryInput(many=True), responses={201: OpenApiResponse(description="{created, updated}")}
    )
    def post(self, request):
        """Add time entries.

        Assigned consultants and write keys. One object or a list (up to 1,000). (source, external_id)
        is idempotent: sending an entry again updates it and adds nothing. The participant is an
        identity turned into its pseudonym on arrival; the day comes from started_at in the
        workspace's time zone when day is not given.
        """
        many = isinstance(request.data, list)
        if many and len(request.data) > entries.ENTRIES_PER_REQUEST:
            raise ValidationError(f"Send at most {entries.ENTRIES_PER_REQUEST:,} entries per request.")
        data = TimeEntryInput(data=request.data, many=many)
        data.is_valid(raise_exception=True)
        rows = data.validated_data if many else [data.validated_data]
        created, updated = entries.entries_upsert(
            entries=[
                EntryIn(
                    identity=row["participant"],
                    team=row["team"],
                    task=row.get("task"),
                    label=row["task_name"],
                    project=row["project"],
                    day=row.get("day"),
                    started_at=row.get("started_at"),
                    minutes=row["minutes"],
                    source=row["source"],
                    external_id=row["external_id"],
                    note=row["note"],
                )
                for row in rows
            ]
        )
        return Response({"created": created, "updated": updated}, status=status.HTTP_201_CREATED)


class TimeEntryFilters(serializers.Serializer):
    task = serializers.IntegerField(required=False)
    day_after = serializers.DateField(required=False)
    day_before = serializers.DateField(required=False)
    source = serializers.ChoiceField(choices=Source.choices, required=False)  # type: ignore[assignment]  # as above


# --- participants ---------------------------------------------------------------------------------------


class ParticipantOutput(serializers.ModelSerializer):
    hourly_cost = serializers.DecimalField(max_digits=10, decimal_places=2, coerce_to_string=False, allow_null=True)
    entries_in_window = serializers.IntegerField()

    class Meta:
        model = Participant
        fields = ["id", "pseudonym", "team", "role_title", "hourly_cost", "entries_in_window"]


class ParticipantInput(serializers.Serializer):
    team = serializers.CharField(max_length=100, required=False, allow_blank=True)
    role_title = serializers.CharField(max_length=100, required=False, allow_blank=True)
    hourly_cost = serializers.DecimalField(
        max_digits=10, decimal_places=2, min_value=0, required=False, allow_null=True
    )


class TeamOutput(serializers.Serializer):
    team = serializers.CharField(help_text='A team with at least k participants with entries, or "Other teams".')
    participants = serializers.IntegerField(help_text="Participants with entries in the audit window.")


class ParticipantListApi(_RawDataApi):
    read_roles = ANY_ROLE

    @extend_schema(
        operation_id="participants_list",
        responses=page_of(
            PolymorphicProxySerializer(
                component_name="ParticipantOrTeam",
                serializers=[ParticipantOutput, TeamOutput],
                resource_type_field_name=None,
                many=True,
            )
        ),
    )
    def get(self, request):
        """List the participants, or for client people their teams.

        Assigned consultants and API keys: each participant by pseudonym (never a name), with team, role
        title, hourly cost and entries in the audit window. Client admins and viewers: the teams only,
        each with its number of participants with entries in the window, teams under k and the
        unassigned folded into "Other teams" (METHOD.md's privacy rule).
        """
        if not isinstance(request.user, ApiKeyPrincipal) and request_tenant_role(request) != CONSULTANT:
            window = selectors.audit_window()
            return paginated(self, selectors.teams_folded(start=window.start, end=window.end), TeamOutput)
        return paginated(self, selectors.participant_list(), ParticipantOutput)


class ParticipantDetailApi(_RawDataApi):
    """Per-person figures: consultants and keys only, like the list (client people set teams by CSV)."""

    @extend_schema(request=ParticipantInput, responses=ParticipantOutput)
    def patch(self, request, participant_id: int):
        """Change a participant's team, role title or hourly cost.

        Assigned consultants and write keys (the answer is the participant's figures, which client
        people never see; they set teams with POST /api/v1/participants/teams/).
        """
        participant = get_object_or_404(Participant, pk=participant_id)
        data = ParticipantInput(data=request.data)
        data.is_valid(raise_exception=True)
        people.participant_update(participant=participant, **data.validated_data)
        return Response(ParticipantOutput(selectors.participant_list().get(pk=participant.pk)).data)


class TeamsInput(serializers.Serializer):
    file = serializers.FileField(help_text="CSV of identity,team (e-mail, staff id or name; a header row is optional).")


class ParticipantTeamsApi(_RawDataApi):
    write_roles = MANAGERS
    parser_classes = [MultiPartParser]

    @extend_schema(
        request={"multipart/form-data": TeamsInput},
        responses={
            200: OpenApiResponse(description="{updated, unknown}: participants given a team, identities not seen yet.")
        },
    )
    def post(self, request):
        """Set teams from a CSV of identity,team.

        Client admins, assigned consultants and write keys. Each identity is turned into its pseudonym
        (it is not stored); participants not seen in any import yet are counted as unknown. A bad row
        refuses the whole file (400) and changes nothing.
        """
        data = TeamsInput(data=request.data)
        data.is_valid(raise_exception=True)
        raw = data.validated_data["file"].read(1024 * 1024 + 1)
        if len(raw) > 1024 * 1024:
            raise ValidationError({"file": ["A teams file has at most 1 MB."]})
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise ValidationError({"file": ["The file is not UTF-8 text; save it as CSV UTF-8."]}) from None
        updated, unknown = people.participant_teams_set(csv_text=text)
        return Response({"updated": updated, "unknown": unknown})


# --- tasks and mapping rules ------------------------------------------------------------------------


class SuitabilitySerializer(serializers.Serializer):
    rules = serializers.IntegerField(min_value=1, max_value=5, allow_null=True, required=False)
    input_type = serializers.IntegerField(min_value=1, max_value=5, allow_null=True, required=False)
    input_quality = serializers.IntegerField(min_value=1, max_value=5, allow_null=True, required=False)
    stability = serializers.IntegerField(min_value=1, max_value=5, allow_null=True, required=False)
    documentation = serializers.IntegerField(min_value=1, max_value=5, allow_null=True, required=False)


class TaskOutput(serializers.ModelSerializer):
    suitability = serializers.SerializerMethodField()
    process = serializers.CharField()

    class Meta:
        model = Task
        fields = ["id", "name", "process", "suitability", "created_at"]

    @extend_schema_field(SuitabilitySerializer)
    def get_suitability(self, task) -> dict:
        return {question: getattr(task, question) for question in SUITABILITY_QUESTIONS}


class TaskInput(serializers.Serializer):
    name = serializers.CharField(max_length=500, required=False)
    process = serializers.CharField(max_length=200, required=False, allow_blank=True)
    suitability = SuitabilitySerializer(required=False)


class TaskListCreateApi(_StepOneApi):
    @extend_schema(operation_id="tasks_list", responses=page_of(TaskOutput))
    def get(self, request):
        """List the task catalogue.

        Anyone with access. Every task by name, with its process and the five suitability answers.
        """
        return paginated(self, selectors.task_list(), TaskOutput)

    @extend_schema(request=TaskInput, responses={201: TaskOutput})
    def post(self, request):
        """Add a task.

        Client admins, assigned consultants and write keys. A name no other task has (compared
        without case); suitability answers 1-5 or null.
        """
        data = TaskInput(data=request.data)
        data.is_valid(raise_exception=True)
        if "name" not in data.validated_data:
            raise ValidationError({"name": ["A task needs a name."]})
        task = catalogue.task_create(actor=request_actor(request), **data.validated_data)
        return Response(TaskOutput(task).data, status=status.HTTP_201_CREATED)


class TaskDetailApi(_StepOneApi):
    @extend_schema(responses=TaskOutput)
    def get(self, request, task_id: int):
        """Show a task.

        Anyone with access.
        """
        return Response(TaskOutput(get_object_or_404(Task, pk=task_id)).data)

    @extend_schema(request=TaskInput, responses=TaskOutput)
    def patch(self, request, task_id: int):
        """Rename a task or change its process or suitability answers.

        Client admins, assigned consultants and write keys. A rename keeps every entry and adds a
        rule sending the old label to the task, so the next import finds it.
        """
        task = get_object_or_404(Task, pk=task_id)
        data = TaskInput(data=request.data)
        data.is_valid(raise_exception=True)
        task = catalogue.task_update(task=task, actor=request_actor(request), **data.validated_data)
        return Response(TaskOutput(task).data)


class TaskMergeInput(serializers.Serializer):
    into = serializers.PrimaryKeyRelatedField(queryset=Task.objects.all(), help_text="The task that stays.")


class TaskMergeApi(_StepOneApi):
    @extend_schema(request=TaskMergeInput, responses=TaskOutput)
    def post(self, request, task_id: int):
        """Merge a task into another.

        Client admins, assigned consultants and write keys. Its entries and rules move to `into`, a
        rule sends its label there from now on, and the task goes; every minute stays counted.
        """
        task = get_object_or_404(Task, pk=task_id)
        data = TaskMergeInput(data=request.data)
        data.is_valid(raise_exception=True)
        into = catalogue.task_merge(task=task, into=data.validated_data["into"], actor=request_actor(request))
        return Response(TaskOutput(into).data)


class MappingRuleOutput(serializers.ModelSerializer):
    actor = actor_field("Who made or last changed the rule.")

    class Meta:
        model = MappingRule
        fields = ["id", "position", "field", "match", "pattern", "task", "actor", "created_at"]


class MappingRuleInput(serializers.Serializer):
    position = serializers.IntegerField(min_value=1, required=False)
    field = serializers.ChoiceField(choices=MappingRule.Field.choices)
    match = serializers.ChoiceField(choices=MappingRule.Match.choices)
    pattern = serializers.CharField(max_length=500)
    task = serializers.PrimaryKeyRelatedField(queryset=Task.objects.all())


class MappingRuleListCreateApi(_StepOneApi):
    @extend_schema(operation_id="mapping_rules_list", responses=page_of(MappingRuleOutput))
    def get(self, request):
        """List the mapping rules.

        Anyone with access. In order: the first rule whose field matches decides an entry's task.
        """
        return paginated(self, selectors.mapping_rule_list(), MappingRuleOutput)

    @extend_schema(request=MappingRuleInput, responses={201: MappingRuleOutput})
    def post(self, request):
        """Add a mapping rule.

        Client admins, assigned consultants and write keys. field project, label or description; match
        equals or contains (both ignore case) or regex (PostgreSQL's, ignoring case); at the end, or
        at `position`. Every entry already imported is mapped again at once.
        """
        data = MappingRuleInput(data=request.data)
        data.is_valid(raise_exception=True)
        rule = catalogue.mapping_rule_create(actor=request_actor(request), **data.validated_data)
        return Response(MappingRuleOutput(rule).data, status=status.HTTP_201_CREATED)


class MappingRuleDetailApi(_StepOneApi):
    @extend_schema(request=MappingRuleInput(partial=True), responses=MappingRuleOutput)
    def patch(self, request, rule_id: int):
        """Change a mapping rule.

        Client admins, assigned consultants and write keys. Every entry is mapped again at once.
        """
        rule = get_object_or_404(MappingRule, pk=rule_id)
        data = MappingRuleInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        rule = catalogue.mapping_rule_update(rule=rule, actor=request_actor(request), **data.validated_data)
        return Response(MappingRuleOutput(rule).data)

    @extend_schema(responses={204: None})
    def delete(self, request, rule_id: int):
        """Delete a mapping rule.

        Client admins, assigned consultants and write keys. Every entry is mapped again at once.
        """
        rule = get_object_or_404(MappingRule, pk=rule_id)
        catalogue.mapping_rule_delete(rule=rule, actor=request_actor(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- candidates -----------------------------------------------------------------------------------


class CandidateOutput(serializers.Serializer):
    rank = serializers.IntegerField()
    task = serializers.IntegerField(source="task_id")
    task_name = serializers.CharField()
    team = serializers.CharField(help_text="The team with most minutes on the task, after the privacy fold.")
    entries = serializers.IntegerField()
    occurrences_per_month = serializers.DecimalField(max_digits=20, decimal_places=4, coerce_to_string=False)
    minutes_per_occurrence = serializers.DecimalField(max_digits=20, decimal_places=4, coerce_to_string=False)
    hours_per_month = serializers.DecimalField(max_digits=20, decimal_places=4, coerce_to_string=False)
    automation_potential = serializers.DecimalField(max_digits=6, decimal_places=4, coerce_to_string=False)
    recoverable_hours_per_month = serializers.DecimalField(max_digits=20, decimal_places=4, coerce_to_string=False)
    pain = serializers.DecimalField(max_digits=6, decimal_places=4, coerce_to_string=False)
    priority = serializers.DecimalField(max_digits=20, decimal_places=4, coerce_to_string=False)
    value_per_month = serializers.DecimalField(max_digits=20, decimal_places=4, coerce_to_string=False)
    currency = serializers.CharField()
    low_confidence = serializers.BooleanField(help_text="Fewer than 3 entries in the window: an extrapolation.")


class CandidateWindow(serializers.Serializer):
    start = serializers.DateField(required=False)
    end = serializers.DateField(required=False)

    def validate(self, attrs):
        if ("start" in attrs) != ("end" in attrs):
            raise serializers.ValidationError("Give both start and end, or neither (the audit window).")
        return attrs


class CandidateListApi(_StepOneApi):
    @extend_schema(
        operation_id="candidates_list",
        parameters=[
            OpenApiParameter("start", str, description="YYYY-MM-DD; with end. Without both: the audit window."),
            OpenApiParameter("end", str, description="YYYY-MM-DD, included."),
        ],
        responses={
            200: CandidateOutput(many=True),
            400: OpenApiResponse(description="A window without a working day."),
        },
    )
    def get(self, request):
        """Rank the automation candidates.

        Anyone with access. One row per task with entries in the window, ranked by priority (ties by
        hours per month, then name), with every figure of METHOD.md's scoring computed exactly
        (rounded to 4 decimals here, 2 on the pages) and the task's team after the privacy fold. A
        window without a working day is refused with 400.
        """
        window = CandidateWindow(data=request.query_params)
        window.is_valid(raise_exception=True)
        try:
            ranked = selectors.candidate_list(**window.validated_data)
        except selectors.WindowRefused as refused:
            raise ValidationError({"start": [str(refused)]}) from None
        currency = request.tenant.currency
        return Response([CandidateOutput({**vars(c), "currency": currency}).data for c in ranked])
