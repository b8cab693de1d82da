"""The per-day rollups the candidate ranking reads (audits.selectors.candidate_list), kept equal to the
time entries inside every write's own transaction, so they are never stale.

- TaskDayRollup: per task, day and team (the participant's team now): entries, minutes, the minutes
  of participants with an hourly cost weighted by it, and the minutes of those without one (the
  client's loaded cost applies to them when the ranking is read, so changing it needs no refresh).
- ParticipantDay: the days each participant has entries (the privacy fold counts a team's people).
- TaskMonthRollup and ParticipantMonth: the same by calendar month, summed from the daily rows of the
  months touched, so a year-long window reads twelve months and the days of its partial months.

Every change recomputes the rollup rows of the days it touched from the entries, in one set-based
statement each: simple enough to be obviously right, and an import of a year recomputes a year.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from django.db import connection, transaction

from audits.locks import client_lock

_DAYS_TOUCHED = "audit_rollup_days"


def _task_sums(rows: str) -> str:
    """What a task rollup sums over entries (`rows`, joined to their `participant`), in its column order."""
    return (
        f"count(*) AS entries, sum({rows}.minutes) AS minutes, "
        f"coalesce(sum({rows}.minutes * participant.hourly_cost), 0) AS costed_minutes_value, "
        f"coalesce(sum({rows}.minutes) FILTER (WHERE participant.hourly_cost IS NULL), 0) AS uncosted_minutes"
    )


@transaction.atomic  # its temporary table lives until the end of the transaction
def rollups_refresh(*, days_sql: str, params: Sequence[Any] = ()) -> None:
    """Recompute the rollups for the days `days_sql` selects (a SELECT of one date column)."""
    rollups_lock()
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {_DAYS_TOUCHED}")
        cursor.execute(
            f"CREATE TEMPORARY TABLE {_DAYS_TOUCHED} ON COMMIT DROP AS SELECT DISTINCT day FROM ({days_sql}) AS touched",
            list(params),
        )
        cursor.execute(f"DELETE FROM audits_taskdayrollup WHERE day IN (SELECT day FROM {_DAYS_TOUCHED})")
        cursor.execute(
            f"""
            INSERT INTO audits_taskdayrollup (task_id, day, team, entries, minutes, costed_minutes_value, uncosted_minutes)
            SELECT entry.task_id, entry.day, participant.team, {_task_sums("entry")}
              FROM audits_timeentry AS entry
              JOIN audits_participant AS participant ON participant.id = entry.participant_id
             WHERE entry.task_id IS NOT NULL AND entry.day IN (SELECT day FROM {_DAYS_TOUCHED})
             GROUP BY entry.task_id, entry.day, participant.team
            """
        )
        cursor.execute(f"DELETE FROM audits_participantday WHERE day IN (SELECT day FROM {_DAYS_TOUCHED})")
        cursor.execute(
            f"""
            INSERT INTO audits_participantday (participant_id, day, entries)
            SELECT participant_id, day, count(*) FROM audits_timeentry
             WHERE day IN (SELECT day FROM {_DAYS_TOUCHED})
             GROUP BY participant_id, day
            """
        )
        _months_refresh(cursor, months_sql=f"SELECT date_trunc('month', day)::date FROM {_DAYS_TOUCHED}")
        cursor.execute(f"DROP TABLE {_DAYS_TOUCHED}")


def _months_refresh(cursor: Any, *, months_sql: str) -> None:
    """The monthly rollups of the months `months_sql` selects, summed from the daily ones."""
    cursor.execute(f"DELETE FROM audits_taskmonthrollup WHERE month IN ({months_sql})")
    cursor.execute(
        f"""
        INSERT INTO audits_taskmonthrollup
               (task_id, month, team, entries, minutes, costed_minutes_value, uncosted_minutes)
        SELECT task_id, date_trunc('month', day)::date, team, sum(entries), sum(minutes),
               sum(costed_minutes_value), sum(uncosted_minutes)
          FROM audits_taskdayrollup WHERE date_trunc('month', day)::date IN ({months_sql})
         GROUP BY task_id, date_trunc('month', day)::date, team
        """
    )
    cursor.execute(f"DELETE FROM audits_participantmonth WHERE month IN ({months_sql})")
    cursor.execute(
        f"""
        INSERT INTO audits_participantmonth (participant_id, month, entries)
        SELECT participant_id, date_trunc('month', day)::date, sum(entries)
          FROM audits_participantday WHERE date_trunc('month', day)::date IN ({months_sql})
         GROUP BY participant_id, date_trunc('month', day)::date
        """
    )


def rollups_refresh_days(days: Iterable[date]) -> None:
    rollups_refresh(days_sql="SELECT unnest(%s::date[]) AS day", params=[list(days)])


def rollups_refresh_all() -> None:
    rollups_refresh(days_sql="SELECT day FROM audits_timeentry")


def rollups_refresh_for_participants(participant_ids: Iterable[int]) -> None:
    """After participants' teams or costs changed: the days they have entries."""
    ids = list(participant_ids)
    if ids:
        rollups_refresh(days_sql="SELECT day FROM audits_timeentry WHERE participant_id = ANY(%s)", params=[ids])


