"""Pages of the time audit (step 1) on the client's host: its settings, the imports with their
progress, the participants (teams only, folded by the privacy rule, for client people), the task
catalogue with its mapping rules, and the labels no rule maps yet.

Everyone with a role in the workspace reads; client admins and consultants change (a client viewer
sees no form, and a POST of theirs gets 403). Every POST that changes something redirects; a
refused input is shown on its form with status 400.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Sum
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from audits import selectors
from audits.forms import (
    SUITABILITY_LABELS,
    WEEKDAY_CHOICES,
    AuditSettingsForm,
    ImportForm,
    MappingRuleForm,
    ParticipantForm,
    TaskCreateForm,
    TaskForm,
    TaskMergeForm,
    TeamsForm,
    UnmappedRuleForm,
)
from audits.models import SUITABILITY_QUESTIONS, ImportJob, MappingRule, Participant, Task, TimeEntry
from audits.selectors import UnmappedLabel
from audits.services.catalogue import (
    mapping_rule_create,
    mapping_rule_delete,
    task_create,
    task_merge,
    task_update,
)
from audits.services.imports import import_job_create, import_job_requeue, import_job_stalled
from audits.services.people import participant_teams_set, participant_update
from audits.services.settings import audit_settings_update
from smartwork.actors import request_actor
from smartwork.pages import confirm, form_errors_from
from smartwork.permissions import workspace_page
from smartwork.tenancy import CONSULTANT, MANAGERS, request_tenant_role

IMPORTS_SHOWN = 100
RULE_PREVIEW_ROWS = 5
CONSULTANTS = frozenset({CONSULTANT})


def _can_change(request) -> bool:
    return request_tenant_role(request) in MANAGERS


def _read_by_all_changed_by_managers(view):
    """A page anyone with a role reads (GET) and only client admins and consultants post to."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.method != "GET" and not _can_change(request):
            raise PermissionDenied("Your role in this workspace can read the audit, not change it.")
        return view(request, *args, **kwargs)

    return workspace_page()(wrapped)


def _hours(minutes: int | None) -> float:
    return (minutes or 0) / 60


# selectors.task_list() annotates each task with entry_count and minutes (None without entries).
def _task_minutes(task: Task) -> int:
    return task.minutes or 0  # type: ignore[attr-defined]  # annotated, see above


def _task_entries(task: Task) -> int:
    return task.entry_count  # type: ignore[attr-defined]  # annotated, see above


# --- settings -----------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@_read_by_all_changed_by_managers
def audit_settings(request):
    status = 200
    if request.method == "POST":
        form = AuditSettingsForm(request.POST)
        if form.is_valid():
            changes = dict(form.cleaned_data)
            currency = changes.pop("currency")
            try:
                audit_settings_update(client=request.tenant, actor=request_actor(request), currency=currency, **changes)
            except ValidationError as error:
                form_errors_from(form, error)
            else:
                messages.success(request, "The audit settings are saved.")
                return redirect("audit_settings")
        status = 400
    audit = selectors.audit_settings_get()
    if request.method == "GET":
        form = AuditSettingsForm(initial=AuditSettingsForm.initial_from(audit, currency=request.tenant.currency))
    context = {
        "section": "settings",
        "form": form,
        "audit": audit,
        "window": selectors.audit_window(audit),
        "currency": request.tenant.currency,
        "weekdays": [name for number, name in WEEKDAY_CHOICES if number in audit.working_days],
        "can_change": _can_change(request),
    }
    return render(request, "audits/settings.html", context, status=status)


# --- imports ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportRow:
    job: ImportJob
    stalled: bool  # unfinished with no worker on it: "Run again"

    @property
    def polling(self) -> bool:
        return self.job.status in (ImportJob.Status.QUEUED, ImportJob.Status.RUNNING)


def _import_row(job: ImportJob) -> ImportRow:
    return ImportRow(job=job, stalled=import_job_stalled(job=job))


