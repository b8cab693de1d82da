"""Import benchmark (BENCHMARKS.md: import).

    .venv/bin/python bench/imports.py [--rows 100000,1000000] [--keep]

Generates a Toggl Track detailed CSV (about 200 people in 10 teams, 60 tasks, one year) and, for each
size, in one run:
- the full import: the import job's service, as the Celery worker runs it (parse, validate, stage
  through COPY, name participants, map to tasks, skip duplicates, insert), in a fresh process whose
  peak memory (ru_maxrss) is reported;
- the anchor: a raw COPY of the same rows, already in the time-entry table's own columns, into that
  table with its indexes and unique key, in a fresh process too.
Each runs on an empty time-entry table. It works in its own database (smartwork_bench_imports, made
fresh and dropped at the end unless --keep).
"""

import argparse
import csv
import json
import os
import random
import resource
import subprocess
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_DB = "smartwork_bench_imports"
SERVER_URL = os.environ.get("BENCH_SERVER_URL", "postgres://postgres@127.0.0.1:5432")
WORK = Path(os.environ.get("BENCH_WORK_DIR", "/tmp/smartwork-bench-imports"))
SLUG = "bench-imports"

TEAMS = [f"Team {n}" for n in range(1, 11)]
PEOPLE = [(f"Person {n}", f"person{n}@bench.test", TEAMS[n % len(TEAMS)]) for n in range(200)]
TASKS = [f"Task {n:02d}" for n in range(60)]
PROJECTS = ["Support", "Sales", "Finance", "Operations", "Marketing"]


def environment() -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="smartwork.settings.dev",
        DATABASE_URL=f"{SERVER_URL}/{BENCH_DB}",
        SMARTWORK_TENANT_POOL_SIZE="0",
        SMARTWORK_CELERY_QUEUE=f"smartwork-bench-{os.getpid()}",
        SMARTWORK_IMPORT_DIR=str(WORK / "uploads"),
        SMARTWORK_IMPORT_MAX_BYTES=str(4 * 1024**3),
        DJANGO_LOG_LEVEL="INFO",  # the import logs how long each of its parts took
    )
    return env


