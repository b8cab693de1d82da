from engagements import services
from engagements.management.commands._base import ServiceCommand


class Command(ServiceCommand):
    help = "Create a consultant's personal API token; it is printed alone on the last line (shown once)."

    def add_arguments(self, parser):
        parser.add_argument("--email", required=True)
        parser.add_argument("--name", default="personal token")

    def run(self, *, email, name, **options):
        consultant = services.consultant_get(email=email)
        _, key = services.consultant_token_create(consultant=consultant, name=name)
        self.stdout.write(f"Token for {consultant.email}; it is shown once:")
        self.stdout.write(key)
