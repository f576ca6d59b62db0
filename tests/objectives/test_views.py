"""The objectives pages: the year's list by unit, an objective's months, entering values and raising
the nonconformity of a missed objective, each for the people allowed."""

import csv
import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audits.models import Nonconformity
from objectives import services
from objectives.models import MonthlyValue, Objective

from ..factories import ObjectiveFactory, OrgUnitFactory

pytestmark = pytest.mark.django_db

D = Decimal
TODAY = timezone.localdate()


@pytest.fixture
def other():
    return OrgUnitFactory(code="PB", name="Phòng Bình")


@pytest.fixture
def objectives(unit, other, secretary, staff):
    return {
        "organisation": ObjectiveFactory(name="Tỷ lệ hồ sơ giải quyết đúng hạn đạt ≥ 98%", indicator="case_on_time_rate",
                                         target=D("98"), owner=secretary),
        "ours": ObjectiveFactory(name="Số lớp đào tạo nghiệp vụ ≥ 4 lớp/năm", unit=unit, owner=staff, target=D("4"),
                                 unit_of_measure="lớp"),
        "theirs": ObjectiveFactory(name="Mục tiêu BÍ-MẬT của phòng Bình", unit=other, target=D("90")),
    }


def test_the_list_shows_the_years_objectives_by_unit_with_value_trend_and_status(client, objectives, staff, unit):
    services.objective_value_record(objective=objectives["ours"], by=staff, month=1, value=D("2"),
                                    today=datetime.date(TODAY.year, 12, 31))
    client.force_login(staff)
    response = client.get(reverse("objectives:objective_list"))
    assert response.status_code == 200
    text = response.content.decode()
    groups = response.context["report"].by_unit
    assert [group.unit for group in groups] == [None, unit]
    assert "Tỷ lệ hồ sơ giải quyết đúng hạn đạt ≥ 98%" in text and "Số lớp đào tạo nghiệp vụ" in text
    assert "BÍ-MẬT" not in text
    assert "<svg" in text and "2 lớp" in text and "không có dữ liệu" in text


def test_the_list_keeps_its_query_count_whatever_the_months_and_data(client, objectives, staff, secretary,
                                                                    django_assert_max_num_queries):
    client.force_login(secretary)
    url = reverse("objectives:objective_list")
    client.get(url)  # warm the caches of content types and permissions
    with CaptureQueriesContext(connection) as first:
        assert client.get(url).status_code == 200
    for month in range(1, TODAY.month + 1):
        services.objective_value_record(objective=objectives["ours"], by=staff, month=month, value=D("1"))
    ObjectiveFactory(unit=objectives["ours"].unit, owner=staff)  # one more manual objective costs no query
    with django_assert_max_num_queries(len(first)):
        assert client.get(url).status_code == 200
    # One more automatic objective costs its two queries (to date, and every month at once).
    ObjectiveFactory(indicator="audit_programme_completion")
    with django_assert_max_num_queries(len(first) + 2):
        assert client.get(url).status_code == 200


def test_another_year_and_a_unit_can_be_chosen(client, secretary, objectives, unit):
    last_year = ObjectiveFactory(year=TODAY.year - 1, name="Mục tiêu năm trước")
    client.force_login(secretary)
    response = client.get(reverse("objectives:objective_list"), {"year": TODAY.year - 1})
    assert [row.objective for row in response.context["report"].rows] == [last_year]
    response = client.get(reverse("objectives:objective_list"), {"unit": unit.pk})
    assert [row.objective for row in response.context["report"].rows] == [objectives["ours"]]


def test_the_detail_shows_the_months_the_entries_and_the_form_to_its_owner_only(client, objectives, staff, process_owner):
    ours = objectives["ours"]
    services.objective_value_record(objective=ours, by=staff, month=1, value=D("1"), note="Lớp tiếp dân")
    client.force_login(staff)
    response = client.get(ours.get_absolute_url())
    assert response.status_code == 200 and response.context["value_form"] is not None
    text = response.content.decode()
    assert "Lớp tiếp dân" in text and str(staff) in text and "01/%s" % ours.year in text
    client.force_login(process_owner)  # same unit, not the owner: reads, does not enter
    response = client.get(ours.get_absolute_url())
    assert response.status_code == 200 and response.context["value_form"] is None


def test_another_units_objective_is_not_found(client, objectives, staff):
    client.force_login(staff)
    theirs = objectives["theirs"]
    assert client.get(theirs.get_absolute_url()).status_code == 404
    url = reverse("objectives:objective_value_record", args=[theirs.reference])
    assert client.post(url, {"month": 1, "value": "5"}).status_code == 404


