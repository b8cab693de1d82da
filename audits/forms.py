"""Forms of the time audit's pages (step 1): settings, uploads, participants, the task catalogue,
mapping rules and the labels no rule maps yet. They check shape and limits; the services judge
meaning (a window without a working day, a task name already taken, a regex PostgreSQL refuses)."""

from __future__ import annotations

import datetime
import zoneinfo
from functools import cache

from django import forms

from audits import readers
from audits.models import LABEL_MAX_LENGTH, SUITABILITY_QUESTIONS, AuditSettings, ImportJob, MappingRule, Task

WEEKDAY_CHOICES = [
    (1, "Monday"),
    (2, "Tuesday"),
    (3, "Wednesday"),
    (4, "Thursday"),
    (5, "Friday"),
    (6, "Saturday"),
    (7, "Sunday"),
]
HOLIDAYS_MAX = 400
TEAMS_FILE_MAX_BYTES = 1024 * 1024
TEAM_MAX_LENGTH = 100
_FORMAT_TITLES = {reader.NAME: reader.TITLE for reader in readers.READERS}
FORMAT_CHOICES = [("auto", "Recognise it from the header"), *((name, _FORMAT_TITLES[name]) for name in readers.FORMATS)]
MODE_CHOICES = [
    (
        ImportJob.Mode.ALL_OR_NOTHING.value,
        "All or nothing: if any row is rejected, nothing is imported; fix the file and import it again.",
    ),
    (ImportJob.Mode.VALID_ROWS.value, "Valid rows only: the good rows are imported and the rejected ones listed."),
]
SUITABILITY_LABELS = {
    "rules": ("Rules", "1 creative … 5 fully rule-based"),
    "input_type": ("Input type", "1 paper … 5 digital"),
    "input_quality": ("Input quality", "1 unstructured … 5 structured"),
    "stability": ("Stability", "1 major changes expected … 5 none"),
    "documentation": ("Documentation", "1 none … 5 detailed"),
}
assert set(SUITABILITY_LABELS) == set(SUITABILITY_QUESTIONS)


NOT_A_PLACE = {"localtime", "posixrules", "Factory"}  # entries of the system's tz database, not zones to pick


@cache
def _timezone_choices() -> list[tuple[str, str]]:
    return [(name, name) for name in sorted(zoneinfo.available_timezones() - NOT_A_PLACE)]


class _RowForm(forms.Form):
    """A form whose fields sit in the cells of a table row: each input names its <form> element
    (`form="<row_form_id>"`) and gets ids of its own, so many rows' forms live on one page."""

    def __init__(self, *args, row_form_id: str = "", **kwargs):
        if row_form_id:
            kwargs.setdefault("auto_id", f"{row_form_id}-%s")
        super().__init__(*args, **kwargs)
        self.row_form_id = row_form_id
        if row_form_id:
            for name, field in self.fields.items():
                field.widget.attrs["form"] = row_form_id
                field.widget.attrs["aria-label"] = field.label or name.replace("_", " ").capitalize()


# --- settings -----------------------------------------------------------------------------------------


