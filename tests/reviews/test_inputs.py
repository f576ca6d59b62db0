"""The inputs of clause 9.3.2 gather exactly the items of the period: what falls on the day before
its start or the day after its end is left out, and the counts are worked out by hand."""

import datetime

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.utils import timezone

from audits import services as audit_services
from audits.models import ChecklistItem, Finding
from cases import services as case_services
from iso.models import Clause
from iso.workflows import transition_apply
from reviews import inputs, services
from reviews.inputs import PROVIDERS, figure_value, table_counts

from ..factories import signed
from .conftest import AFTER, BEFORE, END, START, at

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

TODAY = timezone.localdate()
#: The inputs whose apps are built on other branches; they are registered but not installed here.
WIRED_AT_MERGE = {"context_changes": "qms", "satisfaction": "satisfaction", "objectives": "objectives", "risks": "risks"}


def clause(number: str) -> Clause:
    return Clause.objects.get(number=number)


def test_the_agenda_has_one_item_per_input_of_clause_9_3_2_in_its_order(review):
    items = list(review.agenda_items.order_by("position"))

    assert [item.input_key for item in items] == list(PROVIDERS)
    assert [item.position for item in items] == list(range(1, len(PROVIDERS) + 1))
    assert items[0].input_key == "previous_actions" and items[0].clause == "9.3.2 a)"
    assert items[-1].input_key == "improvement" and items[-1].clause == "9.3.2 f)"
    for item in items:
        assert item.gathered_at is not None and item.summary, item.input_key
    for key, app in WIRED_AT_MERGE.items():
        if not apps.is_installed(app):
            assert inputs.gather(key, START, END) is None
            assert review.agenda_items.get(input_key=key).snapshot == {}
    for key in ("external_providers", "resources"):
        assert PROVIDERS[key].manual and review.agenda_items.get(input_key=key).snapshot == {}


def test_nonconformities_of_the_period_are_counted_by_state_source_and_severity(secretary, unit):
    yesterday = TODAY - datetime.timedelta(days=1)

    def raise_on(day, **fields):
        return audit_services.nonconformity_raise(by=secretary, unit=unit, description=f"Sự việc ngày {day}", detected_on=day, **fields)

    raise_on(BEFORE, source="complaint", severity="major")
    first = raise_on(START, source="complaint", severity="major", due_date=yesterday)
    last = raise_on(END, source="external_audit")
    raise_on(AFTER, source="complaint", due_date=yesterday)
    audit_services.nonconformity_transition(nonconformity=last, name="reject", by=secretary, comment="Không phải lỗi")
    first = audit_services.nonconformity_analyse(nonconformity=first, by=secretary, correction="Sửa ngay", root_cause="Thiếu kiểm tra")
    for due in (yesterday, TODAY + datetime.timedelta(days=30)):
        audit_services.corrective_action_plan(nonconformity=first, by=secretary, description="Bổ sung kiểm tra", owner=secretary, due_date=due)

    data = inputs.gather("nonconformities", START, END).data

    expected = {"total": 2, "major": 1, "open": 1, "overdue": 1, "closed": 0, "rejected": 1,
                "actions": 2, "actions_open": 2, "actions_overdue": 1, "actions_effective": 0}
    assert {key: figure_value(data, key) for key in expected} == expected
    assert table_counts(data, "by_source") == {
        "internal_audit": 0, "external_audit": 1, "complaint": 1, "process_monitoring": 0, "management_review": 0, "other": 0,
    }
    assert table_counts(data, "by_severity") == {"major": 1, "minor": 1}
    assert {k: v for k, v in table_counts(data, "by_state").items() if v} == {"analysed": 1, "rejected": 1}
    assert table_counts(data, "actions_by_state")["planned"] == 2
    assert list(table_counts(data, "overdue")) == [first.reference]


@pytest.fixture
def audits_around_the_period(secretary, lead, justice):
    """Audits planned the day before, on the first and last days, and the day after the period (and
    one cancelled inside it); findings of the first audit recorded around the period too."""
    programme = audit_services.programme_create(year=2026, title="Chương trình đánh giá nội bộ năm 2026", by=secretary)

    def plan(reference, day):
        return audit_services.audit_plan(
            programme=programme, by=secretary, reference=reference, title=f"Đánh giá {reference}", units=[justice],
            planned_start=day, planned_end=day, lead_auditor=lead,
        )

    plan("ĐG-TRƯỚC", BEFORE)
    inside = plan("ĐG-ĐẦU", START)
    plan("ĐG-CUỐI", END)
    plan("ĐG-SAU", AFTER)
    transition_apply(plan("ĐG-HOÃN", START), "cancel", by=secretary, comment="Hoãn sang quý sau")
    ChecklistItem.objects.create(audit=inside, position=1, question="Hồ sơ có đủ không?", clause=clause("7.5"))
    inside = transition_apply(transition_apply(inside, "prepare", by=lead), "start", by=lead)
    for day, kind, statement in [
        (BEFORE, Finding.Kind.IMPROVEMENT, "Cơ hội cải tiến trước kỳ"),
        (START, Finding.Kind.MINOR, "Sổ theo dõi thiếu ngày trả"),
        (START, Finding.Kind.IMPROVEMENT, "Nên niêm yết mã QR tra cứu hồ sơ"),
        (END, Finding.Kind.GOOD_PRACTICE, "Phiếu kiểm soát ghi đầy đủ"),
        (END, Finding.Kind.IMPROVEMENT, "Nên gửi tin nhắn khi có kết quả"),
        (AFTER, Finding.Kind.OBSERVATION, "Điểm lưu ý sau kỳ"),
    ]:
        audit_services.finding_record(
            audit=inside, by=lead, kind=kind, clause=clause("8.5.1"), unit=justice, statement=statement,
            evidence="Sổ theo dõi", recorded_on=day,
        )
    audit_services.audit_report(audit=inside, by=lead, summary="Hệ thống được duy trì.", signature=signed())
    for day in (BEFORE, START, AFTER):
        audit_services.nonconformity_raise(by=secretary, source="external_audit", unit=justice, description="Đoàn kiểm tra", detected_on=day)
    return inside


