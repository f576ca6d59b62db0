"""Background jobs: request one from a page, run it on the worker, report progress, keep the result.

A page calls :func:`job_request` with the task that does the work; the task (in the app that owns
the work: records.tasks, cases.tasks, audits.tasks) calls :func:`job_run` with a function that
receives a :class:`JobProgress` and a binary file to write the result into. The job row is the one
thing the pages read; the queue only carries the job's id.
"""

import datetime
import logging
import tempfile
from collections.abc import Callable

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .models import Job, Role, User

logger = logging.getLogger(__name__)

#: What a job's work function returns: the file name the user downloads, or None for no file.
Work = Callable[["JobProgress", "tempfile._TemporaryFileWrapper"], "str | None"]


class JobProgress:
    """Writes a running job's progress straight to its row, so the page sees it while it runs.

    Each call is one UPDATE in autocommit (the work itself runs outside any transaction);
    ``every`` spares the database when a job counts rows by the thousand.
    """

    def __init__(self, job: Job, *, every: int = 1):
        self.job = job
        self.every = max(1, every)

    def __call__(self, done: int, total: int | None = None, message: str = "") -> None:
        if total is not None:
            self.job.progress_total = total
        total = self.job.progress_total
        last = total and done >= total
        if done % self.every and not last and not message:
            return
        self.job.progress_done = min(done, total) if total else done
        self.job.progress_message = message[:300] or self.job.progress_message
        Job.objects.filter(pk=self.job.pk).update(
            progress_done=self.job.progress_done,
            progress_total=self.job.progress_total,
            progress_message=self.job.progress_message,
        )


def job_request(*, kind: Job.Kind, requested_by: User | None, parameters: dict, task) -> Job:
    """Record a queued job and put it on the queue once the transaction commits.

    ``task`` is a django-tasks task taking the job's id; it is enqueued on commit so that the
    worker never looks for a job row that is not there yet, and nothing is enqueued on rollback.
    """
    with transaction.atomic():
        job = Job.objects.create(
            kind=kind, requested_by=requested_by, parameters=parameters, language=translation.get_language() or ""
        )

        def enqueue():
            result = task.enqueue(job.pk)
            Job.objects.filter(pk=job.pk).update(task_id=str(result.id)[:64])

        transaction.on_commit(enqueue)
    return job


def job_run(job_id: int, work: Work) -> Job | None:
    """Run ``work`` for job ``job_id`` on the worker: mark it running, save what it writes as the
    result, mark it done; on any error mark it failed with the error text and re-raise, so that
    the queue records the traceback too. Returns None when the job was already taken (a queue may
    deliver a job twice)."""
    taken = Job.objects.filter(pk=job_id, state=Job.State.QUEUED).update(
        state=Job.State.RUNNING, started_at=timezone.now()
    )
    if not taken:
        logger.warning("Job %s is not queued any more; not running it again.", job_id)
        return None
    job = Job.objects.get(pk=job_id)
    try:
        with tempfile.TemporaryFile() as out, translation.override(job.language or None):
            filename = work(JobProgress(job), out)
            if filename:
                out.seek(0)
                # Saved by the storage under a random name (Job.result's upload_to).
                job.result.save(filename, File(out), save=False)
                job.result_name = filename
        job.state = Job.State.DONE
        job.progress_done = job.progress_total
        job.finished_at = timezone.now()
        job.save(update_fields=["state", "progress_done", "result", "result_name", "finished_at"])
    except Exception as error:
        logger.exception("Job %s (%s) failed.", job_id, job.kind)
        Job.objects.filter(pk=job_id).update(
            state=Job.State.FAILED,
            error=str(error) or type(error).__name__,
            finished_at=timezone.now(),
            progress_message=_("Failed."),
        )
        if job.result:
            job.result.delete(save=False)
        raise
    return job


def jobs_visible_to(*, user: User):
    """The jobs ``user`` may see, newest first: their own; every job for the ISO secretary."""
    jobs = Job.objects.select_related("requested_by")
    if user.has_role(Role.ISO_SECRETARY):
        return jobs
    return jobs.filter(requested_by=user)



#: Jobs deleted per transaction by :func:`jobs_prune`.
PRUNE_CHUNK = 500


def jobs_prune(*, older_than_days: int | None = None, dry_run: bool = False) -> int:
    """Delete the jobs finished (done or failed) more than ``older_than_days`` ago (setting
    JOB_RETENTION_DAYS by default) and their result files; return how many there were.

    Rows go in chunks, one transaction each; a chunk's files are removed once its rows are gone
    for good, so a failed deletion never leaves a job whose file is missing. Jobs still queued or
    running are never touched.
    """
    # A job is not an audit record: its result is a copy, made on request, of data kept elsewhere.
    days = settings.JOB_RETENTION_DAYS if older_than_days is None else older_than_days
    expired = Job.objects.filter(
        state__in=Job.FINISHED_STATES, finished_at__lt=timezone.now() - datetime.timedelta(days=days)
    )
    if dry_run:
        return expired.count()
    storage = Job._meta.get_field("result").storage
    deleted = 0
    while True:
        with transaction.atomic():
            chunk = list(expired.select_for_update().order_by("pk").values_list("pk", "result")[:PRUNE_CHUNK])
            if not chunk:
                return deleted
            Job.objects.filter(pk__in=[pk for pk, _result in chunk]).delete()
            for _pk, name in chunk:
                if name:
                    transaction.on_commit(lambda name=name: storage.delete(name))
        deleted += len(chunk)
