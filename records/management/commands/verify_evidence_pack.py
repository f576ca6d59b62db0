import zipfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from records.evidence import evidence_pack_verify


class Command(BaseCommand):
    help = "Check an evidence pack against its manifest; name every file changed, missing or added."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)

    def handle(self, *args, path: Path, **options):
        try:
            with zipfile.ZipFile(path) as archive:
                problems = evidence_pack_verify(archive)
        except (OSError, zipfile.BadZipFile) as error:
            raise CommandError(f"{path}: {error}") from None
        for problem in problems:
            self.stderr.write(problem)
        if problems:
            raise CommandError(f"{path}: {len(problems)} problem(s); the pack does not match its manifest.")
        self.stdout.write(self.style.SUCCESS(f"{path}: every file matches the manifest."))