class AuditSettingsForm(forms.Form):
    window_start = forms.DateField(
        required=False, label="Window starts", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    window_end = forms.DateField(
        required=False,
        label="Window ends",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="Leave both empty for the default: the last 10 working days.",
    )
    working_days = forms.TypedMultipleChoiceField(
        choices=WEEKDAY_CHOICES, coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    working_days_per_month = forms.DecimalField(
        max_digits=5, decimal_places=2, help_text="Turns the window's figures into monthly ones (usually 21)."
    )
    hourly_cost = forms.DecimalField(
        max_digits=10,
        decimal_places=2,
        label="Loaded hourly cost",
        help_text="For a participant without an hourly cost of their own.",
    )
    currency = forms.CharField(min_length=3, max_length=3, help_text="ISO 4217 code, e.g. EUR.")
    timezone = forms.ChoiceField(
        label="Time zone", choices=_timezone_choices, help_text="An entry's day is its start date in this zone."
    )
    holidays = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="One date per line (YYYY-MM-DD); holidays are not working days.",
    )
    k = forms.IntegerField(
        label="k, the smallest team shown on its own",
        help_text="Client-facing pages show a team only when at least k participants have entries in the window.",
    )
    keep_names = forms.BooleanField(
        required=False,
        label="Keep names and e-mails from imports",
        help_text="Names and e-mails from the exports are not stored unless you turn this on: each person is "
        "known by a pseudonym, a keyed hash of their identity. Team and role are kept either way.",
    )

    @classmethod
    def initial_from(cls, audit: AuditSettings, *, currency: str) -> dict:
        return {
            "window_start": audit.window_start,
            "window_end": audit.window_end,
            "working_days": audit.working_days,
            "working_days_per_month": audit.working_days_per_month,
            "hourly_cost": audit.hourly_cost,
            "currency": currency,
            "timezone": audit.timezone,
            "holidays": "\n".join(day.isoformat() for day in audit.holidays),
            "k": audit.k,
            "keep_names": audit.keep_names,
        }

    def clean_currency(self) -> str:
        return self.cleaned_data["currency"].strip().upper()

    def clean_holidays(self) -> list[datetime.date]:
        lines = [line.strip() for line in self.cleaned_data["holidays"].splitlines() if line.strip()]
        if len(lines) > HOLIDAYS_MAX:
            raise forms.ValidationError(f"At most {HOLIDAYS_MAX} holidays.")
        days, problems = [], []
        for number, line in enumerate(lines, start=1):
            try:
                days.append(datetime.date.fromisoformat(line))
            except ValueError:
                problems.append(f"Line {number}, '{line[:40]}', is not a date like 2026-12-24.")
        if problems:
            raise forms.ValidationError(problems[:10])
        return days


# --- imports ------------------------------------------------------------------------------------------


class ImportForm(forms.Form):
    file = forms.FileField(
        label="Export file",
        help_text="A CSV or XLSX export of Toggl Track, Clockify, Harvest or Kimai, or a generic CSV.",
    )
    format = forms.ChoiceField(choices=FORMAT_CHOICES, initial="auto")
    mode = forms.ChoiceField(
        choices=MODE_CHOICES,
        initial=ImportJob.Mode.ALL_OR_NOTHING.value,
        widget=forms.RadioSelect,
        label="If a row is rejected",
    )


# --- participants -------------------------------------------------------------------------------------


class ParticipantForm(_RowForm):
    team = forms.CharField(max_length=TEAM_MAX_LENGTH, required=False)
    role_title = forms.CharField(max_length=100, required=False, label="Role title")
    hourly_cost = forms.DecimalField(max_digits=10, decimal_places=2, min_value=0, required=False)


class TeamsForm(forms.Form):
    file = forms.FileField(
        label="Identity,team CSV",
        help_text="One row per person: their e-mail (or staff id, or name, as in the exports) and their team. "
        "A header row identity,team is optional. Identities are turned into pseudonyms and not stored.",
    )

    def clean_file(self) -> str:
        """The file's text (UTF-8, at most 1 MB)."""
        upload = self.cleaned_data["file"]
        raw = upload.read(TEAMS_FILE_MAX_BYTES + 1)
        if len(raw) > TEAMS_FILE_MAX_BYTES:
            raise forms.ValidationError("A teams file has at most 1 MB.")
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            raise forms.ValidationError("The file is not UTF-8 text; save it as CSV UTF-8.") from None


# --- tasks and mapping rules --------------------------------------------------------------------------


def _suitability_field(question: str) -> forms.TypedChoiceField:
    label, _scale = SUITABILITY_LABELS[question]  # the scale is told once, in the table's header
    return forms.TypedChoiceField(
        choices=[("", "–"), *((n, str(n)) for n in range(1, 6))],
        coerce=int,
        empty_value=None,
        required=False,
        label=label,
    )


class TaskForm(_RowForm):
    """A task's row in the catalogue: its name (a rename), process and five suitability answers."""

    name = forms.CharField(max_length=LABEL_MAX_LENGTH)
    process = forms.CharField(max_length=200, required=False)
    rules = _suitability_field("rules")
    input_type = _suitability_field("input_type")
    input_quality = _suitability_field("input_quality")
    stability = _suitability_field("stability")
    documentation = _suitability_field("documentation")

    @classmethod
    def initial_from(cls, task: Task) -> dict:
        return {"name": task.name, "process": task.process, **{q: getattr(task, q) for q in SUITABILITY_QUESTIONS}}

    def suitability(self) -> dict[str, int | None]:
        return {question: self.cleaned_data[question] for question in SUITABILITY_QUESTIONS}


class TaskCreateForm(forms.Form):
    name = forms.CharField(max_length=LABEL_MAX_LENGTH, label="Task name")
    process = forms.CharField(max_length=200, required=False, help_text="The business process it belongs to.")


class TaskMergeForm(forms.Form):
    into = forms.ModelChoiceField(queryset=Task.objects.all(), label="Merge into", empty_label="Choose a task")

    def __init__(self, *args, task: Task | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if task is not None:
            self.fields["into"].queryset = Task.objects.exclude(pk=task.pk).order_by("name")  # type: ignore[attr-defined]


class MappingRuleForm(forms.Form):
    position = forms.IntegerField(
        min_value=1, required=False, help_text="Empty: after the last rule. The first rule that matches wins."
    )
    field = forms.ChoiceField(choices=MappingRule.Field.choices)
    match = forms.ChoiceField(
        choices=MappingRule.Match.choices,
        help_text="equals and contains ignore case; regex is PostgreSQL's, ignoring case.",
    )
    pattern = forms.CharField(max_length=LABEL_MAX_LENGTH)
    task = forms.ModelChoiceField(queryset=Task.objects.all(), empty_label="Choose a task")


class UnmappedRuleForm(forms.Form):
    """One click from the unmapped list: a rule `description equals <it>` (or `project equals <it>`
    when the entries have no description) to a task named here, existing or new."""

    project = forms.CharField(required=False, widget=forms.HiddenInput)
    description = forms.CharField(required=False, widget=forms.HiddenInput)
    task_name = forms.CharField(
        max_length=LABEL_MAX_LENGTH,
        label="Task",
        widget=forms.TextInput(attrs={"list": "task-names", "placeholder": "Task name", "aria-label": "Task"}),
    )

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data
        description, project = cleaned.get("description", ""), cleaned.get("project", "")
        field, pattern = ("description", description) if description else ("project", project)
        if not pattern:
            raise forms.ValidationError("These entries have neither a description nor a project to match on.")
        if len(pattern) > LABEL_MAX_LENGTH:
            raise forms.ValidationError(
                f"A rule's pattern has at most {LABEL_MAX_LENGTH} characters; add a contains rule by hand."
            )
        cleaned["rule_field"], cleaned["rule_pattern"] = field, pattern
        return cleaned
