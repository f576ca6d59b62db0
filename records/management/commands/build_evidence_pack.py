import datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from records.evidence import evidence_pack_build


class Command(BaseCommand):
    help = "Build the evidence pack (ZIP with a manifest of SHA-256 hashes) for a period."

    def add_arguments(self, parser):
        parser.add_argument("--start", type=datetime.date.fromisoformat, required=True, help="YYYY-MM-DD")
        parser.add_argument("--end", type=datetime.date.fromisoformat, required=True, help="YYYY-MM-DD")
        parser.add_argument("--output", type=Path, required=True)

    def handle(self, *args, start, end, output: Path, **options):
        if end < start:
            raise CommandError("--end is before --start")
        output.write_bytes(evidence_pack_build(start=start, end=end))
        self.stdout.write(self.style.SUCCESS(f"{output}: evidence pack for {start} to {end} written."))
