"""scripts/services.py: without DATABASE_URL/REDIS_URL it starts an embedded PostgreSQL and Redis,
runs the command against them, passes its exit code on, and stops them; with them, it starts nothing."""

import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
import redis

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "services.py"
PROBE = """
import os, sys, psycopg, redis, environ
db = environ.Env().db_url_config(os.environ["DATABASE_URL"])
host = db["HOST"] or db["OPTIONS"]["host"]
with psycopg.connect(host=host, port=db["PORT"] or None, dbname=db["NAME"], user=db["USER"]) as conn:
    print("postgres", conn.execute("SHOW server_version").fetchone()[0])
print("redis", redis.Redis.from_url(os.environ["REDIS_URL"]).ping())
print("DATABASE_URL", os.environ["DATABASE_URL"])
print("REDIS_URL", os.environ["REDIS_URL"])
sys.exit(int(sys.argv[1]))
"""


def services(*command: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(SCRIPT), "--", *command], env=env, capture_output=True, text=True, timeout=180
    )


@pytest.fixture
def embedded_env(tmp_path) -> dict:
    env = {key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "REDIS_URL")}
    env["SMARTWORK_LOCAL_DIR"] = str(tmp_path / "local")
    return env


def _values(stdout: str) -> dict[str, str]:
    return dict(line.split(" ", 1) for line in stdout.splitlines() if " " in line)


def test_without_urls_it_runs_the_command_on_embedded_servers_and_stops_them(embedded_env):
    result = services(sys.executable, "-c", PROBE, "3", env=embedded_env)
    assert result.returncode == 3, result.stderr  # the command's own exit code
    seen = _values(result.stdout)
    assert int(seen["postgres"].split(".")[0]) >= 14
    assert seen["redis"] == "True"
    assert "embedded PostgreSQL" in result.stderr and "embedded Redis" in result.stderr

    # Both servers are gone once the command has ended.
    database = seen["DATABASE_URL"]
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(host=database.split("host=", 1)[1], dbname="smartwork", user="postgres", connect_timeout=2)
    with pytest.raises(redis.ConnectionError):
        redis.Redis.from_url(seen["REDIS_URL"], socket_connect_timeout=2).ping()


def test_the_embedded_data_survives_a_restart(embedded_env):
    make = "import os, environ, psycopg; db = environ.Env().db_url_config(os.environ['DATABASE_URL']); "
    connect = (
        "psycopg.connect(host=db['HOST'] or db['OPTIONS']['host'], dbname=db['NAME'], user=db['USER'], autocommit=True)"
    )
    assert (
        services(
            sys.executable, "-c", make + connect + ".execute('CREATE TABLE kept (x int)')", env=embedded_env
        ).returncode
        == 0
    )
    again = services(
        sys.executable,
        "-c",
        make + "print(" + connect + ".execute(\"SELECT to_regclass('kept')\").fetchone()[0])",
        env=embedded_env,
    )
    assert again.stdout.strip() == "kept", again.stderr


def test_with_urls_given_it_starts_nothing_and_passes_them_through(tmp_path):
    env = dict(os.environ)
    env["DATABASE_URL"] = "postgres://someone@db.invalid:5432/elsewhere"
    env["REDIS_URL"] = "redis://cache.invalid:6379/3"
    env["SMARTWORK_LOCAL_DIR"] = str(tmp_path / "local")
    code = "import os; print(os.environ['DATABASE_URL']); print(os.environ['REDIS_URL'])"
    result = services(sys.executable, "-c", code, env=env)
    assert result.returncode == 0
    assert result.stdout.splitlines() == [env["DATABASE_URL"], env["REDIS_URL"]]
    assert "using DATABASE_URL and REDIS_URL as given" in result.stderr
    assert not (tmp_path / "local" / "pgdata").exists()
