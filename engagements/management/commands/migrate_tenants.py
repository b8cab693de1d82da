"""Deploy-time migrations at scale: read every schema's applied migrations in one query, then migrate
only the schemas that are behind, in N processes. With nothing to apply it costs one query in all;
`--check` only lists them and exits 1 when any is behind, so a deploy pipeline can stop."""

import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand
from django_tenants.migration_executors.multiproc import MultiprocessingExecutor
from django_tenants.migration_executors.standard import StandardExecutor
from django_tenants.utils import get_tenant_base_migrate_command_class

from engagements.management.commands._base import OneLineUsageErrors
from engagements.models import Client
from engagements.provisioning import POOL_LOCK_KEY, expected_migrations, job_lock, schemas_behind
from smartwork.tenancy import set_schema_to_public


class Command(OneLineUsageErrors, BaseCommand):
    help = "Migrate the public schema and every tenant schema that is behind, in parallel (one check query)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--parallel",
            type=int,
            default=settings.MIGRATE_TENANTS_PARALLEL,
            help="How many processes migrate schemas at once (default SMARTWORK_MIGRATE_TENANTS_PARALLEL).",
        )
        parser.add_argument(
            "--check", action="store_true", help="Only list the schemas that are behind; exit 1 when any is."
        )

    def handle(self, *args, check: bool, **options):
        if check:
            return self.migrate(check=True, **options)
        # Not while a pool refill or the beat's catch-up migrates the same schemas (it waits for them).
        with job_lock(POOL_LOCK_KEY, wait=True):
            return self.migrate(check=False, **options)

    def migrate(self, *, parallel: int, check: bool, verbosity: int, **options):
        started = time.perf_counter()
        set_schema_to_public()
        expected_migrations.cache_clear()  # a new database gains migrations while this runs
        migrate_options = vars(
            get_tenant_base_migrate_command_class()().create_parser("manage.py", "migrate").parse_args([])
        )
        migrate_options.update(interactive=False, verbosity=verbosity, skip_checks=True, database="default")

        # The public schema first: it holds the tenant list (and on a new database, nothing yet).
        public_behind = schemas_behind(schemas=["public"])
        if public_behind and not check:
            StandardExecutor([], migrate_options).run_migrations(tenants=["public"])
            set_schema_to_public()
        tenants = self.tenant_schemas() if not (public_behind and check) else []
        behind = public_behind + schemas_behind(schemas=tenants)
        checked_in = time.perf_counter() - started
        summary = f"{len(tenants) + 1} schemas checked in {checked_in * 1000:.0f} ms"
        if check or not behind:
            self.stdout.write(f"{summary}; {len(behind)} behind" + (f": {', '.join(behind)}" if behind else "."))
            if check and behind:
                sys.exit(1)
            return
        tenants_behind = [schema for schema in behind if schema != "public"]
        if tenants_behind:
            if parallel > 1 and len(tenants_behind) > 1:
                # django-tenants' executor sizes its process pool from this setting when it runs.
                settings.TENANT_MULTIPROCESSING_MAX_PROCESSES = min(parallel, len(tenants_behind))
                MultiprocessingExecutor([], migrate_options).run_migrations(tenants=tenants_behind)
            else:
                StandardExecutor([], migrate_options).run_migrations(tenants=tenants_behind)
        self.stdout.write(f"{summary}; migrated {len(behind)} in {time.perf_counter() - started:.1f} s.")

    @staticmethod
    def tenant_schemas() -> list[str]:
        """Ready and pooled tenants: warming and provisioning schemas are migrated by their own job,
        and failed ones have no schema."""
        settled = Client.objects.filter(status__in=[Client.Status.READY, Client.Status.POOLED])
        return list(settled.exclude(schema_name="public").order_by("id").values_list("schema_name", flat=True))
