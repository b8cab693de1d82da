"""Public-schema data: client tenants and their domains, people, access, engagements, theater checks."""

import secrets

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django_tenants.models import DomainMixin, TenantMixin
from rest_framework_api_key.models import AbstractAPIKey

from smartwork.actors import ActorFields


def new_schema_name() -> str:
    """An internal schema id, never derived from the client's name, so renames need no DDL."""
    return "t_" + secrets.token_hex(6)


class Client(TenantMixin):
    """A client company: one PostgreSQL schema. Pooled rows are migrated schemas not yet claimed."""

    class Status(models.TextChoices):
        WARMING = "warming", "being prepared for the pool"
        POOLED = "pooled", "ready in the pool"
        PROVISIONING = "provisioning", "provisioning"
        READY = "ready", "ready"
        FAILED = "failed", "failed"

    schema_name = models.CharField(max_length=63, unique=True, default=new_schema_name, editable=False)
    name = models.CharField(max_length=200, blank=True)
    slug = models.SlugField(max_length=63, unique=True, null=True, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.WARMING)
    failure_reason = models.TextField(blank=True)
    # The domain asked for; a Domain row exists only while the client is provisioning or ready.
    requested_domain = models.CharField(max_length=253, blank=True)
    currency = models.CharField(max_length=3, default="EUR")
    created_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)

    # Schemas are made and dropped by engagements.provisioning only, never as a side effect of save().
    auto_create_schema = False
    auto_drop_schema = False

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["warming", "pooled"]) | (Q(slug__isnull=False) & ~Q(name="")),
                name="client_claimed_has_name_and_slug",
            ),
        ]
        indexes = [models.Index(fields=["status"], name="client_status_idx")]

    def __str__(self) -> str:
        return self.name or self.schema_name

    @property
    def is_ready(self) -> bool:
        return self.status == self.Status.READY

    @property
    def primary_domain(self) -> str:
        # Iterates .all() so a prefetch_related("domains") is used.
        return next((d.domain for d in self.domains.all() if d.is_primary), self.requested_domain)


class Domain(DomainMixin):
    """A host name that routes to one client."""


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra.update(is_staff=True, is_superuser=True, is_consultant=True)
        return self._create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in with an e-mail address: a consultant or a member of a client."""

    email = models.EmailField(unique=True)
    full_name = models.CharField(max_length=200, blank=True)
    is_consultant = models.BooleanField(default=False, help_text="Consultancy staff: works on the public host.")
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    def __str__(self) -> str:
        return self.email


class Assignment(ActorFields):
    """A consultant's access to a client."""

    consultant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="assignments")
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="assignments")
    assigned_at = models.DateTimeField(default=timezone.now)  # by the actor (ActorFields)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["consultant", "client"], name="assignment_unique")]

    def __str__(self) -> str:
        return f"{self.consultant} on {self.client}"


class Membership(ActorFields):
    """A person's role in one client's workspace."""

    class Role(models.TextChoices):
        CLIENT_ADMIN = "client_admin", "client admin"
        CLIENT_VIEWER = "client_viewer", "client viewer"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=16, choices=Role.choices)
    created_at = models.DateTimeField(default=timezone.now)
    # When the person first signed in to this workspace; until then the membership is "invited".
    joined_at = models.DateTimeField(null=True, blank=True)
    # The actor (ActorFields) is who invited them.

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "client"], name="membership_unique")]

    def __str__(self) -> str:
        return f"{self.user} ({self.role}) in {self.client}"


class OneTimeLink(ActorFields):
    """A link e-mailed to one person (or handed to one consultant's browser) that works once, on one
    host, for one purpose, until it expires. Only a hash of its token is stored (engagements.links)."""

    class Purpose(models.TextChoices):
        INVITATION = "invitation", "invitation"
        PASSWORD_RESET = "password_reset", "password reset"
        HANDOVER = "handover", "sign-in hand-over"

    class Closed(models.TextChoices):
        USED = "used", "used"
        REPLACED = "replaced", "replaced by a newer link"
        PASSWORD_SET = "password_set", "the password was set meanwhile"
        ACCESS_ENDED = "access_ended", "the access it was for ended"

    token_hash = models.CharField(max_length=64, unique=True)
    purpose = models.CharField(max_length=16, choices=Purpose.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="one_time_links")
    # The host the link works on: a client's, or None for the public host.
    client = models.ForeignKey(Client, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_reason = models.CharField(max_length=16, choices=Closed.choices, blank=True)
    # The actor (ActorFields) is who had it sent: an inviter, the reset job, the consultant handed over.

    class Meta:
        indexes = [models.Index(fields=["user", "purpose"], name="one_time_link_user_purpose")]
        constraints = [
            models.CheckConstraint(
                condition=Q(closed_at__isnull=True, closed_reason="")
                | Q(closed_at__isnull=False) & ~Q(closed_reason=""),
                name="one_time_link_closed_with_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.purpose} link for {self.user}"


class Phase(models.TextChoices):
    DIAGNOSE = "diagnose", "diagnose"
    AUDIT = "audit", "audit"
    DESIGN = "design", "design"
    MEASURE = "measure", "measure"
    MAINTAIN = "maintain", "maintain"


class Engagement(models.Model):
    """The consultancy's engagement with one client, moving through the method's phases."""

    client = models.OneToOneField(Client, on_delete=models.CASCADE, related_name="engagement")
    phase = models.CharField(max_length=16, choices=Phase.choices, default=Phase.DIAGNOSE)
    started_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.client}: {self.phase}"


class PhaseChange(ActorFields):
    """Every phase change of an engagement, with who and when."""

    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="phase_changes")
    from_phase = models.CharField(max_length=16, choices=Phase.choices, blank=True)
    to_phase = models.CharField(max_length=16, choices=Phase.choices)
    note = models.TextField(blank=True)
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-changed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.from_phase or 'start'} -> {self.to_phase}"


# METHOD.md section 1: the six signs of "AI theater", in order.
THEATER_SIGNS = (
    "The team is trained on AI tools but nobody knows which problems they should solve with them.",
    "Adoption is measured by logins, prompts or active subscriptions.",
    'AI licences were bought for the whole team "just in case".',
    'Shared "use cases" feel forced or trivial.',
    "Nobody can say, in money or hours, what AI saved in the last 90 days.",
    "AI meetings are about which tool to use, not which problem to solve.",
)
THEATER_AT_RISK_SCORE = 3


class TheaterCheck(ActorFields):
    """One answered "AI theater" check (METHOD.md section 1); every answer is kept as history."""

    engagement = models.ForeignKey(Engagement, on_delete=models.CASCADE, related_name="theater_checks")
    answers = models.JSONField(help_text="Six booleans in METHOD.md's order.")
    score = models.PositiveSmallIntegerField()
    note = models.TextField(blank=True)
    answered_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-answered_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(score__gte=0) & Q(score__lte=6), name="theater_score_range"),
        ]

    def __str__(self) -> str:
        return f"theater check {self.score}/6"

    @property
    def at_risk(self) -> bool:
        return self.score >= THEATER_AT_RISK_SCORE

    @property
    def ticked_signs(self) -> list[tuple[int, str]]:
        """The signs answered yes, with their number in METHOD.md's order."""
        return [
            (number, sign)
            for number, (sign, yes) in enumerate(zip(THEATER_SIGNS, self.answers, strict=False), start=1)
            if yes
        ]


class ConsultantToken(AbstractAPIKey):
    """A consultant's personal token for the public API (`Authorization: Token <key>`); only a hash is kept."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="consultant_tokens")
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta(AbstractAPIKey.Meta):
        verbose_name = "consultant token"
