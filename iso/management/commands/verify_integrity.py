"""manage.py verify_integrity [--backup DIR]: after a restore, prove the data is what was kept."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from iso.backup import BackupError, backup_check, chains_match
from iso.integrity import verify_chains, verify_files, verify_states


class Command(BaseCommand):
    help = (
        "Check the database and MEDIA_ROOT this process points at: the hash chains of the transition log, "
        "of the field changes and of the electronic signatures, every stored file (present, and its SHA-256 where the register keeps one), and "
        "the state of every state-machine record. With --backup, also that the logs hold the entries the "
        "backup's manifest recorded. Exits non-zero naming each problem."
    )

    def add_arguments(self, parser):
        parser.add_argument("--backup", type=Path, help="the backup folder this database was restored from")

    def handle(self, *args, backup: Path | None = None, **options):
        problems = []
        for report in verify_chains():
            if report.intact:
                self.stdout.write(f"{report.name}: {report.verified} entries verified.")
            else:
                problems.append(f"{report.name}: {report.problem}")
        files = verify_files()
        self.stdout.write(f"files: {files.checked} present, {files.hashed} SHA-256 checked.")
        problems.extend(f"files: {problem}" for problem in files.problems)
        states = verify_states()
        self.stdout.write(f"states: {states.checked} state-machine records checked.")
        problems.extend(f"states: {problem}" for problem in states.problems)
        if backup is not None:
            try:
                problems.extend(f"backup: {problem}" for problem in chains_match(backup_check(backup)))
            except BackupError as error:
                problems.append(f"backup: {error}")
            else:
                self.stdout.write(f"backup: the logs hold every entry {backup} recorded.")
        if problems:
            raise CommandError(f"{len(problems)} problem(s):\n" + "\n".join(problems))
        self.stdout.write(self.style.SUCCESS("Integrity verified."))
