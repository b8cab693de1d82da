"""SmartWork: a multi-tenant Django SaaS for AI-automation engagements."""

from .celery import app as celery_app

__all__ = ("celery_app",)
