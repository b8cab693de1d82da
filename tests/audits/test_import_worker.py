"""An import run by a real Celery worker: a worker killed half-way leaves nothing written, the job
shows as stalled, and run again it imports the file whole."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django_tenants.utils import tenant_context

from audits.models import ImportJob, TimeEntry
from audits.services import imports
from bench.imports import toggl_csv
from engagements import services
from smartwork.actors import Actor
from smartwork.celery import app
from tests.conftest import ROOT, _database_url

ROWS = 150_000
DEADLINE_S = 240


def _worker(queue: str, log: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "smartwork.settings.test",
        "DATABASE_URL": _database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "SMARTWORK_CELERY_QUEUE": queue,
        "SMARTWORK_IMPORT_DIR": str(settings.IMPORT_DIR),
    }
    command = [sys.executable, "-m", "celery", "-A", "smartwork", "worker", "--pool=solo", "--without-gossip",
               "--without-mingle", "-Q", queue, "-l", "info"]  # fmt: skip
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=open(log, "w"), stderr=subprocess.STDOUT)


def _until(condition, what: str):
    """Poll the database for a state another process reaches (no sleep stands in for an event: each
    round re-reads the state, and the deadline only bounds a failure)."""
    deadline = time.monotonic() + DEADLINE_S
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"still waiting for {what} after {DEADLINE_S} s")


def test_a_worker_killed_mid_import_leaves_nothing_and_the_job_runs_again_whole(committed, tmp_path, monkeypatch):
    queue = f"{settings.CELERY_TASK_DEFAULT_QUEUE}-kill"
    client = services.client_create_ready(
        name="Killed Worker Co", slug="killed-worker", domain="killed-worker.localhost", actor=Actor.cli("tests")
    )
    export = tmp_path / "toggl.csv"
    toggl_csv(export, ROWS)
    monkeypatch.setattr(imports, "job_after_commit", lambda *args: None)  # the test sends the job itself
    with tenant_context(client):
        with open(export, "rb") as upload:
            job = imports.import_job_create(
                upload=upload, filename="toggl.csv", size=export.stat().st_size, actor=Actor.cli("tests")
            )

        def send() -> None:
            app.send_task("audits.tasks.import_job_run", args=[job.pk], queue=queue)

        def job_now() -> ImportJob:
            return ImportJob.objects.get(pk=job.pk)

        first = _worker(queue, tmp_path / "worker-1.log")
        try:
            send()
            _until(lambda: job_now().progress >= 10, "the worker to be well into the file")
            os.kill(first.pid, signal.SIGKILL)
            first.wait(timeout=30)
        finally:
            if first.poll() is None:
                first.kill()
        assert job_now().status == "running"
        assert TimeEntry.objects.count() == 0  # nothing of a half-read file was committed
        assert _until(lambda: imports.import_job_stalled(job=job_now()), "PostgreSQL to end the dead worker's session")

        second = _worker(queue, tmp_path / "worker-2.log")
        try:
            send()
            finished = _until(
                lambda: (found := job_now()).status in ("succeeded", "failed") and found, "the second run to finish"
            )
        finally:
            second.terminate()
            second.wait(timeout=30)
        assert finished.status == "succeeded", finished.message
        assert finished.rows_imported == ROWS and TimeEntry.objects.count() == ROWS
        assert not imports.import_job_stalled(job=finished)
        assert not Path(job.path).exists()  # the upload goes once the import is done
    app.control.purge()
