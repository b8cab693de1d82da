"""The audit page a client reads (METHOD.md section 2, "Candidate scoring"), `/audit/`: the window,
the ranked candidates with every figure (rounded for display only), the frequency-versus-duration
chart, the friction notes per task, and the ranking as CSV (`/audit/candidates.csv`).

Consultants, client admins and client viewers see the same page: figures of the process only, teams
after the privacy fold, notes without names. A window without a working day is refused with its
reason and status 400.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django import forms
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from audits import charts, selectors
from audits.csv_export import csv_text
from audits.models import TimeEntry
from audits.selectors import Candidate, WindowRefused
from audits.services.friction import friction_summary
from smartwork.permissions import workspace_page

WINDOW_MAX_DAYS = 731  # two years: far more than an audit needs, and a bound on the work a request asks
LOW_CONFIDENCE_NOTE = "fewer than 3 entries in the window: a monthly figure extrapolated from very few"
CSV_HEADER = [
    "rank",
    "task",
    "process",
    "team",
    "entries",
    "minutes",
    "occurrences_per_month",
    "minutes_per_occurrence",
    "hours_per_month",
    "automation_potential",
    "recoverable_hours_per_month",
    "pain",
    "votes",
    "priority",
    "hourly_cost",
    "value_per_month",
    "currency",
    "low_confidence",
]


class WindowForm(forms.Form):
    """The window's dates as GET parameters; both empty (or absent) means the audit window."""

    start = forms.DateField(
        required=False, label="From", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    end = forms.DateField(
        required=False, label="To (included)", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def clean(self):
        cleaned = super().clean() or {}
        start, end = cleaned.get("start"), cleaned.get("end")
        if self.errors:
            return cleaned
        if (start is None) != (end is None):
            raise forms.ValidationError("Give both dates, or neither for the audit window.")
        if start and end and (end - start).days + 1 > WINDOW_MAX_DAYS:
            raise forms.ValidationError(f"A window covers at most {WINDOW_MAX_DAYS} days; this one covers more.")
        return cleaned


@dataclass(frozen=True)
class ChosenWindow:
    """The window a request asks for, or the reason it is refused."""

    form: WindowForm
    start: date
    end: date
    refusal: str = ""


def _window_chosen(request) -> ChosenWindow:
    default = selectors.audit_window()
    given = {name: request.GET.get(name, "") for name in ("start", "end")}
    if not any(given.values()):
        form = WindowForm(initial={"start": default.start, "end": default.end})
        return ChosenWindow(form=form, start=default.start, end=default.end)
    form = WindowForm(data=given)
    if not form.is_valid():
        return ChosenWindow(form=form, start=default.start, end=default.end, refusal=" ".join(_form_messages(form)))
    return ChosenWindow(form=form, start=form.cleaned_data["start"], end=form.cleaned_data["end"])


def _form_messages(form: forms.Form) -> list[str]:
    messages = [str(error) for error in form.non_field_errors()]
    for name in ("start", "end"):
        messages += [f"{form.fields[name].label}: {error}" for error in form.errors.get(name, [])]
    return messages


def _ranking(window: ChosenWindow) -> tuple[list[Candidate], str]:
    """The candidates of the window, or none and the reason the window is refused."""
    if window.refusal:
        return [], window.refusal
    try:
        return selectors.candidate_list(start=window.start, end=window.end), ""
    except WindowRefused as refused:
        return [], str(refused)


@dataclass(frozen=True)
class CandidateRow:
    candidate: Candidate
    potential_percent: Decimal


def _page(request, window: ChosenWindow, candidates: list[Candidate], refusal: str):
    context = {
        "section": "ranking",
        "form": window.form,
        "start": window.start,
        "end": window.end,
        "working_days": 0 if refusal else _working_day_count(window),
        "refusal": refusal,
        "rows": [CandidateRow(candidate=c, potential_percent=c.automation_potential * 100) for c in candidates],
        "any_low_confidence": any(c.low_confidence for c in candidates),
        "low_confidence_note": LOW_CONFIDENCE_NOTE,
        "has_entries": bool(candidates) or TimeEntry.objects.exists(),
        "currency": request.tenant.currency,
        "chart": _chart(candidates) if candidates else "",
        "friction": friction_summary(),
    }
    return render(request, "audits/audit.html", context, status=400 if refusal else 200)


def _working_day_count(window: ChosenWindow) -> int:
    return len(selectors.working_days(start=window.start, end=window.end, audit=selectors.audit_settings_get()))


def _chart(candidates: list[Candidate]) -> str:
    top = candidates[0]
    return charts.drawing_svg(
        charts.candidate_chart(candidates),
        title="Automation candidates: how often each task is done against how long it takes",
        description=(
            f"{len(candidates)} task{'s' if len(candidates) != 1 else ''} as bubbles: occurrences per month "
            "across, minutes per occurrence up (both on log scales), bubble area the hours per month, colour "
            f"the pain from 1 to 5, each labelled with its rank. Rank 1 is {top.task_name}. "
            "The ranking table gives every figure."
        ),
        element_id="candidate-chart",
    )


@require_GET
@workspace_page()
def audit(request):
    window = _window_chosen(request)
    candidates, refusal = _ranking(window)
    return _page(request, window, candidates, refusal)


@require_GET
@workspace_page()
def candidates_csv(request):
    """The ranking of the window as CSV: one row per candidate, exact figures (4 decimals), the
    currency; a refused window gets the page with its reason (400)."""
    window = _window_chosen(request)
    candidates, refusal = _ranking(window)
    if refusal:
        return _page(request, window, candidates, refusal)
    currency = request.tenant.currency
    rows = [
        [
            c.rank,
            c.task_name,
            c.process,
            c.team,
            c.entries,
            c.minutes,
            c.occurrences_per_month,
            c.minutes_per_occurrence,
            c.hours_per_month,
            c.automation_potential,
            c.recoverable_hours_per_month,
            c.pain,
            c.votes,
            c.priority,
            c.hourly_cost,
            c.value_per_month,
            currency,
            c.low_confidence,
        ]
        for c in candidates
    ]
    response = HttpResponse(csv_text(header=CSV_HEADER, rows=rows), content_type="text/csv; charset=utf-8")
    filename = f"candidates-{window.start.isoformat()}-to-{window.end.isoformat()}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
