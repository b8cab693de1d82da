"""Run the whole product locally: migrate, seed the demo, then the web server, a Celery worker and
Celery beat, until Ctrl-C. Called by `make run` inside scripts/services.py, which provides
DATABASE_URL and REDIS_URL (embedded servers when none are given)."""

import argparse
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def manage(*args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, check=True)


def web_wait(port: int, web: subprocess.Popen) -> None:
    """Return once the web server accepts connections, so the banner comes last."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and web.poll() is None:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)  # polling a port that is not open yet


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    options = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smartwork.settings.dev")
    local = Path(os.environ.get("SMARTWORK_LOCAL_DIR") or ROOT / ".local")
    local.mkdir(parents=True, exist_ok=True)

    manage("migrate_tenants", "-v", "0")
    logins = subprocess.run(
        [sys.executable, "manage.py", "seed_demo", "--port", str(options.port)],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout

    celery = [sys.executable, "-m", "celery", "-A", "smartwork"]
    processes = [
        subprocess.Popen([sys.executable, "manage.py", "runserver", f"127.0.0.1:{options.port}"], cwd=ROOT),
        subprocess.Popen([*celery, "--quiet", "worker", "-l", "info", "--concurrency", "2"], cwd=ROOT),
        subprocess.Popen([*celery, "beat", "-l", "warning", "-s", str(local / "celerybeat-schedule")], cwd=ROOT),
    ]
    web_wait(options.port, processes[0])
    # Fill the pool now rather than at beat's first tick, so the first new client is ready at once.
    manage("shell", "-c", "from engagements.tasks import tenant_pool_refill; tenant_pool_refill.delay()")
    print(
        f"\nSmartWork is running.\n"
        f"  Consultancy (public host): http://localhost:{options.port}/\n"
        f"  Client workspaces:         http://northwind.localhost:{options.port}/  http://acme.localhost:{options.port}/\n"
        f"  API docs:                  http://localhost:{options.port}/api/docs/\n"
        f"{logins}"
        f"Ctrl-C stops everything.\n",
        flush=True,
    )

    def stop(*_):
        for process in processes:
            if process.poll() is None:
                process.terminate()

    signal.signal(signal.SIGTERM, stop)
    try:
        while all(process.poll() is None for process in processes):
            try:
                processes[0].wait(timeout=1)
            except subprocess.TimeoutExpired:
                continue
    except KeyboardInterrupt:
        pass
    finally:
        stop()
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
    return 0


if __name__ == "__main__":
    sys.exit(main())
