"""Field changes of findings, nonconformities and corrective actions: the services keep the old
value, the new value, who and when; the pages show them in a "History of changes" table."""

import datetime

import pytest
from django.db import connection, reset_queries
from django.test.utils import CaptureQueriesContext
from django.utils.translation import override

from audits import services
from audits.models import CorrectiveAction, Finding, Nonconformity
from iso.integrity import verify_chain
from iso.models import FieldChange, Signature
from iso.trail import field_history

from ..factories import signed
from .conftest import TODAY, clause

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def _changes(obj) -> list[tuple]:
    return [(c.field_name, c.old_value, c.new_value, c.actor) for c in field_history(obj)]


def _analysed(nonconformity, owner):
    return services.nonconformity_analyse(
        nonconformity=nonconformity, by=owner, correction="Bổ sung ngày trả", whys=["Chưa có mẫu", "Mẫu cũ thiếu ô"],
    )


def _action_in_progress(nonconformity, owner, lead):
    nonconformity = _analysed(nonconformity, owner)
    action = services.corrective_action_plan(
        nonconformity=nonconformity, by=owner, description="Sửa mẫu phiếu", owner=owner, due_date=TODAY,
    )
    nonconformity = services.nonconformity_transition(nonconformity=nonconformity, name="plan", by=owner)
    services.nonconformity_transition(nonconformity=nonconformity, name="accept_plan", by=lead, signature=signed())
    return services.corrective_action_start(action=action, by=owner)


def test_reassigning_a_nonconformity_keeps_the_old_and_new_owner_and_due_date(nonconformity, secretary, owner, lead):
    old_due = nonconformity.due_date
    new_due = old_due + datetime.timedelta(days=10)

    services.nonconformity_assign(nonconformity=nonconformity, by=secretary, owner=lead, due_date=new_due)

    assert _changes(nonconformity) == [
        ("owner", str(owner), str(lead), secretary),
        ("due_date", old_due.isoformat(), new_due.isoformat(), secretary),
    ]
    change = FieldChange.objects.get(field_name="owner")
    assert change.object_repr == nonconformity.reference and change.changed_at is not None


def test_assigning_the_same_owner_and_date_again_records_nothing(nonconformity, secretary, owner):
    services.nonconformity_assign(nonconformity=nonconformity, by=secretary, owner=owner, due_date=nonconformity.due_date)

    assert _changes(nonconformity) == []


def test_the_analysis_keeps_each_field_it_filled_in(nonconformity, owner):
    _analysed(nonconformity, owner)

    assert _changes(nonconformity) == [
        ("correction", "", "Bổ sung ngày trả", owner),
        ("whys", "", "Chưa có mẫu\nMẫu cũ thiếu ô", owner),
        ("root_cause", "", "Mẫu cũ thiếu ô", owner),
    ]


def test_the_note_of_a_finished_action_and_its_verification_are_kept(nonconformity, owner, lead, settings):
    settings.CORRECTIVE_ACTION_VERIFICATION_DELAY_DAYS = 0
    action = _action_in_progress(nonconformity, owner, lead)

    action = services.corrective_action_finish(action=action, by=owner, note="Đã in mẫu mới")
    services.corrective_action_verify(action=action, verified_by=lead, effective=True, note="Hồ sơ mới đủ ô", signature=signed(Signature.Meaning.VERIFIED))

    assert _changes(action) == [
        ("completion_note", "", "Đã in mẫu mới", owner),
        ("verification_note", "", "Hồ sơ mới đủ ô", lead),
    ]


def test_a_changed_response_to_an_observation_is_kept(audit_in_progress, lead, justice):
    finding = services.finding_record(
        audit=audit_in_progress, by=lead, kind=Finding.Kind.OBSERVATION, clause=clause("7.5"), unit=justice,
        statement="Sổ chưa đánh số trang", evidence="Sổ tiếp nhận",
    )
    services.finding_respond(finding=finding, by=lead, response="Sẽ đánh số")
    services.finding_respond(finding=finding, by=lead, response="Đã đánh số trang")

    assert _changes(finding) == [
        ("response", "", "Sẽ đánh số", lead),
        ("response", "Sẽ đánh số", "Đã đánh số trang", lead),
    ]


def test_field_changes_are_append_only_and_chained(nonconformity, secretary, lead):
    services.nonconformity_assign(nonconformity=nonconformity, by=secretary, owner=lead, due_date=TODAY)
    change = FieldChange.objects.first()

    change.new_value = "someone else"
    with pytest.raises(TypeError, match="append-only"):
        change.save()
    with pytest.raises(TypeError, match="append-only"):
        change.delete()
    with pytest.raises(TypeError, match="append-only"):
        FieldChange.objects.update(new_value="x")
    report = verify_chain(FieldChange)
    assert report.intact and report.verified == 2


def test_a_field_change_edited_in_the_database_is_named(nonconformity, secretary, lead):
    services.nonconformity_assign(nonconformity=nonconformity, by=secretary, owner=lead, due_date=TODAY)
    change = FieldChange.objects.get(field_name="owner")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Past the append-only trigger, as the database's owner could, for this transaction only.
            cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute("UPDATE iso_fieldchange SET old_value = 'nobody' WHERE id = %s", [change.pk])

    report = verify_chain(FieldChange)

    assert not report.intact
    assert f"Entry {change.pk} (audits.nonconformity #{nonconformity.pk}" in report.problem
    assert "content hash mismatch" in report.problem


def _page_queries(client, url) -> tuple[int, str]:
    reset_queries()  # the request resets the query log: count from zero
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, **EN)
    assert response.status_code == 200
    return len(captured), response.content.decode()


def test_the_nonconformity_page_shows_the_history_of_changes_of_it_and_its_actions(
    client, nonconformity, secretary, owner, lead, django_assert_max_num_queries
):
    client.force_login(secretary)
    url = nonconformity.get_absolute_url()
    action = _action_in_progress(nonconformity, owner, lead)
    before, _html = _page_queries(client, url)

    for day in range(1, 11):
        services.nonconformity_assign(
            nonconformity=Nonconformity.objects.get(pk=nonconformity.pk), by=secretary, owner=owner,
            due_date=TODAY + datetime.timedelta(days=day),
        )
    services.corrective_action_finish(action=CorrectiveAction.objects.get(pk=action.pk), by=owner, note="Đã in mẫu mới")

    reset_queries()
    with django_assert_max_num_queries(before):
        _count, html = _page_queries(client, url)
    with override("en"):
        assert "History of changes" in html
        assert "Correction (immediate fix)" in html and "Bổ sung ngày trả" in html
        assert "What was done" in html and "Đã in mẫu mới" in html
        assert action.label in html
        assert (TODAY + datetime.timedelta(days=10)).isoformat() in html


def test_the_audit_page_shows_the_changes_of_its_findings(client, audit_in_progress, lead, justice, django_assert_max_num_queries):
    client.force_login(lead)
    url = audit_in_progress.get_absolute_url()
    finding = services.finding_record(
        audit=audit_in_progress, by=lead, kind=Finding.Kind.IMPROVEMENT, clause=clause("7.5"), unit=justice,
        statement="Có thể số hoá sổ", evidence="Sổ tiếp nhận",
    )
    services.finding_respond(finding=finding, by=lead, response="Sẽ xem xét")
    before, _html = _page_queries(client, url)
    for n in range(10):
        services.finding_respond(finding=finding, by=lead, response=f"Lần {n}")

    reset_queries()
    with django_assert_max_num_queries(before):
        _count, html = _page_queries(client, url)
    assert "History of changes" in html and "Auditee&#x27;s response" in html and "Lần 9" in html
