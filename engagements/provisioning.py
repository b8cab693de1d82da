"""Tenant schemas: made by migrations (never cloned), kept ready in a pool, dropped whole on failure.

A pooled tenant is a migrated schema whose Client row is `pooled`: no name, no domain, so no request
can reach it. Claiming one is a row update (engagements.services.client_create); refilling the pool
and provisioning with an empty pool run the migrations in Celery.
"""

import functools
import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from django.conf import settings
from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone
from django_tenants.utils import get_public_schema_name, schema_exists
from psycopg import sql

from engagements.models import Client, Domain
from smartwork.tenancy import set_schema_to_public

logger = logging.getLogger(__name__)

# Advisory lock keys. POOL_LOCK_KEY alone: the jobs that migrate settled schemas (pool refill,
# bringing schemas current, migrate_tenants), one at a time; with a client id: that client's job.
POOL_LOCK_KEY = 0x5357_504F  # "SWPO"
# A `warming` row older than this belongs to a worker that died mid-way.
STALE_WARMING_AFTER = timedelta(minutes=30)
# A client `provisioning` for longer than this lost its job (never queued, or its worker died).
STALLED_PROVISIONING_AFTER = timedelta(minutes=5)


# A tenant schema's name: "t_" and 12 hex digits (engagements.models.new_schema_name), nothing else.
TENANT_SCHEMA_RE = re.compile(r"^t_[0-9a-f]{12}$")


class SchemaNameRefused(ValueError):
    """A name that is not a tenant schema's reached schema DDL; nothing was executed."""


def schema_name_check(schema_name: str) -> str:
    """The name itself when it is a tenant schema's; public, pg_*, information_schema and anything
    else are refused, so no path can create or drop them."""
    if not isinstance(schema_name, str) or not TENANT_SCHEMA_RE.fullmatch(schema_name):
        raise SchemaNameRefused(f"{schema_name!r} is not a tenant schema name; schema DDL refused.")
    return schema_name


def _schema_ddl(statement: str, schema_name: str) -> None:
    """The one place schema DDL is executed: the name checked, then quoted as an identifier."""
    query = sql.SQL(statement).format(sql.Identifier(schema_name_check(schema_name)))
    set_schema_to_public()
    with connection.cursor() as cursor:
        cursor.execute(query)


def schema_migrate(*, schema_name: str) -> None:
    """Create the schema and run every tenant migration in it."""
    _schema_ddl("CREATE SCHEMA {}", schema_name)
    _schema_migrations_apply(schema_name)


def schema_drop(*, schema_name: str) -> None:
    _schema_ddl("DROP SCHEMA IF EXISTS {} CASCADE", schema_name)


@functools.cache
def expected_migrations() -> tuple[str, ...]:
    """Every migration this code knows, as "app.name": what a current schema has recorded (django-tenants
    records every app's migrations in every schema). Fixed for the life of the process."""
    set_schema_to_public()
    nodes = MigrationLoader(connection, ignore_no_migrations=True).graph.nodes
    return tuple(sorted(f"{app}.{name}" for app, name in nodes))


# How many of `expected` a schema's django_migrations records (0 without the table). A function of
# the session's own (pg_temp): the table's schema is only known at run time, so the count is dynamic
# SQL, which plain SQL can only run through query_to_xml, and that needs a server built with libxml
# (the embedded PostgreSQL of the two commands is not).
_APPLIED_COUNT_FUNCTION = """
CREATE OR REPLACE FUNCTION pg_temp.smartwork_applied(schema_name text, expected text[]) RETURNS integer
LANGUAGE plpgsql STABLE AS $function$
DECLARE applied integer;
BEGIN
    IF to_regclass(format('%I.django_migrations', schema_name)) IS NULL THEN
        RETURN 0;
    END IF;
    EXECUTE format('SELECT count(*) FROM %I.django_migrations WHERE app || ''.'' || name = ANY($1)', schema_name)
        INTO applied USING expected;
    RETURN applied;
END
$function$
"""


def schemas_behind(*, schemas: list[str]) -> list[str]:
    """The schemas (in the order given) whose django_migrations lacks a migration this code expects,
    or that have none, in one query whatever their number: the names go in as one array, and each
    schema's count is read by a function of the session's own (format %I quotes the name).

    Raw SQL: the ORM cannot read one table across schemas it does not know at compile time.
    """
    if not schemas:
        return []
    expected = expected_migrations()
    check = sql.SQL(
        "SELECT s.name, pg_temp.smartwork_applied(s.name, {expected}::text[]) FROM unnest({schemas}::text[]) AS s(name)"
    ).format(expected=sql.Literal(list(expected)), schemas=sql.Literal(list(schemas)))
    with connection.cursor() as cursor:
        connection.ensure_connection()
        # One round trip: two statements and no bound parameters (the arrays are literals, so no
        # parameter limit either); the function's creation answers first, the counts second.
        cursor.execute(_APPLIED_COUNT_FUNCTION + ";\n" + check.as_string(connection.connection))
        cursor.nextset()
        recorded = dict(cursor.fetchall())
    return [schema for schema in schemas if recorded.get(schema, 0) < len(expected)]


def schemas_bring_current(*, schemas: list[str]) -> list[str]:
    """Migrate those of `schemas` that are behind, one after the other; returns them."""
    behind = schemas_behind(schemas=schemas)
    for schema_name in behind:
        _schema_migrations_apply(schema_name)
    return behind


def _schema_migrations_apply(schema_name: str) -> None:
    call_command("migrate_schemas", tenant=True, schema_name=schema_name, interactive=False, verbosity=0)
    set_schema_to_public()


