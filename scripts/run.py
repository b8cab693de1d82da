"""Run the whole product locally: migrate, seed the demo, then the web server, a Celery worker and
Celery beat, until Ctrl-C. Called by `make run` inside scripts/services.py, which provides
DATABASE_URL and REDIS_URL (embedded servers when none are given).

The three servers write to <local>/logs/{web,worker,beat}.log (`make logs` follows them), so the
banner with the addresses and demo logins is the last thing on the terminal. A port already in use
stops this at once, before anything is migrated or started."""

import argparse
import contextlib
import errno
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SERVERS = {"web": "the web server", "worker": "the Celery worker", "beat": "Celery beat"}
POOL_REFILL = "from engagements.tasks import tenant_pool_refill; tenant_pool_refill.delay()"


class StepFailed(Exception):
    """A step before the banner failed; its output has been shown."""


def local_dir() -> Path:
    return Path(os.environ.get("SMARTWORK_LOCAL_DIR") or ROOT / ".local")


def port_taken(port: int) -> bool:
    """Whether something listens on localhost:port already: on 127.0.0.1, or on ::1 (which browsers
    may try first for `localhost`) where this machine has IPv6."""
    for family, address in ((socket.AF_INET, "127.0.0.1"), (socket.AF_INET6, "::1")):
        try:
            with socket.socket(family, socket.SOCK_STREAM) as probe:
                # As runserver does: a port left in TIME_WAIT by the last run is free; a listener is not.
                probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                probe.bind((address, port))
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                return True  # other errors: no IPv6 here, so nothing listens there either
    return False


def port_taken_message(port: int) -> str:
    free = next((other for other in range(port + 1, min(port + 100, 65536)) if not port_taken(other)), port + 1)
    return (
        f"make run: port {port} is already in use on localhost (another `make run`, or another program); "
        f"pick another port: make run PORT={free}"
    )


def child_environment(port: int, environ: Mapping[str, str], mail: Path | None = None) -> dict[str, str]:
    """What the commands and servers run with: development settings, the public URL that absolute
    links (invitation e-mails, the hand-over to a workspace) are built from, and the folder e-mails
    are written to as files, unless given."""
    env = dict(environ)
    env.setdefault("DJANGO_SETTINGS_MODULE", "smartwork.settings.dev")
    env.setdefault("SMARTWORK_PUBLIC_URL", f"http://localhost:{port}")
    if mail is not None:
        env.setdefault("DJANGO_EMAIL_FILE_PATH", str(mail))
    env["PYTHONUNBUFFERED"] = "1"  # log lines reach the files as they happen
    return env


def shown(path: Path) -> str:
    """A path as short as it is clear: relative to the project when inside it."""
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def banner(*, port: int, logins: str, logs: Path, mail: Path | None = None) -> str:
    """What `make run` prints last: where the product is, the demo logins, where logs and e-mails are."""
    return (
        f"\nSmartWork is running.\n"
        f"  Consultancy (public host): http://localhost:{port}/\n"
        f"  Client workspaces:         http://northwind.localhost:{port}/  http://acme.localhost:{port}/\n"
        f"  API docs:                  http://localhost:{port}/api/docs/\n"
        f"{logins}"
        f"Logs: {shown(logs)}/ (web.log, worker.log, beat.log); `make logs` follows them.\n"
        + (f"E-mails (invitations, password resets) are files in {shown(mail)}/.\n" if mail else "")
        + "Ctrl-C stops everything.\n"
    )


def manage(env: dict[str, str], *args: str) -> str:
    """Run a management command quietly; its output. On failure its output is shown and StepFailed raised."""
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        sys.stderr.write(result.stdout + result.stderr)
        raise StepFailed(f"`manage.py {' '.join(args)}` failed (exit code {result.returncode})")
    return result.stdout


def servers_start(*, port: int, env: dict[str, str], local: Path, logs: Path) -> dict[str, subprocess.Popen]:
    celery = [sys.executable, "-m", "celery", "-A", "smartwork"]
    commands = {
        "web": [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}"],
        "worker": [*celery, "worker", "-l", "info", "--concurrency", "2"],
        "beat": [*celery, "beat", "-l", "info", "-s", str(local / "celerybeat-schedule")],
    }
    started = {}
    for name in SERVERS:
        # Appended, with a header: a second `make run` on another port may share the files.
        with open(logs / f"{name}.log", "a") as log:
            log.write(f"--- make run on port {port}, {datetime.now(UTC):%Y-%m-%d %H:%M:%S} UTC ---\n")
            log.flush()
            started[name] = subprocess.Popen(
                commands[name], cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT
            )
    return started


def web_wait(port: int, web: subprocess.Popen, seconds: float = 60) -> bool:
    """Whether the web server accepts connections within `seconds` (so the banner comes last)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and web.poll() is None:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return True
        except OSError:
            time.sleep(0.2)  # polling a port that is not open yet
    return False


def log_tail(path: Path, lines: int = 20) -> str:
    with contextlib.suppress(OSError):
        return "".join(path.read_text(errors="replace").splitlines(keepends=True)[-lines:])
    return ""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    port = parser.parse_args(argv).port
    if port_taken(port):
        print(port_taken_message(port), file=sys.stderr)
        return 1

    # services.py forwards SIGTERM and SIGHUP: stop as on Ctrl-C.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    signal.signal(signal.SIGHUP, signal.default_int_handler)
    local = local_dir()
    env = child_environment(port, os.environ, mail=local / "mail")
    logs = local / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    servers: dict[str, subprocess.Popen] = {}
    try:
        manage(env, "migrate_tenants", "-v", "0")
        logins = manage(env, "seed_demo", "--port", str(port))
        servers = servers_start(port=port, env=env, local=local, logs=logs)
        if not web_wait(port, servers["web"]):
            sys.stderr.write(log_tail(logs / "web.log"))
            raise StepFailed(f"{SERVERS['web']} did not start on port {port}; see {shown(logs / 'web.log')}")
        # Fill the pool now rather than at beat's first tick, so the first new client is ready at once.
        manage(env, "shell", "-c", POOL_REFILL)
        print(banner(port=port, logins=logins, logs=logs, mail=Path(env["DJANGO_EMAIL_FILE_PATH"])), flush=True)
        while all(server.poll() is None for server in servers.values()):
            with contextlib.suppress(subprocess.TimeoutExpired):
                servers["web"].wait(timeout=1)
        name, stopped = next((name, server) for name, server in servers.items() if server.poll() is not None)
        raise StepFailed(f"{SERVERS[name]} stopped (exit code {stopped.returncode}); see {shown(logs / f'{name}.log')}")
    except StepFailed as failed:
        print(f"make run: {failed}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        servers_stop(servers)


def servers_stop(servers: dict[str, subprocess.Popen]) -> None:
    for server in servers.values():
        if server.poll() is None:
            server.terminate()
    for server in servers.values():
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


if __name__ == "__main__":
    sys.exit(main())
