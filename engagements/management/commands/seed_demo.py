from engagements.demo import demo_logins, demo_seed
from engagements.management.commands._base import ServiceCommand


class Command(ServiceCommand):
    help = "Fill a demo consultancy with two realistic clients (idempotent) and print the demo logins."

    def add_arguments(self, parser):
        parser.add_argument("--port", default="8000", help="The web server's port, for the printed URLs.")

    def run(self, *, port, **options):
        made = demo_seed(actor=self.actor)
        self.stdout.write("Demo: made " + ", ".join(made) + "." if made else "Demo: already there.")
        for line in demo_logins():
            self.stdout.write("  " + line.replace("PORT", str(port)))
