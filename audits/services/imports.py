"""Time-data imports: an uploaded tracker export becomes time entries, all of it or none of it.

The path of a file (STYLE.md "Readers of other people's files"): audits.readers turns its bytes into
normalised records; this module alone stages them through COPY into a temporary table and then, in
set-based SQL inside one transaction, names their participants, maps them to tasks, skips what is
already there and inserts the rest. Nothing is saved row by row through the ORM.

A job runs in its Celery worker inside one transaction that holds a transaction-level advisory lock
on the job: a second run of the same job (a duplicate message, "Run again") finds the lock taken and
stops; a worker killed half-way leaves nothing written and the lock free, so the job can run again.
Its status and progress are written on a connection of their own, so pages see them move.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import logging
import os
import time
import uuid
import zoneinfo
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import IO, Any, BinaryIO, cast

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.utils import timezone

from audits import readers, rollups
from audits.models import ImportJob, ImportRowError, TimeEntry
from audits.selectors import audit_settings_get
from audits.services import catalogue
from audits.services.catalogue import COMBOS_TABLE, combos_map
from audits.services.people import Person, identity_hash, participants_upsert
from engagements.services import job_after_commit
from smartwork.actors import Actor
from smartwork.tenancy import current_schema_name

logger = logging.getLogger(__name__)

IMPORT_FORMATS = ("auto", *readers.FORMATS)
ACCEPTED_SUFFIXES = (".csv", ".txt", ".xlsx")
# An import job's advisory lock: the client's schema and the job's id (advisory locks are per
# database, so the schema keeps two clients' job 1 apart).
LOCK_KEY_SQL = "hashtext(%s), %s::int"
PROGRESS_EVERY_ROWS = 10_000
# The progress bar's share of each part, from where a 1M-row import spends its time (docs/benchmarks.md):
# reading and staging up to PARSE_SHARE, mapping up to MAPPED, the insert (one statement: the bar
# waits there) up to INSERTED, the rollups up to ROLLED_UP; committing makes it 100.
PARSE_SHARE, MAPPED, INSERTED, ROLLED_UP = 30, 35, 80, 90
STALLED_QUEUED_AFTER = timedelta(minutes=1)
STAGING_TABLE = "audit_import_staging"
INSERTED_TABLE = "audit_import_inserted"  # what the insert added (the rollups add it)
STAGING_COLUMNS = (
    "line",
    "identity_hash",
    "project",
    "label",
    "description",
    "day",
    "started_at",
    "minutes",
    "note",
    "content_hash",
)


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):,.1f} MB"


# --- upload -----------------------------------------------------------------------------------------


def import_job_create(
    *, upload: IO[bytes], filename: str, size: int, format: str = "auto", mode: str = "all_or_nothing", actor: Actor
) -> ImportJob:
    """Check an uploaded export and queue its import. Refused at once, with nothing stored: an unknown
    format or mode, an empty or too large file, a file that is not CSV or XLSX, or one whose header
    the format does not know. Everything else the job finds, row by row."""
    errors: dict[str, list[str]] = {}
    if format not in IMPORT_FORMATS:
        errors["format"] = [f"'{format}' is not a format; choose one of {', '.join(IMPORT_FORMATS)}."]
    if mode not in ImportJob.Mode.values:
        errors["mode"] = [f"'{mode}' is not a mode; choose all_or_nothing or valid_rows."]
    if size == 0:
        errors["file"] = ["The file is empty."]
    elif size > settings.IMPORT_MAX_BYTES:
        errors["file"] = [
            f"The file has {_megabytes(size)}; an import takes at most {_megabytes(settings.IMPORT_MAX_BYTES)}. "
            "Export a shorter period, or split the file."
        ]
    if errors:
        raise ValidationError(errors)
    tz = zoneinfo.ZoneInfo(audit_settings_get().timezone)
    try:
        with readers.read(cast(BinaryIO, upload), filename=filename, format=format, tz=tz) as reading:
            detected = reading.format
    except readers.FileError as error:
        raise ValidationError({"file": [str(error)]}) from None
    upload.seek(0)
    path = _upload_store(upload, filename=filename)
    job = ImportJob.objects.create(
        filename=filename[:255],
        path=str(path),
        size=size,
        format_requested=format,
        format=detected,
        mode=mode,
        **actor.as_fields(),
    )
    job_after_commit("audits.tasks.import_job_run", job.pk)
    return job


def _upload_store(upload: IO[bytes], *, filename: str) -> Path:
    """Copy the upload under this client's own directory (one client's files never share a folder
    with another's), where the worker reads it."""
    folder = Path(settings.IMPORT_DIR) / current_schema_name()
    folder.mkdir(parents=True, exist_ok=True)
    suffix = Path(filename).suffix.lower()
    path = folder / f"{uuid.uuid4().hex}{suffix if suffix in ACCEPTED_SUFFIXES else ''}"
    with open(path, "wb") as out:
        while chunk := upload.read(1024 * 1024):
            out.write(chunk)
    return path


