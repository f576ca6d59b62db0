"""manage.py prune_jobs: delete finished background jobs and their result files after their retention."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from iso.jobs import jobs_prune


class Command(BaseCommand):
    help = (
        "Delete the background jobs finished more than JOB_RETENTION_DAYS days ago (done or failed) and their "
        "result files. Jobs still queued or running are kept. Run it daily, for example from cron."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days", type=int, default=None,
            help="keep the jobs finished in the last DAYS days (default: the JOB_RETENTION_DAYS setting)",
        )
        parser.add_argument("--dry-run", action="store_true", help="only count the jobs that would be deleted")

    def handle(self, *args, days=None, dry_run=False, **options):
        days = settings.JOB_RETENTION_DAYS if days is None else days
        if days < 0:
            raise CommandError(_("The number of days cannot be negative."))
        count = jobs_prune(older_than_days=days, dry_run=dry_run)
        if dry_run:
            message = ngettext(
                "%(count)s background job finished more than %(days)s days ago would be deleted.",
                "%(count)s background jobs finished more than %(days)s days ago would be deleted.",
                count,
            )
        else:
            message = ngettext(
                "%(count)s background job finished more than %(days)s days ago was deleted with its file.",
                "%(count)s background jobs finished more than %(days)s days ago were deleted with their files.",
                count,
            )
        self.stdout.write(message % {"count": count, "days": days})