def django_setup() -> None:
    os.environ.update(environment())
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def toggl_csv(path: Path, rows: int) -> None:
    """A Toggl Track detailed export of `rows` rows (deterministic)."""
    chance = random.Random(rows)
    start_day = date(2025, 1, 1)
    with open(path, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(
            ["User", "Email", "Client", "Project", "Task", "Description", "Billable", "Start date", "Start time",
             "End date", "End time", "Duration", "Tags", "Amount (USD)"]
        )  # fmt: skip
        for n in range(rows):
            name, email, _team = PEOPLE[n % len(PEOPLE)]
            day = start_day + timedelta(days=(n * 365) // rows)
            begin = datetime(day.year, day.month, day.day, 8) + timedelta(minutes=chance.randrange(0, 600))
            seconds = chance.randrange(60, 3 * 3600)
            end = begin + timedelta(seconds=seconds)
            task = TASKS[chance.randrange(len(TASKS))]
            writer.writerow(
                [name, email, "Bench Co", PROJECTS[n % len(PROJECTS)], task, f"{task} #{n % 7}", "No",
                 begin.strftime("%Y-%m-%d"), begin.strftime("%H:%M:%S"), end.strftime("%Y-%m-%d"),
                 end.strftime("%H:%M:%S"), f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}",
                 "", ""]
            )  # fmt: skip


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child_import(path: Path) -> dict:
    """In a fresh process: the full import of `path` into the bench client, as the worker runs it."""
    django_setup()
    from django.db import connection
    from django_tenants.utils import tenant_context

    from audits.services import imports
    from engagements.models import Client
    from smartwork.actors import Actor

    client = Client.objects.get(slug=SLUG)
    with tenant_context(client):
        with connection.cursor() as cursor:
            cursor.execute(
                "TRUNCATE audits_timeentry, audits_importrowerror, audits_importjob, audits_participant, audits_task CASCADE"
            )
        imports.job_after_commit = lambda *args: None  # the run below is the worker's; queue nothing
        with open(path, "rb") as upload:
            job = imports.import_job_create(
                upload=upload, filename=path.name, size=path.stat().st_size, actor=Actor.cli("bench")
            )
        before = _peak_mb()
        started = time.perf_counter()
        imports.import_job_run(job_id=job.pk)
        seconds = time.perf_counter() - started
        job.refresh_from_db()
        assert job.status == "succeeded", job.message
        return {"seconds": seconds, "peak_mb": _peak_mb(), "peak_before_mb": before, "imported": job.rows_imported}


def child_anchor(path: Path) -> dict:
    """In a fresh process: a raw COPY of the same rows, in the table's own columns, into the
    time-entry table with its indexes (the rows' participants and tasks exist, as after an import)."""
    django_setup()
    from django.db import connection
    from django_tenants.utils import tenant_context

    from engagements.models import Client

    client = Client.objects.get(slug=SLUG)
    with tenant_context(client), connection.cursor() as cursor:
        cursor.execute("TRUNCATE audits_timeentry, audits_importrowerror, audits_importjob CASCADE")
        started = time.perf_counter()
        with (
            open(path, "rb") as rows,
            cursor.copy(
                "COPY audits_timeentry (participant_id, task_id, day, started_at, minutes, source, external_id, "
                "project, label, description, note, created_at) FROM STDIN"
            ) as copy,
        ):
            while chunk := rows.read(1024 * 1024):
                copy.write(chunk)
        seconds = time.perf_counter() - started
        cursor.execute("SELECT count(*) FROM audits_timeentry")
        return {"seconds": seconds, "peak_mb": _peak_mb(), "imported": cursor.fetchone()[0]}


def anchor_rows(source: Path, target: Path) -> None:
    """The anchor's input: the time-entry rows an import of `source` wrote, as COPY text (not timed)."""
    django_setup()
    from django.db import connection
    from django_tenants.utils import tenant_context

    from engagements.models import Client

    query = (
        "COPY (SELECT participant_id, task_id, day, started_at, minutes, source, external_id, project, label, "
        "description, note, created_at FROM audits_timeentry) TO STDOUT"
    )
    with (
        tenant_context(Client.objects.get(slug=SLUG)),
        connection.cursor() as cursor,
        open(target, "wb") as out,
        cursor.copy(query) as copy,
    ):
        for chunk in copy:
            out.write(chunk)


def run_child(kind: str, path: Path) -> dict:
    result = subprocess.run(
        [sys.executable, __file__, f"--child-{kind}", str(path)],
        env=environment(), capture_output=True, text=True, check=False,
    )  # fmt: skip
    if result.returncode != 0:
        raise SystemExit(f"{kind} failed:\n{result.stderr[-3000:]}")
    answer = json.loads(result.stdout.strip().splitlines()[-1])
    answer["parts"] = [
        line.split("INFO", 1)[-1].strip() for line in result.stderr.splitlines() if "rows read and staged" in line
    ]
    return answer


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", default="100000,1000000", help="comma-separated sizes")
    parser.add_argument("--keep", action="store_true", help="keep the bench database")
    parser.add_argument("--child-import", type=Path)
    parser.add_argument("--child-anchor", type=Path)
    parser.add_argument("--child-anchor-rows", nargs=2, type=Path)
    options = parser.parse_args()
    if options.child_import:
        print(json.dumps(child_import(options.child_import)))
        return 0
    if options.child_anchor:
        print(json.dumps(child_anchor(options.child_anchor)))
        return 0
    if options.child_anchor_rows:
        anchor_rows(*options.child_anchor_rows)
        return 0

    import psycopg

    WORK.mkdir(parents=True, exist_ok=True)
    with psycopg.connect(f"{SERVER_URL}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {BENCH_DB}")
    env = environment()
    subprocess.run(
        [sys.executable, "manage.py", "migrate_schemas", "--shared", "-v", "0"], cwd=ROOT, env=env, check=True
    )
    subprocess.run(
        [sys.executable, "manage.py", "create_client", "--name", "Bench Imports", "--slug", SLUG, "--domain",
         f"{SLUG}.localhost"],
        cwd=ROOT, env=env, check=True, capture_output=True,
    )  # fmt: skip
    print("rows       import s   anchor s   ratio   import peak MB   anchor peak MB")
    try:
        for rows in [int(size) for size in options.rows.split(",")]:
            source = WORK / f"toggl-{rows}.csv"
            if not source.exists():
                toggl_csv(source, rows)
            full = run_child("import", source)
            assert full["imported"] == rows, full
            copy_rows = WORK / f"anchor-{rows}.copy"
            subprocess.run(
                [sys.executable, __file__, "--child-anchor-rows", str(source), str(copy_rows)], env=env, check=True
            )
            anchor = run_child("anchor", copy_rows)
            assert anchor["imported"] == rows, anchor
            print(
                f"{rows:>9,}  {full['seconds']:>8.2f}  {anchor['seconds']:>8.2f}  {full['seconds'] / anchor['seconds']:>5.2f}x"
                f"  {full['peak_mb']:>14.0f}  {anchor['peak_mb']:>14.0f}",
                flush=True,
            )
            for part in full["parts"]:
                print(f"           {part}", flush=True)
    finally:
        if not options.keep:
            with psycopg.connect(f"{SERVER_URL}/postgres", autocommit=True) as conn:
                conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
