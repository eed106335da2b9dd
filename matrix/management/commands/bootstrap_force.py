"""First run of a real force: the starting reference data as drafts, then the first administrator."""

import getpass
import os

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from matrix import bootstrap
from matrix.retention import system_user

PASSWORD_VARIABLE = "GOVMATRIX_ADMIN_PASSWORD"
ATTEMPTS = 3
NO_INPUT = (
    "No answer could be read. Without a terminal, give --admin-username and --admin-email, with the password in "
    f"the {PASSWORD_VARIABLE} environment variable."
)
NEXT_STEPS = (
    "Sign in as the administrator at /sign-in/ and open /people/ to create the data protection officer's account "
    "and the staff accounts, with their roles and boroughs.",
    "The data protection officer reads each draft inclusion criterion and the draft harm scoring method on the "
    "reference data page (/governance/reference-data/), changes any that need it in /admin/, and publishes them "
    "there. Until a criterion is published, no record can be submitted.",
    "The data protection officer registers the partner agencies on the same page, then records each one's "
    "information-sharing agreement in /admin/ before anything is shared.",
)


class Command(BaseCommand):
    help = (
        "First run of a real force: load the starting inclusion criteria, offence types and harm scoring method as "
        "drafts for the data protection officer to publish (published versions are never touched), then create the "
        "first administrator. Safe to run twice."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--admin-username",
            help=f"Create the first administrator without prompting: needs --admin-email and {PASSWORD_VARIABLE}.",
        )
        parser.add_argument("--admin-email", help="The first administrator's email address (with --admin-username).")

    def handle(self, *args, admin_username=None, admin_email=None, **options):
        # Everything about the administrator is asked and checked first, so a refusal leaves nothing half done.
        administrator = None if bootstrap.administrator_exists() else self._administrator(admin_username, admin_email)
        actor = system_user(bootstrap.SYSTEM_USERNAME)
        reports = [
            bootstrap.draft_starting_criteria(acting_user=actor),
            bootstrap.draft_starting_harm_method(acting_user=actor),
            bootstrap.lawful_bases_report(),
        ]
        for report in reports:
            self._write(report.heading, report.lines)
        created = sum(report.created for report in reports)
        if administrator is None:
            self._write("First administrator", ["Skipped: an active administrator already exists."])
        else:
            user = bootstrap.create_first_administrator(**administrator, acting_user=actor)
            created += 1
            self._write("First administrator", [f"Created {user.get_username()} ({user.email})."])
        if not created:
            self.stdout.write(self.style.SUCCESS("Nothing new was created: everything above was already in place."))
        awaiting = sum(len(report.awaiting_publication) for report in reports)
        if awaiting:
            self.stdout.write(f"{awaiting} draft(s) await the data protection officer's publication.")
        self._write("Next steps", [f"{number}. {step}" for number, step in enumerate(NEXT_STEPS, start=1)])

    def _write(self, heading: str, lines) -> None:
        self.stdout.write(self.style.MIGRATE_HEADING(heading))
        for line in lines:
            self.stdout.write(f"  {line}")

    def _administrator(self, username, email) -> dict:
        if username is None and email is None:
            return self._ask_administrator()
        if not (username and email):
            raise CommandError("Give both --admin-username and --admin-email, or neither to be asked.")
        password = os.environ.get(PASSWORD_VARIABLE)
        if not password:
            raise CommandError(f"Set {PASSWORD_VARIABLE} to the first administrator's password.")
        try:
            username = bootstrap.check_administrator_username(username)
            email = bootstrap.check_administrator_email(email)
            bootstrap.check_administrator_password(password, username=username, email=email)
        except ValidationError as error:
            raise CommandError(f"Nothing was written. {' '.join(error.messages)}") from error
        return {"username": username, "email": email, "password": password}

    def _ask_administrator(self) -> dict:
        self.stdout.write("No administrator exists yet. Create the first one (they create everyone else's accounts).")
        username = self._ask("Username: ", bootstrap.check_administrator_username)
        email = self._ask("Email address: ", bootstrap.check_administrator_email)
        return {"username": username, "email": email, "password": self._ask_password(username, email)}

    def _ask(self, prompt: str, check):
        for _attempt in range(ATTEMPTS):
            try:
                answer = input(prompt)
            except EOFError as error:
                raise CommandError(NO_INPUT) from error
            try:
                return check(answer)
            except ValidationError as error:
                self.stderr.write(" ".join(error.messages))
        raise CommandError(f"No acceptable answer after {ATTEMPTS} tries; nothing was written.")

    def _ask_password(self, username: str, email: str) -> str:
        for _attempt in range(ATTEMPTS):
            try:
                password = getpass.getpass("Password: ")
                repeated = getpass.getpass("Password (again): ")
            except EOFError as error:
                raise CommandError(NO_INPUT) from error
            if password != repeated:
                self.stderr.write("The two passwords differ. Try again.")
                continue
            try:
                bootstrap.check_administrator_password(password, username=username, email=email)
            except ValidationError as error:
                self.stderr.write(" ".join(error.messages))
            else:
                return password
        raise CommandError(f"No acceptable password after {ATTEMPTS} tries; nothing was written.")
