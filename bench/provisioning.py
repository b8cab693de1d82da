"""Provisioning and deploy benchmark (BENCHMARKS.md: provisioning, deploy).

    .venv/bin/python bench/provisioning.py [--tenants 10,1000] [--quick] [--keep]

Client creation, ms per client: the pool path (claim a migrated schema) against its anchor, the
migration path (migrate a new schema, what the Celery job does), over 20 clients with each number of
tenants already there (--tenants, default 10 and 1,000). Then, at the largest number, the behind
check alone (the one query `migrate_tenants` and every claim make) and a deploy with nothing to
apply, in seconds:
`migrate_schemas` (standard and multiprocessing executors), `migrate_schemas` with the
django-tenants-smart-executor package, and our `migrate_tenants`; a bare Django start-up is printed
too, since every deploy command pays it. Runs in its own database (smartwork_bench, made fresh and
dropped at the end unless --keep) and its own Celery queue, so it touches nothing else.
"""

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_DB = "smartwork_bench"
SERVER_URL = os.environ.get("BENCH_SERVER_URL", "postgres://postgres@127.0.0.1:5432")


def environment() -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="smartwork.settings.dev",
        DATABASE_URL=f"{SERVER_URL}/{BENCH_DB}",
        SMARTWORK_TENANT_POOL_SIZE="0",  # nothing is queued for a refill while we measure
        SMARTWORK_CELERY_QUEUE=f"smartwork-bench-{os.getpid()}",
        DJANGO_LOG_LEVEL="WARNING",
    )
    return env


def database_recreate() -> None:
    import psycopg

    with psycopg.connect(f"{SERVER_URL}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {BENCH_DB}")


def database_drop() -> None:
    import psycopg
    from django.db import connections

    connections.close_all()
    with psycopg.connect(f"{SERVER_URL}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")


def django_setup() -> None:
    os.environ.update(environment())
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate_schemas", shared=True, interactive=False, verbosity=0)


class Counter:
    """Names for the clients the benchmark makes."""

    def __init__(self) -> None:
        self.n = 0

    def next(self) -> str:
        self.n += 1
        return f"bench-{self.n:05d}"


def tenants_ensure(total: int, names: Counter) -> None:
    """Ready tenants (real migrated schemas with their rows) until `total` exist."""
    from engagements.models import Client
    from engagements.services import client_create_ready
    from smartwork.actors import Actor

    have = Client.objects.exclude(schema_name="public").count()
    for index in range(have, total):
        slug = names.next()
        client_create_ready(actor=Actor.cli("bench"), name=slug, slug=slug, domain=f"{slug}.bench.localhost")
        if (index + 1) % 25 == 0:
            print(f"  {index + 1}/{total} tenants", flush=True)


def time_client_creation(count: int, names: Counter, consultant, *, pooled: bool) -> list[float]:
    """ms per client: claiming a pooled schema, or (pooled=False) migrating a new one as the Celery job does."""
    from engagements import provisioning, services
    from smartwork.actors import Actor

    if pooled:
        for _ in range(count):
            provisioning.tenant_pool_warm_one()  # outside the timing: the pool is full when people create clients
    timings = []
    for _ in range(count):
        slug = names.next()
        started = time.perf_counter()
        created = services.client_create(
            name=slug,
            slug=slug,
            domain=f"{slug}.bench.localhost",
            actor=Actor.person(consultant, "consultant"),
            admin_email=f"admin@{slug}.test",
        )
        client = created.client if pooled else provisioning.client_provision(client_id=created.client.pk)
        timings.append((time.perf_counter() - started) * 1000)
        assert created.from_pool == pooled and client.status == "ready"
    return timings


def summary(timings: list[float]) -> tuple[float, float]:
    ordered = sorted(timings)
    p90 = ordered[min(len(ordered) - 1, round(0.9 * (len(ordered) - 1)))]
    return statistics.median(ordered), p90


