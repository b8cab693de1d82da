from engagements import services
from engagements.management.commands._base import ServiceCommand


class Command(ServiceCommand):
    help = "Create a consultant (consultancy staff user)."

    def add_arguments(self, parser):
        parser.add_argument("--email", required=True)
        parser.add_argument("--password", required=True)
        parser.add_argument("--name", default="")

    def run(self, *, email, password, name, **options):
        user = services.consultant_create(email=email, password=password, full_name=name)
        self.stdout.write(f"Consultant {user.email} created.")
