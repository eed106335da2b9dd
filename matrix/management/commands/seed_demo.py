from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from matrix import demo
from matrix.models import Subject
from sharing import demo as sharing_demo
from sharing.models import Disclosure


class Command(BaseCommand):
    help = "Load demonstration users, published demo rules and obviously synthetic subjects. Safe to run twice."

    def add_arguments(self, parser):
        parser.add_argument(
            "--subjects", type=int, default=0, help="Also bulk-generate this many scale-test subjects."
        )

    def handle(self, *args, subjects: int, **options):
        if settings.PRODUCTION:
            raise CommandError("seed_demo refuses to run in production mode: demo accounts have a published password.")
        if subjects < 0:
            raise CommandError("--subjects must be zero or more.")
        users = demo.ensure_users()
        demo.ensure_reference_rules(users["dpo"])
        demo_authors = [name for name in users if name.startswith("officer.")]
        if Subject.objects.filter(created_by__username__in=demo_authors).exists():
            self.stdout.write("Demo subjects already present; left as they are.")
        else:
            count = demo.create_demo_subjects(users)
            self.stdout.write(f"Created {count} demo subjects in Hackney and Southwark.")
        agreements = sharing_demo.ensure_agencies(users, users["dpo"])
        if not Disclosure.objects.exists():
            count = sharing_demo.create_demo_disclosures(users, agreements[0])
            self.stdout.write(f"Created {count} demo disclosures to {agreements[0].partner}.")
        if subjects:
            totals = demo.generate_scale_subjects(
                subjects, users["officer.hackney"], users["supervisor.hackney"], progress=self._progress
            )
            self.stdout.write("")
            self.stdout.write(f"Scale data written: {totals['subjects']} subjects, {totals['evidence']} evidence items.")
        self.stdout.write(self.style.SUCCESS(f"Demo users (password {demo.DEMO_PASSWORD!r}):"))
        for username, role, boroughs, _staff in demo.DEMO_USERS:
            self.stdout.write(f"  {username:<22} {role:<11} {', '.join(boroughs) or 'no borough grant'}")

    def _progress(self, done: int, total: int) -> None:
        width = 40
        filled = width * done // total
        self.stdout.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total}", ending="")
        self.stdout.flush()
