"""Pages of the friction survey (METHOD.md section 2, "Friction vote") on the client's host.

The survey page, `/survey/<token>/`, needs no account: the link's token is its only credential. It is
sized for a phone, asks each task's pain 1-5 and where its process breaks, and remembers a browser's
votes by a random HttpOnly cookie whose hash is the vote's voter_key (one vote per task per browser
per link; voting again replaces the earlier vote). A revoked link's page says it is closed (410), an
unknown token's that it is not known (404).

The links page, `/audit/survey/`, is for everyone with a role: client admins and consultants open
and revoke links and see their urls (the survey's credentials); client viewers see the friction per
task and the links' history, without urls or forms.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from audits.models import SURVEY_NOTE_MAX_LENGTH, FrictionVote, SurveyLink, Task
from audits.services import friction
from smartwork.actors import request_actor
from smartwork.pages import confirm, form_errors_from
from smartwork.permissions import workspace_page
from smartwork.tenancy import MANAGERS, request_tenant_role

VOTER_COOKIE = "sw_survey_voter"
VOTER_COOKIE_RE = re.compile(r"^[A-Za-z0-9_-]{32}$")
VOTER_COOKIE_DAYS = 365
PAIN_CHOICES = [
    (1, "1 no pain"),
    (2, "2 a little painful"),
    (3, "3 painful"),
    (4, "4 quite painful"),
    (5, "5 very painful"),
]


# --- the survey page (no account) -----------------------------------------------------------------


class SurveyForm(forms.Form):
    """One pain choice and one optional note per task asked about; only the tasks answered are voted on."""

    def __init__(self, *args, tasks: Sequence[Task] = (), earlier: dict[int, FrictionVote] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.tasks = list(tasks)
        earlier = earlier or {}
        for task in self.tasks:
            vote = earlier.get(task.pk)
            self.fields[f"pain_{task.pk}"] = forms.TypedChoiceField(
                label=task.name,
                choices=PAIN_CHOICES,
                coerce=int,
                required=False,
                widget=forms.RadioSelect,
                initial=vote.pain if vote else None,
            )
            self.fields[f"note_{task.pk}"] = forms.CharField(
                label="Where does the process break?",
                required=False,
                max_length=SURVEY_NOTE_MAX_LENGTH,
                widget=forms.Textarea(attrs={"rows": 2}),
                initial=vote.note if vote else "",
            )

    def clean(self):
        cleaned = super().clean() or {}
        answered = 0
        for task in self.tasks:
            pain, note = cleaned.get(f"pain_{task.pk}"), (cleaned.get(f"note_{task.pk}") or "").strip()
            if pain:
                answered += 1
            elif note and f"note_{task.pk}" not in self.errors:
                self.add_error(f"pain_{task.pk}", "Choose how painful it is too, or clear the note.")
        if not answered and not self.errors:
            raise ValidationError("Choose how painful at least one task is, then send.")
        return cleaned

    def answers(self) -> list[friction.SurveyAnswer]:
        return [
            friction.SurveyAnswer(
                task=task, pain=self.cleaned_data[f"pain_{task.pk}"], note=self.cleaned_data[f"note_{task.pk}"]
            )
            for task in self.tasks
            if self.cleaned_data.get(f"pain_{task.pk}")
        ]


@dataclass(frozen=True)
class Voter:
    cookie: str
    is_new: bool  # the browser had no (valid) voter cookie: it is set on the answer

    @property
    def key(self) -> str:
        return friction.voter_key_of(self.cookie)


def _voter(request) -> Voter:
    cookie = request.COOKIES.get(VOTER_COOKIE, "")
    if VOTER_COOKIE_RE.match(cookie):
        return Voter(cookie=cookie, is_new=False)
    return Voter(cookie=secrets.token_urlsafe(24), is_new=True)


def _with_voter_cookie(request, response, voter: Voter):
    if voter.is_new:
        response.set_cookie(
            VOTER_COOKIE,
            voter.cookie,
            max_age=VOTER_COOKIE_DAYS * 24 * 3600,
            path="/survey/",
            secure=request.is_secure(),
            httponly=True,
            samesite="Lax",
        )
    return response


def _survey_refused(request, *, status: int):
    """The page of a link that cannot be used: 410 closed (revoked), 404 unknown."""
    return render(request, "audits/survey_closed.html", {"closed": status == 410}, status=status)


@require_http_methods(["GET", "POST"])
def survey(request, survey_token: str):
    link = friction.survey_link_for_token(survey_token)
    if link is None:
        return _survey_refused(request, status=404)
    if not link.is_open:
        return _survey_refused(request, status=410)
    voter = _voter(request)
    tasks = friction.survey_tasks()
    status = 200
    if request.method == "POST":
        if friction.survey_vote_limited(request=request, link=link):
            return render(request, "429.html", status=429)
        form = SurveyForm(request.POST, tasks=tasks)
        if form.is_valid():
            try:
                saved = friction.survey_answers_save(link=link, voter_key=voter.key, answers=form.answers())
            except friction.SurveyClosed:
                return _survey_refused(request, status=410)
            except ValidationError as error:
                form_errors_from(form, error)
            else:
                response = redirect(f"{reverse('survey', args=[survey_token])}?saved={saved}")
                return _with_voter_cookie(request, response, voter)
        status = 400
    else:
        earlier = {} if voter.is_new else friction.survey_votes_of(link=link, voter_key=voter.key)
        form = SurveyForm(tasks=tasks, earlier=earlier)
    saved = request.GET.get("saved", "")
    context = {
        "form": form,
        "rows": [{"task": task, "pain": form[f"pain_{task.pk}"], "note": form[f"note_{task.pk}"]} for task in tasks],
        "saved": int(saved) if request.method == "GET" and saved.isdigit() and len(saved) <= 3 else None,
        "client_name": request.tenant.name,
    }
    return _with_voter_cookie(request, render(request, "audits/survey.html", context, status=status), voter)


# --- the links page (people of the workspace) ------------------------------------------------------


@require_GET
@workspace_page()
def survey_links(request):
    can_change = request_tenant_role(request) in MANAGERS
    links = list(friction.survey_link_list())
    context = {
        "section": "survey",
        "can_change": can_change,
        "link_rows": [
            {"link": link, "url": friction.survey_link_url(client=request.tenant, link=link) if can_change else ""}
            for link in links
        ],
        "rows": friction.friction_summary(),
    }
    return render(request, "audits/survey_links.html", context)


@workspace_page(MANAGERS)
@require_POST
def survey_link_add(request):
    friction.survey_link_create(actor=request_actor(request))
    messages.success(request, "A new survey link is open: copy its address below and send it to your team.")
    return redirect("survey_links")


@require_http_methods(["GET", "POST"])
@workspace_page(MANAGERS)
def survey_link_revoke(request, survey_link_id: int):
    link = get_object_or_404(SurveyLink, pk=survey_link_id)
    if request.method == "GET":
        return confirm(
            request,
            title=f"Close the survey link opened {timezone.localtime(link.created_at):%Y-%m-%d %H:%M %Z} by {link.actor}?",
            text="Its page then says the survey is closed and takes no more votes. The votes it brought stay "
            "counted. This cannot be undone; open a new link to survey again.",
            button="Close link",
            cancel=reverse("survey_links"),
        )
    friction.survey_link_revoke(link=link, actor=request_actor(request))
    messages.success(request, "The survey link is closed; its votes stay counted.")
    return redirect("survey_links")
