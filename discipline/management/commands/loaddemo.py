from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from discipline.demo import DEMO_AUTHORITY_NAME, DEMO_PASSWORD, DEMO_USERS, load_demo


class Command(BaseCommand):
    help = (
        "Load the demo district (Vĩnh Hưng, 2018, fictional people) with its users, visits and "
        "violations. Idempotent: a second run changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Load even when DEBUG is off (the demo logins have published passwords).",
        )

    def handle(self, *args, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "Refusing to load demo data with DEBUG off: its logins have published passwords. "
                "Use --force if this really is a demo installation."
            )
        created = load_demo()
        if created:
            self.stdout.write(self.style.SUCCESS(f"Loaded demo data: {created}."))
        else:
            self.stdout.write(
                f"Demo data already present ({DEMO_AUTHORITY_NAME}); nothing changed."
            )
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for username, description in DEMO_USERS.items():
            self.stdout.write(f"  {username:<10} {description}")
