"""Every write of the public schema: clients, people, access, phases, theater checks, tokens.

Each function is the one home of its action, called alike by the API, the pages and the CLI.
Meaning is validated here (django.core.exceptions.ValidationError with field messages);
transactions are opened here, and jobs start only after commit.
"""

import logging
import re
import unicodedata
from dataclasses import dataclass
from datetime import timedelta

from axes.utils import reset as axes_reset
from celery import current_app
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.http.request import validate_host
from django.utils import timezone

from engagements import emails, links, provisioning
from engagements.models import (
    THEATER_SIGNS,
    Assignment,
    Client,
    ConsultantToken,
    Domain,
    Engagement,
    Membership,
    OneTimeLink,
    Phase,
    PhaseChange,
    TheaterCheck,
    User,
)
from smartwork.actors import Actor
from smartwork.errors import ApplicationError, Conflict
from smartwork.tenancy import CONSULTANT

logger = logging.getLogger(__name__)

SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
HOSTNAME_RE = re.compile(
    r"^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$"
)
RESERVED_SLUGS = {"www", "api", "admin", "static", "public", "localhost"}


def job_after_commit(task_name: str, *args) -> None:
    """Queue a Celery job once the transaction commits, by its name: the tasks import the services,
    so the services name the tasks rather than import them. robust: if the broker is down the job is
    lost, not the change; beat re-queues what matters (refills, stalled provisioning)."""
    transaction.on_commit(lambda: current_app.send_task(task_name, args=list(args)), robust=True)


def _pool_refill_after_commit() -> None:
    if settings.TENANT_POOL_SIZE > 0:
        # A broker hiccup must not fail a client that is already made; beat refills anyway.
        job_after_commit("engagements.tasks.tenant_pool_refill")


# --- people ---------------------------------------------------------------------------------------


EMAIL_MAX_LENGTH = 254  # RFC 5321's limit, and the column's


def _email_clean(email: str, field: str = "email") -> str:
    email = (email or "").strip().lower()
    if len(email) > EMAIL_MAX_LENGTH:
        raise ValidationError({field: [f"An e-mail address has at most {EMAIL_MAX_LENGTH} characters."]})
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError({field: [f"'{email}' is not a valid e-mail address."]}) from None
    return email


def _password_check(password: str, *, email: str, field: str = "password") -> None:
    try:
        validate_password(password, user=User(email=email))
    except ValidationError as exc:
        raise ValidationError({field: exc.messages}) from None


@transaction.atomic
def consultant_create(*, email: str, password: str, full_name: str = "") -> User:
    email = _email_clean(email)
    if User.objects.filter(email=email).exists():
        raise ValidationError({"email": [f"A user with the e-mail {email} already exists."]})
    _password_check(password, email=email)
    return User.objects.create_user(email=email, password=password, full_name=full_name, is_consultant=True)


def consultant_get(*, email: str, field: str = "email") -> User:
    email = _email_clean(email, field)
    user = User.objects.filter(email=email, is_consultant=True, is_active=True).first()
    if user is None:
        raise ValidationError({field: [f"No consultant has the e-mail {email}."]})
    return user


TOKEN_NAME_MAX_LENGTH = 50


def consultant_token_create(*, consultant: User, name: str = "personal token") -> tuple[ConsultantToken, str]:
    """A new personal token; the key is returned once and only its hash is kept."""
    if not consultant.is_consultant:
        raise ValidationError({"email": [f"{consultant.email} is not a consultant."]})
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": ["A token needs a name (what it is for)."]})
    if len(name) > TOKEN_NAME_MAX_LENGTH:
        raise ValidationError({"name": [f"A token name has at most {TOKEN_NAME_MAX_LENGTH} characters."]})
    token, key = ConsultantToken.objects.create_key(user=consultant, name=name)
    assert isinstance(token, ConsultantToken)  # the library's manager is typed as returning its abstract base
    return token, key


@transaction.atomic
def consultant_token_revoke(*, token: ConsultantToken) -> ConsultantToken:
    """Revoke a personal token at once; revoking twice is harmless."""
    if not token.revoked:
        token.revoked = True
        token.save(update_fields=["revoked"])
    return token


