"""Provisioning: a pooled schema is claimed in one transaction; with the pool empty a Celery job
migrates a new one; either way a failure leaves no half-made schema, client or domain."""

import threading
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.test import override_settings
from django.utils import timezone

from engagements import provisioning, services
from engagements.models import Client, Domain, Membership, User
from smartwork.actors import Actor


def _tables_in(schema: str) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = %s", [schema])
        return {row[0] for row in cursor.fetchall()}


def _pooled() -> list[Client]:
    return list(Client.objects.filter(status=Client.Status.POOLED).order_by("id"))


def test_a_pooled_schema_is_migrated_and_unreachable(committed):
    pooled = provisioning.tenant_pool_warm_one()
    assert pooled.status == Client.Status.POOLED
    assert pooled.schema_name.startswith("t_")
    assert {"apikeys_apikey", "django_migrations"} <= _tables_in(pooled.schema_name)
    assert not pooled.domains.exists()
    assert pooled.name == "" and pooled.slug is None


def test_creating_a_client_claims_a_pooled_schema_and_is_ready_at_once(committed, world):
    pooled = provisioning.tenant_pool_warm_one()
    created = services.client_create(
        name="Pool Claimed",
        slug="pool-claimed",
        domain="pool-claimed.localhost",
        actor=Actor.person(world.a.consultant, "consultant"),
        admin_email="boss@pool-claimed.test",
    )
    assert created.from_pool
    client = Client.objects.get(slug="pool-claimed")
    assert client.pk == pooled.pk and client.schema_name == pooled.schema_name
    assert client.status == Client.Status.READY
    assert client.primary_domain == "pool-claimed.localhost"
    assert client.assignments.filter(consultant=world.a.consultant).exists()
    assert Membership.objects.get(client=client).role == "client_admin"
    assert client.engagement.phase == "diagnose"


def test_a_failure_half_way_through_a_claim_leaves_the_pool_untouched(committed, world, monkeypatch):
    pooled = provisioning.tenant_pool_warm_one()

    def engagement_start_fails(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "engagement_start", engagement_start_fails)
    with pytest.raises(RuntimeError):
        services.client_create(
            name="Half Made",
            slug="half-made",
            domain="half-made.localhost",
            actor=Actor.person(world.a.consultant, "consultant"),
            admin_email="new-admin@half-made.test",
        )
    pooled.refresh_from_db()
    assert pooled.status == Client.Status.POOLED and pooled.slug is None
    assert not Domain.objects.filter(domain="half-made.localhost").exists()
    assert not Client.objects.filter(slug="half-made").exists()
    assert not User.objects.filter(email="new-admin@half-made.test").exists()


def test_with_the_pool_empty_a_client_is_provisioned_by_migrations(committed, world):
    assert not _pooled()
    created = services.client_create(
        name="Migrated",
        slug="migrated",
        domain="migrated.localhost",
        actor=Actor.person(world.a.consultant, "consultant"),
    )
    assert not created.from_pool
    assert created.client.status == Client.Status.PROVISIONING
    assert Domain.objects.filter(domain="migrated.localhost").exists()  # reserved meanwhile
    client = provisioning.client_provision(client_id=created.client.pk)
    assert client.status == Client.Status.READY
    assert "apikeys_apikey" in _tables_in(client.schema_name)


def test_a_failed_migration_leaves_no_schema_nor_domain_and_can_be_retried(committed, world, monkeypatch):
    created = services.client_create(
        name="Flaky", slug="flaky", domain="flaky.localhost", actor=Actor.person(world.a.consultant, "consultant")
    )
    schema = created.client.schema_name
    real_migrate = provisioning.schema_migrate

    def migrate_then_fail(*, schema_name):
        real_migrate(schema_name=schema_name)  # the schema and its tables really exist now
        raise RuntimeError("connection lost mid-way")

    monkeypatch.setattr(provisioning, "schema_migrate", migrate_then_fail)
    client = provisioning.client_provision(client_id=created.client.pk)
    assert client.status == Client.Status.FAILED
    # The reason says what to do; the exception's own text stays in the log.
    assert "could not be built" in client.failure_reason and "Retry" in client.failure_reason
    assert "connection lost mid-way" not in client.failure_reason
    assert schema not in provisioning.schemas_in_database()
    assert not Domain.objects.filter(tenant=client).exists()

    monkeypatch.setattr(provisioning, "schema_migrate", real_migrate)
    services.client_provision_retry(client=client)
    client = provisioning.client_provision(client_id=client.pk)
    assert client.status == Client.Status.READY
    assert client.primary_domain == "flaky.localhost"
    assert schema in provisioning.schemas_in_database()


