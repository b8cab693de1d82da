from django.core.exceptions import ValidationError
from django_tenants.utils import tenant_context

from apikeys import services as apikey_services
from engagements.management.commands._base import ServiceCommand
from engagements.models import Client


class Command(ServiceCommand):
    help = "Create an API key for a client; the key is printed alone on the last line (shown once)."

    def add_arguments(self, parser):
        parser.add_argument("--client", required=True, help="The client's slug.")
        parser.add_argument("--name", required=True)
        parser.add_argument("--scope", default="write", help="read, write (default) or admin.")

    def run(self, *, client, name, scope, **options):
        found = Client.objects.filter(slug=client, status=Client.Status.READY).first()
        if found is None:
            raise ValidationError({"client": [f"No ready client has the slug '{client}'."]})
        with tenant_context(found):
            api_key, key = apikey_services.api_key_create(name=name, scope=scope, actor=self.actor)
        self.stdout.write(f"API key '{api_key.name}' ({api_key.scope}) for {found.name}; it is shown once:")
        self.stdout.write(key)