# --- clients --------------------------------------------------------------------------------------


class PoolEmpty(Exception):
    """client_create(require_pool=True) found no ready schema to claim."""


@dataclass(frozen=True)
class ClientCreated:
    client: Client
    from_pool: bool  # True: ready at once. False: provisioning by migrations in a Celery job.


def _client_name_problem(name: str) -> str | None:
    """What is wrong with a client's name, or None. The name goes into e-mail subjects and pages, so
    line breaks and other control or format characters are refused."""
    if not name:
        return "A client needs a name."
    if len(name) > 200:
        return "A client name has at most 200 characters."
    if any(unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp") for char in name):
        return "A client name is one line of text, without control characters."
    return None


def _client_input_clean(*, name: str, slug: str, domain: str) -> tuple[str, str, str]:
    errors: dict[str, list[str]] = {}
    name = (name or "").strip()
    slug = (slug or "").strip().lower()
    domain = (domain or "").strip().lower().rstrip(".")
    if problem := _client_name_problem(name):
        errors["name"] = [problem]
    if len(slug) > 63 or not SLUG_RE.match(slug):
        errors["slug"] = ["A slug is 1-63 lowercase letters, digits or hyphens, not starting or ending with one."]
    elif slug in RESERVED_SLUGS:
        errors["slug"] = [f"'{slug}' is reserved; choose another slug."]
    elif Client.objects.filter(slug=slug).exists():
        errors["slug"] = [f"The slug '{slug}' is taken."]
    if len(domain) > 253 or not HOSTNAME_RE.match(domain):
        errors["domain"] = [f"'{domain[:253]}' is not a valid host name (e.g. acme.localhost)."]
    elif domain.startswith("www."):
        errors["domain"] = [
            "A domain cannot start with 'www.': requests for www.<name> are routed to <name>, "
            "so this domain could never be reached."
        ]
    elif not validate_host(domain, settings.ALLOWED_HOSTS):
        errors["domain"] = [
            f"'{domain}' is outside the hosts this server answers ({', '.join(settings.ALLOWED_HOSTS)}); "
            "choose a domain under one of them."
        ]
    elif domain == settings.PUBLIC_HOST:
        errors["domain"] = ["That is the consultancy's own host; a client needs its own domain."]
    elif Domain.objects.filter(domain=domain).exists():
        errors["domain"] = [f"The domain '{domain}' is taken."]
    if errors:
        raise ValidationError(errors)
    return name, slug, domain


def _client_admin_prepare(*, admin_email: str | None, admin_password: str | None) -> tuple[str | None, User | None]:
    """Validate the first admin before anything is written. Returns (email, existing user or None)."""
    if not admin_email:
        if admin_password:
            raise ValidationError({"admin_email": ["A password was given without an admin e-mail."]})
        return None, None
    email = _email_clean(admin_email, "admin_email")
    existing = User.objects.filter(email=email).first()
    if existing is not None:
        if existing.is_consultant:
            raise ValidationError({"admin_email": [f"{email} is a consultant; assign them instead."]})
        if admin_password:
            raise ValidationError(
                {"admin_password": [f"{email} already has an account; leave the password out to add them."]}
            )
        return email, existing
    if admin_password:
        _password_check(admin_password, email=email, field="admin_password")
    return email, None


def client_create_check(
    *,
    name: str,
    slug: str,
    domain: str,
    admin_email: str | None = None,
    admin_password: str | None = None,
    consultant_email: str | None = None,
) -> None:
    """Refuse bad input to client_create before anything slow happens (the CLI checks, then provisions)."""
    _client_input_clean(name=name, slug=slug, domain=domain)
    _client_admin_prepare(admin_email=admin_email, admin_password=admin_password)
    if consultant_email:
        consultant_get(email=consultant_email, field="consultant_email")


# How many pooled schemas a claim may pass over before it provisions by migrations instead.
CLAIM_ATTEMPTS = 3


def _pooled_schema_claim() -> tuple[Client | None, bool]:
    """Lock one pooled schema that has every migration this code expects (one query checks it),
    passing over any that is behind (made by a job of the previous release during a deploy). Rows
    another claim holds are skipped, so concurrent claims take different schemas. Returns (client
    or None, whether one was passed over)."""
    passed_over: list[int] = []
    for _ in range(CLAIM_ATTEMPTS):
        candidate = (
            Client.objects.select_for_update(skip_locked=True)
            .filter(status=Client.Status.POOLED)
            .exclude(pk__in=passed_over)
            .order_by("id")
            .first()
        )
        if candidate is None or not provisioning.schemas_behind(schemas=[candidate.schema_name]):
            return candidate, bool(passed_over)
        passed_over.append(candidate.pk)
    return None, True


def client_create(
    *,
    name: str,
    slug: str,
    domain: str,
    actor: Actor,
    admin_email: str | None = None,
    admin_password: str | None = None,
    consultant_email: str | None = None,
    require_pool: bool = False,
) -> ClientCreated:
    """Create a client: claim a ready schema from the pool in one transaction, or (pool empty) queue
    its provisioning by migrations in Celery. Nothing is written when any part is refused or fails."""
    name, slug, domain = _client_input_clean(name=name, slug=slug, domain=domain)
    admin_email, admin_user = _client_admin_prepare(admin_email=admin_email, admin_password=admin_password)
    consultants = []
    if actor.is_person and actor.role == CONSULTANT and actor.user_id is not None:
        consultants.append(User.objects.get(pk=actor.user_id))
    if consultant_email:
        extra = consultant_get(email=consultant_email, field="consultant_email")
        if extra not in consultants:
            consultants.append(extra)
    try:
        with transaction.atomic():
            client, passed_over = _pooled_schema_claim()
            from_pool = client is not None
            if require_pool and not from_pool:
                raise PoolEmpty("No pooled schema is ready.")
            if client is None:
                client = Client(status=Client.Status.PROVISIONING)
            client.name, client.slug, client.requested_domain = name, slug, domain
            client.status = Client.Status.READY if from_pool else Client.Status.PROVISIONING
            client.claimed_at = client.created_at = timezone.now()
            client.save()
            Domain.objects.create(domain=domain, tenant=client, is_primary=True)
            for consultant in consultants:
                Assignment.objects.create(consultant=consultant, client=client, **actor.as_fields())
            if admin_email:
                user = admin_user or User.objects.create_user(email=admin_email, password=admin_password)
                _membership_add(client=client, user=user, role=Membership.Role.CLIENT_ADMIN, actor=actor)
            engagement_start(client=client, actor=actor)
            if from_pool or passed_over:
                _pool_refill_after_commit()  # tops the pool up and brings passed-over schemas current
            else:
                # robust: if the job cannot be queued now, beat's client_provision_stalled queues it later.
                job_after_commit("engagements.tasks.client_provision", client.pk)
    except IntegrityError as error:
        # Another request took the slug, the domain or the new admin's address between our check
        # and our write; any other constraint is a real error and is raised as it is.
        raced = RACED_CONSTRAINTS.get(_constraint_name(error))
        if raced is None:
            raise
        raise ValidationError({raced[0]: [raced[1]]}) from None
    return ClientCreated(client=client, from_pool=from_pool)


# Unique constraints (Django's names for unique=True) a concurrent client_create can hit, by the
# field a person can change and what to tell them.
RACED_CONSTRAINTS = {
    "engagements_client_slug_key": ("slug", "That slug was just taken; choose another."),
    "engagements_domain_domain_key": ("domain", "That domain was just taken; choose another."),
    "engagements_user_email_key": ("admin_email", "That person was just added by someone else; try again."),
}


def _constraint_name(error: IntegrityError) -> str:
    """The constraint PostgreSQL names in the error; "" when it names none."""
    diag = getattr(error.__cause__, "diag", None)
    return getattr(diag, "constraint_name", None) or ""


def client_create_ready(*, actor: Actor, **fields) -> Client:
    """Create a client that is ready when this returns (the CLI's path): check the input, make sure a
    pooled schema exists (migrating one here when the pool is empty), then claim it.

    Nothing is written when the input is refused; a failed migration leaves nothing behind.
    """
    client_create_check(**fields)
    while True:
        try:
            return client_create(require_pool=True, actor=actor, **fields).client
        except PoolEmpty:
            # No current pooled schema (none at all, or only ones behind the code): warm one. If
            # another process claims it first, the next round warms another.
            provisioning.tenant_pool_warm_one()


def engagement_start(*, client: Client, actor: Actor) -> Engagement:
    engagement = Engagement.objects.create(client=client, phase=Phase.DIAGNOSE)
    PhaseChange.objects.create(
        engagement=engagement, from_phase="", to_phase=Phase.DIAGNOSE, note="Engagement started.", **actor.as_fields()
    )
    return engagement


@transaction.atomic
def client_provision_retry(*, client: Client) -> Client:
    """Queue a failed client's provisioning again, re-reserving its domain."""
    client = Client.objects.select_for_update().get(pk=client.pk)
    if client.status != Client.Status.FAILED:
        raise Conflict(f"Only a failed client can be retried; this one is {client.status}.")
    if Domain.objects.filter(domain=client.requested_domain).exists():
        raise Conflict(f"The domain '{client.requested_domain}' was taken meanwhile; the client cannot be retried.")
    Domain.objects.create(domain=client.requested_domain, tenant=client, is_primary=True)
    client.status = Client.Status.PROVISIONING
    client.failure_reason = ""
    client.save(update_fields=["status", "failure_reason"])
    job_after_commit("engagements.tasks.client_provision", client.pk)
    return client


@transaction.atomic
def consultant_assign(*, client: Client, consultant: User, actor: Actor) -> Assignment:
    if not consultant.is_consultant:
        raise ValidationError({"email": [f"{consultant.email} is not a consultant."]})
    assignment, _ = Assignment.objects.get_or_create(consultant=consultant, client=client, defaults=actor.as_fields())
    return assignment


@transaction.atomic
def engagement_phase_change(*, client: Client, to: str, note: str = "", actor: Actor) -> PhaseChange:
    if to not in Phase.values:
        raise ValidationError({"to": [f"'{to}' is not a phase; choose one of {', '.join(Phase.values)}."]})
    engagement = Engagement.objects.select_for_update().get(client=client)
    if engagement.phase == to:
        raise Conflict(f"The engagement is already in the {to} phase.")
    change = PhaseChange.objects.create(
        engagement=engagement, from_phase=engagement.phase, to_phase=to, note=note, **actor.as_fields()
    )
    engagement.phase = to
    engagement.save(update_fields=["phase"])
    return change


def theater_check_record(*, client: Client, answers: list, note: str = "", actor: Actor) -> TheaterCheck:
    """METHOD.md section 1: six yes/no answers; score = number of yes; every check is kept."""
    if not isinstance(answers, list | tuple) or len(answers) != len(THEATER_SIGNS):
        raise ValidationError({"answers": [f"Give exactly {len(THEATER_SIGNS)} yes/no answers, in METHOD.md's order."]})
    if not all(isinstance(answer, bool) for answer in answers):
        raise ValidationError({"answers": ["Each answer must be true or false."]})
    return TheaterCheck.objects.create(
        engagement=client.engagement,
        answers=list(answers),
        score=sum(answers),
        note=note,
        **actor.as_fields(),
    )


# --- workspace members ----------------------------------------------------------------------------


def _membership_add(*, client: Client, user: User, role: str, actor: Actor) -> Membership:
    """Add a person and e-mail them: a link to set a password when they have none, else the sign-in
    address. The inviter learns nothing about the person's account: every answer is the same."""
    membership = Membership.objects.create(user=user, client=client, role=role, **actor.as_fields())
    _invitation_email(membership=membership, actor=actor)
    return membership


def _invitation_email(*, membership: Membership, actor: Actor) -> None:
    user, client = membership.user, membership.client
    token = None
    if not user.has_usable_password():
        links.links_close(
            user=user, purposes=[OneTimeLink.Purpose.INVITATION], client=client, reason=OneTimeLink.Closed.REPLACED
        )
        token = links.link_create(user=user, purpose=OneTimeLink.Purpose.INVITATION, client=client, actor=actor)
    emails.invitation_send(user=user, client=client, token=token, actor=actor)


def _client_lock(client: Client) -> Client:
    """Serialise changes to one client's people (no two removals can each leave the other admin)."""
    return Client.objects.select_for_update().get(pk=client.pk)


@transaction.atomic
def member_invite(*, client: Client, email: str, role: str, actor: Actor) -> Membership:
    """Add a person to a client's workspace; they get an invitation by e-mail (nothing is returned
    that the inviter could use to sign in as them)."""
    email = _email_clean(email)
    if role not in Membership.Role.values:
        raise ValidationError({"role": [f"'{role}' is not a role; choose client_admin or client_viewer."]})
    _client_lock(client)
    user = User.objects.filter(email=email).first()
    if user is not None and user.is_consultant:
        raise ValidationError({"email": [f"{email} is a consultant; consultants are assigned, not invited."]})
    if user is not None and Membership.objects.filter(user=user, client=client).exists():
        raise ValidationError({"email": [f"{email} is already a member of this workspace."]})
    if user is None:
        user = User.objects.create_user(email=email, password=None)
    return _membership_add(client=client, user=user, role=role, actor=actor)


@transaction.atomic
def member_invitation_resend(*, membership: Membership, actor: Actor) -> Membership:
    """Send a member's invitation again; an earlier link stops working."""
    membership = Membership.objects.select_related("user", "client").select_for_update().get(pk=membership.pk)
    if membership.joined_at is not None:
        raise Conflict(
            f"{membership.user.email} has already joined; if they forgot their password, "
            "they can reset it from the sign-in page."
        )
    sent_lately = OneTimeLink.objects.filter(
        user=membership.user,
        client=membership.client,
        purpose=OneTimeLink.Purpose.INVITATION,
        created_at__gt=timezone.now() - LINK_RESEND_COOLDOWN,
    )
    if sent_lately.exists():
        raise Conflict("The invitation was sent less than a minute ago; give it a moment to arrive.")
    _invitation_email(membership=membership, actor=actor)
    return membership


@transaction.atomic
def member_remove(*, membership: Membership, actor: Actor) -> None:
    _client_lock(membership.client)
    current = Membership.objects.filter(pk=membership.pk).select_related("user").first()
    if current is None:
        return  # removed meanwhile by someone else
    membership = current
    remaining_admins = (
        Membership.objects.filter(client=membership.client, role=Membership.Role.CLIENT_ADMIN)
        .exclude(pk=membership.pk)
        .count()
    )
    if membership.role == Membership.Role.CLIENT_ADMIN and remaining_admins == 0:
        raise Conflict("This is the workspace's last client admin; add another admin first.")
    links.links_close(
        user=membership.user,
        purposes=[OneTimeLink.Purpose.INVITATION, OneTimeLink.Purpose.PASSWORD_RESET],
        client=membership.client,
        reason=OneTimeLink.Closed.ACCESS_ENDED,
    )
    membership.delete()
    logger.info("%s removed %s from %s", actor, membership.user.email, membership.client.slug)


def membership_joined(*, user: User, client: Client) -> None:
    """The person signed in to this workspace: their membership is no longer just an invitation."""
    Membership.objects.filter(user=user, client=client, joined_at__isnull=True).update(joined_at=timezone.now())


# --- passwords and sign-in links ------------------------------------------------------------------


class LinkRefused(ApplicationError):
    """A one-time link that cannot be used; `reason` is LinkCheck.problem."""

    status_code = 410

    def __init__(self, reason: str):
        super().__init__(f"This link cannot be used ({reason}).")
        self.reason = reason


def user_may_sign_in_at(*, user: User, client: Client | None) -> bool:
    """Whether this person may sign in on this host: consultants on the public host and on their
    clients' hosts; members on their workspace's host."""
    if not user.is_active:
        return False
    if client is None:
        return user.is_consultant
    if user.is_consultant:
        return Assignment.objects.filter(consultant=user, client=client).exists()
    return Membership.objects.filter(user=user, client=client).exists()


# A person's reset (or invitation) link is not replaced again within this time: nobody can keep a
# person's latest link from working, or flood their inbox, by asking over and over.
LINK_RESEND_COOLDOWN = timedelta(minutes=1)


@transaction.atomic
def password_reset_request(*, email: str, client: Client | None, actor: Actor) -> None:
    """E-mail a reset link when this address belongs to someone who may sign in on this host; do
    nothing otherwise. It runs as a Celery job (engagements.tasks.password_reset_request), so the
    sign-in page's answer takes the same time whether or not the address has an account."""
    try:
        email = _email_clean(email)
    except ValidationError:
        return
    user = User.objects.filter(email=email).first()
    if user is None or not user_may_sign_in_at(user=user, client=client):
        return
    recent = OneTimeLink.objects.filter(
        user=user,
        purpose=OneTimeLink.Purpose.PASSWORD_RESET,
        client=client,
        closed_at__isnull=True,
        created_at__gt=timezone.now() - LINK_RESEND_COOLDOWN,
    )
    if recent.exists():
        return  # asked again within the cool-down: the link just sent stays the one that works
    links.links_close(
        user=user, purposes=[OneTimeLink.Purpose.PASSWORD_RESET], client=client, reason=OneTimeLink.Closed.REPLACED
    )
    token = links.link_create(user=user, purpose=OneTimeLink.Purpose.PASSWORD_RESET, client=client, actor=actor)
    emails.password_reset_send(user=user, client=client, token=token)


@transaction.atomic
def password_set_with_link(
    *, token: str, purpose: str, client: Client | None, password: str, address: str | None = None
) -> User:
    """Set a password through an invitation or reset link (spent here). Every other open invitation
    or reset link of the person closes, and a lock-out after wrong passwords is lifted for the
    address the person set it from (others who were guessing stay locked out)."""
    checked = links.link_spend(token=token, purpose=purpose, client=client)
    if checked.problem is not None:
        raise LinkRefused(checked.problem)
    assert checked.link is not None  # a link with no problem is usable, so it is there
    user = checked.link.user
    if not user_may_sign_in_at(user=user, client=client):
        raise LinkRefused(OneTimeLink.Closed.ACCESS_ENDED)
    _password_check(password, email=user.email, field="new_password1")
    user.set_password(password)
    user.save(update_fields=["password"])
    links.links_close(
        user=user,
        purposes=[OneTimeLink.Purpose.INVITATION, OneTimeLink.Purpose.PASSWORD_RESET],
        reason=OneTimeLink.Closed.PASSWORD_SET,
    )
    if address:
        axes_reset(ip=address, username=user.email)
    return user


def handover_create(*, consultant: User, client: Client, actor: Actor) -> str:
    """A short-lived, single-use token that signs this consultant in on this client's host."""
    if not user_may_sign_in_at(user=consultant, client=client) or not consultant.is_consultant:
        raise ValidationError("Only a consultant assigned to this client can open its workspace.")
    return links.link_create(user=consultant, purpose=OneTimeLink.Purpose.HANDOVER, client=client, actor=actor)


def handover_spend(*, token: str, client: Client) -> User:
    """The consultant a hand-over token signs in here; refused when replayed, expired, made for
    another host, or when the consultant is no longer assigned."""
    checked = links.link_spend(token=token, purpose=OneTimeLink.Purpose.HANDOVER, client=client)
    if checked.problem is not None:
        raise LinkRefused(checked.problem)
    assert checked.link is not None  # a link with no problem is usable, so it is there
    user = checked.link.user
    if not user.is_consultant or not user_may_sign_in_at(user=user, client=client):
        raise LinkRefused(OneTimeLink.Closed.ACCESS_ENDED)
    return user


def client_workspace_update(*, client: Client, name: str | None = None, currency: str | None = None) -> Client:
    """The client's own settings its people may change: its name and the currency money figures are
    shown in (ISO 4217)."""
    errors: dict[str, list[str]] = {}
    changes: dict[str, str] = {}
    if name is not None:
        name = name.strip()
        if problem := _client_name_problem(name):
            errors["name"] = [problem]
        changes["name"] = name
    if currency is not None:
        if not re.fullmatch(r"[A-Z]{3}", currency):
            errors["currency"] = ["A currency is a three-letter ISO 4217 code, e.g. EUR."]
        changes["currency"] = currency
    if errors:
        raise ValidationError(errors)
    if changes:
        Client.objects.filter(pk=client.pk).update(**changes)
        for field, value in changes.items():
            setattr(client, field, value)
    return client