def tenant_pool_warm_one() -> Client:
    """Migrate one new schema and put it in the pool. On failure nothing of it is left."""
    client = Client.objects.create(status=Client.Status.WARMING)
    try:
        schema_migrate(schema_name=client.schema_name)
    except Exception:
        logger.exception("Warming pooled schema %s failed; dropping it", client.schema_name)
        schema_drop(schema_name=client.schema_name)
        client.delete()
        raise
    Client.objects.filter(pk=client.pk, status=Client.Status.WARMING).update(status=Client.Status.POOLED)
    client.status = Client.Status.POOLED
    return client


@contextmanager
def job_lock(*key: int, wait: bool = False) -> Iterator[bool]:
    """Try (or with wait=True, wait for) a PostgreSQL advisory lock and hold it until the block ends;
    yields whether it was had.

    The lock lives on a database connection of its own: migrate_schemas commits and closes Django's
    connection after each schema (django-tenants' executor), which would release a session lock
    taken there half-way through the job. If the worker dies, its connection closes and the lock
    goes with it.
    """
    holder = connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        placeholders = ", ".join(["%s::int"] * len(key))
        function = "pg_advisory_lock" if wait else "pg_try_advisory_lock"
        with holder.cursor() as cursor:
            cursor.execute(f"SELECT {function}({placeholders})::text", list(key))
            acquired = wait or cursor.fetchone()[0] == "true"
        yield acquired
    finally:
        holder.close()  # ends the session, and with it the lock


def tenant_pool_refill(*, size: int | None = None) -> int:
    """Top the pool up to `size` (default the TENANT_POOL_SIZE setting). Returns how many were added.

    Only one refill runs at a time (job_lock); a second caller returns 0 at once.
    """
    size = settings.TENANT_POOL_SIZE if size is None else size
    if size <= 0:
        return 0
    set_schema_to_public()
    with job_lock(POOL_LOCK_KEY) as acquired:
        if not acquired:
            return 0
        _stale_warming_drop()
        # Pooled schemas a job of the previous release made during a deploy: bring them current.
        pooled = Client.objects.filter(status=Client.Status.POOLED).order_by("id")
        schemas_bring_current(schemas=list(pooled.values_list("schema_name", flat=True)))
        added = 0
        while Client.objects.filter(status__in=[Client.Status.POOLED, Client.Status.WARMING]).count() < size:
            tenant_pool_warm_one()
            added += 1
        return added


def _stale_warming_drop() -> None:
    for client in Client.objects.filter(
        status=Client.Status.WARMING, created_at__lt=timezone.now() - STALE_WARMING_AFTER
    ):
        schema_drop(schema_name=client.schema_name)
        client.delete()


def client_provision(*, client_id: int) -> Client | None:
    """The migration path: build the schema of a client made while the pool was empty.

    Success makes it ready; any failure drops the schema and the domain and records the reason on
    the client, which can be retried (engagements.services.client_provision_retry). One job per
    client at a time (job_lock, held until the status is written): a duplicate returns at once.
    """
    with job_lock(POOL_LOCK_KEY, client_id) as acquired:
        set_schema_to_public()
        client = Client.objects.filter(pk=client_id).first()
        if not acquired or client is None:
            return client  # A duplicate job is running it now (or the client is gone).
        return _client_provision(client=client)


def _client_provision(*, client: Client) -> Client:
    if client.status != Client.Status.PROVISIONING:
        return client  # A retried or duplicate job: the first run already decided.
    try:
        if schema_exists(client.schema_name):
            schema_drop(schema_name=client.schema_name)  # Left by a worker that died mid-way.
        schema_migrate(schema_name=client.schema_name)
    except Exception as exc:
        logger.exception("Provisioning client %s (%s) failed", client.slug, client.schema_name)
        schema_drop(schema_name=client.schema_name)
        with transaction.atomic():
            Domain.objects.filter(tenant=client).delete()
            client.status = Client.Status.FAILED
            # The exception's own text is for the logs (above), never for a page or the API.
            client.failure_reason = (
                f"The workspace's database could not be built ({type(exc).__name__}, logged under "
                f"{client.schema_name}). Retry; if it fails again, ask your administrator to check the worker's log."
            )
            client.save(update_fields=["status", "failure_reason"])
        return client
    # Compare-and-set: only a client still provisioning becomes ready.
    Client.objects.filter(pk=client.pk, status=Client.Status.PROVISIONING).update(
        status=Client.Status.READY, failure_reason=""
    )
    client.refresh_from_db()
    return client


def tenant_schemas_bring_current() -> list[str]:
    """The safety net for a job of the previous release that finished after a deploy's
    migrate_tenants: ready and pooled schemas that are behind are migrated (one query when none is)."""
    settled = Client.objects.filter(status__in=[Client.Status.READY, Client.Status.POOLED]).exclude(
        schema_name=get_public_schema_name()
    )
    with job_lock(POOL_LOCK_KEY) as acquired:
        if not acquired:
            return []  # a refill or a deploy is migrating now; the next run looks again
        return schemas_bring_current(schemas=list(settled.order_by("id").values_list("schema_name", flat=True)))


def clients_stalled_in_provisioning() -> list[int]:
    """Ids of clients whose provisioning job should have finished by now; the caller queues them again
    (a duplicate job is harmless: client_provision holds a per-client lock and re-checks the status)."""
    cutoff = timezone.now() - STALLED_PROVISIONING_AFTER
    stalled = Client.objects.filter(status=Client.Status.PROVISIONING, claimed_at__lt=cutoff)
    return list(stalled.values_list("id", flat=True))


def schemas_in_database() -> set[str]:
    """Every client schema PostgreSQL holds (t_ prefix), with or without a Client row."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT nspname FROM pg_namespace WHERE nspname LIKE 't\\_%%'")
        return {row[0] for row in cursor.fetchall()}
