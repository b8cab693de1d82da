"""Participants: the client's team as pseudonyms (METHOD.md section 2). An identity (e-mail, else
staff id, else name) becomes a keyed hash with the client's own secret; the pseudonym shown is its
first hex digits. Names and e-mails are not stored unless the client keeps names."""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from audits import rollups
from audits.locks import client_lock
from audits.models import Participant
from audits.selectors import audit_settings_get

PSEUDONYM_DIGITS = 6


@dataclass
class Person:
    """What an import learned about one participant: the export's team and, if kept, the name."""

    identity_hash: str
    team: str = ""
    name: str = ""


def identity_normalise(identity: str) -> str:
    """One spelling per identity: spaces collapsed, lower case (e-mails and names alike)."""
    return " ".join(identity.split()).lower()


def identity_hash(identity: str, *, secret: str) -> str:
    return hmac.new(secret.encode(), identity_normalise(identity).encode(), hashlib.sha256).hexdigest()


def _pseudonym(digest: str, taken: set[str]) -> str:
    """P- and the first six hex digits of the hash, one more digit while another participant has it."""
    for length in range(PSEUDONYM_DIGITS, len(digest) + 1):
        pseudonym = f"P-{digest[:length]}"
        if pseudonym not in taken:
            return pseudonym
    raise AssertionError("two identities with the same keyed hash")


def participants_upsert(*, people: list[Person]) -> list[int]:
    """Add the participants not seen before; take a team from the export where it names one (and a
    name, when the client keeps names). Imports of one client do this one at a time (a transaction
    lock), so two files with the same new person make one participant. Returns the ids of those whose
    team changed (their earlier entries' rollups move with them)."""
    if not people:
        return []
    merged: dict[str, Person] = {}  # one person per hash, whatever the callers grouped by
    for person in people:
        kept = merged.setdefault(person.identity_hash, person)
        if kept is not person:
            kept.team, kept.name = person.team or kept.team, person.name or kept.name
    people = list(merged.values())
    client_lock("participants")
    existing = {
        p.identity_hash: p for p in Participant.objects.filter(identity_hash__in=[p.identity_hash for p in people])
    }
    taken = set(Participant.objects.values_list("pseudonym", flat=True))
    new, changed, moved = [], [], []
    for person in people:
        participant = existing.get(person.identity_hash)
        if participant is None:
            pseudonym = _pseudonym(person.identity_hash, taken)
            taken.add(pseudonym)
            new.append(
                Participant(identity_hash=person.identity_hash, pseudonym=pseudonym, team=person.team, name=person.name)
            )
            continue
        updated = False
        if person.team and participant.team != person.team:
            participant.team, updated = person.team, True
            moved.append(participant.pk)
        if person.name and participant.name != person.name:
            participant.name, updated = person.name, True
        if updated:
            changed.append(participant)
    Participant.objects.bulk_create(new)
    Participant.objects.bulk_update(changed, ["team", "name"])
    return moved


@transaction.atomic
def participant_update(
    *, participant: Participant, team: str | None = None, role_title: str | None = None, **cost: Decimal | None
) -> Participant:
    """Set a participant's team ('' is Unassigned), role title, or hourly_cost (None: the client's)."""
    changed = []
    if team is not None:
        participant.team = team.strip()
        changed.append("team")
    if role_title is not None:
        participant.role_title = role_title.strip()
        changed.append("role_title")
    if "hourly_cost" in cost:
        hourly_cost = cost.pop("hourly_cost")
        if hourly_cost is not None and hourly_cost < 0:
            raise ValidationError({"hourly_cost": ["An hourly cost cannot be negative."]})
        participant.hourly_cost = hourly_cost
        changed.append("hourly_cost")
    if cost:
        raise ValidationError({field: ["Not a participant field."] for field in cost})
    if changed:
        participant.save(update_fields=changed)
        if {"team", "hourly_cost"} & set(changed):
            rollups.rollups_refresh_for_participants([participant.pk])
    return participant


TEAMS_CSV_MAX_ROWS = 10_000


@transaction.atomic
def participant_teams_set(*, csv_text: str) -> tuple[int, int]:
    """Teams from a small CSV of identity,team (a header row is optional); returns (updated, unknown
    identities). All or nothing: a bad row refuses the whole file, naming its row."""
    audit_secret = audit_settings_get().pseudonym_secret
    rows = list(csv.reader(io.StringIO(csv_text.lstrip("\ufeff"))))
    if rows and [cell.strip().lower() for cell in rows[0][:2]] == ["identity", "team"]:
        rows = rows[1:]
        first = 2
    else:
        first = 1
    if not rows:
        raise ValidationError({"file": ["The file has no rows; each row is identity,team."]})
    if len(rows) > TEAMS_CSV_MAX_ROWS:
        raise ValidationError({"file": [f"At most {TEAMS_CSV_MAX_ROWS:,} rows."]})
    teams: dict[str, str] = {}
    problems = []
    for number, row in enumerate(rows, start=first):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != 2 or not row[0].strip():
            problems.append(f"row {number}: expected identity,team")
            continue
        if len(row[1].strip()) > 100:
            problems.append(f"row {number}: a team name has at most 100 characters")
            continue
        teams[identity_hash(row[0], secret=audit_secret)] = row[1].strip()
    if problems:
        raise ValidationError({"file": problems[:20]})
    found = {p.identity_hash: p for p in Participant.objects.filter(identity_hash__in=list(teams))}
    for digest, participant in found.items():
        participant.team = teams[digest]
    Participant.objects.bulk_update(found.values(), ["team"])
    rollups.rollups_refresh_for_participants([participant.pk for participant in found.values()])
    return len(found), len(teams) - len(found)
