"""Reads of tenant API keys."""

from django.db.models import QuerySet
from django.http import Http404

from apikeys.models import ApiKey


def api_key_list() -> QuerySet[ApiKey]:
    return ApiKey.objects.order_by("-created")


def api_key_get(*, prefix: str) -> ApiKey:
    key = ApiKey.objects.filter(prefix=prefix).first()
    if key is None:
        raise Http404("No such API key in this workspace.")
    return key