# The rollups an import adds to, from the rows it inserted: what each sums, by which key.
_ADDED = (
    (
        "audits_taskdayrollup",
        ("task_id", "day", "team"),
        "added.task_id, added.day, participant.team",
        _task_sums("added"),
    ),
    (
        "audits_taskmonthrollup",
        ("task_id", "month", "team"),
        "added.task_id, date_trunc('month', added.day)::date, participant.team",
        _task_sums("added"),
    ),
    ("audits_participantday", ("participant_id", "day"), "added.participant_id, added.day", "count(*) AS entries"),
    (
        "audits_participantmonth",
        ("participant_id", "month"),
        "added.participant_id, date_trunc('month', added.day)::date",
        "count(*) AS entries",
    ),
)


def rollups_lock() -> None:
    """One writer of a client's rollups at a time (until its transaction ends): an import adding what
    it inserted and a recompute of the same days never interleave."""
    client_lock("rollups")


@transaction.atomic
def rollups_add(*, inserted_table: str) -> None:
    """Add rows just inserted into the entries (participant_id, task_id, day, minutes of
    `inserted_table`) to the rollups: each rollup's sums by key are added to the rows that exist and
    inserted where none does. Cheaper than recomputing the days of a year-long file, and exact: only
    what was really inserted (not what a re-import skipped) is in `inserted_table`."""
    rollups_lock()
    with connection.cursor() as cursor:
        for table, keys, key_sql, sums_sql in _ADDED:
            mapped_only = "WHERE added.task_id IS NOT NULL" if "task_id" in keys else ""
            sums = [part.rsplit(" AS ", 1)[1] for part in sums_sql.split(", ") if " AS " in part]
            cursor.execute("DROP TABLE IF EXISTS audit_rollup_added")
            cursor.execute(
                f"""CREATE TEMPORARY TABLE audit_rollup_added ON COMMIT DROP AS
                    SELECT {", ".join(f"{expression} AS {key}" for expression, key in zip(_split(key_sql), keys, strict=True))},
                           {sums_sql}
                      FROM {inserted_table} AS added
                      JOIN audits_participant AS participant ON participant.id = added.participant_id
                      {mapped_only}
                     GROUP BY {key_sql}"""
            )
            matches = " AND ".join(f"target.{key} = added.{key}" for key in keys)
            cursor.execute(
                f"""UPDATE {table} AS target SET {", ".join(f"{column} = target.{column} + added.{column}" for column in sums)}
                      FROM audit_rollup_added AS added WHERE {matches}"""
            )
            cursor.execute(
                f"""INSERT INTO {table} ({", ".join((*keys, *sums))})
                    SELECT {", ".join(f"added.{column}" for column in (*keys, *sums))} FROM audit_rollup_added AS added
                     WHERE NOT EXISTS (SELECT 1 FROM {table} AS target WHERE {matches})"""
            )
        cursor.execute("DROP TABLE audit_rollup_added")


def _split(key_sql: str) -> list[str]:
    """The expressions of a key list (no commas inside them but date_trunc's own)."""
    parts, depth, current = [], 0, ""
    for char in key_sql:
        depth += char == "("
        depth -= char == ")"
        if char == "," and depth == 0:
            parts.append(current.strip())
            current = ""
        else:
            current += char
    parts.append(current.strip())
    return parts


def rollups_refresh_for_tasks(task_ids: Iterable[int]) -> None:
    """After entries moved between tasks (a merge): the days those tasks have entries."""
    rollups_refresh(days_sql="SELECT day FROM audits_timeentry WHERE task_id = ANY(%s)", params=[list(task_ids)])
