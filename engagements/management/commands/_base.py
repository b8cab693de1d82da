"""Base of the CLI commands of API.md: bad input exits non-zero with one line, and changes nothing."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from smartwork.errors import ApplicationError, validation_error_message


class ServiceCommand(BaseCommand):
    """Subclasses implement run(**options); refused input becomes a one-line CommandError."""

    def handle(self, *args, **options):
        try:
            return self.run(**options)
        except ValidationError as error:
            raise CommandError(validation_error_message(error)) from None
        except ApplicationError as error:
            raise CommandError(error.message) from None

    def run(self, **options):
        raise NotImplementedError
