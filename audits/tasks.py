"""Background tasks of the audits app, run by the job worker (see iso.jobs)."""

import datetime

from django.utils.translation import ngettext
from django_tasks import task

from iso.jobs import job_run

from .reminders import send_due_digests


@task()
def due_digests_task(job_id: int) -> None:
    """Send the day's reminder digests, one owner at a time."""

    def work(progress, out):
        parameters = progress.job.parameters
        sent = send_due_digests(
            today=datetime.date.fromisoformat(parameters["today"]), within_days=int(parameters["within_days"]),
            progress=progress,
        )
        progress(progress.job.progress_total, None, ngettext("%(count)s digest sent.", "%(count)s digests sent.", sent) % {"count": sent})
        return None

    job_run(job_id, work)
