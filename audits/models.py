"""Step 1, the time audit (METHOD.md section 2), in the client's own schema: its settings, the people
of its team as pseudonyms, its task catalogue with the rules that map tracker labels to tasks, the
time entries themselves and the import jobs that brought them in."""

import secrets

from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from smartwork.actors import ActorFields

WEEKDAYS = (1, 2, 3, 4, 5)  # ISO weekday numbers, Monday to Friday
LABEL_MAX_LENGTH = 500  # a task name, a tracker's project or task label


def _weekdays() -> list[int]:
    return list(WEEKDAYS)


def _new_secret() -> str:
    return secrets.token_hex(32)


class AuditSettings(models.Model):
    """The client's audit settings: one row per schema (audits.selectors.audit_settings_get)."""

    window_start = models.DateField(null=True, blank=True, help_text="Unset: the last 10 working days.")
    window_end = models.DateField(null=True, blank=True)
    working_days = ArrayField(models.PositiveSmallIntegerField(), default=_weekdays)  # ISO weekdays
    working_days_per_month = models.DecimalField(max_digits=5, decimal_places=2, default=21)
    hourly_cost = models.DecimalField(
        max_digits=10, decimal_places=2, default=0, help_text="Loaded hourly cost of a participant without one."
    )
    timezone = models.CharField(max_length=64, default="UTC")
    holidays = ArrayField(models.DateField(), default=list, blank=True)
    k = models.PositiveSmallIntegerField(default=5, validators=[MinValueValidator(2), MaxValueValidator(100)])
    # The key of the participants' pseudonyms (a keyed hash of their identity); never shown.
    pseudonym_secret = models.CharField(max_length=64, default=_new_secret)
    # METHOD.md: names and e-mails are not stored unless the client explicitly turns this on.
    keep_names = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "audit settings"
        constraints = [
            models.CheckConstraint(
                condition=Q(window_start__isnull=True, window_end__isnull=True)
                | Q(window_start__isnull=False, window_end__isnull=False, window_start__lte=models.F("window_end")),
                name="audit_window_both_or_neither",
            ),
        ]

    def __str__(self) -> str:
        return "audit settings"


class Participant(models.Model):
    """A member of the client's team, known by a pseudonym only (METHOD.md: keyed hash of e-mail,
    else staff id, else name)."""

    identity_hash = models.CharField(max_length=64, unique=True)
    pseudonym = models.CharField(max_length=16, unique=True)
    team = models.CharField(max_length=100, blank=True, help_text="'' is Unassigned.")
    role_title = models.CharField(max_length=100, blank=True)
    hourly_cost = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    name = models.CharField(max_length=200, blank=True, help_text="Only when the client keeps names.")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["pseudonym"]

    def __str__(self) -> str:
        return self.pseudonym


SUITABILITY_QUESTIONS = ("rules", "input_type", "input_quality", "stability", "documentation")


def _suitability_field(help_text: str) -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)], help_text=help_text
    )


class Task(models.Model):
    """A recurring piece of work, with the five suitability answers (METHOD.md section 2)."""

    name = models.CharField(max_length=LABEL_MAX_LENGTH)
    process = models.CharField(max_length=200, blank=True, help_text="The business process it belongs to.")
    rules = _suitability_field("1 creative ... 5 fully rule-based")
    input_type = _suitability_field("1 paper ... 5 digital")
    input_quality = _suitability_field("1 unstructured ... 5 structured")
    stability = _suitability_field("1 major changes expected ... 5 none")
    documentation = _suitability_field("1 none ... 5 detailed")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(Lower("name"), name="task_name_unique_ci"),
            *[
                models.CheckConstraint(
                    condition=Q(**{f"{question}__isnull": True}) | Q(**{f"{question}__range": (1, 5)}),
                    name=f"task_{question}_1_to_5",
                )
                for question in SUITABILITY_QUESTIONS
            ],
        ]

    def __str__(self) -> str:
        return self.name


class MappingRule(ActorFields):
    """Sends entries whose project, label or description matches to a task; the first rule by
    position wins, and a label no rule catches goes to the task of the same name."""

    class Field(models.TextChoices):
        PROJECT = "project", "project"
        LABEL = "label", "label"
        DESCRIPTION = "description", "description"

    class Match(models.TextChoices):
        EQUALS = "equals", "equals"
        CONTAINS = "contains", "contains"
        REGEX = "regex", "regex"

    position = models.PositiveIntegerField()
    field = models.CharField(max_length=12, choices=Field.choices)
    match = models.CharField(max_length=8, choices=Match.choices)
    pattern = models.CharField(max_length=LABEL_MAX_LENGTH)
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="mapping_rules")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return f"{self.field} {self.match} {self.pattern!r} -> {self.task}"


