from engagements import provisioning
from engagements.invitations import invitation_path
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
        client = provisioning.client_create_ready(**fields)
        self.stdout.write(f"Client {client.name} ({client.slug}) is ready at {client.primary_domain}.")
        admin = client.memberships.select_related("user").filter(user__email=options["admin_email"]).first()
        if admin is not None and not admin.user.has_usable_password():
            link = f"http://{client.primary_domain}{invitation_path(admin.user)}"
            self.stdout.write(f"Send {admin.user.email} this link to set a password: {link}")
