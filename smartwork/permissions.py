"""Permission classes: one for consultants on the public host, one for roles and key scopes on tenant hosts."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from rest_framework.permissions import SAFE_METHODS, BasePermission

from smartwork.tenancy import ANY_ROLE, ApiKeyPrincipal, on_public_host, request_tenant_role


class DenyAll(BasePermission):
    """The default: a view that does not say who may use it serves nobody."""

    def has_permission(self, request, view) -> bool:
        return False


class IsConsultant(BasePermission):
    """Consultancy staff on the public host (session or personal token)."""

    message = "Only consultants can use the public API."

    def has_permission(self, request, view) -> bool:
        user = request.user
        return on_public_host() and bool(user and user.is_authenticated and getattr(user, "is_consultant", False))


class TenantAccess(BasePermission):
    """On a tenant host: people by role, API keys by scope, as the view declares.

    A view sets `read_roles` / `write_roles` (roles allowed for safe / unsafe methods) and
    `read_key_scope` / `write_key_scope` (the lowest key scope allowed, or None: keys refused).
    """

    message = "You do not have access to this in this workspace."
    scope_rank = {"read": 0, "write": 1, "admin": 2}

    def has_permission(self, request, view) -> bool:
        if on_public_host():
            return False
        safe = request.method in SAFE_METHODS
        if isinstance(request.user, ApiKeyPrincipal):
            needed = getattr(view, "read_key_scope" if safe else "write_key_scope", None)
            if needed is None:
                self.message = "API keys cannot do this; a person must."
                return False
            if self.scope_rank[request.user.scope] < self.scope_rank[needed]:
                self.message = f"This needs an API key with the {needed} scope."
                return False
            return True
        roles = getattr(view, "read_roles" if safe else "write_roles", ANY_ROLE if safe else frozenset())
        role = request_tenant_role(request)
        if role is None:
            return False
        if role not in roles:
            self.message = "Your role in this workspace does not allow this."
            return False
        return True


# --- pages ----------------------------------------------------------------------------------------


def _page_guard(allowed):
    """A view decorator: anonymous people go to the login page; people without access get 403."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not allowed(request):
                raise PermissionDenied("You do not have access to this page.")
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


consultant_page = _page_guard(lambda request: on_public_host() and request.user.is_consultant)


def workspace_page(roles=ANY_ROLE):
    """A tenant-host page for people with one of `roles` in this workspace."""
    return _page_guard(lambda request: not on_public_host() and request_tenant_role(request) in roles)
