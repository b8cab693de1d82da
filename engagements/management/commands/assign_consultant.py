from django.core.exceptions import ValidationError

from engagements import services
from engagements.management.commands._base import ServiceCommand
from engagements.models import Client


class Command(ServiceCommand):
    help = "Give a consultant access to a client."

    def add_arguments(self, parser):
        parser.add_argument("--email", required=True)
        parser.add_argument("--client", required=True, help="The client's slug.")

    def run(self, *, email, client, **options):
        consultant = services.consultant_get(email=email)
        found = Client.objects.filter(slug=client).first()
        if found is None:
            raise ValidationError({"client": [f"No client has the slug '{client}'."]})
        services.consultant_assign(client=found, consultant=consultant, actor=self.actor)
        self.stdout.write(f"{consultant.email} is assigned to {found.name}.")
