"""Background tasks of the records app, run by the job worker (see iso.jobs)."""

import datetime

from django_tasks import task

from iso.jobs import job_run

from .evidence import evidence_pack_write


@task()
def evidence_pack_task(job_id: int) -> None:
    """Build the evidence pack of the job's period, reporting each file added."""

    def work(progress, out):
        start = datetime.date.fromisoformat(progress.job.parameters["start"])
        end = datetime.date.fromisoformat(progress.job.parameters["end"])
        evidence_pack_write(start=start, end=end, out=out, progress=progress)
        return f"evidence-pack-{start:%Y%m%d}-{end:%Y%m%d}.zip"

    job_run(job_id, work)