def test_a_pool_warm_that_fails_leaves_nothing_behind(committed, monkeypatch):
    before_schemas = provisioning.schemas_in_database()
    before_rows = Client.objects.count()
    real_migrate = provisioning.schema_migrate

    def migrate_then_fail(*, schema_name):
        real_migrate(schema_name=schema_name)
        raise RuntimeError("killed")

    monkeypatch.setattr(provisioning, "schema_migrate", migrate_then_fail)
    with pytest.raises(RuntimeError):
        provisioning.tenant_pool_warm_one()
    assert provisioning.schemas_in_database() == before_schemas
    assert Client.objects.count() == before_rows


def test_two_clients_created_at_the_same_moment_get_two_different_pooled_schemas(committed, world):
    pooled = {provisioning.tenant_pool_warm_one().schema_name for _ in range(2)}
    barrier = threading.Barrier(2)
    results: dict[str, object] = {}

    def create(slug: str) -> None:
        try:
            barrier.wait(timeout=30)
            results[slug] = services.client_create(
                name=slug.title(),
                slug=slug,
                domain=f"{slug}.localhost",
                actor=Actor.person(world.a.consultant, "consultant"),
            )
        except Exception as exc:  # reported by the assertion below
            results[slug] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=create, args=(slug,)) for slug in ("twin-one", "twin-two")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert all(getattr(result, "from_pool", False) for result in results.values()), results
    claimed = {result.client.schema_name for result in results.values()}
    assert claimed == pooled
    assert not _pooled()


def test_the_pool_refill_tops_the_pool_up_to_its_size(committed):
    assert provisioning.tenant_pool_refill(size=2) == 2
    assert len(_pooled()) == 2
    assert provisioning.tenant_pool_refill(size=2) == 0


@override_settings(TENANT_POOL_SIZE=0)
def test_a_pool_size_of_zero_turns_the_pool_off(committed):
    assert provisioning.tenant_pool_refill() == 0
    assert not _pooled()


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"name": "", "slug": "ok-slug", "domain": "ok.localhost"}, "name"),
        ({"name": "X", "slug": "Bad Slug!", "domain": "ok.localhost"}, "slug"),
        ({"name": "X", "slug": "www", "domain": "ok.localhost"}, "slug"),
        ({"name": "X", "slug": "tenant-a", "domain": "ok.localhost"}, "slug"),
        ({"name": "X", "slug": "ok-slug", "domain": "not a host"}, "domain"),
        ({"name": "X", "slug": "ok-slug", "domain": "tenant-a.localhost"}, "domain"),
        ({"name": "X", "slug": "ok-slug", "domain": "localhost"}, "domain"),
        ({"name": "X", "slug": "ok-slug", "domain": "ok.localhost", "admin_email": "nope"}, "admin_email"),
        (
            {
                "name": "X",
                "slug": "ok-slug",
                "domain": "ok.localhost",
                "admin_email": "a@b.test",
                "admin_password": "123",
            },
            "admin_password",
        ),
        (
            {"name": "X", "slug": "ok-slug", "domain": "ok.localhost", "consultant_email": "ghost@x.test"},
            "consultant_email",
        ),
    ],
)
def test_bad_client_input_is_refused_and_changes_nothing(fields, field, world, db):
    clients, domains, users = Client.objects.count(), Domain.objects.count(), User.objects.count()
    with pytest.raises(ValidationError) as refused:
        services.client_create(actor=Actor.person(world.a.consultant, "consultant"), **fields)
    assert field in refused.value.message_dict
    assert (Client.objects.count(), Domain.objects.count(), User.objects.count()) == (clients, domains, users)


def test_a_client_whose_provisioning_job_was_lost_is_found_for_requeueing(committed, world):
    created = services.client_create(
        name="Lost", slug="lost", domain="lost.localhost", actor=Actor.person(world.a.consultant, "consultant")
    )
    assert created.client.pk not in provisioning.clients_stalled_in_provisioning()  # its job may still run
    Client.objects.filter(pk=created.client.pk).update(
        claimed_at=timezone.now() - provisioning.STALLED_PROVISIONING_AFTER - timedelta(seconds=1)
    )
    assert provisioning.clients_stalled_in_provisioning() == [created.client.pk]
    assert provisioning.client_provision(client_id=created.client.pk).status == Client.Status.READY
    assert provisioning.clients_stalled_in_provisioning() == []


# --- schema DDL that cannot be misused ----------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "public",
        "information_schema",
        "pg_catalog",
        "pg_toast",
        "pg_temp_1",
        't_0123456789ab"; DROP SCHEMA public; --',
        "T_0123456789AB",
        "t_0123456789abc",
        "t_",
        "",
        "tenant_a",
        None,
    ],
)
def test_schema_ddl_refuses_any_name_that_is_not_a_tenant_schemas(name, world, db):
    schemas_before = _schemas()
    for ddl in (provisioning.schema_drop, provisioning.schema_migrate):
        with pytest.raises(provisioning.SchemaNameRefused):
            ddl(schema_name=name)
    assert _schemas() == schemas_before