def import_job_stalled(*, job: ImportJob) -> bool:
    """Unfinished and no worker on it: its worker died (running), or its message never reached a
    worker within a minute (queued)."""
    if job.status not in (ImportJob.Status.QUEUED, ImportJob.Status.RUNNING):
        return False
    if job.status == ImportJob.Status.QUEUED and timezone.now() - job.created_at < STALLED_QUEUED_AFTER:
        return False
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT pg_try_advisory_lock({LOCK_KEY_SQL})", [current_schema_name(), job.pk])
        free = bool(cursor.fetchone()[0])
        if free:
            cursor.execute(f"SELECT pg_advisory_unlock({LOCK_KEY_SQL})", [current_schema_name(), job.pk])
    return free


def import_job_requeue(*, job: ImportJob) -> ImportJob:
    """Queue a stalled job again; the run starts from the file as if for the first time."""
    if not import_job_stalled(job=job):
        raise ValidationError("Only an import that stopped half-way can be run again; this one is not stalled.")
    job_after_commit("audits.tasks.import_job_run", job.pk)
    return job


# --- the job ----------------------------------------------------------------------------------------


@dataclass
class Outcome:
    """What a run found: ImportJob's counts, the rejected rows kept, a problem with the whole file."""

    rows_total: int = 0
    rows_imported: int = 0
    rows_rejected: int = 0
    errors: list[readers.RowError] = field(default_factory=list)
    message: str = ""


class _Progress:
    """Writes a running job's status and progress on a connection of its own, committed at once, so
    pages and the API see them while the job's own transaction is still open."""

    def __init__(self, job: ImportJob):
        self.job_id = job.pk
        self.side = connections.create_connection(DEFAULT_DB_ALIAS)
        self.side.set_schema(current_schema_name())  # type: ignore[attr-defined]  # django_tenants' wrapper
        self.shown = -1

    def update(self, **fields: Any) -> None:
        assignments = ", ".join(f"{name} = %s" for name in fields)
        with self.side.cursor() as cursor:
            cursor.execute(
                f"UPDATE {ImportJob._meta.db_table} SET {assignments} WHERE id = %s", [*fields.values(), self.job_id]
            )

    def percent(self, value: int) -> None:
        if value != self.shown:
            self.shown = value
            self.update(progress=value)

    def close(self) -> None:
        self.side.close()


class _CountingReader:
    """A binary file that counts the bytes read from it, for the progress bar."""

    def __init__(self, raw: IO[bytes]):
        self.raw = raw
        self.read_bytes = 0

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(size)
        self.read_bytes += len(data)
        return data

    def read1(self, size: int = -1) -> bytes:
        data = self.raw.read1(size)  # type: ignore[attr-defined]
        self.read_bytes += len(data)
        return data

    def readinto(self, buffer: Any) -> int:
        count = self.raw.readinto(buffer)  # type: ignore[attr-defined]
        self.read_bytes += count or 0
        return count

    def __getattr__(self, name: str) -> Any:
        return getattr(self.raw, name)


def import_job_run(*, job_id: int) -> ImportJob | None:
    """Run one import job in this schema (the Celery task's body). Returns the finished job, or None
    when another worker holds it or it was finished already."""
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT pg_try_advisory_xact_lock({LOCK_KEY_SQL})", [current_schema_name(), job_id])
            if not cursor.fetchone()[0]:
                return None
        job = ImportJob.objects.filter(pk=job_id).first()
        if job is None or job.status in (ImportJob.Status.SUCCEEDED, ImportJob.Status.FAILED):
            return None
        progress = _Progress(job)
        try:
            progress.update(status=ImportJob.Status.RUNNING, started_at=timezone.now(), progress=0)
            outcome = _import(job=job, progress=progress)
        finally:
            progress.close()
        _job_finish(job=job, outcome=outcome)
    return job


