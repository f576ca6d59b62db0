"""Background tasks of the cases app, run by the job worker (see iso.jobs)."""

import io

from django.db import connections
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from iso.jobs import job_run
from iso.routers import replica_reads
from records.resources import CaseResource, export_csv, export_csv_copy, export_xlsx

from . import selectors
from .forms import CaseFilterForm

EXPORT_FORMATS = ("csv", "xlsx")


def case_export_filters(*, query: dict, user) -> dict:
    """The case list's filters from its query string, as the list page reads them."""
    form = CaseFilterForm(query)
    filters = dict(form.cleaned_data) if form.is_valid() else {}
    if filters.pop("mine", False):
        filters["assignee"] = user
    return filters


@task()
def case_export_task(job_id: int) -> None:
    """Export the cases of the job's filters to CSV or XLSX, streamed row by row (flat memory)."""

    def work(progress, out):
        job = progress.job
        fmt = job.parameters["format"]
        if fmt not in EXPORT_FORMATS:
            raise ValueError(_("Unknown format: %(format)s.") % {"format": fmt})
        # An export may read a little behind the primary: the replica takes its load when there is one.
        with replica_reads():
            cases = selectors.case_list(
                user=job.requested_by,
                filters=case_export_filters(query=job.parameters.get("query", {}), user=job.requested_by),
            )
            total = cases.count()
            progress.every = 1
            progress(0, total, _("%(count)s cases to export.") % {"count": total})

            def rows_written(count):
                progress(count, total, _("%(count)s cases exported.") % {"count": count})

            resource = CaseResource()
            if fmt == "xlsx":
                export_xlsx(resource, out, cases, progress=rows_written)
            elif connections[cases.db].vendor == "postgresql":
                # The database writes the CSV itself (COPY), with the same rows, columns and cells.
                export_csv_copy(resource, out, cases, progress=rows_written)
            else:
                text = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=True)
                export_csv(resource, text, cases, progress=rows_written)
                text.detach()  # leave the binary file open for job_run to save
        return f"cases-{timezone.localdate():%Y%m%d}.{fmt}"

    job_run(job_id, work)
