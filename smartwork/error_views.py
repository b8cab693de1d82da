"""The answers Django gives for a bad request, a refusal, a missing page and a server error: our own
pages, and on API paths the API's JSON shape ({"detail"}), so an integration never parses HTML."""

from django.http import JsonResponse
from django.views import defaults


def _api(request) -> bool:
    return request.path.startswith("/api/")


def bad_request(request, exception=None):
    if _api(request):
        return JsonResponse({"detail": "The request could not be read (malformed, or too large)."}, status=400)
    return defaults.bad_request(request, exception)


def permission_denied(request, exception=None):
    if _api(request):
        return JsonResponse({"detail": "You do not have access to this."}, status=403)
    return defaults.permission_denied(request, exception)


def page_not_found(request, exception=None):
    if _api(request):
        return JsonResponse({"detail": "Not found."}, status=404)
    return defaults.page_not_found(request, exception)


def server_error(request):
    if _api(request):
        return JsonResponse({"detail": "Something went wrong on our side; it has been logged."}, status=500)
    return defaults.server_error(request)