def _job_finish(*, job: ImportJob, outcome: Outcome) -> None:
    failed = bool(outcome.message) or bool(outcome.rows_rejected and job.mode == ImportJob.Mode.ALL_OR_NOTHING)
    job.status = ImportJob.Status.FAILED if failed else ImportJob.Status.SUCCEEDED
    job.rows_total = outcome.rows_total
    job.rows_imported = outcome.rows_imported
    job.rows_rejected = outcome.rows_rejected
    job.rows_duplicate = outcome.rows_total - outcome.rows_rejected - outcome.rows_imported if not failed else 0
    if failed:
        job.rows_imported = 0
    job.message = outcome.message or _summary(job)
    job.progress = 100
    job.finished_at = timezone.now()
    upload, job.path = job.path, ""
    job.save()
    ImportRowError.objects.bulk_create(
        ImportRowError(job=job, row=error.line, column=error.column[:100], code=error.code, message=error.message)
        for error in outcome.errors
    )
    # The file goes once the job's outcome is committed; until then a rerun still finds it.
    transaction.on_commit(lambda: _file_remove(upload))


def _file_remove(path: str) -> None:
    if path:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)


def _summary(job: ImportJob) -> str:
    """The sentence a person reads first about an import."""
    if job.rows_rejected and job.mode == ImportJob.Mode.ALL_OR_NOTHING:
        good = job.rows_total - job.rows_rejected
        rows = "row was" if job.rows_rejected == 1 else "rows were"
        return (
            f"{job.rows_rejected:,} of {job.rows_total:,} {rows} rejected, so nothing was imported. Fix them and "
            f"import the file again, or import it with mode valid_rows to keep the {good:,} good rows."
        )
    if job.rows_total == 0:
        return "The file has a header but no rows; nothing was imported."
    parts = [f"{job.rows_imported:,} entries imported"]
    if job.rows_duplicate:
        parts.append(f"{job.rows_duplicate:,} already there")
    if job.rows_rejected:
        parts.append(f"{job.rows_rejected:,} rows rejected")
    return ", ".join(parts) + "."


def content_key(pseudonym_secret: str) -> bytes:
    """The key of the rows' content hashes (external ids): derived from the client's pseudonym secret,
    so an external id, which consultants and API keys can read, reveals nothing about who the row's
    person is. It must never change: re-imports find their rows by it."""
    return hmac.new(pseudonym_secret.encode(), b"time entry content", hashlib.sha256).digest()


def _import(*, job: ImportJob, progress: _Progress) -> Outcome:
    started = time.perf_counter()
    audit = audit_settings_get()
    outcome = Outcome()
    try:
        raw = open(job.path, "rb")  # noqa: SIM115 (closed by the with below)
    except (FileNotFoundError, IsADirectoryError):
        outcome.message = "The uploaded file is gone (it was removed before the import ran); upload it again."
        return outcome
    with raw, _staging_table():
        counted = _CountingReader(raw)
        try:
            with readers.read(
                counted,  # type: ignore[arg-type]  # a file-like wrapper
                filename=job.filename,
                format=job.format or job.format_requested,
                tz=zoneinfo.ZoneInfo(audit.timezone),
                max_cell_chars=settings.IMPORT_MAX_CELL_CHARS,
                content_key=content_key(audit.pseudonym_secret),
            ) as reading:
                source = reading.format
                # A savepoint: a file error half-way aborts the COPY, and only the savepoint with it.
                with transaction.atomic():
                    people = _stage(
                        reading=reading,
                        outcome=outcome,
                        job=job,
                        progress=progress,
                        counted=counted,
                        secret=audit.pseudonym_secret,
                        keep_names=audit.keep_names,
                    )
        except readers.FileError as error:
            outcome.message = str(error)
            return outcome
        if outcome.rows_rejected and job.mode == ImportJob.Mode.ALL_OR_NOTHING:
            return outcome
        staged = time.perf_counter()
        progress.percent(PARSE_SHARE)
        catalogue.rules_read_lock()  # a rule change waits until this import's entries are committed
        # A participant whose team the file changes moves their earlier minutes to it in the rollups.
        rollups.rollups_refresh_for_participants(participants_upsert(people=list(people.values())))
        combos_map(source_table=STAGING_TABLE)
        progress.percent(MAPPED)
        mapped = time.perf_counter()
        outcome.rows_imported = _entries_insert(source=source, job=job, progress=progress)
        logger.info(
            "import %s: %s rows read and staged in %.1f s, people and tasks mapped in %.1f s, %s inserted in %.1f s",
            job.pk, outcome.rows_total, staged - started, mapped - staged, outcome.rows_imported,
            time.perf_counter() - mapped,
        )  # fmt: skip
    return outcome