def time_command(args: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(args, cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def deploy_timings(tenants: int) -> dict[str, float]:
    env = environment()
    python = sys.executable
    smart = {**env, "DJANGO_SETTINGS_MODULE": "bench.settings_smart_executor"}
    commands = {
        "Django start-up alone (`manage.py check`)": ([python, "manage.py", "check"], env),
        "`migrate_schemas` (standard executor)": ([python, "manage.py", "migrate_schemas", "-v", "0"], env),
        "`migrate_schemas --executor=multiprocessing`": (
            [python, "manage.py", "migrate_schemas", "--executor=multiprocessing", "-v", "0"],
            env,
        ),
        "`migrate_schemas` + django-tenants-smart-executor": (
            [python, "manage.py", "migrate_schemas", "-v", "0"],
            smart,
        ),
        "`migrate_tenants` (ours)": ([python, "manage.py", "migrate_tenants", "-v", "0"], env),
    }
    results = {}
    for label, (args, command_env) in commands.items():
        seconds = time_command(args, command_env)
        results[label] = seconds
        print(f"  {label}: {seconds:.2f} s ({seconds * 1000 / tenants:.1f} ms per tenant)", flush=True)
    return results


def behind_check_ms() -> float:
    """The one query that finds the schemas behind the code, over every tenant schema, median of 5."""
    from engagements import provisioning
    from engagements.models import Client

    schemas = list(Client.objects.exclude(schema_name="public").values_list("schema_name", flat=True))
    provisioning.expected_migrations()
    timings = []
    for _ in range(5):
        started = time.perf_counter()
        assert provisioning.schemas_behind(schemas=schemas) == []
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--tenants",
        default="10,1000",
        help="comma-separated numbers of tenants to measure client creation at (default 10,1000); "
        "the deploy is measured at the largest",
    )
    parser.add_argument("--quick", action="store_true", help="3 clients, 5 and 20 tenants: checks that it runs")
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database")
    options = parser.parse_args()
    sizes = tuple(sorted(int(size) for size in options.tenants.split(",")))
    clients, sizes = (3, (5, 20)) if options.quick else (20, sizes)

    started = time.perf_counter()
    database_recreate()
    django_setup()
    from django.db import connection

    from engagements import services
    from smartwork.celery import app

    print(
        f"PostgreSQL: {connection.cursor().connection.info.parameter_status('server_version')}; {os.cpu_count()} cores"
    )
    consultant = services.consultant_create(email="bench@agency.test", password="Bench-consultant-pass-1")
    names = Counter()
    rows = []
    deploy = {}
    check_ms = 0.0
    try:
        for size in sizes:
            print(f"Building {size} tenants...", flush=True)
            tenants_ensure(size, names)
            if size == sizes[-1]:
                check_ms = behind_check_ms()
                print(f"  the behind check alone over {size} tenants: {check_ms:.1f} ms (median of 5)", flush=True)
                print(f"Deploy with nothing to apply over {size} tenants:", flush=True)
                deploy = deploy_timings(size)
            pool = summary(time_client_creation(clients, names, consultant, pooled=True))
            migration = summary(time_client_creation(clients, names, consultant, pooled=False))
            rows.append((size, pool, migration))
            print(
                f"  {size} tenants there: pool path median {pool[0]:.1f} ms (p90 {pool[1]:.1f}); "
                f"anchor, migration path median {migration[0]:.1f} ms (p90 {migration[1]:.1f})",
                flush=True,
            )
    finally:
        app.control.purge()
        if not options.keep:
            database_drop()

    baseline = deploy["`migrate_schemas` (standard executor)"]
    print(f"\n## Provisioning ({clients} clients each)\n")
    print("| tenants already there | pool path median / p90 (ms) | migration path median / p90 (ms) | ratio |")
    print("|---|---|---|---|")
    for size, pool, migration in rows:
        print(
            f"| {size} | {pool[0]:.1f} / {pool[1]:.1f} | {migration[0]:.1f} / {migration[1]:.1f} | {migration[0] / pool[0]:.1f}x |"
        )
    print(f"\n## Deploy with nothing to apply, {sizes[-1]} tenants\n")
    print("| command | seconds | ms per tenant | vs `migrate_schemas` |")
    print("|---|---|---|---|")
    for label, seconds in deploy.items():
        print(f"| {label} | {seconds:.2f} | {seconds * 1000 / sizes[-1]:.1f} | {baseline / seconds:.1f}x faster |")
    startup = deploy["Django start-up alone (`manage.py check`)"]
    ours = deploy["`migrate_tenants` (ours)"]
    per_schema = check_ms / sizes[-1]
    print(
        f"\nEstimate at 10,000 tenants, nothing to apply: Django start-up {startup:.2f} s + the behind check "
        f"{per_schema:.3f} ms per schema x 10,000 = {startup + per_schema * 10:.1f} s "
        f"(measured here: {ours:.2f} s in all at {sizes[-1]} tenants)"
    )
    print(f"\nWall time: {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
