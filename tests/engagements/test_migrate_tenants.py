"""migrate_tenants: one query finds the schemas that are behind (pooled ones too), and only those are migrated."""

import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import psycopg
from django.core.management import call_command
from django.db import connection

from engagements import provisioning
from engagements.models import Client
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
    call_command("migrate_tenants", *args, stdout=out, verbosity=0)
    return out.getvalue()


def test_only_the_schemas_that_are_behind_are_migrated_pooled_ones_included(world, committed):
    client = provisioning.client_create_ready(name="Behind", slug="behind", domain="behind.localhost")
    pooled = provisioning.tenant_pool_warm_one()
    assert "0 behind" in _migrate_tenants("--check")

    _drop_api_key_table(pooled.schema_name)
    _drop_api_key_table(client.schema_name)
    report = _migrate_tenants("--check")
    assert "2 behind" in report
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
