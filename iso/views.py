"""The home page (what waits for the signed-in user) and the pages of background jobs."""

from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from audits.selectors import due_items
from cases.selectors import my_cases
from processes.selectors import revision_tasks
from qms.selectors import qms_tasks
from risks.selectors import due_risk_items

from .jobs import jobs_visible_to
from .models import Job
from .uploads import file_response

#: The home page lists the risks whose review, and the treatment actions whose due date, falls
#: within this many days (or has passed).
HOME_RISK_HORIZON_DAYS = 30


def home(request):
    return render(
        request,
        "iso/home.html",
        {
            "revision_tasks": revision_tasks(user=request.user),
            "now": timezone.now(),
            "my_cases": my_cases(user=request.user)[:15] if request.user.has_perm("cases.handle_case") else None,
            "due_items": due_items(user=request.user) if request.user.has_perm("audits.view_nonconformity") else None,
            "qms": qms_tasks(user=request.user),
            "due_risks": (
                due_risk_items(user=request.user, within_days=HOME_RISK_HORIZON_DAYS)
                if request.user.has_perm("risks.handle_risk") else None
            ),
        },
    )


# Background jobs


def _job_or_404(request, pk: int) -> Job:
    # A job the user may not see answers exactly like one that does not exist.
    job = Job.objects.select_related("requested_by").filter(pk=pk).first()
    if job is None or not job.visible_to(request.user):
        raise Http404(_("No such job."))
    return job


def job_list(request):
    page = Paginator(jobs_visible_to(user=request.user), 50).get_page(request.GET.get("page"))
    return render(request, "iso/job_list.html", {"page": page})


def job_detail(request, pk):
    return render(request, "iso/job_detail.html", {"job": _job_or_404(request, pk), "refresh_seconds": 2})


def job_status(request, pk):
    """The job's state and progress as JSON, for scripts and pollers."""
    job = _job_or_404(request, pk)
    return JsonResponse({
        "id": job.pk,
        "kind": job.kind,
        "state": job.state,
        "done": job.progress_done,
        "total": job.progress_total,
        "message": job.progress_message,
        "error": job.error,
        "download": reverse("job_download", args=[job.pk]) if job.state == Job.State.DONE and job.result else None,
    })


def job_download(request, pk):
    job = _job_or_404(request, pk)
    if job.state != Job.State.DONE or not job.result:
        raise Http404(_("This job has no file to download."))
    # Like every stored file: an attachment under its own name, never sniffed or run in place.
    return file_response(job.result, filename=job.result_name)