class Source(models.TextChoices):
    TOGGL = "toggl", "Toggl Track"
    CLOCKIFY = "clockify", "Clockify"
    HARVEST = "harvest", "Harvest"
    KIMAI = "kimai", "Kimai"
    GENERIC = "generic", "generic CSV"
    API = "api", "API"
    MANUAL = "manual", "manual"


class ImportJob(ActorFields):
    """One uploaded file and what became of it. The file lives under this client's own directory
    until the job ends."""

    class Status(models.TextChoices):
        QUEUED = "queued", "queued"
        RUNNING = "running", "running"
        SUCCEEDED = "succeeded", "succeeded"
        FAILED = "failed", "failed"

    class Mode(models.TextChoices):
        ALL_OR_NOTHING = "all_or_nothing", "all or nothing"
        VALID_ROWS = "valid_rows", "valid rows only"

    filename = models.CharField(max_length=255)
    path = models.CharField(max_length=500, help_text="Where the upload waits for the worker; '' once done.")
    size = models.BigIntegerField()
    format_requested = models.CharField(max_length=10, default="auto")
    format = models.CharField(max_length=10, blank=True, help_text="The format read: given, or recognised.")
    mode = models.CharField(max_length=16, choices=Mode.choices, default=Mode.ALL_OR_NOTHING)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    rows_total = models.PositiveIntegerField(default=0)
    rows_imported = models.PositiveIntegerField(default=0)
    rows_duplicate = models.PositiveIntegerField(default=0)
    rows_rejected = models.PositiveIntegerField(default=0)
    progress = models.PositiveSmallIntegerField(default=0, help_text="0-100 while it runs.")
    message = models.TextField(blank=True, help_text="What went wrong with the file as a whole.")
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.filename} ({self.status})"


class ImportRowError(models.Model):
    """A rejected row of an import: where, which column, why."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="row_errors")
    row = models.PositiveIntegerField(help_text="The row as a spreadsheet numbers it: the header is row 1.")
    column = models.CharField(max_length=100, blank=True)
    code = models.CharField(max_length=40)
    message = models.TextField()

    class Meta:
        ordering = ["row", "id"]

    def __str__(self) -> str:
        return f"row {self.row}: {self.message}"


class TimeEntry(models.Model):
    """One tracked stretch of work (METHOD.md section 2). It keeps the project, label and description
    it came with, so a rule added or changed later maps it again."""

    participant = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="entries")
    task = models.ForeignKey(Task, on_delete=models.PROTECT, null=True, blank=True, related_name="entries")
    day = models.DateField()
    started_at = models.DateTimeField(null=True, blank=True)
    minutes = models.PositiveIntegerField()
    source = models.CharField(max_length=10, choices=Source.choices)
    external_id = models.CharField(max_length=200)
    project = models.CharField(max_length=LABEL_MAX_LENGTH, blank=True)
    label = models.CharField(max_length=LABEL_MAX_LENGTH, blank=True)
    description = models.TextField(blank=True)
    note = models.TextField(blank=True)
    import_job = models.ForeignKey(ImportJob, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "external_id"], name="time_entry_source_external_id"),
        ]
        indexes = [
            models.Index(fields=["day"], name="time_entry_day"),
            models.Index(fields=["task", "day"], name="time_entry_task_day"),
            models.Index(fields=["participant", "day"], name="time_entry_participant_day"),
        ]

    def __str__(self) -> str:
        return f"{self.participant} {self.day} {self.minutes} min"


class WebhookTracker(models.TextChoices):
    """The trackers whose live feed (webhooks) a client can connect; the values are their Source values."""

    TOGGL = Source.TOGGL.value, "Toggl Track"
    CLOCKIFY = Source.CLOCKIFY.value, "Clockify"


class WebhookSecret(ActorFields):
    """What verifies one tracker's webhook calls to this client's host (audits.webhooks). Toggl: the
    HMAC-SHA256 key itself, which the signature check needs. Clockify: the SHA-256 of the webhook's
    signing token, which is only ever compared. Never shown after it is set."""

    tracker = models.CharField(max_length=10, choices=WebhookTracker.choices, unique=True)
    secret = models.CharField(max_length=128)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.tracker} webhook secret"


class WebhookDelivery(models.Model):
    """A webhook call already taken, so a replay of it is refused: Toggl's event id, or the SHA-256 of
    Clockify's event type and body. Rows older than 30 days may be purged (Toggl's events older than 5
    minutes are refused anyway; a Clockify body names an entry's whole state, so an old replay at
    worst writes that state again)."""

    tracker = models.CharField(max_length=10, choices=WebhookTracker.choices)
    delivery_key = models.CharField(max_length=64)
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tracker", "delivery_key"], name="webhook_delivery_once"),
        ]
        indexes = [models.Index(fields=["received_at"], name="webhook_delivery_received")]

    def __str__(self) -> str:
        return f"{self.tracker} {self.delivery_key}"


SURVEY_NOTE_MAX_LENGTH = 1000


class SurveyLink(ActorFields):
    """The client's friction survey link (METHOD.md section 2, "Friction vote"): its token is the only
    credential of the survey page, shared with the whole team and revocable. Several may be open.

    The token is kept as well as its hash, unlike a personal credential: managers hand the link to
    their team and need its url again later (the links page and GET /api/v1/survey-links/ list it),
    and it opens nothing but this survey, so revoking it is its protection. Requests are still matched
    by the hash (unique index), the one lookup every credential of the product uses, and the rate
    limits count against the hash, so the token itself never goes into a cache key."""

    token = models.CharField(max_length=64, unique=True)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"survey link {self.pk}{' (revoked)' if self.revoked_at else ''}"

    @property
    def is_open(self) -> bool:
        return self.revoked_at is None


class FrictionVote(models.Model):
    """How painful a task is, 1-5, and optionally where its process breaks: through a survey link (no
    account; voter_key tells one browser's votes apart) or the API (voter_key ''). Holds no name: the
    voter key is a hash of a random cookie value, never shown. One vote per task per browser per link;
    the browser's next vote on the task replaces it."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="friction_votes")
    pain = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(5)])
    note = models.CharField(
        max_length=SURVEY_NOTE_MAX_LENGTH, blank=True, help_text="Where the process breaks; '' when not said."
    )
    # Links are revoked, never deleted: the votes they brought stay.
    survey_link = models.ForeignKey(SurveyLink, on_delete=models.PROTECT, null=True, blank=True, related_name="votes")
    voter_key = models.CharField(max_length=64, blank=True, help_text="SHA-256 of the browser's voter cookie.")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(pain__range=(1, 5)), name="friction_vote_pain_1_to_5"),
            models.CheckConstraint(
                condition=Q(voter_key="") | Q(survey_link__isnull=False), name="friction_vote_browser_has_link"
            ),
            models.UniqueConstraint(
                fields=["task", "survey_link", "voter_key"],
                condition=~Q(voter_key=""),
                name="friction_vote_once_per_browser",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.task_id}: pain {self.pain}"


