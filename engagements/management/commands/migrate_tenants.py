"""Deploy-time migrations at scale: read every schema's applied migrations in one query, then migrate
only the schemas that are behind, in parallel. With nothing to apply it costs one query in all."""

import time

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django_tenants.migration_executors.multiproc import MultiprocessingExecutor
from django_tenants.migration_executors.standard import StandardExecutor
from django_tenants.utils import get_tenant_base_migrate_command_class

from engagements.management.commands._base import OneLineUsageErrors


def schemas_behind(*, schemas: list[str], expected: set[tuple[str, str]]) -> list[str]:
    """The schemas whose django_migrations lacks any expected migration, in one round trip.

    Raw SQL: the ORM cannot query one table across many schemas. Schema names come from our own
    Client rows (validated t_ ids or 'public') and are quoted as identifiers.
    """
    if not schemas:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relname = 'django_migrations' AND c.relkind = 'r' AND n.nspname = ANY(%s)",
            [schemas],
        )
        with_table = {row[0] for row in cursor.fetchall()}
        names = [f"{app}.{name}" for app, name in sorted(expected)]
        counted = {}
        if with_table:
            union = " UNION ALL ".join(
                f"SELECT %s, count(*) FROM {connection.ops.quote_name(schema)}.django_migrations "
                f"WHERE app || '.' || name = ANY(%s)"
                for schema in sorted(with_table)
            )
            params = [value for schema in sorted(with_table) for value in (schema, names)]
            cursor.execute(union, params)
            counted = dict(cursor.fetchall())
    return [schema for schema in schemas if counted.get(schema, 0) < len(names)]


class Command(OneLineUsageErrors, BaseCommand):
    help = "Migrate the public schema and every tenant schema that is behind, in parallel (one check query)."

    def add_arguments(self, parser):
        parser.add_argument("--parallel", type=int, default=settings.MIGRATE_TENANTS_PARALLEL)
        parser.add_argument("--check", action="store_true", help="Only list the schemas that are behind.")

    def handle(self, *args, parallel: int, check: bool, verbosity: int, **options):
        started = time.perf_counter()
        connection.set_schema_to_public()
        expected = set(MigrationLoader(connection, ignore_no_migrations=True).graph.nodes)
        migrate_options = vars(
            get_tenant_base_migrate_command_class()().create_parser("manage.py", "migrate").parse_args([])
        )
        migrate_options.update(interactive=False, verbosity=verbosity, skip_checks=True, database="default")

        # The public schema first: it holds the tenant list (and on a new database, nothing yet).
        public_behind = schemas_behind(schemas=["public"], expected=expected)
        if public_behind and not check:
            StandardExecutor([], migrate_options).run_migrations(tenants=["public"])
            connection.set_schema_to_public()
        tenants = self.tenant_schemas() if not (public_behind and check) else []
        behind = public_behind + schemas_behind(schemas=tenants, expected=expected)
        checked_in = time.perf_counter() - started
        summary = f"{len(tenants) + 1} schemas checked in {checked_in * 1000:.0f} ms"
        if check or not behind:
            self.stdout.write(f"{summary}; {len(behind)} behind" + (f": {', '.join(behind)}" if behind else "."))
            return
        tenants_behind = [schema for schema in behind if schema != "public"]
        if tenants_behind:
            executor_class = MultiprocessingExecutor if parallel > 1 and len(tenants_behind) > 1 else StandardExecutor
            executor_class([], migrate_options).run_migrations(tenants=tenants_behind)
        self.stdout.write(f"{summary}; migrated {len(behind)} in {time.perf_counter() - started:.1f} s.")

    @staticmethod
    def tenant_schemas() -> list[str]:
        """Ready and pooled tenants: warming and provisioning schemas are migrated by their own job,
        and failed ones have no schema."""
        from engagements.models import Client

        settled = Client.objects.filter(status__in=[Client.Status.READY, Client.Status.POOLED])
        return list(settled.exclude(schema_name="public").order_by("id").values_list("schema_name", flat=True))
