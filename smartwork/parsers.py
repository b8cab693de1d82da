"""The API's JSON parser, with limits checked before and while parsing (a module of its own: DRF
imports it while loading its views, so it must not import them)."""

import json

from django.conf import settings
from rest_framework import exceptions, parsers


class BodyTooLarge(exceptions.APIException):
    status_code = 413
    default_code = "too_large"


def _depth_within(value, limit: int) -> bool:
    """Whether nested lists and objects go no deeper than `limit` (iterative: no recursion to exhaust)."""
    pending = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, dict | list):
            if depth > limit:
                return False
            children = item.values() if isinstance(item, dict) else item
            pending.extend((child, depth + 1) for child in children)
    return True


class LimitedJSONParser(parsers.JSONParser):
    """JSON bodies up to settings.API_MAX_JSON_BYTES, refused before parsing when larger (413), and
    nested no deeper than settings.API_MAX_JSON_DEPTH (400); malformed JSON is a 400, never a 500."""

    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.API_MAX_JSON_BYTES
        request = (parser_context or {}).get("request")
        declared = request.META.get("CONTENT_LENGTH") if request is not None else None
        too_large = BodyTooLarge(f"A JSON body has at most {limit:,} bytes.")
        if declared and declared.isdigit() and int(declared) > limit:
            raise too_large
        raw = stream.read(limit + 1) if stream is not None else b""
        if len(raw) > limit:
            raise too_large
        try:
            data = json.loads(raw.decode(settings.DEFAULT_CHARSET), parse_constant=_no_constant)
        except RecursionError:
            data = None
            depth_ok = False
        except (ValueError, UnicodeDecodeError) as error:
            raise exceptions.ParseError(f"The body is not valid JSON: {error}") from None
        else:
            depth_ok = _depth_within(data, settings.API_MAX_JSON_DEPTH)
        if not depth_ok:
            raise exceptions.ParseError(f"The JSON body is nested deeper than {settings.API_MAX_JSON_DEPTH} levels.")
        return data


def _no_constant(name: str):
    raise ValueError(f"{name} is not a JSON number")
