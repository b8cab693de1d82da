"""One error shape for the whole API: domain errors, Django's and DRF's become DRF's usual bodies."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler


class ApplicationError(Exception):
    """A domain error a person can act on. Subclasses set the HTTP status."""

    status_code: int = status.HTTP_400_BAD_REQUEST
    code: str = "invalid"

    def __init__(self, message: str, *, details: dict | None = None):
        super().__init__(message)
        self.message = message
        self.details = details or {}


class Conflict(ApplicationError):
    """The current state forbids the change."""

    status_code = status.HTTP_409_CONFLICT
    code = "conflict"


def validation_error_message(error: DjangoValidationError) -> str:
    """One line for a person (the CLI prints it): 'field: message' pairs joined."""
    if hasattr(error, "error_dict"):
        return "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in error.message_dict.items())
    return " ".join(error.messages)


def api_exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        body = exc.message_dict if hasattr(exc, "error_dict") else {"detail": " ".join(exc.messages)}
        return Response(body, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, ApplicationError):
        return Response({"detail": exc.message, "code": exc.code, **exc.details}, status=exc.status_code)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    return exception_handler(exc, context)
