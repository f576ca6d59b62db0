import datetime

from django.core.management.base import BaseCommand
from django.utils import timezone

from audits.reminders import DIGEST_HORIZON_DAYS, due_digests_request, send_due_digests


class Command(BaseCommand):
    help = "E-mail each owner a digest of their nonconformities and corrective actions due or overdue (run daily)."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=DIGEST_HORIZON_DAYS, help="Include items due within this many days.")
        parser.add_argument("--today", type=datetime.date.fromisoformat, default=None, help="The date to count from (YYYY-MM-DD).")
        parser.add_argument(
            "--enqueue", action="store_true",
            help="Put the sending on the job queue (a worker sends the mail) instead of sending now.",
        )

    def handle(self, *args, days: int, today, enqueue: bool, **options):
        today = today or timezone.localdate()
        if enqueue:
            job = due_digests_request(today=today, within_days=days)
            self.stdout.write(f"Digests queued as job {job.pk}.")
            return
        sent = send_due_digests(today=today, within_days=days)
        self.stdout.write(f"{sent} digest(s) sent.")
