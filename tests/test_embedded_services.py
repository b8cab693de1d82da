"""scripts/services.py: without DATABASE_URL/REDIS_URL it starts an embedded PostgreSQL and Redis, runs
the command against them, passes its exit code on and stops them; with them, it starts nothing.

Self-contained (no Django): the script runs as a subprocess with the URLs removed from its
environment and its data in a temporary SMARTWORK_LOCAL_DIR, so the embedded path is exercised even
when the suite itself runs against real servers.
"""

import os
import pty
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest
import redis

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "services.py"
TIMEOUT = 120  # seconds; the first start runs initdb

# Connects the way libpq reads the URL, and the way the settings do (django-environ's env.db()).
PROBE = """
import os, sys, environ, psycopg, redis
url = os.environ["DATABASE_URL"]
with psycopg.connect(url) as conn:
    print("postgres", conn.execute("SHOW server_version_num").fetchone()[0])
db = environ.Env.db_url_config(url)
params = dict(db.get("OPTIONS", {}))
params.update({key.lower(): db[key] for key in ("HOST", "PORT") if db[key]})
with psycopg.connect(dbname=db["NAME"], user=db["USER"], **params) as conn:
    print("environ", conn.execute("SELECT current_database()").fetchone()[0])
print("redis", redis.Redis.from_url(os.environ["REDIS_URL"]).ping())
print("DATABASE_URL", url)
print("REDIS_URL", os.environ["REDIS_URL"])
sys.exit(int(sys.argv[1]))
"""


def eventually(condition: Callable[[], bool], seconds: float = 15) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)  # polling, with a deadline
    return True


def postgres_running(pgdata: Path) -> bool:
    """Whether a live process mentions the data folder on its command line (the postmaster does)."""
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            if str(pgdata).encode() in cmdline.read_bytes():
                return True
        except OSError:
            continue
    return False


def redis_up(url: str) -> bool:
    try:
        return redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.ConnectionError:
        return False


def values(output: str) -> dict[str, str]:
    return dict(line.split(" ", 1) for line in output.splitlines() if " " in line)


@pytest.fixture
def local() -> Iterator[Path]:
    """A short temporary SMARTWORK_LOCAL_DIR (Unix socket paths are limited to ~107 bytes)."""
    folder = Path(tempfile.mkdtemp(prefix="sw-")).resolve()
    yield folder / "local"
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def embedded_env(local: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "REDIS_URL")}
    env["SMARTWORK_LOCAL_DIR"] = str(local)
    return env


def services(*command: str, env: dict[str, str], **options) -> subprocess.Popen:
    """The script, in a session of its own (never the developer's terminal)."""
    return subprocess.Popen(
        [sys.executable, str(SCRIPT), "--", *command],
        env=env,
        text=True,
        start_new_session=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        **options,
    )


def assert_stopped(local: Path, redis_url: str) -> None:
    assert eventually(lambda: not postgres_running(local / "pgdata")), "the embedded PostgreSQL is still running"
    assert not redis_up(redis_url), "the embedded Redis is still running"
    assert not (local / "redis" / "server.json").exists()


def test_without_urls_it_runs_the_command_on_embedded_servers_and_stops_them(local, embedded_env):
    process = services(sys.executable, "-c", PROBE, "3", env=embedded_env, stdin=subprocess.DEVNULL)
    out, err = process.communicate(timeout=TIMEOUT)
    assert process.returncode == 3, err  # the command's own exit code
    seen = values(out)
    assert int(seen["postgres"]) >= 140000  # Django 5.2 needs PostgreSQL 14 or newer
    assert seen["environ"] == "smartwork"
    assert seen["redis"] == "True"
    assert seen["DATABASE_URL"] == f"postgres://postgres@/smartwork?host={local / 'pgdata'}"
    assert seen["REDIS_URL"].startswith("redis://127.0.0.1:") and seen["REDIS_URL"].endswith("/0")
    assert err.count("\n") == 1 and "embedded PostgreSQL 16" in err and "embedded Redis at" in err, err
    assert_stopped(local, seen["REDIS_URL"])


def test_sigterm_is_forwarded_to_the_command_and_the_servers_stop(local, embedded_env):
    code = (
        "import os, signal, sys\n"
        "signal.signal(signal.SIGTERM, lambda *_: sys.exit(5))\n"
        "print('ready', os.environ['REDIS_URL'], flush=True)\n"
        "signal.pause()\n"
    )
    process = services(sys.executable, "-c", code, env=embedded_env, stdin=subprocess.DEVNULL)
    ready, redis_url = process.stdout.readline().split()
    assert ready == "ready"
    assert postgres_running(local / "pgdata") and redis_up(redis_url)
    process.send_signal(signal.SIGTERM)  # to the script only: it passes it on to the command's group
    assert process.wait(timeout=TIMEOUT) == 5, process.stderr.read()
    assert_stopped(local, redis_url)


