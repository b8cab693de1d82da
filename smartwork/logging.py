"""Logging helpers wired in settings.LOGGING: expected client errors (4xx) are logged in one line."""

import logging

# Django logs every 4xx/5xx answer on django.request, and refused requests (DisallowedHost, CSRF, ...)
# on django.security.<name>; for an exception it attaches the traceback.
REQUEST_LOGGERS = ("django.request", "django.security")


class ClientErrorTracebackFilter(logging.Filter):
    """Drop the traceback from a request's log record when its answer is a 4xx (PermissionDenied, Http404,
    SuspiciousOperation...): an expected refusal, not a bug. The one-line message stays; a 5xx keeps its
    traceback. Attach it to a handler: records of django.security's child loggers reach handlers only."""

    def filter(self, record: logging.LogRecord) -> bool:
        from_request = any(record.name == name or record.name.startswith(name + ".") for name in REQUEST_LOGGERS)
        status_code = getattr(record, "status_code", None)
        if from_request and isinstance(status_code, int) and status_code < 500:
            record.exc_info = None
            record.exc_text = None  # a handler that ran before may have cached the formatted traceback
        return True
