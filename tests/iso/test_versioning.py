"""Optimistic versioning (iso/versioning.py): a save made on a page opened before someone else's is
refused, naming the record and who saved it when, and the other save is kept."""

import datetime

import pytest
import tablib
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import override

from iso.imports import calendar_import
from iso.models import CalendarDay, Role
from iso.versioning import StaleEdit, edit_check, edit_lock, edit_stamp
from processes.models import ProcedureRevision

from ..factories import ProcedureRevisionFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def day():
    return CalendarDay.objects.create(date=datetime.date(2026, 9, 2), name="Quốc khánh")


def _refusal(call) -> str:
    with override("en"), pytest.raises(StaleEdit) as refused:
        call()
    return refused.value.messages[0]


def test_each_save_moves_the_version_on_and_keeps_who_and_when(day, secretary):
    edit_stamp(day, by=secretary)
    day.save()

    stored = CalendarDay.objects.get(pk=day.pk)
    assert (stored.edit_version, stored.edited_by) == (1, secretary)
    assert timezone.now() - stored.edited_at < datetime.timedelta(minutes=1)


def test_a_save_on_an_older_version_is_refused_naming_the_record_who_and_when(day, secretary):
    day.edited_by, day.edited_at, day.edit_version = secretary, datetime.datetime(2026, 8, 1, 2, 5, 9, tzinfo=datetime.UTC), 3
    day.save()

    message = _refusal(lambda: edit_check(day, edit_version=2))

    assert message == (
        "Calendar day “2026-09-02 Quốc khánh” was changed by Trần Thị Thư Ký at 09:05:09 01/08/2026, after you "
        "opened it: your changes were not saved. Open it again to see their version, then make your changes on it."
    )


def test_a_record_that_keeps_no_editor_is_refused_with_the_time_alone(secretary):
    revision = ProcedureRevision.objects.get(pk=ProcedureRevisionFactory(author=secretary).pk)
    revision.edit_version = 1

    assert _refusal(lambda: edit_check(revision, edit_version=0)).startswith(
        f"Someone else changed the procedure revision “{revision.procedure.code} revision 0” at "
    )


def test_the_same_version_and_a_write_from_no_editor_pass(day):
    edit_check(day, edit_version=0)
    edit_check(day, edit_version=None)


def test_the_row_is_read_again_under_its_lock(day, secretary):
    CalendarDay.objects.filter(pk=day.pk).update(edit_version=1, edited_by=secretary)

    with pytest.raises(StaleEdit):
        edit_lock(day, edit_version=0)  # the caller's copy still says 0
    assert edit_lock(day, edit_version=1).edit_version == 1


# The working calendar in the admin


def _admin(client, user):
    user.is_staff = True
    user.save()
    client.force_login(user)


def test_the_admin_refuses_a_day_saved_on_an_older_form_and_keeps_the_other(client, day, secretary, unit):
    other = UserFactory(username="thuky2", full_name="Lê Thị Thư Ký Hai", roles=[Role.ISO_SECRETARY], unit=unit)
    _admin(client, secretary)
    url = reverse("admin:iso_calendarday_change", args=[day.pk])
    opened = client.get(url).context["adminform"].form["edit_version"].value()
    data = {"date": "2026-09-02", "kind": "holiday", "edit_version": opened}
    _admin(client, other)
    assert client.post(url, {**data, "name": "Quốc khánh (ngày 2)"}).status_code == 302

    _admin(client, secretary)
    response = client.post(url, {**data, "name": "Nghỉ lễ Quốc khánh"}, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    assert "Calendar day “2026-09-02 Quốc khánh (ngày 2)” was changed by Lê Thị Thư Ký Hai at " in response.content.decode()
    stored = CalendarDay.objects.get(pk=day.pk)
    assert (stored.name, stored.edit_version, stored.edited_by) == ("Quốc khánh (ngày 2)", 1, other)


def test_the_admin_adds_a_day_and_saves_a_fresh_form(client, secretary):
    _admin(client, secretary)
    add = {"date": "2026-04-30", "kind": "holiday", "name": "Giải phóng miền Nam", "edit_version": 0}
    assert client.post(reverse("admin:iso_calendarday_add"), add).status_code == 302
    day = CalendarDay.objects.get(date="2026-04-30")
    url = reverse("admin:iso_calendarday_change", args=[day.pk])
    assert client.post(url, {**add, "name": "Ngày Giải phóng miền Nam"}).status_code == 302
    assert CalendarDay.objects.get(pk=day.pk).edit_version == 1


def test_an_import_that_changes_a_day_refuses_a_form_opened_before_it(day):
    dataset = tablib.Dataset(headers=["date", "kind", "name"])
    dataset.append(["2026-09-02", "holiday", "Quốc khánh (nghỉ bù)"])
    dataset.append(["2026-09-01", "holiday", "Quốc khánh"])

    calendar_import(dataset)
    calendar_import(dataset)  # the same file again changes nothing

    stored = CalendarDay.objects.get(pk=day.pk)
    assert (stored.name, stored.edit_version) == ("Quốc khánh (nghỉ bù)", 1)
    assert CalendarDay.objects.get(date="2026-09-01").edit_version == 0
    assert _refusal(lambda: edit_check(stored, edit_version=0)).startswith(
        "Someone else changed the calendar day “2026-09-02 Quốc khánh (nghỉ bù)” at "
    )
