"""migrate_tenants: one query finds the schemas that are behind (pooled ones too), and only those are migrated."""

import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import psycopg
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from engagements import provisioning, services
from engagements.models import Client
from smartwork.actors import Actor
from tests.conftest import _database_url

ROOT = Path(__file__).resolve().parents[2]


def _drop_api_key_table(schema: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f'DROP TABLE "{schema}".apikeys_apikey')
        cursor.execute(f"DELETE FROM \"{schema}\".django_migrations WHERE app = 'apikeys'")


def _has_api_key_table(schema: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [f'"{schema}".apikeys_apikey'])
        return cursor.fetchone()[0] is not None


def _migrate_tenants(*args: str) -> str:
    out = StringIO()
    try:
        call_command("migrate_tenants", *args, stdout=out, verbosity=0)
    except SystemExit as exit_:
        assert "--check" in args and exit_.code == 1, "only --check exits non-zero, and only with schemas behind"
        return out.getvalue() + "[exit 1]"
    return out.getvalue()


def test_only_the_schemas_that_are_behind_are_migrated_pooled_ones_included(world, committed):
    client = services.client_create_ready(
        actor=Actor.cli("tests"), name="Behind", slug="behind", domain="behind.localhost"
    )
    pooled = provisioning.tenant_pool_warm_one()
    assert "0 behind" in _migrate_tenants("--check")

    _drop_api_key_table(pooled.schema_name)
    _drop_api_key_table(client.schema_name)
    report = _migrate_tenants("--check")
    assert "2 behind" in report and report.endswith("[exit 1]")  # a deploy pipeline can stop on it
    assert pooled.schema_name in report and client.schema_name in report and world.a.schema not in report

    assert "migrated 2" in _migrate_tenants()
    assert _has_api_key_table(pooled.schema_name) and _has_api_key_table(client.schema_name)
    assert "0 behind" in _migrate_tenants("--check")


def test_schemas_still_being_built_are_left_to_their_own_job(world, committed):
    warming = Client.objects.create(status=Client.Status.WARMING)  # its schema does not exist yet
    report = _migrate_tenants("--check")
    assert "0 behind" in report and warming.schema_name not in report


def test_on_a_new_database_it_migrates_the_public_schema_first(world, committed):
    """A deploy needs one command: migrate_tenants alone sets up an empty database, and says so again."""
    db = connection.settings_dict
    fresh = f"{db['NAME']}_fresh"
    server = {"host": db["HOST"] or None, "port": db["PORT"] or None, "user": db["USER"], "dbname": "postgres"}
    with psycopg.connect(**server, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{fresh}"')
    try:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "smartwork.settings.test",
            "DATABASE_URL": _database_url().replace(f"/{db['NAME']}", f"/{fresh}"),
        }
        for expected in ("migrated 1", "0 behind"):
            result = subprocess.run(
                [sys.executable, "manage.py", "migrate_tenants"],
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
                timeout=120,
            )
            assert result.returncode == 0, result.stderr
            assert expected in result.stdout
        with psycopg.connect(**{**server, "dbname": fresh}) as conn:
            assert conn.execute("SELECT to_regclass('public.engagements_client')").fetchone()[0]
    finally:
        with psycopg.connect(**server, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{fresh}" WITH (FORCE)')


def test_check_exits_zero_when_every_schema_is_current(world, committed):
    assert _migrate_tenants("--check").rstrip().endswith("0 behind.")


def test_parallel_n_migrates_in_n_processes(world, committed, monkeypatch):
    from django.conf import settings
    from django_tenants.migration_executors.multiproc import MultiprocessingExecutor

    pooled = [provisioning.tenant_pool_warm_one() for _ in range(3)]
    for client in pooled:
        _drop_api_key_table(client.schema_name)
    seen = {}
    real_run = MultiprocessingExecutor.run_migrations

    def run_and_record(self, tenants=None):
        seen["processes"], seen["tenants"] = settings.TENANT_MULTIPROCESSING_MAX_PROCESSES, list(tenants)
        return real_run(self, tenants=tenants)

    monkeypatch.setattr(MultiprocessingExecutor, "run_migrations", run_and_record)
    assert "migrated 3" in _migrate_tenants("--parallel", "3")
    assert seen["processes"] == 3 and sorted(seen["tenants"]) == sorted(c.schema_name for c in pooled)
    assert all(_has_api_key_table(client.schema_name) for client in pooled)


def test_the_behind_check_is_one_query_whatever_the_number_of_schemas(world, db):
    names = [world.a.schema, world.b.schema] + [f"t_{i:012x}" for i in range(40_000)]  # past 65,535 / 2
    provisioning.expected_migrations()  # read once per process, before counting
    with CaptureQueriesContext(connection) as queries:
        behind = provisioning.schemas_behind(schemas=names)
    # django-tenants may first set the connection's search_path; the check itself is one query.
    checks = [query["sql"] for query in queries.captured_queries if not query["sql"].startswith("SET search_path")]
    assert len(checks) == 1, checks
    assert behind == names[2:]  # the made-up schemas have nothing; A and B are current


def test_a_claim_passes_over_a_pooled_schema_that_is_behind_and_the_refill_brings_it_current(world, committed):
    stale, fresh = provisioning.tenant_pool_warm_one(), provisioning.tenant_pool_warm_one()
    _drop_api_key_table(stale.schema_name)  # as a job of the previous release would have left it
    created = services.client_create(
        actor=Actor.cli("tests"), name="Deployed", slug="deployed", domain="deployed.localhost"
    )
    assert created.from_pool and created.client.schema_name == fresh.schema_name
    stale.refresh_from_db()
    assert stale.status == Client.Status.POOLED
    provisioning.tenant_pool_refill(size=1)
    assert _has_api_key_table(stale.schema_name)


def test_with_only_stale_pooled_schemas_a_client_is_provisioned_by_migrations(world, committed):
    stale = provisioning.tenant_pool_warm_one()
    _drop_api_key_table(stale.schema_name)
    created = services.client_create(
        actor=Actor.cli("tests"), name="Fallback", slug="fallback", domain="fallback.localhost"
    )
    assert not created.from_pool and created.client.schema_name != stale.schema_name


def test_the_cli_never_hands_out_a_schema_behind_the_code(world, committed):
    stale = provisioning.tenant_pool_warm_one()
    _drop_api_key_table(stale.schema_name)
    call_command("create_client", "--name", "Cli Deploy", "--slug", "cli-deploy", "--domain", "cli-deploy.localhost")
    out = StringIO()
    call_command("create_api_key", "--client", "cli-deploy", "--name", "first key", stdout=out)
    assert out.getvalue().strip().splitlines()[-1].count(".") == 1  # the key, not "relation does not exist"
    assert Client.objects.get(slug="cli-deploy").schema_name != stale.schema_name


def test_the_beat_catch_up_migrates_a_ready_schema_a_previous_release_left_behind(world, committed):
    client = services.client_create_ready(
        actor=Actor.cli("tests"), name="Late Job", slug="late-job", domain="late-job.localhost"
    )
    _drop_api_key_table(client.schema_name)
    assert provisioning.tenant_schemas_bring_current() == [client.schema_name]
    assert _has_api_key_table(client.schema_name)
    assert provisioning.tenant_schemas_bring_current() == []
