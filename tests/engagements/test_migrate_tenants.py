"""migrate_tenants: one query finds the schemas that are behind (pooled ones too), and only those are migrated."""

from io import StringIO

from django.core.management import call_command
from django.db import connection

from engagements import provisioning
from engagements.models import Client


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