def test_audit_results_hold_the_audits_planned_and_the_findings_recorded_in_the_period(audits_around_the_period):
    data = inputs.gather("audits", START, END).data

    expected = {"audits": 2, "audits_done": 1, "findings": 4, "kind_minor": 1, "kind_improvement": 2,
                "kind_good_practice": 1, "kind_observation": 0, "kind_major": 0, "external": 1}
    assert {key: figure_value(data, key) for key in expected} == expected
    assert list(table_counts(data, "audits")) == ["ĐG-ĐẦU", "ĐG-CUỐI"]
    assert table_counts(data, "audits")["ĐG-ĐẦU"] == 6  # every finding of that audit, whenever recorded


def test_opportunities_for_improvement_are_the_findings_of_that_type_in_the_period(audits_around_the_period):
    gathered = inputs.gather("improvement", START, END)

    assert figure_value(gathered.data, "count") == 2
    [found] = gathered.data["tables"]
    assert [row[3] for row in found["rows"]] == ["Nên niêm yết mã QR tra cứu hồ sơ", "Nên gửi tin nhắn khi có kết quả"]
    assert found["row_keys"] == ["ĐG-ĐẦU/03", "ĐG-ĐẦU/05"]


def test_process_performance_counts_the_cases_received_in_the_period(birth, clerk):
    steps = birth.steps

    def receive(day, time):
        return case_services.case_receive(procedure=birth, by=clerk, applicant_name=f"Người nộp {day} {time}", received_at=at(day, time))

    receive(BEFORE.isoformat(), "23:59")
    on_time = receive(START.isoformat(), "00:00")
    on_time = case_services.case_move(case=on_time, to_step=steps["XL"], by=clerk, at=at(START.isoformat(), "08:00"))
    case_services.case_move(case=on_time, to_step=steps["KQ"], by=clerk, at=at(START.isoformat(), "09:00"))
    late = receive(END.isoformat(), "23:59")
    late = case_services.case_move(case=late, to_step=steps["XL"], by=clerk, at=at("2026-04-01", "08:00"))
    case_services.case_apologise(case=late, by=clerk, reason="Chờ xác minh", new_due_at=at("2026-04-21", "10:00"), at=at("2026-04-01", "09:00"))
    case_services.case_move(case=late, to_step=steps["KQ"], by=clerk, at=at("2026-04-20", "10:00"))
    receive(AFTER.isoformat(), "00:00")

    gathered = inputs.gather("process_performance", START, END)

    data = gathered.data
    expected = {"received": 2, "resolved": 2, "on_time": 1, "late": 1, "in_progress": 0, "rate": 50.0}
    assert {key: figure_value(data, key) for key in expected} == expected
    assert table_counts(data, "by_procedure") == {"QT-06": 50.0}
    assert "50" in gathered.summary


def test_the_agenda_keeps_what_was_gathered_until_it_is_gathered_again_and_freezes_when_held(review, secretary, unit):
    item = review.agenda_items.get(input_key="nonconformities")
    services.agenda_item_update(item=item, by=secretary, discussion="Phòng Tư pháp báo cáo.", conclusion="Đạt")
    assert figure_value(item.snapshot, "total") == 0

    audit_services.nonconformity_raise(by=secretary, source="complaint", unit=unit, description="Khiếu nại", detected_on=START)
    item.refresh_from_db()
    assert figure_value(item.snapshot, "total") == 0  # the snapshot is stored, not computed

    services.review_gather(review=review, by=secretary)
    item.refresh_from_db()
    assert figure_value(item.snapshot, "total") == 1
    assert item.discussion == "Phòng Tư pháp báo cáo." and item.conclusion == "Đạt"
    assert review.agenda_items.count() == len(PROVIDERS)  # gathering again adds no item

    services.review_hold(review=review, by=secretary)
    audit_services.nonconformity_raise(by=secretary, source="complaint", unit=unit, description="Khiếu nại 2", detected_on=START)
    with pytest.raises(ValidationError, match="frozen"):
        services.review_gather(review=review, by=secretary)
    item.refresh_from_db()
    assert figure_value(item.snapshot, "total") == 1
