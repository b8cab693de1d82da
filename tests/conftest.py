"""Shared fixtures: the two-tenant world (once per session), hosts, logins, committed-data cleanup,
and the live stack (a real web server and Celery worker as subprocesses) for browser and Celery tests."""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

from tests.world import PASSWORD, World, world_build

ROOT = Path(__file__).resolve().parent.parent
PUBLIC_HOST = "localhost"


def pytest_collection_modifyitems(items):
    """Tests that use the live stack run last: once started, its Celery worker consumes this session's
    queue, and would race the tests that run provisioning jobs in-process (and deliberately fail them)."""
    items.sort(key=lambda item: "live_stack" in getattr(item, "fixturenames", ()))


@pytest.fixture(scope="session")
def django_db_setup(django_test_environment, django_db_blocker):
    """Always make the test database: pytest-django makes it only when a collected test is marked for
    it, and tests that commit (Celery, threads, the live server) are not, so without this they would
    run against the configured database itself."""
    from django.test.utils import setup_databases, teardown_databases

    with django_db_blocker.unblock():
        config = setup_databases(verbosity=0, interactive=False, aliases={"default"})
    yield
    with django_db_blocker.unblock():
        connection.set_schema_to_public()
        teardown_databases(config, verbosity=0)


@pytest.fixture(scope="session", autouse=True)
def _celery_test_queue_removed():
    """This session's Celery queue lives in the shared Redis: remove it (and what kombu keeps of it) at the end."""
    yield
    import redis

    queue = settings.CELERY_TASK_DEFAULT_QUEUE
    redis.Redis.from_url(settings.REDIS_URL).delete(queue, f"_kombu.binding.{queue}")


@pytest.fixture(scope="session")
def world(django_db_setup, django_db_blocker) -> World:
    with django_db_blocker.unblock():
        built = world_build()
        connection.set_schema_to_public()
    return built


@pytest.fixture(autouse=True)
def _public_schema_between_tests():
    """Requests leave the connection on their tenant's schema; every test starts on public."""
    yield
    if connection.connection is not None:
        connection.set_schema_to_public()


def login(client, *, host: str, email: str, password: str = PASSWORD) -> None:
    """Sign in through the real login page of `host` (so the session is bound to that host)."""
    response = client.post("/login/", {"username": email, "password": password}, HTTP_HOST=host)
    assert response.status_code == 302, response.content.decode()[:500]


@pytest.fixture
def committed(django_db_setup, django_db_blocker):
    """For tests whose work must commit (threads, Celery, provisioning): the database unblocked in
    autocommit mode, and every client and user the test made removed afterwards, schemas included."""
    from engagements.models import Client, User
    from engagements.provisioning import schema_drop

    with django_db_blocker.unblock():
        client_ids = set(Client.objects.values_list("id", flat=True))
        last_user_id = User.objects.order_by("-id").values_list("id", flat=True).first() or 0
        try:
            yield
        finally:
            connection.set_schema_to_public()
            for client in Client.objects.exclude(id__in=client_ids):
                schema_drop(schema_name=client.schema_name)
                client.delete()
            User.objects.filter(id__gt=last_user_id).delete()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _database_url() -> str:
    """The URL of the test database (pytest-django's), for the subprocesses."""
    db = connection.settings_dict
    auth = quote(db["USER"] or "", safe="")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"], safe="")
    host = db.get("HOST") or ""
    if host.startswith("/"):
        return f"postgres://{auth}@/{db['NAME']}?host={quote(host, safe='')}" + (
            f"&port={db['PORT']}" if db.get("PORT") else ""
        )
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{auth}@{host}{port}/{db['NAME']}"


def _wait_for_port(port: int, process: subprocess.Popen, deadline_s: float = 60) -> None:
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)  # polling a port that is not open yet, not synchronising on time
    raise RuntimeError(f"nothing listens on {port} after {deadline_s} s")


class LiveStack:
    """A web server and a Celery worker running the product against the test database."""

    def __init__(self, port: int, processes: list[subprocess.Popen], log_dir: Path, mail_dir: Path):
        self.port = port
        self.processes = processes
        self.log_dir = log_dir
        self.mail_dir = mail_dir

    def mail_to(self, address: str) -> list[str]:
        """The e-mails the live server sent to `address`, oldest first (the file backend's files)."""
        messages = [path.read_text() for path in sorted(self.mail_dir.glob("*.log"), key=lambda p: p.stat().st_mtime)]
        return [text for message in messages for text in message.split("-" * 79) if f"To: {address}" in text]

    def url(self, host: str, path: str = "/") -> str:
        return f"http://{host}:{self.port}{path}"


@pytest.fixture(scope="session")
def live_stack(world, django_db_blocker, tmp_path_factory) -> LiveStack:
    from smartwork.celery import app

    app.control.purge()
    port = _free_port()
    log_dir = tmp_path_factory.mktemp("live-stack")
    mail_dir = tmp_path_factory.mktemp("live-stack-mail")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "smartwork.settings.test",
        "DATABASE_URL": _database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "SMARTWORK_CELERY_QUEUE": settings.CELERY_TASK_DEFAULT_QUEUE,
        # Links in e-mails and hand-overs point at this server; e-mails are files the tests read.
        "SMARTWORK_PUBLIC_URL": f"http://{PUBLIC_HOST}:{port}",
        "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "DJANGO_EMAIL_FILE_PATH": str(mail_dir),
        # Uploads wait for their import job in one folder the web server and the worker share.
        "SMARTWORK_IMPORT_DIR": str(settings.IMPORT_DIR),
        "PYTHONUNBUFFERED": "1",
    }
    python = sys.executable
    web = subprocess.Popen(
        [python, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT,
        env=env,
        stdout=open(log_dir / "web.log", "w"),  # noqa: SIM115
        stderr=subprocess.STDOUT,
    )
    worker = subprocess.Popen(
        [
            python,
            "-m",
            "celery",
            "-A",
            "smartwork",
            "worker",
            "--pool=solo",
            "--without-gossip",
            "--without-mingle",
            "-Q",
            settings.CELERY_TASK_DEFAULT_QUEUE,
            "-l",
            "info",
        ],
        cwd=ROOT,
        env=env,
        stdout=open(log_dir / "worker.log", "w"),  # noqa: SIM115
        stderr=subprocess.STDOUT,
    )
    stack = LiveStack(port, [web, worker], log_dir, mail_dir)
    try:
        _wait_for_port(port, web)
        with django_db_blocker.unblock():
            yield stack
    finally:
        for process in stack.processes:
            process.terminate()
        for process in stack.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        app.control.purge()
