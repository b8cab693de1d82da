"""The management commands of API.md: they work, print keys alone on the last line, and on bad
input exit non-zero with one line and change nothing."""

import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import Client as HttpClient

from engagements.models import Assignment, Client, Domain, Membership, User
from tests.conftest import PUBLIC_HOST, _database_url

ROOT = Path(__file__).resolve().parents[2]


def run(*args) -> list[str]:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue().strip().splitlines()


def counts() -> tuple[int, int, int, int, int]:
    return (
        Client.objects.count(),
        Domain.objects.count(),
        User.objects.count(),
        Membership.objects.count(),
        Assignment.objects.count(),
    )


def test_create_client_makes_a_ready_client_with_its_admin_and_consultant(committed):
    run("create_consultant", "--email", "cli-consultant@agency.test", "--password", "Cli-consultant-pass-1")
    lines = run(
        "create_client",
        "--name",
        "Cli Co",
        "--slug",
        "cli-co",
        "--domain",
        "cli-co.localhost",
        "--admin-email",
        "boss@cli-co.test",
        "--admin-password",
        "Boss-of-cli-co-22",
        "--consultant-email",
        "cli-consultant@agency.test",
    )
    assert "ready at cli-co.localhost" in lines[0]
    client = Client.objects.get(slug="cli-co")
    assert client.status == "ready" and client.primary_domain == "cli-co.localhost"
    assert Membership.objects.get(client=client).user.email == "boss@cli-co.test"
    assert client.assignments.get().consultant.email == "cli-consultant@agency.test"

    run("create_consultant", "--email", "second@agency.test", "--password", "Second-consultant-9")
    run("assign_consultant", "--email", "second@agency.test", "--client", "cli-co")
    assert client.assignments.count() == 2

    key = run("create_api_key", "--client", "cli-co", "--name", "etl", "--scope", "read")[-1]
    response = HttpClient().get("/api/v1/workspace/", HTTP_HOST="cli-co.localhost", HTTP_AUTHORIZATION=f"Api-Key {key}")
    assert response.status_code == 200 and response.json()["name"] == "Cli Co"

    token = run("create_consultant_token", "--email", "second@agency.test")[-1]
    response = HttpClient().get("/api/v1/clients/", HTTP_HOST=PUBLIC_HOST, HTTP_AUTHORIZATION=f"Token {token}")
    assert [row["slug"] for row in response.json()["results"]] == ["cli-co"]


@pytest.mark.parametrize(
    "args",
    [
        ("create_consultant", "--email", "weak@agency.test", "--password", "12345"),
        ("create_consultant", "--email", "consultant-a@agency.test", "--password", "Long-enough-pass-1"),
        ("create_client", "--name", "X", "--slug", "tenant-a", "--domain", "x.localhost"),
        ("create_client", "--name", "X", "--slug", "x-co", "--domain", "tenant-b.localhost"),
        (
            "create_client",
            "--name",
            "X",
            "--slug",
            "x-co",
            "--domain",
            "x.localhost",
            "--admin-email",
            "a@x.test",
            "--admin-password",
            "password",
        ),
        ("assign_consultant", "--email", "consultant-a@agency.test", "--client", "nobody"),
        ("assign_consultant", "--email", "admin-a@client-a.test", "--client", "tenant-a"),
        ("create_api_key", "--client", "nobody", "--name", "k"),
        ("create_api_key", "--client", "tenant-a", "--name", "k", "--scope", "root"),
        ("create_consultant_token", "--email", "admin-a@client-a.test"),
    ],
    ids=[
        "weak password",
        "taken e-mail",
        "taken slug",
        "taken domain",
        "common admin password",
        "unknown client",
        "not a consultant",
        "api key for unknown client",
        "unknown scope",
        "token for a non-consultant",
    ],
)
def test_bad_input_is_one_line_and_changes_nothing(world, db, args):
    before = counts()
    with pytest.raises(CommandError) as refused:
        run(*args)
    message = str(refused.value)
    assert message and "\n" not in message
    assert counts() == before


