"""The Celery app: every task runs in the schema it was sent from (tenant-schemas-celery)."""

import os

from tenant_schemas_celery.app import CeleryApp

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smartwork.settings.dev")

app = CeleryApp("smartwork")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