@require_http_methods(["GET", "POST"])
@_read_by_all_changed_by_managers
def imports(request):
    form, status = ImportForm(), 200
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                job = import_job_create(
                    upload=upload,
                    filename=upload.name or "upload",
                    size=upload.size or 0,
                    format=form.cleaned_data["format"],
                    mode=form.cleaned_data["mode"],
                    actor=request_actor(request),
                )
            except ValidationError as error:
                form_errors_from(form, error)
            else:
                messages.success(request, f"{job.filename} is queued for import; its progress shows below.")
                return redirect("imports")
        status = 400
    context = {
        "section": "imports",
        "form": form,
        "rows": [_import_row(job) for job in selectors.import_job_list()[:IMPORTS_SHOWN]],
        "shown": IMPORTS_SHOWN,
        "can_change": _can_change(request),
    }
    return render(request, "audits/imports.html", context, status=status)


@require_GET
@workspace_page()
def import_progress(request, import_id: int):
    """One import's row of the history, which the page polls (HTMX) while the job is queued or
    running; a finished job's row carries no trigger, so the polling stops."""
    job = get_object_or_404(selectors.import_job_list(), pk=import_id)
    return render(request, "audits/_import_row.html", {"row": _import_row(job), "can_change": _can_change(request)})


@require_GET
@workspace_page()
def import_detail(request, import_id: int):
    job = get_object_or_404(selectors.import_job_list(), pk=import_id)
    context = {
        "section": "imports",
        "row": _import_row(job),
        "job": job,
        "row_errors": job.row_errors.all(),
        "can_change": _can_change(request),
    }
    return render(request, "audits/import_detail.html", context)


@workspace_page(MANAGERS)
@require_POST
def import_run(request, import_id: int):
    job = get_object_or_404(selectors.import_job_list(), pk=import_id)
    try:
        import_job_requeue(job=job)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"{job.filename} is queued again; it starts from the file.")
    return redirect("imports")


# --- participants -------------------------------------------------------------------------------------


@require_GET
@workspace_page()
def participants(request):
    return _participants_render(request)


def _participants_render(request, *, teams_form=None, edit_form=None, edit_id=None, status=200):
    audit = selectors.audit_settings_get()
    window = selectors.audit_window(audit)
    teams = selectors.teams_folded(start=window.start, end=window.end)
    context = {
        "section": "participants",
        "window": window,
        "k": audit.k,
        "teams": teams,
        "without_entries": Participant.objects.count() - sum(team.participants for team in teams),
        "teams_form": teams_form or TeamsForm(),
        "can_change": _can_change(request),
        "is_consultant": request_tenant_role(request) == CONSULTANT,
    }
    if context["is_consultant"]:
        # Pseudonyms only, and only for consultants: client people see teams (METHOD.md privacy rule).
        context["participant_rows"] = [
            (
                participant,
                edit_form
                if participant.pk == edit_id
                else ParticipantForm(
                    row_form_id=f"participant-{participant.pk}",
                    initial={
                        "team": participant.team,
                        "role_title": participant.role_title,
                        "hourly_cost": participant.hourly_cost,
                    },
                ),
            )
            for participant in selectors.participant_list(window=window)
        ]
    return render(request, "audits/participants.html", context, status=status)


@workspace_page(CONSULTANTS)
@require_POST
def participant_edit(request, participant_id: int):
    """Team, role title and hourly cost of one participant; consultants only, as only they see
    participants on the pages."""
    participant = get_object_or_404(selectors.participant_list(), pk=participant_id)
    form = ParticipantForm(request.POST, row_form_id=f"participant-{participant.pk}")
    if form.is_valid():
        try:
            participant_update(participant=participant, **form.cleaned_data)
        except ValidationError as error:
            form_errors_from(form, error)
        else:
            messages.success(request, f"{participant.pseudonym} is saved.")
            return redirect("participants")
    return _participants_render(request, edit_form=form, edit_id=participant.pk, status=400)


@workspace_page(MANAGERS)
@require_POST
def participant_teams(request):
    form = TeamsForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            updated, unknown = participant_teams_set(csv_text=form.cleaned_data["file"])
        except ValidationError as error:
            form_errors_from(form, error)
        else:
            people = "participant" if updated == 1 else "participants"
            identities = "identity is" if unknown == 1 else "identities are"
            messages.success(
                request, f"Teams set for {updated} {people}; {unknown} {identities} not in any import yet."
            )
            return redirect("participants")
    return _participants_render(request, teams_form=form, status=400)


