"""Background jobs: the evidence pack page queues a job, the job reports progress, its result is
downloaded by the requester and the ISO secretary only, and a failure shows with its error."""

import datetime
import io
import zipfile
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import override

from iso.jobs import job_request
from iso.models import Job
from records.evidence import evidence_pack_verify
from records.tasks import evidence_pack_task

from ..factories import ProcedureRevisionFactory, make_effective

pytestmark = pytest.mark.django_db


def _post_evidence_form(client, user, captured, **data):
    client.force_login(user)
    with captured(execute=True):
        return client.post(reverse("records:evidence_pack"), data)


def _period():
    today = timezone.localdate()
    return {"start": datetime.date(today.year, 1, 1).isoformat(), "end": today.isoformat()}


def test_posting_the_evidence_pack_form_queues_a_job_that_completes_with_a_verifiable_zip(
    client, secretary, django_capture_on_commit_callbacks
):
    make_effective(ProcedureRevisionFactory(procedure__code="QT-01"))

    response = _post_evidence_form(client, secretary, django_capture_on_commit_callbacks, **_period())

    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("job_detail", args=[job.pk])
    assert (job.kind, job.requested_by, job.parameters) == (Job.Kind.EVIDENCE_PACK, secretary, _period())
    assert job.state == Job.State.DONE
    # master list, one procedure, NC register (xlsx + pdf), on-time report, manifest
    assert job.progress_total == 7 and job.progress_done == job.progress_total
    assert job.started_at <= job.finished_at and job.task_id
    assert job.result.name.startswith("jobs/") and "evidence" not in job.result.name

    page = client.get(reverse("job_detail", args=[job.pk]))
    assert b'http-equiv="refresh"' not in page.content
    assert reverse("job_download", args=[job.pk]).encode() in page.content

    download = client.get(reverse("job_download", args=[job.pk]))
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith('attachment; filename="evidence-pack-')
    with zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content))) as archive:
        assert evidence_pack_verify(archive) == []
        assert any(name.startswith("02-procedures/QT-01-rev") for name in archive.namelist())


def test_a_queued_job_page_refreshes_itself_and_reports_progress_as_json(client, secretary):
    client.force_login(secretary)
    # Not run: the commit callback that would enqueue it never executes in this test.
    job = job_request(kind=Job.Kind.EVIDENCE_PACK, requested_by=secretary, parameters=_period(), task=evidence_pack_task)

    page = client.get(reverse("job_detail", args=[job.pk]))
    assert b'<meta http-equiv="refresh" content="2">' in page.content

    status = client.get(reverse("job_status", args=[job.pk])).json()
    assert status == {"id": job.pk, "kind": "evidence_pack", "state": "queued", "done": 0, "total": 0,
                      "message": "", "error": "", "download": None}
    assert client.get(reverse("job_download", args=[job.pk])).status_code == 404


def test_another_user_can_neither_see_nor_download_a_job_but_the_secretary_can(
    client, approver, process_owner, secretary, django_capture_on_commit_callbacks
):
    _post_evidence_form(client, approver, django_capture_on_commit_callbacks, **_period())
    job = Job.objects.get(requested_by=approver)

    client.force_login(process_owner)
    for name in ("job_detail", "job_status", "job_download"):
        assert client.get(reverse(name, args=[job.pk])).status_code == 404
    assert job.get_absolute_url() not in client.get(reverse("job_list")).content.decode()

    client.force_login(secretary)
    download = client.get(reverse("job_download", args=[job.pk]))
    assert download.status_code == 200 and download["Content-Disposition"].startswith("attachment;")
    # Like every stored file: never sniffed, never run in place.
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert job.get_absolute_url() in client.get(reverse("job_list")).content.decode()


def test_a_user_without_the_permission_cannot_request_an_evidence_pack(client, staff):
    client.force_login(staff)
    assert client.post(reverse("records:evidence_pack"), _period()).status_code == 403
    assert not Job.objects.exists()


def test_a_period_that_ends_before_it_starts_is_refused_on_the_form(client, secretary):
    client.force_login(secretary)
    response = client.post(reverse("records:evidence_pack"), {"start": "2026-05-01", "end": "2026-04-01"})
    assert response.status_code == 200
    assert response.context["form"].errors["end"]
    assert not Job.objects.exists()


