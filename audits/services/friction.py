"""The friction survey (METHOD.md section 2, "Friction vote"): survey links (the token is the only
credential of the survey page, revocable), votes of pain 1-5 with an optional note on where the
process breaks, and the summary per task. Votes carry no name: a browser is told apart by the hash
of a random cookie value (voter_key), which is never shown; notes are listed in the order of their
text, so their order says nothing about who wrote them when.
"""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Avg, Count, Exists, FloatField, OuterRef, Q, QuerySet, Sum
from django.urls import reverse
from django.utils import timezone
from django_ratelimit import ALL
from django_ratelimit.core import is_ratelimited

from audits.models import SURVEY_NOTE_MAX_LENGTH, FrictionVote, SurveyLink, Task
from smartwork.actors import Actor
from smartwork.errors import ApplicationError
from smartwork.netaddr import client_address
from smartwork.tenancy import workspace_url

logger = logging.getLogger(__name__)

TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{20,100}$")
PAIN_MIN, PAIN_MAX = 1, 5
SURVEY_TASKS_SHOWN = 40  # a survey people finish on a phone; the tasks with the most minutes first


def survey_token_hash(token: str) -> str:
    """SHA-256 of a survey token (192 random bits, so a fast hash is enough)."""
    return hashlib.sha256(token.encode()).hexdigest()


def voter_key_of(cookie_value: str) -> str:
    """The voter_key of a browser: the hash of its random voter cookie, so the value itself is not stored."""
    return hashlib.sha256(cookie_value.encode()).hexdigest()


# --- links ----------------------------------------------------------------------------------------------


def survey_link_create(*, actor: Actor) -> SurveyLink:
    """A new open survey link; earlier links stay open until they are revoked."""
    token = secrets.token_urlsafe(24)
    return SurveyLink.objects.create(token=token, token_hash=survey_token_hash(token), **actor.as_fields())


@transaction.atomic
def survey_link_revoke(*, link: SurveyLink, actor: Actor) -> SurveyLink:
    """Close the link at once: its page says so and it takes no more votes; the votes it brought stay.
    Revoking a revoked link changes nothing."""
    link = SurveyLink.objects.select_for_update().get(pk=link.pk)
    if link.revoked_at is None:
        link.revoked_at = timezone.now()
        link.save(update_fields=["revoked_at"])
        logger.info("survey link %s revoked by %s", link.pk, actor)
    return link


def survey_link_for_token(token: str) -> SurveyLink | None:
    """The link of this token in this client's schema, open or revoked; None when no link has it."""
    if not isinstance(token, str) or not TOKEN_RE.match(token):
        return None
    return SurveyLink.objects.filter(token_hash=survey_token_hash(token)).first()


def survey_link_url(*, client, link: SurveyLink) -> str:
    """The survey page of `link` on the client's own host, as people reach it."""
    return workspace_url(client, reverse("survey", args=[link.token]))


def survey_link_list() -> QuerySet[SurveyLink]:
    """Every link, newest first, with the number of votes it brought (vote_count)."""
    return SurveyLink.objects.annotate(vote_count=Count("votes")).order_by("-created_at", "-id")


def survey_vote_limited(*, request, link: SurveyLink) -> bool:
    """Count one vote request through `link`; True when it is over a limit: per link and address
    (SURVEY_VOTE_RATE_PER_ADDRESS), and per link from everywhere (SURVEY_VOTE_RATE_PER_LINK), so a link
    that leaked cannot be flooded. Counted against the token's hash, unique across clients."""
    address = client_address(request) or "no-address"
    limits = [
        ("survey-vote-address", settings.SURVEY_VOTE_RATE_PER_ADDRESS, f"{link.token_hash}:{address}"),
        ("survey-vote-link", settings.SURVEY_VOTE_RATE_PER_LINK, link.token_hash),
    ]
    over = False
    for group, rate, key in limits:
        # Both counters count every request, so neither lags behind the other.
        over |= is_ratelimited(
            request, group=group, key=lambda _group, _request, key=key: key, rate=rate, method=ALL, increment=True
        )
    return over


# --- votes ----------------------------------------------------------------------------------------------


class SurveyClosed(ApplicationError):
    """A vote through a revoked link (the API answers 403; the page says the link is closed)."""

    status_code = 403
    code = "survey_closed"


def _vote_clean(*, task: Task, pain, note: str) -> tuple[int, str]:
    errors: dict[str, list[str]] = {}
    if isinstance(pain, bool) or not isinstance(pain, int) or not PAIN_MIN <= pain <= PAIN_MAX:
        errors["pain"] = [f"Choose how painful {task.name} is: 1 (no pain) to 5 (very painful)."]
    note = (note or "").strip()
    if "\x00" in note:
        errors["note"] = ["A note cannot contain a NUL character."]
    elif len(note) > SURVEY_NOTE_MAX_LENGTH:
        errors["note"] = [f"A note has at most {SURVEY_NOTE_MAX_LENGTH:,} characters; this one has {len(note):,}."]
    if errors:
        raise ValidationError(errors)
    return pain, note


