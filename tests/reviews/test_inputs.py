"""The inputs of clause 9.3.2 gather exactly the items of the period: what falls on the day before
its start or the day after its end is left out, and the counts are worked out by hand."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from audits import services as audit_services
from audits.models import ChecklistItem, Finding
from cases import services as case_services
from iso.models import Clause
from iso.workflows import transition_apply
from objectives import services as objective_services
from reviews import inputs, services
from reviews.inputs import PROVIDERS, figure_value, table_counts

from ..factories import FeedbackFactory, ObjectiveFactory, make_risk, signed
from ..qms.conftest import scopes  # noqa: F401 (fixture)
from .conftest import AFTER, BEFORE, END, START, at

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

TODAY = timezone.localdate()
#: The inputs computed by the other modules of the management system.
FROM_OTHER_MODULES = ("context_changes", "satisfaction", "objectives", "risks")


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
    for key in FROM_OTHER_MODULES:
        assert review.agenda_items.get(input_key=key).snapshot["figures"], key
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


# The inputs computed by the other modules of the management system


def test_changes_of_context_compare_the_scope_in_force_at_the_start_with_the_one_at_the_end(scopes):
    first, second = scopes
    gathered = inputs.gather("context_changes", first.effective_from, second.effective_from)

    # Issues: "Luật Đất đai" removed, "Chuyển đổi số" added, "Nghị định 61" with a new effect; the
    # first one only rewritten with other spaces and case. Parties: Sở Nội vụ out, Sở KH&CN in.
    assert figure_value(gathered.data, "issues_changed") == 3
    assert figure_value(gathered.data, "parties_changed") == 2
    [issues, parties] = gathered.data["tables"]
    assert sorted(row[0] for row in issues["rows"]) == ["added", "changed", "removed"]
    assert {row[1]: row[0] for row in parties["rows"]} == {"Sở Khoa học và Công nghệ": "added", "Sở Nội vụ": "removed"}
    assert "3 issues and 2 interested parties" in gathered.summary

    unchanged = inputs.gather("context_changes", second.effective_from, second.effective_from + datetime.timedelta(days=30))
    assert figure_value(unchanged.data, "issues_changed") == 0 and "did not change" in unchanged.summary


def test_satisfaction_counts_the_feedback_given_in_the_period(db):
    from satisfaction.models import Feedback

    FeedbackFactory(given_on=START, scores={"staff_attitude": 5, "costs": 3}, is_complaint=True)
    FeedbackFactory(given_on=END, scores={"return_time": 4})
    FeedbackFactory(given_on=BEFORE, scores={"staff_attitude": 1}, is_complaint=True)
    FeedbackFactory(given_on=AFTER, scores={"costs": 1})
    gathered = inputs.gather("satisfaction", START, END)

    # In the period: scores 5, 3, 4, two of them 4 or more: 2 ÷ 3 = 66.67%, from 2 responses.
    assert figure_value(gathered.data, "index") == 66.67
    assert figure_value(gathered.data, "responses") == 2
    assert figure_value(gathered.data, "complaints") == 1
    assert table_counts(gathered.data, "criteria") == {"return_time": 100.0, "staff_attitude": 100.0, "costs": 0.0}
    assert gathered.summary == "Satisfaction index 66.67% from 2 responses."
    assert Feedback.objects.count() == 4


def test_objectives_are_judged_as_they_stood_at_the_end_of_the_period(secretary):
    def manual(name, target, values, due=datetime.date(2026, 12, 31)):
        objective = ObjectiveFactory(year=2026, name=name, target=target, owner=secretary, due_date=due)
        for month, value in values.items():
            objective_services.objective_value_record(
                objective=objective, by=secretary, month=month, value=value, today=datetime.date(2026, 12, 31)
            )
        return objective

    met = manual("Lớp đào tạo", 4, {1: 2, 3: 3})  # 2 + 3 = 5 by 31 March: at least 4
    at_risk = manual("Hội thảo", 4, {1: 1, 4: 9})  # 1 by 31 March (April is after the period), due in December
    missed = manual("Kiểm tra", 10, {2: 3}, due=datetime.date(2026, 3, 15))  # due within the period, 3 of 10
    ObjectiveFactory(year=2025, name="Năm trước", owner=secretary)
    gathered = inputs.gather("objectives", START, END)

    assert (figure_value(gathered.data, "met"), figure_value(gathered.data, "at_risk"), figure_value(gathered.data, "missed")) == (1, 1, 1)
    rows = {row[0]: row for row in gathered.data["tables"][0]["rows"]}
    assert set(rows) == {met.reference, at_risk.reference, missed.reference}
    assert rows[met.reference][-1] == "Met" and rows[missed.reference][-1] == "Missed"
    assert gathered.summary == "1 of 3 quality objectives met, 1 at risk, 1 missed."


def test_risks_show_the_register_at_the_end_of_the_period_and_the_levels_that_moved_in_it(member):
    from risks import services as risk_services

    def rated(title, identified_on, likelihood, impact):
        return make_risk(owner=member, title=title, identified_on=identified_on, likelihood=likelihood, impact=impact)

    lowered = rated("Trễ hạn vào cao điểm", datetime.date(2026, 1, 10), 4, 4)  # 16: critical
    risk_services.risk_assess(
        risk=lowered, by=member, likelihood=2, impact=3, next_review=END + datetime.timedelta(days=30),
        assessed_on=START + datetime.timedelta(days=8),
    )
    rated("Lỗi phần mềm một cửa", START + datetime.timedelta(days=3), 3, 4)  # 12, new in the period: high
    risk_services.risk_assess(
        risk=lowered, by=member, likelihood=5, impact=5, next_review=END + datetime.timedelta(days=60), assessed_on=AFTER
    )
    rated("Sau kỳ", AFTER, 1, 1)
    gathered = inputs.gather("risks", START, END)

    # At the end of March: the lowered one at 2 × 3 = 6 (medium) and the new one at 12 (high); what
    # happened from 1 April on is left out.
    assert figure_value(gathered.data, "open") == 2
    assert (figure_value(gathered.data, "level_down"), figure_value(gathered.data, "level_up"),
            figure_value(gathered.data, "assessed_first")) == (1, 0, 1)
    [by_band, changes] = gathered.data["tables"]
    risk_row = by_band["rows"][by_band["row_keys"].index("risk")]
    assert risk_row[1:] == [0, 1, 1, 0, 0, 2]  # low, medium, high, critical, not assessed, total
    assert [row[3:] for row in changes["rows"]] == [["—", 12], [16, 6]]  # 5 March, then 10 March
    assert gathered.summary.startswith("2 risks and opportunities open; 1 levels lowered and 0 raised")
