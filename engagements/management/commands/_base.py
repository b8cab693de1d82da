"""Base of the CLI commands of API.md: bad input exits non-zero with one line, and changes nothing."""

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from smartwork.actors import Actor
from smartwork.errors import ApplicationError, validation_error_message


class OneLineErrorParser(CommandParser):
    """Django's parser, except that from the command line a usage error (a missing or unknown option, a
    bad value) is one line on stderr and exit code 2, without argparse's usage block. From
    call_command it still raises CommandError."""

    def error(self, message):
        if not self.called_from_command_line:
            super().error(message)  # raises CommandError
        self.exit(2, f"{self.prog.split()[-1]}: error: {message}\n")


class OneLineUsageErrors(BaseCommand):
    """A BaseCommand whose parser reports usage errors in one line (OneLineErrorParser)."""

    def create_parser(self, prog_name, subcommand, **kwargs):
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        # BaseCommand.create_parser builds a CommandParser and offers no hook for another class; the
        # subclass only overrides error(), so switching the class of the built parser is safe.
        parser.__class__ = OneLineErrorParser
        return parser


class ServiceCommand(OneLineUsageErrors, BaseCommand):
    """Subclasses implement run(**options); refused input becomes a one-line CommandError."""

    @property
    def actor(self) -> Actor:
        """Who the command's writes are recorded as: the command itself."""
        return Actor.cli(self.__module__.rsplit(".", 1)[-1])

    def handle(self, *args, **options):
        try:
            return self.run(**options)
        except ValidationError as error:
            raise CommandError(validation_error_message(error)) from None
        except ApplicationError as error:
            raise CommandError(error.message) from None

    # Typed (*args: Any, **options: Any), mypy accepts any signature in a subclass: each command's
    # run() names the options it takes as keyword arguments.
    def run(self, *args: Any, **options: Any) -> str | None:
        raise NotImplementedError