def test_a_failing_job_is_shown_failed_with_its_error(client, secretary, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = job_request(
            kind=Job.Kind.EVIDENCE_PACK, requested_by=secretary,
            parameters={"start": "2026-13-01", "end": "2026-12-31"}, task=evidence_pack_task,
        )

    job.refresh_from_db()
    assert job.state == Job.State.FAILED
    assert job.error == "month must be in 1..12" and job.finished_at and not job.result
    client.force_login(secretary)
    page = client.get(reverse("job_detail", args=[job.pk])).content.decode()
    assert "month must be in 1..12" in page and 'http-equiv="refresh"' not in page
    assert client.get(reverse("job_download", args=[job.pk])).status_code == 404


def test_a_job_delivered_twice_runs_once(secretary, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = job_request(kind=Job.Kind.EVIDENCE_PACK, requested_by=secretary, parameters=_period(),
                          task=evidence_pack_task)
    job.refresh_from_db()
    first_result = job.result.name

    evidence_pack_task.call(job.pk)

    job.refresh_from_db()
    assert job.state == Job.State.DONE and job.result.name == first_result


def test_the_worker_writes_in_the_language_of_the_page_that_asked(client, secretary, django_capture_on_commit_callbacks):
    client.force_login(secretary)
    client.cookies["django_language"] = "en"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("records:evidence_pack"), _period())

    job = Job.objects.get()
    assert job.language == "en" and job.progress_message == "Added manifest.json."


def test_the_job_list_costs_the_same_queries_for_3_or_60_jobs(client, secretary, approver, django_assert_max_num_queries):
    def add(count):
        Job.objects.bulk_create(
            Job(kind=Job.Kind.CASE_EXPORT, requested_by=user, parameters={"format": "csv"})
            for user in [secretary, approver] * count
        )

    client.force_login(secretary)
    add(2)
    with django_assert_max_num_queries(12) as few:
        assert client.get(reverse("job_list")).status_code == 200
    add(30)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(reverse("job_list"))
    assert page.content.decode().count('href="/jobs/') == 50  # one page


# Pruning: a job is plumbing, not evidence


def _finished_job(user, *, days_ago: int, state=Job.State.DONE, content=b"PK\x03\x04 zip") -> Job:
    job = Job.objects.create(kind=Job.Kind.CASE_EXPORT, requested_by=user, state=state)
    if content:
        job.result.save("ket-qua.csv", ContentFile(content), save=False)
    job.finished_at = timezone.now() - datetime.timedelta(days=days_ago)
    job.save()
    return job


def _prune(**options) -> str:
    out = io.StringIO()
    with override("en"):
        call_command("prune_jobs", stdout=out, **options)
    return out.getvalue()


def test_pruning_deletes_jobs_finished_before_the_retention_with_their_files_and_keeps_the_rest(
    secretary, settings, django_capture_on_commit_callbacks
):
    settings.JOB_RETENTION_DAYS = 30
    old_done = _finished_job(secretary, days_ago=31)
    old_failed = _finished_job(secretary, days_ago=45, state=Job.State.FAILED, content=None)
    recent = _finished_job(secretary, days_ago=29)
    running = Job.objects.create(kind=Job.Kind.EVIDENCE_PACK, requested_by=secretary, state=Job.State.RUNNING,
                                 started_at=timezone.now() - datetime.timedelta(days=90))
    queued = Job.objects.create(kind=Job.Kind.DUE_DIGEST, created_at=timezone.now() - datetime.timedelta(days=90))
    old_file = Path(old_done.result.path)

    with django_capture_on_commit_callbacks(execute=True):
        said = _prune()

    assert "2 background jobs finished more than 30 days ago were deleted" in said
    assert set(Job.objects.values_list("pk", flat=True)) == {recent.pk, running.pk, queued.pk}
    assert not old_file.exists() and Path(recent.result.path).exists()
    assert old_failed.pk not in set(Job.objects.values_list("pk", flat=True))


def test_pruning_follows_the_days_asked_and_a_dry_run_deletes_nothing(secretary, django_capture_on_commit_callbacks):
    job = _finished_job(secretary, days_ago=8)

    assert "1 background job finished more than 7 days ago would be deleted" in _prune(days=7, dry_run=True)
    assert Job.objects.filter(pk=job.pk).exists() and Path(job.result.path).exists()
    with django_capture_on_commit_callbacks(execute=True):
        assert "0 background jobs" in _prune(days=10)
        assert "1 background job finished more than 7 days ago was deleted with its file" in _prune(days=7)
    assert not Job.objects.exists() and not Path(job.result.path).exists()


def test_a_pruning_that_fails_keeps_the_files_of_the_jobs_it_kept(secretary):
    job = _finished_job(secretary, days_ago=60)

    with pytest.raises(RuntimeError), transaction.atomic():
        _prune()
        raise RuntimeError("the deletion is rolled back")

    assert Job.objects.filter(pk=job.pk).exists() and Path(job.result.path).exists()


def test_a_negative_number_of_days_is_refused(secretary):
    with pytest.raises(CommandError, match="cannot be negative"):
        _prune(days=-1)
