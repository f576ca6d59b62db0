"""The case list's exports run as background jobs that keep the list's filters."""

import csv
import io

import openpyxl
import pytest
from django.db import connection
from django.urls import reverse
from django.utils.translation import override

from cases import selectors, services
from iso.models import Job, Role
from records.resources import CaseResource, export_csv, export_csv_copy

from ..factories import OrgUnitFactory, UserFactory

from .conftest import at

pytestmark = pytest.mark.django_db


@pytest.fixture
def three_cases(birth, clerk):
    return [
        services.case_receive(procedure=birth, by=clerk, applicant_name=name, received_at=at("2026-05-18", "08:00"))
        for name in ("Lê Thị Bình", "Trần Văn An", "=HYPERLINK(\"x\")")
    ]


def _export(client, user, fmt, query, capture):
    client.force_login(user)
    with capture(execute=True):
        response = client.post(reverse("cases:case_export", args=[fmt]) + query)
    job = Job.objects.latest("pk")
    assert response.status_code == 302 and response["Location"] == job.get_absolute_url()
    job.refresh_from_db()
    return job, b"".join(client.get(reverse("job_download", args=[job.pk])).streaming_content)


def test_the_csv_export_job_keeps_the_list_filters_and_reaches_its_total(
    client, clerk, three_cases, django_capture_on_commit_callbacks
):
    job, content = _export(client, clerk, "csv", "?q=B%C3%ACnh&page=3", django_capture_on_commit_callbacks)

    assert (job.kind, job.state, job.parameters) == (Job.Kind.CASE_EXPORT, Job.State.DONE, {"format": "csv", "query": {"q": "Bình"}})
    assert (job.progress_done, job.progress_total) == (1, 1)
    rows = list(csv.DictReader(io.StringIO(content.decode("utf-8"))))
    assert [(r["reference"], r["applicant_name"], r["procedure"]) for r in rows] == [(three_cases[0].reference, "Lê Thị Bình", "QT-06")]


def test_the_xlsx_export_job_writes_every_listed_case_with_formulas_neutralised(
    client, clerk, three_cases, django_capture_on_commit_callbacks
):
    job, content = _export(client, clerk, "xlsx", "", django_capture_on_commit_callbacks)

    assert job.state == Job.State.DONE and job.result_name.endswith(".xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "reference" and len(rows) == 4
    assert "'=HYPERLINK(\"x\")" in {row[rows[0].index("applicant_name")] for row in rows[1:]}


def test_an_unknown_export_format_is_not_found_and_queues_nothing(client, clerk):
    client.force_login(clerk)
    assert client.post(reverse("cases:case_export", args=["pdf"])).status_code == 404
    assert not Job.objects.exists()


def test_the_export_is_a_post_so_a_link_cannot_start_one(client, clerk):
    client.force_login(clerk)
    assert client.get(reverse("cases:case_export", args=["csv"])).status_code == 405


@pytest.mark.postgres
@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_copy_export_writes_the_rows_and_cells_of_the_streamed_export(birth, clerk, secretary, language):
    tricky = ["=1+1", "+84 912", "-5", "@SUM(A1)", "Nguyễn \"Tư\", Hà\nNội", "Lê Văn Bình"]
    cases = [services.case_receive(procedure=birth, by=clerk, applicant_name=name, received_at=at("2026-05-18", "08:00"))
             for name in tricky]
    services.case_move(case=cases[5], to_step=birth.steps["XL"], by=clerk, at=at("2026-05-18", "09:00"))
    services.case_request_supplement(case=cases[5], by=clerk, missing="Ảnh", at=at("2026-05-18", "10:00"))
    services.case_receive_supplement(case=cases[5], by=clerk, at=at("2026-05-19", "10:15"))
    outsider = UserFactory(roles=[Role.STAFF], unit=OrgUnitFactory(code="XB"))
    with override(language):
        for user, filters in ((clerk, {}), (secretary, {"q": "Bình"}), (outsider, {})):
            listed = selectors.case_list(user=user, filters=filters)
            streamed, copied = io.StringIO(), io.BytesIO()
            export_csv(CaseResource(), streamed, listed)
            count = export_csv_copy(CaseResource(), copied, listed)
            rows = list(csv.reader(io.StringIO(copied.getvalue().decode("utf-8"))))
            assert rows == list(csv.reader(io.StringIO(streamed.getvalue())))
            assert count == len(rows) - 1
    assert not rows[1:]  # the outsider reaches none of them
    with override(language):
        everything = io.BytesIO()
        export_csv_copy(CaseResource(), everything, selectors.case_list(user=secretary))
    cells = {row[5] for row in csv.reader(io.StringIO(everything.getvalue().decode("utf-8")))}
    assert {"'=1+1", "'+84 912", "'-5", "'@SUM(A1)", "Nguyễn \"Tư\", Hà\nNội"} <= cells
    paused = {row[16] for row in csv.reader(io.StringIO(everything.getvalue().decode("utf-8")))}
    # 7.75 working hours waited for the supplement, with the language's decimal separator.
    assert ("7,75" if language == "vi" else "7.75") in paused


def test_off_postgresql_the_copy_export_refuses_and_the_job_streams(birth, clerk):
    if connection.vendor == "postgresql":
        pytest.skip("the COPY path runs here")
    services.case_receive(procedure=birth, by=clerk, applicant_name="An", received_at=at("2026-05-18", "08:00"))
    with pytest.raises(ValueError):
        export_csv_copy(CaseResource(), io.BytesIO(), selectors.case_list(user=clerk))
