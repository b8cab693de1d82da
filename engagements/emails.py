"""E-mails to people about their own access: invitations and password resets.

A link in these e-mails is a credential: it goes to the person's own address only, is sent after the
transaction that made it commits, and is never shown to anyone else (page, API answer or CLI).
"""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string

from engagements.links import link_lifetime_words
from engagements.models import Client, OneTimeLink, User
from smartwork.actors import Actor
from smartwork.tenancy import public_url, workspace_url

logger = logging.getLogger(__name__)


def _send_after_commit(*, to: str, template: str, context: dict) -> None:
    subject, _, body = render_to_string(template, context).strip().partition("\n")

    def send() -> None:
        try:
            # One line of plain words, whatever a name in it holds: a subject never carries a header.
            send_mail(" ".join(subject.split()), body.strip() + "\n", settings.DEFAULT_FROM_EMAIL, [to])
        except Exception:
            # The change is made; the person can ask again (resend, or "forgot password").
            logger.exception("Sending %s to a person failed", template)

    transaction.on_commit(send)


def invitation_send(*, user: User, client: Client, token: str | None, actor: Actor) -> None:
    """Tell a person they were added to a workspace: with a link to set a password when they have
    none yet, else with the workspace's sign-in address."""
    _send_after_commit(
        to=user.email,
        template="emails/invitation.txt",
        context={
            "client": client,
            # A person who invited is named; a key, a command or a job is not someone to know.
            "inviter": actor.label if actor.is_person else None,
            "link": workspace_url(client, f"/invite/{token}/") if token else None,
            "sign_in": workspace_url(client, "/login/"),
            "lifetime": link_lifetime_words(OneTimeLink.Purpose.INVITATION),
        },
    )


def password_reset_send(*, user: User, client: Client | None, token: str) -> None:
    path = f"/reset/{token}/"
    _send_after_commit(
        to=user.email,
        template="emails/password_reset.txt",
        context={
            "client": client,
            "link": workspace_url(client, path) if client else public_url(path),
            "lifetime": link_lifetime_words(OneTimeLink.Purpose.PASSWORD_RESET),
        },
    )
