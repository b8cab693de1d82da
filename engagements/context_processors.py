"""What every page needs to know: which host it is on and the person's role there."""

from django.conf import settings

from smartwork.tenancy import on_public_host, request_tenant_role


def workspace(request) -> dict:
    public = on_public_host()
    return {
        "on_public_host": public,
        "workspace": None if public else getattr(request, "tenant", None),
        "workspace_role": None if public else request_tenant_role(request),
        "public_host": settings.PUBLIC_HOST,
    }
