"""Step 1 tests run in client A's schema with its data, rolled back after each test."""

import json
from pathlib import Path

import pytest
from django_tenants.utils import tenant_context

SAMPLES = Path(__file__).resolve().parent / "samples"  # copies of ../shared/samples


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