# --- tasks, mapping rules, unmapped labels ------------------------------------------------------------


_PREVIEW_LOOKUPS = {
    MappingRule.Match.EQUALS: "iexact",
    MappingRule.Match.CONTAINS: "icontains",
    MappingRule.Match.REGEX: "iregex",  # PostgreSQL's ~*, as the catalogue's own matching
}


def _rule_preview(rule: MappingRule) -> list[dict[str, Any]]:
    """The distinct (project, label, description) of the entries the rule matches, most minutes
    first (at most RULE_PREVIEW_ROWS + 1 rows: the last says there are more). An earlier rule may
    take some of them first; this shows what the rule's pattern catches."""
    lookup = f"{rule.field}__{_PREVIEW_LOOKUPS[MappingRule.Match(rule.match)]}"
    rows = list(
        TimeEntry.objects.filter(**{lookup: rule.pattern})
        .values("project", "label", "description")
        .annotate(entries=Count("id"), minutes=Sum("minutes"))
        .order_by("-minutes", "project", "label", "description")[: RULE_PREVIEW_ROWS + 1]
    )
    return [{**row, "hours": _hours(row["minutes"])} for row in rows]


def _unmapped_form(label: UnmappedLabel, *, number: int, failed: UnmappedRuleForm | None) -> UnmappedRuleForm:
    """The one-click form of an unmapped line: the refused one again when it was this line's."""
    if failed is not None and (failed.data.get("project", ""), failed.data.get("description", "")) == (
        label.project,
        label.description,
    ):
        return failed
    return UnmappedRuleForm(
        initial={"project": label.project, "description": label.description}, auto_id=f"unmapped-{number}-%s"
    )


def _tasks_render(request, *, task_form=None, new_task_form=None, rule_form=None, unmapped_form=None, status=200):
    can_change = _can_change(request)
    tasks = list(selectors.task_list())
    task_rows = []
    for task in tasks:
        form = None
        if can_change:
            form = (
                task_form
                if task_form is not None and task_form.row_form_id == f"task-{task.pk}"
                else TaskForm(row_form_id=f"task-{task.pk}", initial=TaskForm.initial_from(task))
            )
        task_rows.append(
            {
                "task": task,
                "hours": _hours(_task_minutes(task)),
                "form": form,
                "answers": [form[question] if form else getattr(task, question) for question in SUITABILITY_QUESTIONS],
            }
        )
    rules = list(selectors.mapping_rule_list())
    unmapped = selectors.unmapped_list()
    context = {
        "section": "tasks",
        "task_rows": task_rows,
        "task_names": [task.name for task in tasks],
        "questions": [SUITABILITY_LABELS[question] for question in SUITABILITY_QUESTIONS],
        "total_hours": _hours(sum(_task_minutes(task) for task in tasks)),
        "new_task_form": new_task_form or TaskCreateForm(),
        "rule_rows": [{"rule": rule, "preview": _rule_preview(rule)} for rule in rules],
        "preview_rows": RULE_PREVIEW_ROWS,
        "preview_slice": f":{RULE_PREVIEW_ROWS}",
        "rule_form": rule_form or MappingRuleForm(),
        "unmapped_rows": [
            {
                "label": label,
                "hours": _hours(label.minutes),
                "form": _unmapped_form(label, number=number, failed=unmapped_form),
                "rule_field": "description" if label.description else "project",
            }
            for number, label in enumerate(unmapped, start=1)
        ],
        "unmapped_failed": unmapped_form,
        "can_change": can_change,
    }
    return render(request, "audits/tasks.html", context, status=status)


@require_GET
@workspace_page()
def tasks(request):
    return _tasks_render(request)


@workspace_page(MANAGERS)
@require_POST
def task_add(request):
    form = TaskCreateForm(request.POST)
    if form.is_valid():
        try:
            task = task_create(actor=request_actor(request), **form.cleaned_data)
        except ValidationError as error:
            form_errors_from(form, error)
        else:
            messages.success(request, f"The task {task.name} is added.")
            return redirect("tasks")
    return _tasks_render(request, new_task_form=form, status=400)


