"""Step 1 tests run in client A's schema with its data, rolled back after each test."""

import json
from pathlib import Path

import pytest
from django.apps import apps
from django.db import connection
from django_tenants.utils import tenant_context

SAMPLES = Path(__file__).resolve().parent / "samples"  # copies of ../shared/samples


@pytest.fixture(autouse=True)
def _audit_data_cleared(request):
    """The world gives A and B one row of each step-1 model (for the isolation harness); these tests
    start from empty audits instead. Inside the test's transaction, so the world is back after."""
    if "committed" in request.fixturenames:
        return
    request.getfixturevalue("db")
    world = request.getfixturevalue("world")
    tables = [
        model._meta.db_table
        for model in apps.get_app_config("audits").get_models()
        if model._meta.db_table != "audits_auditsettings"
    ]
    for tenant in (world.a, world.b):
        with tenant_context(tenant.client), connection.cursor() as cursor:
            # DELETE, not TRUNCATE: TRUNCATE's table lock would block an import's progress, which is
            # written on a connection of its own. Foreign keys are checked at commit, which never comes.
            for table in tables:
                cursor.execute(f"DELETE FROM {table}")
            cursor.execute("UPDATE audits_auditsettings SET timezone = 'UTC'")


@pytest.fixture
def in_a(world, db):
    """Client A's schema for the test's ORM calls."""
    with tenant_context(world.a.client):
        yield world.a


@pytest.fixture(scope="session")
def truth() -> dict:
    return json.loads((SAMPLES / "northwind-truth.json").read_text())


def sample_path(name: str) -> Path:
    return SAMPLES / name