def test_schema_ddl_quotes_the_name_and_works_for_a_tenant_schema(committed):
    client = Client.objects.create(status=Client.Status.WARMING)
    provisioning.schema_migrate(schema_name=client.schema_name)
    assert client.schema_name in provisioning.schemas_in_database()
    provisioning.schema_drop(schema_name=client.schema_name)
    assert client.schema_name not in provisioning.schemas_in_database()
    provisioning.schema_drop(schema_name=client.schema_name)  # dropping what is gone is harmless
    client.delete()


def _schemas() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT nspname FROM pg_namespace")
        return {row[0] for row in cursor.fetchall()}


# --- a race on client_create names the real conflict ------------------------------------------------


@pytest.fixture
def uniqueness_unchecked(monkeypatch):
    """Open the window between client_create's checks and its writes, as a concurrent request would."""

    def without_taken_checks(*, name, slug, domain):
        return name.strip(), slug.strip().lower(), domain.strip().lower()

    monkeypatch.setattr(services, "_client_input_clean", without_taken_checks)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("slug", "domain", "field"),
    [("tenant-a", "fresh-race.localhost", "slug"), ("fresh-race", "tenant-a.localhost", "domain")],
)
def test_a_slug_or_domain_taken_by_a_concurrent_request_is_a_field_error(
    world, uniqueness_unchecked, slug, domain, field
):
    with pytest.raises(ValidationError) as refused:
        services.client_create(
            name="Race", slug=slug, domain=domain, actor=Actor.person(world.a.consultant, "consultant")
        )
    assert list(refused.value.message_dict) == [field]
    assert "just taken" in refused.value.message_dict[field][0]


@pytest.mark.django_db
def test_any_other_integrity_error_in_client_create_is_not_called_a_taken_slug(
    world, uniqueness_unchecked, monkeypatch
):
    from django.db import IntegrityError

    from engagements.models import Engagement

    def second_engagement(*, client, actor):
        Engagement.objects.create(client=client)
        return Engagement.objects.create(client=client)  # the one-to-one's unique constraint

    monkeypatch.setattr(services, "engagement_start", second_engagement)
    with pytest.raises(IntegrityError, match="engagements_engagement_client_id_key"):
        services.client_create(
            name="Other",
            slug="other-race",
            domain="other-race.localhost",
            actor=Actor.person(world.a.consultant, "consultant"),
        )


# --- locks that hold for the whole job ----------------------------------------------------------------


def _in_thread(target, results: dict, name: str) -> threading.Thread:
    def run():
        try:
            results[name] = target()
        except Exception as error:  # reported by the test's assertions
            results[name] = error
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_a_second_refill_while_the_first_is_between_schemas_adds_nothing(committed, monkeypatch):
    real_warm = provisioning.tenant_pool_warm_one
    first_schema_done, go_on = threading.Event(), threading.Event()

    def warm_then_pause_once():
        client = real_warm()  # migrate_schemas closes Django's connection on the way
        if not first_schema_done.is_set():
            first_schema_done.set()
            go_on.wait(timeout=60)
        return client

    monkeypatch.setattr(provisioning, "tenant_pool_warm_one", warm_then_pause_once)
    results: dict = {}
    first = _in_thread(lambda: provisioning.tenant_pool_refill(size=3), results, "first")
    assert first_schema_done.wait(timeout=60)
    second = provisioning.tenant_pool_refill(size=3)
    go_on.set()
    first.join(timeout=120)
    assert second == 0 and results["first"] == 3
    assert len(_pooled()) == 3


def test_a_duplicate_provisioning_job_never_drops_the_schema_being_finished(committed, world, monkeypatch):
    created = services.client_create(
        name="Twice Queued",
        slug="twice-queued",
        domain="twice-queued.localhost",
        actor=Actor.person(world.a.consultant, "consultant"),
    )
    client_id, schema = created.client.pk, created.client.schema_name
    real_migrate = provisioning.schema_migrate
    migrated, go_on = threading.Event(), threading.Event()
    migrations: list[str] = []

    def migrate_then_pause(*, schema_name):
        real_migrate(schema_name=schema_name)
        migrations.append(schema_name)
        migrated.set()
        go_on.wait(timeout=60)  # the window between the migration's end and the status update

    monkeypatch.setattr(provisioning, "schema_migrate", migrate_then_pause)
    results: dict = {}
    job = _in_thread(lambda: provisioning.client_provision(client_id=client_id), results, "job")
    assert migrated.wait(timeout=60)
    duplicate = provisioning.client_provision(client_id=client_id)
    assert duplicate.status == Client.Status.PROVISIONING  # it saw the job running and left
    assert schema in provisioning.schemas_in_database()
    go_on.set()
    job.join(timeout=120)
    assert results["job"].status == Client.Status.READY
    assert migrations == [schema] and "apikeys_apikey" in _tables_in(schema)
    # A late duplicate, after the job: the status says it is done, and the schema stays.
    assert provisioning.client_provision(client_id=client_id).status == Client.Status.READY
    assert "apikeys_apikey" in _tables_in(schema)