@transaction.atomic
def vote_cast(*, link: SurveyLink | None, task: Task, pain: int, note: str = "", voter_key: str = "") -> FrictionVote:
    """One vote on a task. Through a link the link must be open. A browser (voter_key, through a link
    only) has one vote per task per link: its next vote on the task replaces the earlier one. Without
    a voter key (the API) every call is a vote of its own."""
    pain, note = _vote_clean(task=task, pain=pain, note=note)
    if link is not None and not SurveyLink.objects.filter(pk=link.pk, revoked_at__isnull=True).exists():
        raise SurveyClosed("This survey link is closed; ask whoever sent it whether there is a new one.")
    if not voter_key:
        return FrictionVote.objects.create(task=task, survey_link=link, pain=pain, note=note)
    if link is None:
        raise ValidationError("A browser's vote comes through a survey link.")
    vote, _ = FrictionVote.objects.update_or_create(
        task=task, survey_link=link, voter_key=voter_key, defaults={"pain": pain, "note": note}
    )
    return vote


@dataclass(frozen=True)
class SurveyAnswer:
    task: Task
    pain: int
    note: str


@transaction.atomic
def survey_answers_save(*, link: SurveyLink, voter_key: str, answers: list[SurveyAnswer]) -> int:
    """The survey page's votes, all or none; returns how many tasks were voted on."""
    for answer in answers:
        vote_cast(link=link, task=answer.task, pain=answer.pain, note=answer.note, voter_key=voter_key)
    return len(answers)


def survey_votes_of(*, link: SurveyLink, voter_key: str) -> dict[int, FrictionVote]:
    """A browser's earlier votes through this link, by task id (the page shows them as chosen)."""
    if not voter_key:
        return {}
    return {vote.task_id: vote for vote in FrictionVote.objects.filter(survey_link=link, voter_key=voter_key)}


def survey_tasks() -> list[Task]:
    """The tasks the survey asks about: those with entries, most minutes first; when no task has
    entries yet, every task by name. At most SURVEY_TASKS_SHOWN."""
    with_entries: list[Task] = list(
        Task.objects.annotate(minutes=Sum("entries__minutes"))
        .filter(minutes__gt=0)
        .order_by("-minutes", "name")[:SURVEY_TASKS_SHOWN]
    )
    return with_entries or list(Task.objects.order_by("name")[:SURVEY_TASKS_SHOWN])


def friction_votes_move(*, task: Task, into: Task) -> None:
    """A merge moves `task`'s votes to `into`. A browser that voted on both keeps one vote per task
    (its latest, by when it was last cast); every other vote moves."""
    mine = FrictionVote.objects.filter(task=task).exclude(voter_key="")
    theirs = FrictionVote.objects.filter(task=into).exclude(voter_key="")
    same_browser = {"survey_link": OuterRef("survey_link"), "voter_key": OuterRef("voter_key")}
    older = [
        *mine.filter(Exists(theirs.filter(**same_browser, updated_at__gte=OuterRef("updated_at")))).values_list(
            "pk", flat=True
        ),
        *theirs.filter(Exists(mine.filter(**same_browser, updated_at__gt=OuterRef("updated_at")))).values_list(
            "pk", flat=True
        ),
    ]
    FrictionVote.objects.filter(pk__in=older).delete()
    FrictionVote.objects.filter(task=task).update(task=into)


# --- summary --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FrictionRow:
    """One task's friction: its votes, mean pain and notes, without names."""

    task_id: int
    task_name: str
    votes: int
    mean_pain: float
    notes: list[str]


def friction_summary() -> list[FrictionRow]:
    """Per task with votes: how many, the mean pain (METHOD.md: a task's pain is its mean vote) and the
    notes, in the order of their text. Most painful first, then most votes, then name."""
    tasks = (
        Task.objects.annotate(
            votes=Count("friction_votes"), mean_pain=Avg("friction_votes__pain", output_field=FloatField())
        )
        .filter(votes__gt=0)
        .order_by("-mean_pain", "-votes", "name")
    )
    notes: dict[int, list[str]] = defaultdict(list)
    for task_id, note in (
        FrictionVote.objects.filter(~Q(note="")).order_by("task_id", "note", "id").values_list("task_id", "note")
    ):
        notes[task_id].append(note)
    return [
        FrictionRow(
            task_id=task.pk,
            task_name=task.name,
            votes=task.votes,
            mean_pain=task.mean_pain,
            notes=notes.get(task.pk, []),
        )
        for task in tasks
    ]
