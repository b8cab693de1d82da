"""Celery tasks of the time audit: each runs in the schema it was sent from (tenant-schemas-celery)."""

from celery import shared_task

from audits.services import imports


@shared_task
def import_job_run(job_id: int) -> None:
    imports.import_job_run(job_id=job_id)
