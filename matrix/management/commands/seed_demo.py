import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from config.formats import written
from matrix import demo
from matrix.models import Subject
from sharing import demo as sharing_demo
from sharing.models import Disclosure
from transparency.population_loader import SYNTHETIC_SAMPLE, load_population_file
from transparency.releases import latest_release, next_period, publish_release


class Command(BaseCommand):
    help = "Load demonstration users, published demo rules and obviously synthetic subjects. Safe to run twice."

    def add_arguments(self, parser):
        parser.add_argument("--subjects", type=int, default=0, help="Also bulk-generate this many scale-test subjects.")

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
        baseline = load_population_file(SYNTHETIC_SAMPLE)
        self.stdout.write(f"Synthetic sample population baseline (not census figures): {baseline.summary()}.")
        if subjects:
            self._write_scale_data(subjects, users)
        if (subjects or latest_release() is None) and next_period(timezone.localdate()) is not None:
            release = publish_release()
            self.stdout.write(f"Published statistics release of {written(release.produced_at)} (public page).")
        self.stdout.write(self.style.SUCCESS(f"Demo users (password {demo.DEMO_PASSWORD!r}):"))
        for username, role, boroughs, _staff in demo.DEMO_USERS:
            self.stdout.write(f"  {username:<22} {role:<11} {', '.join(boroughs) or 'no borough grant'}")

    def _write_scale_data(self, count: int, users: dict) -> None:
        # The benchmark's data generator: a developer's tool (bench/ is not in the container image).
        from bench import scale

        started = time.monotonic()
        totals = scale.generate(count, users["officer.hackney"], users["supervisor.hackney"], progress=self._progress)
        seconds = time.monotonic() - started
        self.stdout.write("")
        self.stdout.write(
            f"Scale data written: {totals.subjects} subjects, {totals.evidence} evidence items, "
            f"{totals.subject_history + totals.evidence_history} history rows, {totals.access_events} access-log "
            f"entries in {seconds:.1f}s ({totals.subjects / seconds if seconds else 0:,.0f} subjects/s)."
        )

    def _progress(self, done: int, total: int) -> None:
        width = 40
        filled = width * done // total
        self.stdout.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total}", ending="")
        self.stdout.flush()
