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

_DAYS_TOUCHED = "audit_rollup_days"


@transaction.atomic  # its temporary table lives until the end of the transaction
def rollups_refresh(*, days_sql: str, params: Sequence[Any] = ()) -> None:
    """Recompute both rollups for the days `days_sql` selects (a SELECT of one date column)."""
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
            SELECT entry.task_id, entry.day, participant.team, count(*), sum(entry.minutes),
                   coalesce(sum(entry.minutes * participant.hourly_cost), 0),
                   coalesce(sum(entry.minutes) FILTER (WHERE participant.hourly_cost IS NULL), 0)
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


# What an import adds, added to the rollups from the rows it inserted (INSERT ... RETURNING, in the
# same statement): cheaper than recomputing the days of a year-long file.
ROLLUPS_ADD_INSERTED = """
, rollup_rows AS (
    INSERT INTO audits_taskdayrollup AS rollup
           (task_id, day, team, entries, minutes, costed_minutes_value, uncosted_minutes)
    SELECT inserted.task_id, inserted.day, participant.team, count(*), sum(inserted.minutes),
           coalesce(sum(inserted.minutes * participant.hourly_cost), 0),
           coalesce(sum(inserted.minutes) FILTER (WHERE participant.hourly_cost IS NULL), 0)
      FROM inserted JOIN audits_participant AS participant ON participant.id = inserted.participant_id
     WHERE inserted.task_id IS NOT NULL
     GROUP BY inserted.task_id, inserted.day, participant.team
    ON CONFLICT (task_id, day, team) DO UPDATE
       SET entries = rollup.entries + EXCLUDED.entries, minutes = rollup.minutes + EXCLUDED.minutes,
           costed_minutes_value = rollup.costed_minutes_value + EXCLUDED.costed_minutes_value,
           uncosted_minutes = rollup.uncosted_minutes + EXCLUDED.uncosted_minutes
), month_rows AS (
    INSERT INTO audits_taskmonthrollup AS rollup
           (task_id, month, team, entries, minutes, costed_minutes_value, uncosted_minutes)
    SELECT inserted.task_id, date_trunc('month', inserted.day)::date, participant.team, count(*),
           sum(inserted.minutes), coalesce(sum(inserted.minutes * participant.hourly_cost), 0),
           coalesce(sum(inserted.minutes) FILTER (WHERE participant.hourly_cost IS NULL), 0)
      FROM inserted JOIN audits_participant AS participant ON participant.id = inserted.participant_id
     WHERE inserted.task_id IS NOT NULL
     GROUP BY inserted.task_id, date_trunc('month', inserted.day)::date, participant.team
    ON CONFLICT (task_id, month, team) DO UPDATE
       SET entries = rollup.entries + EXCLUDED.entries, minutes = rollup.minutes + EXCLUDED.minutes,
           costed_minutes_value = rollup.costed_minutes_value + EXCLUDED.costed_minutes_value,
           uncosted_minutes = rollup.uncosted_minutes + EXCLUDED.uncosted_minutes
), presence_rows AS (
    INSERT INTO audits_participantday AS presence (participant_id, day, entries)
    SELECT participant_id, day, count(*) FROM inserted GROUP BY participant_id, day
    ON CONFLICT (participant_id, day) DO UPDATE SET entries = presence.entries + EXCLUDED.entries
), presence_month_rows AS (
    INSERT INTO audits_participantmonth AS presence (participant_id, month, entries)
    SELECT participant_id, date_trunc('month', day)::date, count(*) FROM inserted
     GROUP BY participant_id, date_trunc('month', day)::date
    ON CONFLICT (participant_id, month) DO UPDATE SET entries = presence.entries + EXCLUDED.entries
)
"""


def rollups_refresh_for_tasks(task_ids: Iterable[int]) -> None:
    """After entries moved between tasks (a merge): the days those tasks have entries."""
    rollups_refresh(days_sql="SELECT day FROM audits_timeentry WHERE task_id = ANY(%s)", params=[list(task_ids)])
