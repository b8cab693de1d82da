"""Proof that the isolation harness catches leaks: each known leak is applied to a copy of the
repository, the harness runs there, and it must fail, naming that leak.

Each mutation is an exact string replacement in product code; the original text must be found
exactly once, so a refactor that moves it fails here loudly (update the mutation, do not drop it).
The copies run in parallel, each `python -m pytest tests/isolation/test_isolation.py -x -q` in its
own process with its own test database (made on the servers this run uses) and Celery queue. A run
stops at its first failure, so the harness must be green without mutations for this to pass: a
mutation whose run stopped at another failure says so, with that failure.

Run alone: `python -m pytest tests/isolation/test_mutation_proof.py -q` (a few minutes).
"""

import os
import re
import shutil
import subprocess
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
INNER_COMMAND = [
    sys.executable,
    "-m",
    "pytest",
    "tests/isolation/test_isolation.py",
    "-x",
    "-q",
    "-p",
    "no:cacheprovider",
]
INNER_TIMEOUT_S = 900
NOT_COPIED = shutil.ignore_patterns(
    ".venv",
    ".local",
    ".git",
    "__pycache__",
    "*.pyc",
    ".pytest_cache",
    ".ruff_cache",
    ".mypy_cache",
    "staticfiles",
    "test-artifacts",
)


@dataclass(frozen=True)
class Edit:
    file: str
    original: str
    leaky: str


@dataclass(frozen=True)
class Mutation:
    name: str
    edits: tuple[Edit, ...]
    caught: str  # a regular expression the inner run's output must match: the harness naming this leak


MUTATIONS = [
    Mutation(
        name="the member list stops filtering by client",
        edits=(
            Edit(
                "engagements/selectors.py",
                'return Membership.objects.filter(client=client).select_related("user")',
                'return Membership.objects.all().select_related("user")',
            ),
        ),
        caught=r"tenant-a\.localhost/(people/|api/v1/members/) as [^\n]*shows B's data",
    ),
    Mutation(
        name="a role check loosened: no role in the workspace passes TenantAccess",
        edits=(
            Edit(
                "smartwork/permissions.py",
                "if role is None:\n            return False",
                "if role is None:\n            return True",
            ),
        ),
        caught=r"tenant-b\.localhost/api/v1/\S* as nobody \(no credential\)[^\n]*not refused",
    ),
    Mutation(
        # Either check alone is not a leak: a consultant whom sign-in refuses on a host has no session
        # there (the backend loads nobody), and one it lets in has no role there.
        name="a role check loosened: any consultant counts as assigned, at sign-in and in the role",
        edits=(
            Edit(
                "smartwork/tenancy.py",
                "return CONSULTANT if client.assignments.filter(consultant=user).exists() else None",
                "return CONSULTANT",
            ),
            Edit(
                "engagements/services.py",
                "return Assignment.objects.filter(consultant=user, client=client).exists()",
                "return True",
            ),
        ),
        caught=r"tenant-b\.localhost/\S* as A's consultant session[^\n]*not refused",
    ),
    Mutation(
        name="the member invitation takes the client from a body field",
        edits=(
            Edit(
                "engagements/api_tenant.py",
                "membership = services.member_invite(client=request.tenant, actor=",
                "membership = services.member_invite(client=type(request.tenant).objects.filter("
                'slug=request.data.get("client")).first() or request.tenant, actor=',
            ),
        ),
        caught=r"POST tenant-a\.localhost/api/v1/members/ as [^\n]*B's data changed \([^)\n]*memberships",
    ),
    Mutation(
        name="a member is fetched by id whatever its client",
        edits=(
            Edit(
                "engagements/selectors.py",
                "return membership_list(client=client).get(pk=int(membership_id))",
                'return Membership.objects.select_related("user").get(pk=int(membership_id))',
            ),
        ),
        caught=(
            r"tenant-a\.localhost/(api/v1/members|people/members)/\d+/\S* as [^\n]*"
            r"(not refused|shows B's data|B's data changed)"
        ),
    ),
    Mutation(
        name="a consultant token is fetched by id whatever its owner",
        edits=(
            Edit(
                "engagements/selectors.py",
                "token = consultant_token_list(consultant=consultant).filter(prefix=str(token_id)).first()",
                "token = ConsultantToken.objects.filter(prefix=str(token_id)).first()",
            ),
        ),
        caught=r" localhost/(api/v1/)?tokens/\w+/\S* as A's consultant [^\n]*(not refused|B's data changed)",
    ),
]


