"""What every page needs to know: which host it is on, the person's role there, and for consultants
the workspaces they can switch to."""

from django.conf import settings

from engagements.models import Client
from smartwork.tenancy import on_public_host, public_url, request_tenant_role


def workspace(request) -> dict:
    public = on_public_host()
    user = getattr(request, "user", None)
    consultant = bool(user is not None and user.is_authenticated and getattr(user, "is_consultant", False))
    return {
        "on_public_host": public,
        "workspace": None if public else getattr(request, "tenant", None),
        "workspace_role": None if public else request_tenant_role(request),
        "public_host": settings.PUBLIC_HOST,
        "portfolio_url": public_url("/"),
        # The switcher lists clients on the consultancy's host only: a workspace's pages never carry
        # another client's name (tenant hosts link to the switcher page instead).
        "consultant_workspaces": _workspaces_of(user) if consultant and public else [],
    }


def _workspaces_of(consultant) -> list[Client]:  # also the switcher page's list
    """The ready clients assigned to this consultant, by name (the switcher's list)."""
    return list(
        Client.objects.filter(assignments__consultant=consultant, status=Client.Status.READY)
        .order_by("name")
        .prefetch_related("domains")
    )