def test_the_owner_enters_and_corrects_a_month_others_are_forbidden(client, objectives, staff, process_owner, viewer):
    ours = objectives["ours"]
    url = reverse("objectives:objective_value_record", args=[ours.reference])
    for user in (process_owner, viewer):
        client.force_login(user)
        assert client.post(url, {"month": 1, "value": "5"}).status_code == 403
    client.force_login(staff)
    assert client.post(url, {"month": 1, "value": "2"}).status_code == 302
    assert client.post(url, {"month": 1, "value": "3", "note": "Sửa"}).status_code == 302
    assert MonthlyValue.objects.get(objective=ours, month=1).value == D("3")
    response = client.get(ours.get_absolute_url())
    assert "<td>2.00</td><td>3.00</td>" in response.content.decode()  # the old value, in the history of changes
    response = client.post(url, {"month": 1, "value": "không phải số"}, follow=True)
    assert "Giá trị" in [m.message for m in response.context["messages"]][0]


def test_the_secretary_sets_an_objective_from_the_form(client, secretary, staff, unit):
    client.force_login(secretary)
    response = client.post(reverse("objectives:objective_create"), {
        "year": 2026, "unit": unit.pk, "name": "Tỷ lệ hồ sơ đúng hạn ≥ 98%", "direction": "at_least", "target": "98",
        "unit_of_measure": "", "owner": staff.pk, "due_date": "", "indicator": "case_on_time_rate", "procedure": "",
        "aggregation": "sum",
    })
    objective = Objective.objects.get()
    assert response.status_code == 302 and response["Location"] == objective.get_absolute_url()
    assert (objective.reference, objective.unit_of_measure, objective.due_date) == ("MT-2026-01", "%", datetime.date(2026, 12, 31))
    response = client.post(reverse("objectives:objective_edit", args=[objective.reference]), {
        "unit": "", "name": objective.name, "direction": "at_least", "target": "99", "unit_of_measure": "%",
        "owner": staff.pk, "due_date": "2027-01-15", "indicator": "case_on_time_rate", "procedure": "", "aggregation": "sum",
    })
    assert response.status_code == 200
    assert response.context["form"].errors == {"due_date": ["Thời hạn phải thuộc năm 2026, năm của mục tiêu."]}
    client.force_login(staff)
    assert client.get(reverse("objectives:objective_create")).status_code == 403


def test_the_nonconformity_of_a_missed_objective_is_raised_from_its_page(client, approver, staff, unit):
    missed = ObjectiveFactory(year=TODAY.year - 1, unit=unit, owner=staff, target=D("4"), unit_of_measure="lớp")
    client.force_login(staff)
    assert client.get(missed.get_absolute_url()).context["may_raise"] is False  # not their role
    assert client.post(reverse("objectives:objective_raise_nonconformity", args=[missed.reference])).status_code == 403
    client.force_login(approver)
    assert client.get(missed.get_absolute_url()).context["may_raise"] is True
    response = client.post(reverse("objectives:objective_raise_nonconformity", args=[missed.reference]))
    nonconformity = Nonconformity.objects.get()
    assert response["Location"] == nonconformity.get_absolute_url()
    page = client.get(missed.get_absolute_url())
    assert page.context["may_raise"] is False and nonconformity.reference in page.content.decode()
    response = client.post(reverse("objectives:objective_raise_nonconformity", args=[missed.reference]), follow=True)
    assert nonconformity.reference in [m.message for m in response.context["messages"]][0]
    assert Nonconformity.objects.count() == 1


def test_the_navigation_leads_to_the_objectives(client, viewer):
    client.force_login(viewer)
    navigation = client.get(reverse("home")).context["navigation"]
    assert reverse("objectives:objective_list") in [item["url"] for item in navigation]


def test_the_years_objectives_export_with_their_monthly_values(client, objectives, staff, secretary):
    ours = objectives["ours"]
    services.objective_value_record(objective=ours, by=staff, month=1, value=D("2"))
    client.force_login(staff)
    response = client.get(reverse("objectives:objective_export", args=["csv"]))
    assert response["Content-Type"].startswith("text/csv")
    rows = {row["reference"]: row for row in csv.DictReader(io.StringIO(response.content.decode()))}
    assert set(rows) == {objectives["organisation"].reference, ours.reference}  # not another unit's
    row = rows[ours.reference]
    assert (row["unit"], row["owner"], row["target"], row["value_to_date"], row["month_01"], row["month_02"]) == (
        ours.unit.code, staff.username, "4.00", "2.00", "2.00", ""
    )
    assert row["status"] == "at_risk"  # 2 of 4 before the year is over

    client.force_login(secretary)
    response = client.get(reverse("objectives:objective_export", args=["xlsx"]))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    header = [cell.value for cell in sheet[1]]
    assert header[:4] == ["reference", "year", "unit", "name"] and "month_12" in header
    assert sheet.max_row == 4  # the header and the three objectives of the year
    assert client.get(reverse("objectives:objective_export", args=["pdf"])).status_code == 404


def test_formula_looking_names_are_neutralised_in_the_export(client, secretary):
    ObjectiveFactory(name="=HYPERLINK(\"http://x\")")
    client.force_login(secretary)
    text = client.get(reverse("objectives:objective_export", args=["csv"])).content.decode()
    assert "'=HYPERLINK" in text
