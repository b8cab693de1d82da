"""Expected refusals (4xx) are logged in one line without a traceback; server errors (5xx) keep theirs."""

import io
import logging
import sys
from contextlib import contextmanager

import pytest
from django.test import Client as HttpClient

from smartwork.logging import ClientErrorTracebackFilter
from tests.conftest import login


def record(name: str, status_code: int | None) -> logging.LogRecord:
    try:
        raise ValueError("what the handler caught")
    except ValueError:
        exc_info = sys.exc_info()
    made = logging.LogRecord(name, logging.WARNING, __file__, 1, "Refused: %s", ("/people/",), exc_info)
    if status_code is not None:
        made.status_code = status_code
    return made


@pytest.mark.parametrize(
    ("name", "status_code", "traceback_kept"),
    [
        ("django.request", 403, False),
        ("django.request", 404, False),
        ("django.security.DisallowedHost", 400, False),
        ("django.request", 500, True),
        ("django.request", None, True),
        ("engagements.provisioning", 404, True),
    ],
    ids=["403", "404", "security 400", "500", "no status", "another logger"],
)
def test_the_filter_drops_the_traceback_of_a_client_error_only(name, status_code, traceback_kept):
    made = record(name, status_code)
    assert ClientErrorTracebackFilter().filter(made) is True
    assert (made.exc_info is not None) == traceback_kept
    assert made.getMessage() == "Refused: /people/"


@contextmanager
def printed(logger_name: str):
    """What the configured stream handlers print for a record of `logger_name`: every StreamHandler on
    the way up from that logger (the ones LOGGING and Django set up) writes to one buffer meanwhile."""
    handlers = []
    logger = logging.getLogger(logger_name)
    while logger is not None:
        handlers += [handler for handler in logger.handlers if type(handler) is logging.StreamHandler]
        logger = logger.parent if logger.propagate else None
    assert handlers, f"no console handler prints {logger_name}"
    buffer = io.StringIO()
    streams = [handler.setStream(buffer) for handler in handlers]
    try:
        yield buffer
    finally:
        for handler, stream in zip(handlers, streams, strict=True):
            handler.setStream(stream)


@pytest.mark.parametrize("debug", [False, True], ids=["production", "DEBUG"])
def test_a_forbidden_page_is_logged_in_one_line(world, db, settings, debug):
    settings.DEBUG = debug
    viewer = HttpClient()
    login(viewer, host=world.a.domain, email=world.a.viewer.email)
    with printed("django.request") as output:
        assert viewer.get("/people/", HTTP_HOST=world.a.domain).status_code == 403
    assert output.getvalue() == "Forbidden (Permission denied): /people/\n"


def test_a_suspicious_request_is_logged_in_one_line(world, db, settings):
    too_many = {f"field{number}": "x" for number in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)}
    with printed("django.security.TooManyFieldsSent") as output:
        assert HttpClient().post("/login/", too_many, HTTP_HOST=world.a.domain).status_code == 400
    assert output.getvalue().startswith("The number of GET/POST parameters exceeded")
    assert output.getvalue().count("\n") == 1, output.getvalue()


def test_a_server_error_keeps_its_traceback():
    with printed("django.request") as output:
        try:
            raise RuntimeError("a bug")
        except RuntimeError:
            logging.getLogger("django.request").exception("Internal Server Error: /", extra={"status_code": 500})
    assert output.getvalue().startswith("Internal Server Error: /\nTraceback (most recent call last):")
    assert "RuntimeError: a bug" in output.getvalue()
