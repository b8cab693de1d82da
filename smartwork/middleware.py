"""Request guards of the project: NUL bytes refused before any work, an unknown host answered in the
caller's language, and our own 405 page."""

from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django_tenants.middleware.main import TenantMainMiddleware


def _has_nul(value) -> bool:
    return isinstance(value, str) and ("\x00" in value or "%00" in value.lower())


class RequestSanityMiddleware:
    """A NUL byte in the path, the query string or a header is never meaningful: refuse it with 400
    before the tenant is looked up (PostgreSQL cannot store NUL in text, so it must never get there).
    NUL inside a body is refused by the forms' and serializers' own validators."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        meta = request.META
        suspect = [meta.get("PATH_INFO", ""), meta.get("QUERY_STRING", "")]
        suspect += [value for key, value in meta.items() if key.startswith("HTTP_")]
        if any(_has_nul(value) for value in suspect):
            message = "The request contains a NUL byte (in its address or a header); it was refused."
            if meta.get("PATH_INFO", "").startswith("/api/"):
                return JsonResponse({"detail": message, "code": "nul_byte"}, status=400)
            return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")
        return self.get_response(request)


class HostTenantMiddleware(TenantMainMiddleware):
    """django-tenants' host routing; a host no client has answers 404, in JSON on API paths."""

    def no_tenant_found(self, request, hostname):
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": "No workspace answers at this address.", "code": "unknown_host"}, status=404)
        return super().no_tenant_found(request, hostname)


class NotAllowedPageMiddleware:
    """A page address asked with a method it does not take answers our own 405 page, not an empty
    body (API answers keep DRF's JSON)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 405 and not request.path.startswith("/api/") and not response.content:
            allowed = response.get("Allow", "")
            page = render(request, "405.html", {"method": request.method, "allowed": allowed}, status=405)
            page["Allow"] = allowed
            return page
        return response