def _apply(mutation: Mutation, copy: Path) -> None:
    for edit in mutation.edits:
        path = copy / edit.file
        text = path.read_text()
        found = text.count(edit.original)
        assert found == 1, (
            f"mutation '{mutation.name}': expected its original text once in {edit.file}, found it {found} "
            f"times: {edit.original!r}. The code moved: update the mutation so it leaks the same way."
        )
        path.write_text(text.replace(edit.original, edit.leaky))


def _inner_environment(name: str) -> dict[str, str]:
    """The servers of this run (DATABASE_URL, REDIS_URL as given), never its test database: the inner
    pytest makes its own. Its own Celery queue, and nothing of this run's pytest options."""
    env = {**os.environ, "SMARTWORK_CELERY_QUEUE": f"smartwork-proof-{name}-{uuid.uuid4().hex[:8]}"}
    for inherited in ("SMARTWORK_TEST_DATABASE", "PYTEST_ADDOPTS", "PYTEST_CURRENT_TEST"):
        env.pop(inherited, None)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


@dataclass
class InnerRun:
    process: subprocess.Popen
    log: Path
    copy: Path


@pytest.fixture(scope="module")
def inner_runs(tmp_path_factory) -> dict[str, InnerRun]:
    """Every mutation's copy, mutated and started at once (they run in parallel)."""
    runs: dict[str, InnerRun] = {}
    try:
        for number, mutation in enumerate(MUTATIONS):
            copy = tmp_path_factory.mktemp(f"mutation-{number}") / "repo"
            shutil.copytree(ROOT, copy, ignore=NOT_COPIED)
            _apply(mutation, copy)
            log = copy.parent / "inner.log"
            with open(log, "w") as output:
                process = subprocess.Popen(
                    INNER_COMMAND,
                    cwd=copy,
                    env=_inner_environment(str(number)),
                    stdout=output,
                    stderr=subprocess.STDOUT,
                )
            runs[mutation.name] = InnerRun(process=process, log=log, copy=copy)
        yield runs
    finally:
        for run in runs.values():
            if run.process.poll() is None:
                run.process.kill()
                run.process.wait()


def _first_failure(output: str) -> str:
    lines = [line for line in output.splitlines() if re.match(r"(GET|POST|PUT|PATCH|DELETE) |FAILED |E ", line)]
    return "\n".join(lines[:5]) or output[-3000:]


@pytest.mark.parametrize("mutation", MUTATIONS, ids=[mutation.name for mutation in MUTATIONS])
def test_the_isolation_harness_catches_the_leak(mutation, inner_runs):
    run = inner_runs[mutation.name]
    try:
        returncode = run.process.wait(timeout=INNER_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        run.process.kill()
        pytest.fail(f"the harness did not finish within {INNER_TIMEOUT_S} s on the copy with '{mutation.name}'")
    output = run.log.read_text(errors="replace")
    assert returncode != 0, f"the harness passed although {mutation.name}:\n{output[-3000:]}"
    assert re.search(mutation.caught, output), (
        f"the harness failed, but not naming this leak ({mutation.name}; expected /{mutation.caught}/). "
        f"It stopped at (is the harness red without mutations?):\n{_first_failure(output)}\n(all of it: {run.log})"
    )