def test_a_sigterm_while_the_servers_start_stops_them_once_up_and_leaves_a_sound_data_folder(local, embedded_env):
    process = services("sleep", "60", env=embedded_env, stdin=subprocess.DEVNULL)
    assert eventually(local.exists, TIMEOUT)  # the script's signal handlers are in place; initdb is next
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=TIMEOUT) == 128 + signal.SIGTERM, process.stderr.read()
    assert eventually(lambda: not postgres_running(local / "pgdata"))
    assert not (local / "redis" / "server.json").exists()

    again = services(sys.executable, "-c", PROBE, "0", env=embedded_env, stdin=subprocess.DEVNULL)
    out, err = again.communicate(timeout=TIMEOUT)
    assert (again.returncode, values(out)["environ"]) == (0, "smartwork"), err
    assert_stopped(local, values(out)["REDIS_URL"])


def test_overlapping_invocations_share_the_servers_and_the_last_one_stops_them(local, embedded_env):
    code = "import os; print(os.environ['DATABASE_URL'], os.environ['REDIS_URL'], flush=True); input()"
    first = services(sys.executable, "-c", code, env=embedded_env, stdin=subprocess.PIPE)
    database_url, redis_url = first.stdout.readline().split()
    psycopg.connect(database_url, autocommit=True).execute("CREATE TABLE kept (x int)").connection.close()

    second = services(sys.executable, "-c", PROBE, "0", env=embedded_env, stdin=subprocess.DEVNULL)
    out, err = second.communicate(timeout=TIMEOUT)
    assert second.returncode == 0, err
    assert (values(out)["DATABASE_URL"], values(out)["REDIS_URL"]) == (database_url, redis_url)
    # The second one has left; the first one's servers are still there.
    assert redis_up(redis_url)
    with psycopg.connect(database_url) as conn:
        assert conn.execute("SELECT to_regclass('kept')::text").fetchone()[0] == "kept"

    first.communicate("\n", timeout=TIMEOUT)
    assert first.returncode == 0
    assert_stopped(local, redis_url)

    # The data stays for the next run.
    code = (
        "import os, psycopg\n"
        "with psycopg.connect(os.environ['DATABASE_URL']) as conn:\n"
        "    print(conn.execute(\"SELECT to_regclass('kept')\").fetchone()[0])\n"
    )
    again = services(sys.executable, "-c", code, env=embedded_env, stdin=subprocess.DEVNULL)
    out, err = again.communicate(timeout=TIMEOUT)
    assert (again.returncode, out.strip()) == (0, "kept"), err


def pty_read_until(fd: int, marker: bytes, seen: bytearray) -> None:
    deadline = time.monotonic() + TIMEOUT
    while marker not in seen:
        left = deadline - time.monotonic()
        assert left > 0, f"no {marker!r} in {bytes(seen)!r}"
        if select.select([fd], [], [], left)[0]:
            try:
                chunk = os.read(fd, 4096)
            except OSError:  # EIO: everyone closed the terminal
                chunk = b""
            assert chunk, f"no {marker!r} in {bytes(seen)!r}"
            seen += chunk


def test_in_a_terminal_the_command_reads_it_and_ctrl_c_stops_everything(local, embedded_env):
    code = (
        "import os, sys\n"
        "print('ready', os.environ['REDIS_URL'], flush=True)\n"
        "try:\n"
        "    print('got', input(), flush=True)\n"  # reading the terminal: the command has its foreground
        "    input()\n"
        "except KeyboardInterrupt:\n"
        "    print('interrupted', flush=True)\n"
        "    sys.exit(7)\n"
    )
    pid, fd = pty.fork()  # the child leads a new session whose controlling terminal is this pty
    if pid == 0:
        try:
            os.execve(sys.executable, [sys.executable, str(SCRIPT), "--", sys.executable, "-c", code], embedded_env)
        finally:
            os._exit(127)
    statuses: list[int] = []

    def exited() -> bool:
        done, status = os.waitpid(pid, os.WNOHANG)
        statuses.extend([status] if done else [])
        return bool(done)

    try:
        seen = bytearray()
        pty_read_until(fd, b"ready redis://", seen)
        pty_read_until(fd, b"/0", seen)
        redis_url = "redis://" + seen.split(b"ready redis://", 1)[1].split()[0].decode()
        os.write(fd, b"hello\n")
        pty_read_until(fd, b"got hello", seen)
        os.write(fd, b"\x03")  # Ctrl-C: SIGINT to the terminal's foreground process group
        pty_read_until(fd, b"interrupted", seen)
        assert eventually(exited, TIMEOUT)
        assert os.waitstatus_to_exitcode(statuses[0]) == 7, bytes(seen)
    finally:
        if not statuses:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        os.close(fd)
    assert_stopped(local, redis_url)


def test_with_urls_given_it_starts_nothing_and_passes_them_through(local):
    env = dict(os.environ)
    env["DATABASE_URL"] = "postgres://someone@db.invalid:5432/elsewhere"
    env["REDIS_URL"] = "redis://cache.invalid:6379/3"
    env["SMARTWORK_LOCAL_DIR"] = str(local)
    code = "import os; print(os.environ['DATABASE_URL']); print(os.environ['REDIS_URL'])"
    process = services(sys.executable, "-c", code, env=env, stdin=subprocess.DEVNULL)
    out, err = process.communicate(timeout=TIMEOUT)
    assert process.returncode == 0, err
    assert out.splitlines() == [env["DATABASE_URL"], env["REDIS_URL"]]
    assert err.strip() == "[services] using DATABASE_URL and REDIS_URL as given"
    assert not local.exists()