@contextmanager
def _staging_table() -> Iterator[None]:
    """A temporary table for the records of one file, dropped at the end of the transaction. The hashes
    are compared byte by byte (COLLATE "C"): sorting them by the language's rules costs seconds a
    million rows and means nothing for a hash."""
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {STAGING_TABLE}")
        cursor.execute(
            f"""CREATE TEMPORARY TABLE {STAGING_TABLE} (
                line integer NOT NULL, identity_hash text COLLATE "C" NOT NULL, project text NOT NULL,
                label text NOT NULL, description text NOT NULL, day date NOT NULL, started_at timestamptz,
                minutes integer NOT NULL, note text NOT NULL, content_hash text COLLATE "C" NOT NULL
            ) ON COMMIT DROP"""
        )
    yield


def _stage(
    *,
    reading: readers.Reading,
    outcome: Outcome,
    job: ImportJob,
    progress: _Progress,
    counted: _CountingReader,
    secret: str,
    keep_names: bool,
) -> dict[str, Person]:
    """COPY the file's records into the staging table; count and keep the rejected rows. In
    all_or_nothing mode nothing more is staged after the first rejected row (nothing will be written),
    but the whole file is still read so that every rejected row is reported at once."""
    people: dict[str, Person] = {}  # by identity hash: one per person of the team, whatever the file's size
    hash_of: dict[str, str] = {}  # identity as written -> its hash (two spellings of a name: one person)
    kept = settings.IMPORT_ERRORS_KEPT
    size = max(job.size, 1)
    staging = True
    count = 0
    with (
        connection.cursor() as cursor,
        cursor.copy(f"COPY {STAGING_TABLE} ({', '.join(STAGING_COLUMNS)}) FROM STDIN") as copy,
    ):
        for count, item in enumerate(reading.items, start=1):
            if isinstance(item, readers.RowError):
                outcome.rows_rejected += 1
                if len(outcome.errors) < kept:
                    outcome.errors.append(item)
                staging = staging and job.mode != ImportJob.Mode.ALL_OR_NOTHING
            else:
                digest = hash_of.get(item.identity)
                if digest is None:
                    digest = hash_of[item.identity] = identity_hash(item.identity, secret=secret)
                person = people.get(digest)
                if person is None:
                    person = people[digest] = Person(identity_hash=digest)
                if item.team:
                    person.team = item.team
                if keep_names and item.name:
                    person.name = item.name
                if staging:
                    copy.write_row(
                        (
                            item.line,
                            person.identity_hash,
                            item.project,
                            item.label,
                            item.description,
                            item.day,
                            item.started_at,
                            item.minutes,
                            item.note,
                            item.content_hash,
                        )
                    )
            if count % PROGRESS_EVERY_ROWS == 0:
                progress.percent(min(PARSE_SHARE - 1, PARSE_SHARE * counted.read_bytes // size))
    outcome.rows_total = count
    return people


def _entries_insert(*, source: str, job: ImportJob, progress: _Progress) -> int:
    """Insert the staged records as entries, skipping those already there: (source, external id) is
    unique, and the external id is the row's content hash plus its occurrence among identical rows
    of this file (METHOD.md), so a second import of the file, or of an overlapping one, adds nothing."""
    entry = TimeEntry._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {INSERTED_TABLE}")
        cursor.execute(
            f"""CREATE TEMPORARY TABLE {INSERTED_TABLE}
                (participant_id bigint, task_id bigint, day date, minutes integer) ON COMMIT DROP"""
        )
        cursor.execute(
            f"""
            WITH inserted AS (
            INSERT INTO {entry} (participant_id, task_id, day, started_at, minutes, source, external_id,
                                 project, label, description, note, import_job_id, created_at)
            SELECT participant.id, combo.task_id, staged.day, staged.started_at, staged.minutes, %(source)s,
                   staged.content_hash || '-' || row_number() OVER (PARTITION BY staged.content_hash ORDER BY staged.line),
                   staged.project, staged.label, staged.description, staged.note, %(job)s, now()
              FROM {STAGING_TABLE} AS staged
              JOIN audits_participant AS participant ON participant.identity_hash = staged.identity_hash
              JOIN {COMBOS_TABLE} AS combo
                ON combo.project = staged.project AND combo.label = staged.label
               AND combo.description = staged.description
            ON CONFLICT (source, external_id) DO NOTHING
            RETURNING participant_id, task_id, day, minutes
            ) INSERT INTO {INSERTED_TABLE} SELECT * FROM inserted
            """,
            {"source": source, "job": job.pk},
        )
        inserted = cursor.rowcount
    progress.percent(INSERTED)
    rollups.rollups_add(inserted_table=INSERTED_TABLE)
    progress.percent(ROLLED_UP)
    return inserted
