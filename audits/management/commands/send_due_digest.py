import datetime

from django.core.management.base import BaseCommand
from django.utils import timezone

from audits.reminders import DIGEST_HORIZON_DAYS, send_due_digests


class Command(BaseCommand):
    help = "E-mail each owner a digest of their nonconformities and corrective actions due or overdue (run daily)."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=DIGEST_HORIZON_DAYS, help="Include items due within this many days.")
        parser.add_argument("--today", type=datetime.date.fromisoformat, default=None, help="The date to count from (YYYY-MM-DD).")

    def handle(self, *args, days: int, today, **options):
        sent = send_due_digests(today=today or timezone.localdate(), within_days=days)
        self.stdout.write(f"{sent} digest(s) sent.")
