"""One-time links: invitations, password resets and a consultant's sign-in hand-over to a workspace.

A link is a random token for one person, one purpose and one host (a client's, or the public host),
valid until it expires and spent by its first use. Only the token's SHA-256 is stored (the token
has 256 random bits, so a fast hash is enough). A link that cannot be used says why: expired,
already used, replaced by a newer one, or unknown here (which is also what another host's link is,
so a link tells nothing on a host it was not made for).
"""

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from engagements.models import Client, OneTimeLink, User
from smartwork.actors import Actor

TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{20,100}$")


def link_lifetime(purpose: str) -> timedelta:
    """How long a new link of this purpose works (settings; the pages and e-mails say it)."""
    if purpose == OneTimeLink.Purpose.INVITATION:
        return timedelta(hours=settings.INVITATION_LINK_HOURS)
    if purpose == OneTimeLink.Purpose.PASSWORD_RESET:
        return timedelta(hours=settings.PASSWORD_RESET_LINK_HOURS)
    return timedelta(seconds=settings.HANDOVER_LINK_SECONDS)


def link_lifetime_words(purpose: str) -> str:
    """How long a new link of this purpose works, as the pages and e-mails say it: "1 hour",
    "5 hours", "3 days"."""
    hours = link_lifetime(purpose).total_seconds() / 3600
    if hours >= 48 and hours % 24 == 0:
        return f"{int(hours // 24)} days"
    if hours < 1:
        minutes = round(hours * 60)
        return "1 minute" if minutes == 1 else f"{minutes} minutes"
    return "1 hour" if hours == 1 else f"{hours:g} hours"


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def link_create(*, user: User, purpose: str, client: Client | None, actor: Actor) -> str:
    """A new link; returns its token, which only the person it is for may ever see."""
    token = secrets.token_urlsafe(32)
    OneTimeLink.objects.create(
        token_hash=_token_hash(token),
        purpose=purpose,
        user=user,
        client=client,
        expires_at=timezone.now() + link_lifetime(purpose),
        **actor.as_fields(),
    )
    return token


@dataclass(frozen=True)
class LinkCheck:
    """What a link is worth on this host now: `link` when usable, else `problem` says why not."""

    link: OneTimeLink | None
    problem: str | None  # None, "unknown", "expired" or a OneTimeLink.Closed value

    @property
    def usable(self) -> bool:
        return self.problem is None


def _check(link: OneTimeLink | None, *, client: Client | None) -> LinkCheck:
    if link is None or link.client_id != (client.pk if client else None):
        return LinkCheck(None, "unknown")
    if link.closed_at is not None:
        return LinkCheck(link, link.closed_reason)
    if link.expires_at <= timezone.now():
        return LinkCheck(link, "expired")
    return LinkCheck(link, None)


def _candidates(*, token: str, purpose: str):
    if not isinstance(token, str) or not TOKEN_RE.match(token):
        return OneTimeLink.objects.none()
    return OneTimeLink.objects.select_related("user").filter(token_hash=_token_hash(token), purpose=purpose)


def link_check(*, token: str, purpose: str, client: Client | None) -> LinkCheck:
    """Look at a link without spending it (the page that shows the form)."""
    return _check(_candidates(token=token, purpose=purpose).first(), client=client)


def link_spend(*, token: str, purpose: str, client: Client | None) -> LinkCheck:
    """Spend a link: usable once, whatever requests race for it (the row is locked)."""
    with transaction.atomic():
        checked = _check(_candidates(token=token, purpose=purpose).select_for_update().first(), client=client)
        if checked.usable:
            link = checked.link
            assert link is not None  # _check gives every usable answer its link
            link.closed_at, link.closed_reason = timezone.now(), OneTimeLink.Closed.USED
            link.save(update_fields=["closed_at", "closed_reason"])
    return checked


def links_close(*, user: User, purposes: list[str], reason: str, client: Client | None = None) -> int:
    """Close a person's open links of these purposes (on one client's host, or on every host)."""
    links = OneTimeLink.objects.filter(user=user, purpose__in=purposes, closed_at__isnull=True)
    if client is not None:
        links = links.filter(client=client)
    return links.update(closed_at=timezone.now(), closed_reason=reason)


# Spent or expired links are kept this long (what happened to a link can be told for a while), then purged.
LINKS_KEPT_FOR = timedelta(days=30)


def links_purge() -> int:
    """Delete links that stopped working more than LINKS_KEPT_FOR ago (hand-overs add one per
    "Open workspace"); returns how many went."""
    cutoff = timezone.now() - LINKS_KEPT_FOR
    ended = OneTimeLink.objects.filter(closed_at__lt=cutoff) | OneTimeLink.objects.filter(expires_at__lt=cutoff)
    deleted, _ = ended.delete()
    return deleted