@workspace_page(MANAGERS)
@require_POST
def task_edit(request, task_id: int):
    """Rename a task, or change its process or suitability answers; a rename keeps its entries."""
    task = get_object_or_404(selectors.task_list(), pk=task_id)
    form = TaskForm(request.POST, row_form_id=f"task-{task.pk}")
    if form.is_valid():
        old_name = task.name
        try:
            task = task_update(
                task=task,
                name=form.cleaned_data["name"],
                process=form.cleaned_data["process"],
                suitability=form.suitability(),
                actor=request_actor(request),
            )
        except ValidationError as error:
            form_errors_from(form, error)
        else:
            if task.name != old_name:
                messages.success(
                    request,
                    f"{old_name} is renamed {task.name}; its entries stay on it, and imports that say "
                    f"{old_name} now land on it too.",
                )
            else:
                messages.success(request, f"The task {task.name} is saved.")
            return redirect("tasks")
    return _tasks_render(request, task_form=form, status=400)


@require_http_methods(["GET", "POST"])
@workspace_page(MANAGERS)
def task_merge_page(request, task_id: int):
    """Merge a task into another: the page names what moves, and asks before it is done."""
    task = get_object_or_404(selectors.task_list(), pk=task_id)
    form = TaskMergeForm(request.POST or None, task=task)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            into = form.cleaned_data["into"]
            try:
                task_merge(task=task, into=into, actor=request_actor(request))
            except ValidationError as error:
                form_errors_from(form, error)
            else:
                messages.success(
                    request,
                    f"{task.name} is merged into {into.name}: its {_task_entries(task)} entries "
                    f"({_hours(_task_minutes(task)):.2f} h) moved, and imports that say {task.name} land on {into.name}.",
                )
                return redirect("tasks")
        status = 400
    context = {"section": "tasks", "task": task, "hours": _hours(_task_minutes(task)), "form": form}
    return render(request, "audits/task_merge.html", context, status=status)


@workspace_page(MANAGERS)
@require_POST
def mapping_rule_add(request):
    form = MappingRuleForm(request.POST)
    if form.is_valid():
        try:
            rule = mapping_rule_create(actor=request_actor(request), **form.cleaned_data)
        except ValidationError as error:
            form_errors_from(form, error)
        else:
            messages.success(request, f"Rule {rule.position} is added; every entry was mapped again.")
            return redirect("tasks")
    return _tasks_render(request, rule_form=form, status=400)


@require_http_methods(["GET", "POST"])
@workspace_page(MANAGERS)
def mapping_rule_remove(request, rule_id: int):
    rule = get_object_or_404(selectors.mapping_rule_list(), pk=rule_id)
    if request.method == "GET":
        return confirm(
            request,
            title=f"Delete rule {rule.position}: {rule.field} {rule.match} '{rule.pattern}' → {rule.task.name}?",
            text="Every entry is mapped again without it: its entries go to the next rule that matches, "
            "else to the task named like their label, else to Unmapped.",
            button="Delete rule",
            cancel=reverse("tasks"),
        )
    mapping_rule_delete(rule=rule, actor=request_actor(request))
    messages.success(request, f"Rule {rule.position} is deleted; every entry was mapped again.")
    return redirect("tasks")


@workspace_page(MANAGERS)
@require_POST
def unmapped_rule_add(request):
    """One click on an unmapped line: a rule `description equals <it>` (`project equals <it>` when
    there is no description) to the task named, made first when no task has that name."""
    form = UnmappedRuleForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            # The new task and its rule come together or not at all.
            with transaction.atomic():
                task = selectors.task_list().filter(name__iexact=" ".join(data["task_name"].split())).first()
                if task is None:
                    task = task_create(name=data["task_name"], actor=request_actor(request))
                mapping_rule_create(
                    field=data["rule_field"],
                    match=MappingRule.Match.EQUALS,
                    pattern=data["rule_pattern"],
                    task=task,
                    actor=request_actor(request),
                )
        except ValidationError as error:
            form_errors_from(form, error)
        else:
            messages.success(
                request, f"Entries whose {data['rule_field']} is '{data['rule_pattern']}' now go to {task.name}."
            )
            return redirect("tasks")
    return _tasks_render(request, unmapped_form=form, status=400)
