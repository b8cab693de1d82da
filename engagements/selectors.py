"""Reads of the public schema that carry an access check: fetch and permission in one place."""

from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.http import Http404

from engagements.models import THEATER_AT_RISK_SCORE, Client, ConsultantToken, Membership, TheaterCheck, User


def client_list_for_consultant(*, consultant: User) -> QuerySet[Client]:
    """The clients assigned to this consultant (never pooled rows), with their latest theater score."""
    latest_score = TheaterCheck.objects.filter(engagement__client=OuterRef("pk")).order_by("-answered_at", "-id")
    return (
        Client.objects.filter(assignments__consultant=consultant)
        .exclude(status__in=[Client.Status.POOLED, Client.Status.WARMING])
        .select_related("engagement")
        .prefetch_related("domains", "assignments__consultant")
        .annotate(theater_score=Subquery(latest_score.values("score")[:1]))
        .order_by("name")
    )


def client_get_for_consultant(*, consultant: User, slug: str) -> Client:
    """The client with this slug if it is assigned to the consultant; 404 otherwise (no hint it exists)."""
    client = client_list_for_consultant(consultant=consultant).filter(slug=slug).first()
    if client is None:
        raise Http404("No such client among yours.")
    return client


def membership_list(*, client: Client) -> QuerySet[Membership]:
    return Membership.objects.filter(client=client).select_related("user").order_by("user__email")


def membership_get(*, client: Client, membership_id) -> Membership:
    """A membership of this client only: another client's id is a 404."""
    try:
        return membership_list(client=client).get(pk=int(membership_id))
    except (ValueError, TypeError, Membership.DoesNotExist):
        raise Http404("No such member in this workspace.") from None


def portfolio(*, consultant: User) -> list[dict]:
    """One row per assigned client with the figures it can have so far.

    Outcome figures (hours and money recovered in 90 days, alerts, reports) come from step 3; until a
    client has measured outcomes they are None, never a made-up zero.
    """
    clients = client_list_for_consultant(consultant=consultant).annotate(members=Count("memberships", distinct=True))
    return [
        {
            "slug": client.slug,
            "name": client.name,
            "domain": client.primary_domain,
            "status": client.status,
            "phase": client.engagement.phase,
            "theater_score": client.theater_score,
            "theater_at_risk": None if client.theater_score is None else client.theater_score >= THEATER_AT_RISK_SCORE,
            "hours_recovered_90d": None,
            "money_90d": None,
            "currency": client.currency,
            "open_alerts": 0,
            "last_report_at": None,
            "members": client.members,
            "consultants": sorted(assignment.consultant.email for assignment in client.assignments.all()),
        }
        for client in clients
    ]


def consultant_token_list(*, consultant: User) -> QuerySet[ConsultantToken]:
    """The consultant's own personal tokens, newest first (revoked ones too, marked)."""
    return ConsultantToken.objects.filter(user=consultant).order_by("-created")


def consultant_token_get(*, consultant: User, token_id) -> ConsultantToken:
    """One of the consultant's own tokens by its public id (prefix); anyone else's is a 404."""
    token = consultant_token_list(consultant=consultant).filter(prefix=str(token_id)).first()
    if token is None:
        raise Http404("No such token among yours.")
    return token