class TaskRollup(models.Model):
    """What the rollups of tasks sum, per task and team over a day or a month (audits.rollups)."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="+")
    team = models.CharField(max_length=100, blank=True)
    entries = models.PositiveIntegerField()
    minutes = models.BigIntegerField()
    # The minutes of participants with an hourly cost, weighted by it; and those of participants without
    # one, to which the client's loaded cost applies when the ranking is read.
    costed_minutes_value = models.DecimalField(max_digits=20, decimal_places=2)
    uncosted_minutes = models.BigIntegerField()

    class Meta:
        abstract = True


class TaskDayRollup(TaskRollup):
    """Per task, day and team (the participant's team): what candidate ranking reads instead of the
    entries. Kept equal to them in every write's transaction (audits.rollups)."""

    day = models.DateField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["task", "day", "team"], name="task_day_rollup_key")]
        indexes = [models.Index(fields=["day"], name="task_day_rollup_day")]

    def __str__(self) -> str:
        return f"{self.task_id} {self.day} {self.team}: {self.minutes} min"


class TaskMonthRollup(TaskRollup):
    """TaskDayRollup summed by calendar month (`month` is its first day): a window of a year reads
    twelve of these per task and team, and the days of its partial months from the daily rollup."""

    month = models.DateField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["task", "month", "team"], name="task_month_rollup_key")]
        indexes = [models.Index(fields=["month"], name="task_month_rollup_month")]

    def __str__(self) -> str:
        return f"{self.task_id} {self.month:%Y-%m} {self.team}: {self.minutes} min"


class ParticipantDay(models.Model):
    """The days each participant has entries (the privacy fold counts a team's people in a window)."""

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    entries = models.PositiveIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["participant", "day"], name="participant_day_key")]
        indexes = [models.Index(fields=["day"], name="participant_day_day")]

    def __str__(self) -> str:
        return f"{self.participant_id} {self.day}"


class ParticipantMonth(models.Model):
    """The months each participant has entries (ParticipantDay by calendar month)."""

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="+")
    month = models.DateField()
    entries = models.PositiveIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["participant", "month"], name="participant_month_key")]
        indexes = [models.Index(fields=["month"], name="participant_month_month")]

    def __str__(self) -> str:
        return f"{self.participant_id} {self.month:%Y-%m}"