def test_a_refused_command_exits_non_zero_with_a_one_line_reason(world, committed):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "smartwork.settings.test", "DATABASE_URL": _database_url()}
    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "create_client",
            "--name",
            "Dup",
            "--slug",
            "tenant-a",
            "--domain",
            "d.localhost",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert result.stderr.strip() == "CommandError: slug: The slug 'tenant-a' is taken."


def test_an_admin_without_a_password_is_invited_by_e_mail_and_no_link_is_printed(committed, mailoutbox):
    lines = run(
        "create_client",
        "--name",
        "Link Co",
        "--slug",
        "link-co",
        "--domain",
        "link-co.localhost",
        "--admin-email",
        "boss@link-co.test",
    )
    assert lines[-1] == "An invitation was e-mailed to boss@link-co.test."
    assert not any("/invite/" in line for line in lines)
    (message,) = mailoutbox
    assert message.to == ["boss@link-co.test"]
    path = message.body.split("http://link-co.localhost", 1)[1].split()[0]
    assert HttpClient().get(path, HTTP_HOST="link-co.localhost").status_code == 200


def test_seed_demo_makes_the_demo_once(committed):
    first = run("seed_demo")
    assert first[0].startswith("Demo: made")
    before = counts()
    assert run("seed_demo")[0] == "Demo: already there."
    assert counts() == before
    assert set(Client.objects.filter(slug__in=["northwind", "acme"]).values_list("status", flat=True)) == {"ready"}


def manage_py(*args: str) -> subprocess.CompletedProcess:
    """Run manage.py as a person would, against the test database."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "smartwork.settings.test", "DATABASE_URL": _database_url()}
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (
            ("create_client", "--name", "X"),
            "create_client: error: the following arguments are required: --slug, --domain",
        ),
        (
            ("create_client", "--name", "X", "--slug", "x-co", "--domain", "x.localhost", "--colour", "red"),
            "create_client: error: unrecognized arguments: --colour red",
        ),
        (
            ("migrate_tenants", "--parallel", "many"),
            "migrate_tenants: error: argument --parallel: invalid int value: 'many'",
        ),
    ],
    ids=["missing option", "unknown option", "bad value"],
)
def test_a_usage_error_is_one_line_on_stderr_and_a_non_zero_exit(db, args, line):
    before = counts()
    result = manage_py(*args)
    assert (result.returncode, result.stderr, result.stdout) == (2, line + "\n", "")
    assert counts() == before


def test_every_command_answers_an_unknown_option_with_one_line():
    commands = sorted(path.stem for path in (ROOT / "engagements/management/commands").glob("[!_]*.py"))
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "smartwork.settings.test", "DATABASE_URL": "postgres://nobody@/none"}
    running = {
        command: subprocess.Popen(
            [sys.executable, "manage.py", command, "--no-such-option"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for command in commands
    }
    answers = {command: process.communicate(timeout=120)[1] for command, process in running.items()}
    for command, stderr in answers.items():
        # A command with required options names those first; either way it is one line.
        assert stderr.startswith(f"{command}: error: ") and stderr.count("\n") == 1, stderr
        assert running[command].returncode == 2


def test_what_a_command_writes_is_recorded_as_done_by_that_command(committed):
    run("create_client", "--name", "Cmd Co", "--slug", "cmd-co", "--domain", "cmd-co.localhost")
    client = Client.objects.get(slug="cmd-co")
    start = client.engagement.phase_changes.get()
    assert (start.actor.kind, start.actor.label) == ("cli", "command create_client")
    run("create_consultant", "--email", "cmd-consultant@agency.test", "--password", "Cmd-consultant-pass-1")
    run("assign_consultant", "--email", "cmd-consultant@agency.test", "--client", "cmd-co")
    assert client.assignments.get().actor.label == "command assign_consultant"
    run("create_api_key", "--client", "cmd-co", "--name", "etl")
    from django_tenants.utils import tenant_context

    from apikeys.models import ApiKey

    with tenant_context(client):
        key = ApiKey.objects.get(name="etl")
    assert (key.actor.kind, key.actor.label, key.actor.user_id) == ("cli", "command create_api_key", None)
