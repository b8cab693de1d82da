"""`make run` (scripts/run.py inside scripts/services.py): a port in use stops it at once with one line;
the banner says where the logs are; the servers get the public URL they build links from."""

import importlib.util
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

spec = importlib.util.spec_from_file_location("run_script", ROOT / "scripts" / "run.py")
run_script = importlib.util.module_from_spec(spec)
spec.loader.exec_module(run_script)


@pytest.fixture
def port_in_use():
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        yield listener.getsockname()[1]


def untouchable_env(local: Path) -> dict[str, str]:
    """Servers that do not exist: a run that went past the port check would fail on them, not migrate."""
    return {
        **os.environ,
        "SMARTWORK_LOCAL_DIR": str(local),
        "DATABASE_URL": "postgres://nobody@127.0.0.1:9/nothing",
        "REDIS_URL": "redis://127.0.0.1:9/0",
    }


def test_a_port_in_use_stops_make_run_at_once_with_one_line(port_in_use, tmp_path):
    result = subprocess.run(
        [sys.executable, "scripts/run.py", "--port", str(port_in_use)],
        cwd=ROOT,
        env=untouchable_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=10,
    )
    assert result.returncode != 0
    assert result.stdout == ""
    [line] = result.stderr.splitlines()
    assert f"port {port_in_use} is already in use" in line and "make run PORT=" in line
    assert list(tmp_path.iterdir()) == []  # no logs, no beat schedule: nothing was started


def test_services_passes_the_refusal_on_as_its_exit_code(port_in_use, tmp_path):
    result = subprocess.run(
        [sys.executable, "scripts/services.py", "--", sys.executable, "scripts/run.py", "--port", str(port_in_use)],
        cwd=ROOT,
        env=untouchable_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=10,
    )
    assert result.returncode == 1
    assert result.stderr.splitlines()[-1].startswith(f"make run: port {port_in_use} is already in use")


def test_the_suggested_port_is_free(port_in_use):
    suggested = int(run_script.port_taken_message(port_in_use).rsplit("PORT=", 1)[1])
    assert suggested > port_in_use and not run_script.port_taken(suggested)


def test_a_free_port_is_not_taken():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    assert run_script.port_taken(port) is False


def test_the_banner_says_where_the_logs_are_and_how_to_follow_them():
    text = run_script.banner(port=8123, logins="  consultant: someone / secret\n", logs=ROOT / ".local" / "logs")
    assert "http://localhost:8123/" in text and "  consultant: someone / secret\n" in text
    assert "Logs: .local/logs/ (web.log, worker.log, beat.log); `make logs` follows them.\n" in text
    assert text.endswith("Ctrl-C stops everything.\n")


def test_the_banner_names_logs_outside_the_project_by_their_full_path(tmp_path):
    assert f"Logs: {tmp_path / 'logs'}/ (web.log," in run_script.banner(port=8000, logins="", logs=tmp_path / "logs")
    with_mail = run_script.banner(port=8000, logins="", logs=tmp_path / "logs", mail=tmp_path / "mail")
    assert f"E-mails (invitations, password resets) are files in {tmp_path / 'mail'}/." in with_mail
    assert with_mail.rstrip().endswith("Ctrl-C stops everything.")


def test_the_servers_get_the_local_public_url_unless_one_is_given():
    env = run_script.child_environment(8123, {"PATH": "/bin"})
    assert env["SMARTWORK_PUBLIC_URL"] == "http://localhost:8123"
    assert env["DJANGO_SETTINGS_MODULE"] == "smartwork.settings.dev"
    given = run_script.child_environment(8123, {"SMARTWORK_PUBLIC_URL": "https://dev.example:8443"})
    assert given["SMARTWORK_PUBLIC_URL"] == "https://dev.example:8443"
