"""Candidate ranking benchmark (BENCHMARKS.md: candidates).

    .venv/bin/python bench/candidates.py [--entries 1000000] [--keep]

One client with 1,000,000 entries (about 200 participants in 10 teams, 60 tasks, one year), its
rollups built by the code the imports use. Prints the median of 20 rankings (audits.selectors.
candidate_list, the whole ranking as the API computes it) for a 10-working-day window and for the
whole year, next to the anchor measured in the same run: the bare GROUP BY over the entry table
(entries and minutes per task in the window) and the same with distinct days and people. Works in its
own database (smartwork_bench_candidates, dropped at the end unless --keep).
"""

import argparse
import os
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_DB = "smartwork_bench_candidates"
SERVER_URL = os.environ.get("BENCH_SERVER_URL", "postgres://postgres@127.0.0.1:5432")
SLUG = "bench-candidates"
RUNS = 20
YEAR = (date(2025, 1, 1), date(2025, 12, 31))
TEN_DAYS = (date(2025, 9, 8), date(2025, 9, 19))

ANCHOR = "SELECT task_id, count(*), sum(minutes) FROM audits_timeentry WHERE day BETWEEN %s AND %s GROUP BY task_id"
ANCHOR_DISTINCT = """SELECT task_id, count(*), sum(minutes), count(DISTINCT day), count(DISTINCT participant_id)
                       FROM audits_timeentry WHERE day BETWEEN %s AND %s GROUP BY task_id"""


def environment() -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "smartwork.settings.dev",
        "DATABASE_URL": f"{SERVER_URL}/{BENCH_DB}",
        "SMARTWORK_TENANT_POOL_SIZE": "0",
        "SMARTWORK_CELERY_QUEUE": f"smartwork-bench-{os.getpid()}",
        "DJANGO_LOG_LEVEL": "WARNING",
    }


def median_ms(run) -> float:
    timings = []
    for _ in range(RUNS):
        started = time.perf_counter()
        run()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def fill(entries: int) -> None:
    """Participants and tasks through the ORM, the entries by SQL (generate_series), the rollups by
    audits.rollups (what an import maintains)."""
    from django.db import connection

    from audits import rollups
    from audits.models import AuditSettings, Participant, Task

    Participant.objects.bulk_create(
        Participant(identity_hash=f"{n:064x}", pseudonym=f"P-{n:06x}", team=f"Team {n % 10}",
                    hourly_cost=None if n % 3 else 40 + n % 20)
        for n in range(200)
    )  # fmt: skip
    Task.objects.bulk_create(Task(name=f"Task {n:02d}", rules=1 + n % 5) for n in range(60))
    AuditSettings.objects.update(hourly_cost=35)
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO audits_timeentry (participant_id, task_id, day, minutes, source, external_id, project,
                                          label, description, note, created_at)
            SELECT p.id, t.id, date '2025-01-01' + (n * 365 / %(entries)s)::int, 1 + (n * 7919) %% 90, 'toggl',
                   'bench-' || n, 'Bench', t.name, '', '', now()
              FROM generate_series(0::bigint, %(entries)s - 1) AS n
              JOIN (SELECT id, row_number() OVER (ORDER BY id) - 1 AS i FROM audits_participant) p ON p.i = n %% 200
              JOIN (SELECT id, name, row_number() OVER (ORDER BY id) - 1 AS i FROM audits_task) t
                ON t.i = (n * 31 + n / 200) %% 60
            """,
            {"entries": entries},
        )
        cursor.execute("ANALYZE audits_timeentry")
    started = time.perf_counter()
    rollups.rollups_refresh_all()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE audits_taskdayrollup; ANALYZE audits_participantday")
    print(f"  rollups built in {time.perf_counter() - started:.1f} s", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--keep", action="store_true")
    options = parser.parse_args()

    import psycopg

    with psycopg.connect(f"{SERVER_URL}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {BENCH_DB}")
    env = environment()
    subprocess.run(
        [sys.executable, "manage.py", "migrate_schemas", "--shared", "-v", "0"], cwd=ROOT, env=env, check=True
    )
    subprocess.run(
        [sys.executable, "manage.py", "create_client", "--name", "Bench Candidates", "--slug", SLUG, "--domain",
         f"{SLUG}.localhost"],
        cwd=ROOT, env=env, check=True, capture_output=True,
    )  # fmt: skip
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connection
    from django_tenants.utils import tenant_context

    from audits.selectors import candidate_list
    from engagements.models import Client

    try:
        with tenant_context(Client.objects.get(slug=SLUG)):
            print(f"filling {options.entries:,} entries ...", flush=True)
            fill(options.entries)
            print("window          ranking ms   anchor GROUP BY ms   with distinct days and people ms   tasks")
            for label, (start, end) in (("10 working days", TEN_DAYS), ("whole year", YEAR)):
                tasks = len(candidate_list(start=start, end=end))
                ranking = median_ms(lambda s=start, e=end: candidate_list(start=s, end=e))
                with connection.cursor() as cursor:
                    anchor = median_ms(lambda c=cursor, s=start, e=end: (c.execute(ANCHOR, [s, e]), c.fetchall()))
                    distinct = median_ms(
                        lambda c=cursor, s=start, e=end: (c.execute(ANCHOR_DISTINCT, [s, e]), c.fetchall())
                    )
                print(f"{label:<15} {ranking:>10.1f}   {anchor:>18.1f}   {distinct:>32.1f}   {tasks:>5}", flush=True)
    finally:
        if not options.keep:
            connection.close()
            with psycopg.connect(f"{SERVER_URL}/postgres", autocommit=True) as conn:
                conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
