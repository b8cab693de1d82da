"""Request guards around the tenant: only ready tenants are served; a session works on its own host only."""

from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string

from smartwork.tenancy import current_schema_name

SESSION_SCHEMA_KEY = "sw_schema"


class TenantReadinessMiddleware:
    """A client whose schema is still being provisioned (or failed) shows a status page, never its workspace."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        tenant = getattr(request, "tenant", None)
        status = getattr(tenant, "status", None)
        if tenant is not None and status is not None and status != "ready":
            being_set_up = status == "provisioning"
            if request.path.startswith("/api/"):
                detail = (
                    "This workspace is being set up; try again in a few seconds."
                    if being_set_up
                    else "This workspace is not available; ask your consultant."
                )
                response: HttpResponse = JsonResponse(
                    {"detail": detail, "status": "provisioning" if being_set_up else "unavailable"}, status=503
                )
            else:
                # No request context: this runs before sessions and users exist for the request.
                page = render_to_string("engagements/workspace_unavailable.html", {"client": tenant})
                response = HttpResponse(page, status=503)
            if being_set_up:
                response["Retry-After"] = "5"
            return response
        return self.get_response(request)


def session_bind_to_host(request) -> None:
    """Called at login: this session now belongs to the schema (host) it was made on."""
    request.session[SESSION_SCHEMA_KEY] = current_schema_name()


class HostBoundSessionMiddleware:
    """A session cookie replayed on another tenant's host is treated as no session at all."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        bound_elsewhere = request.session.get(SESSION_SCHEMA_KEY) != current_schema_name()
        if user is not None and user.is_authenticated and bound_elsewhere:
            request.user = AnonymousUser()
            request._cached_user = request.user
        return self.get_response(request)
