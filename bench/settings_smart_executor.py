"""Development settings with django-tenants-smart-executor, for the deploy benchmark's anchor."""

from smartwork.settings.dev import *  # noqa: F403

GET_EXECUTOR_FUNCTION = "django_tenants_smart_executor.load_executor"
