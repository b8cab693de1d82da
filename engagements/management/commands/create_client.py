from engagements import services
from engagements.management.commands._base import ServiceCommand


class Command(ServiceCommand):
    help = "Provision a client tenant (schema) with its domain, optionally its first admin and a consultant."

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True)
        parser.add_argument("--slug", required=True)
        parser.add_argument("--domain", required=True)
        parser.add_argument("--admin-email")
        parser.add_argument("--admin-password")
        parser.add_argument("--consultant-email")

    def run(self, **options):
        fields = {
            key: options[key] for key in ("name", "slug", "domain", "admin_email", "admin_password", "consultant_email")
        }
        client = services.client_create_ready(actor=self.actor, **fields)
        self.stdout.write(f"Client {client.name} ({client.slug}) is ready at {client.primary_domain}.")
        if options["admin_email"]:
            # The invitation (with a link to set a password when needed) went to the admin's own
            # address; no link is ever printed.
            self.stdout.write(f"An invitation was e-mailed to {options['admin_email'].strip().lower()}.")
