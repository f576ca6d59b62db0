"""The register's figures on hand-made data: the heat map's counts, the filters, the summary at a
date and the changes of level in a period (what the management review quotes), what is due."""

import datetime

import pytest
from django.utils import timezone
from django.utils.translation import override

from iso import access
from iso.actions import action_transition
from risks import selectors, services
from risks.models import Band, Risk, RiskAction

from ..factories import make_risk
from .conftest import TODAY, days

pytestmark = pytest.mark.django_db


def _at(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))


@pytest.fixture
def register(head, clerk, lawyer):
    """Open: two 4×4 and one 2×3 risks and a 3×5 opportunity of the one-stop shop, one 4×4 of the
    justice office, one unrated; closed: a 1×5 of the one-stop shop."""
    risks = {
        "software": make_risk(owner=head, title="Lỗi phần mềm một cửa", likelihood=4, impact=4),
        "network": make_risk(owner=head, title="Mất đường truyền", likelihood=4, impact=4),
        "queue": make_risk(owner=clerk, title="Chờ lâu tại quầy", likelihood=2, impact=3),
        "online": make_risk(owner=head, title="Tiếp nhận hồ sơ trực tuyến toàn trình", kind=Risk.Kind.OPPORTUNITY,
                            likelihood=3, impact=5),
        "law": make_risk(owner=lawyer, title="Văn bản pháp luật mới chưa cập nhật", likelihood=4, impact=4),
        "device": make_risk(owner=clerk, title="Thiết bị đánh giá hỏng"),
        "old": make_risk(owner=head, title="Hết biểu mẫu in sẵn", likelihood=1, impact=5),
    }
    services.risk_transition(risk=risks["old"], name="close", by=head, comment="Đã chuyển sang biểu mẫu điện tử")
    return risks


def _counts(heat) -> dict[tuple[int, int], int]:
    return {(cell.likelihood, cell.impact): cell.count for _l, _n, cells in heat.rows for cell in cells if cell.count}


def test_the_heat_map_counts_the_open_rated_risks_per_cell(register, secretary):
    heat = selectors.heat_map(user=secretary)
    assert _counts(heat) == {(4, 4): 3, (2, 3): 1, (3, 5): 1}
    assert (heat.total, heat.unrated) == (5, 1)
    # Likelihood runs down from 5, impact along from 1; each cell carries its level's band.
    assert [likelihood for likelihood, _name, _cells in heat.rows] == [5, 4, 3, 2, 1]
    cells = {(c.likelihood, c.impact): c for _l, _n, row in heat.rows for c in row}
    assert (cells[4, 4].level, cells[4, 4].band) == (16, Band.CRITICAL)
    assert (cells[2, 3].level, cells[2, 3].band) == (6, Band.MEDIUM)
    assert (cells[1, 1].band, cells[5, 5].band) == (Band.LOW, Band.CRITICAL)


def test_the_heat_map_follows_the_filters_and_the_readers_reach(register, secretary, clerk, one_stop, justice):
    assert _counts(selectors.heat_map(user=secretary, filters={"unit": justice})) == {(4, 4): 1}
    assert _counts(selectors.heat_map(user=secretary, filters={"kind": Risk.Kind.OPPORTUNITY})) == {(3, 5): 1}
    # A cell's own filter does not empty the other cells.
    assert _counts(selectors.heat_map(user=secretary, filters={"likelihood": 2, "impact": 3})) == {(4, 4): 3, (2, 3): 1, (3, 5): 1}
    staff_view = selectors.heat_map(user=clerk)
    assert _counts(staff_view) == {(4, 4): 2, (2, 3): 1, (3, 5): 1}
    assert staff_view.unrated == 1


def test_the_heat_map_is_one_query(register, secretary, django_assert_num_queries):
    scale = selectors.current_scale()
    access.reach(secretary)  # the reader's roles, read once per request
    with django_assert_num_queries(1):
        selectors.heat_map(user=secretary, scale=scale)


def _titles(risks) -> list[str]:
    return sorted(risk.title for risk in risks)


@pytest.mark.parametrize(("filters", "expected"), [
    ({"band": Band.CRITICAL}, ["Lỗi phần mềm một cửa", "Mất đường truyền", "Tiếp nhận hồ sơ trực tuyến toàn trình",
                               "Văn bản pháp luật mới chưa cập nhật"]),
    ({"band": Band.MEDIUM}, ["Chờ lâu tại quầy", "Hết biểu mẫu in sẵn"]),
    ({"kind": Risk.Kind.OPPORTUNITY}, ["Tiếp nhận hồ sơ trực tuyến toàn trình"]),
    ({"state": Risk.State.IDENTIFIED}, ["Thiết bị đánh giá hỏng"]),
    ({"state": Risk.State.CLOSED}, ["Hết biểu mẫu in sẵn"]),
    ({"likelihood": 4, "impact": 4, "open_only": True},
     ["Lỗi phần mềm một cửa", "Mất đường truyền", "Văn bản pháp luật mới chưa cập nhật"]),
    ({"q": "trực tuyến"}, ["Tiếp nhận hồ sơ trực tuyến toàn trình"]),
])
def test_the_register_filters(register, secretary, filters, expected):
    assert _titles(selectors.risk_list(user=secretary, filters=filters)) == expected


def test_the_register_filters_by_unit_and_owner(register, secretary, justice, clerk):
    assert _titles(selectors.risk_list(user=secretary, filters={"unit": justice})) == ["Văn bản pháp luật mới chưa cập nhật"]
    assert _titles(selectors.risk_list(user=secretary, filters={"owner": clerk})) == ["Chờ lâu tại quầy", "Thiết bị đánh giá hỏng"]


def test_overdue_reviews_come_first_and_filter_on_their_own(register, secretary, head):
    late = make_risk(owner=head, title="Quá hạn xem xét", likelihood=1, impact=1, identified_on=days(-40), review_in_days=-5)
    risks = list(selectors.risk_list(user=secretary))
    assert risks[0] == late and risks[0].overdue_review and risks[0].band == Band.LOW
    assert not any(r.overdue_review for r in risks[1:])
    assert [r.title for r in selectors.risk_list(user=secretary, filters={"overdue": True})] == ["Quá hạn xem xét"]
    # Then by level, highest first, the unrated last.
    assert [r.level for r in risks[1:]] == [16, 16, 16, 15, 6, 5, None]


def test_the_register_counts_open_actions(register, head, clerk, secretary):
    software = register["software"]
    for description in ("Phương án giấy dự phòng", "Nâng cấp máy chủ"):
        services.risk_action_plan(risk=software, by=head, description=description, owner=clerk, due_date=days(10))
    rows = {r.title: r.open_actions for r in selectors.risk_list(user=secretary)}
    assert rows["Lỗi phần mềm một cửa"] == 2 and rows["Mất đường truyền"] == 0


@pytest.fixture
def history(head, clerk):
    """A: rated 4×4 100 days ago, 2×4 50 days ago (review 10 days ago: overdue); its action planned
    60 days ago, due 50 days ago, done 40 days ago. B: entered 80 days ago, never rated, first review
    60 days ago. C: an opportunity rated 3×4 30 days ago, the same level again 10 days ago; its action
    planned 20 days ago, due 5 days ago, open. D: rated 2×2 90 days ago, closed today."""
    a = make_risk(owner=head, title="A", likelihood=4, impact=4, identified_on=days(-100), review_in_days=-50)
    services.risk_assess(risk=a, by=head, likelihood=2, impact=4, next_review=days(-10), assessed_on=days(-50))
    b = make_risk(owner=clerk, title="B", identified_on=days(-80), review_in_days=-60)
    c = make_risk(owner=head, title="C", kind=Risk.Kind.OPPORTUNITY, likelihood=3, impact=4, identified_on=days(-30))
    services.risk_assess(risk=c, by=head, likelihood=4, impact=3, next_review=days(90), assessed_on=days(-10))
    d = make_risk(owner=head, title="D", likelihood=2, impact=2, identified_on=days(-90), review_in_days=30)
    services.risk_transition(risk=d, name="close", by=head, comment="Không còn")
    done = services.risk_action_plan(risk=a, by=head, description="Phương án", owner=clerk, due_date=days(-50))
    services.risk_transition(risk=a, name="treat", by=head)
    done = action_transition(action=action_transition(action=done, name="start", by=clerk), name="finish", by=clerk, note="Xong")
    RiskAction.objects.filter(pk=done.pk).update(planned_at=_at(days(-60)), completed_at=_at(days(-40)))
    open_action = services.risk_action_plan(risk=c, by=head, description="Công bố danh mục", owner=clerk, due_date=days(-5))
    RiskAction.objects.filter(pk=open_action.pk).update(planned_at=_at(days(-20)))
    return {"a": a, "b": b, "c": c, "d": d}


def test_the_summary_today_counts_by_kind_and_band_with_actions_and_overdue_reviews(history, secretary):
    summary = selectors.register_summary(user=secretary, at=TODAY)
    assert summary.by_kind_and_band == {("risk", Band.MEDIUM): 1, ("risk", ""): 1, ("opportunity", Band.HIGH): 1}
    assert (summary.total, summary.count(kind="risk"), summary.count(band=Band.HIGH)) == (3, 2, 1)
    assert (summary.open_actions, summary.overdue_actions, summary.overdue_reviews) == (1, 1, 2)
    with override("en"):
        assert summary.table()[0] == ("risk", "Risk", [0, 1, 0, 0, 1], 2)


@pytest.mark.parametrize(("day", "bands", "figures"), [
    # 70 days ago: A critical (its first rating), B unrated, D low; nothing overdue, no action yet.
    (-70, {("risk", Band.CRITICAL): 1, ("risk", ""): 1, ("risk", Band.LOW): 1}, (0, 0, 0)),
    # 45 days ago: A medium since its reassessment, its action open and overdue; B's first review passed.
    (-45, {("risk", Band.MEDIUM): 1, ("risk", ""): 1, ("risk", Band.LOW): 1}, (1, 1, 1)),
    # Yesterday: D not closed yet; C rated.
    (-1, {("risk", Band.MEDIUM): 1, ("risk", ""): 1, ("risk", Band.LOW): 1, ("opportunity", Band.HIGH): 1}, (1, 1, 2)),
])
def test_the_summary_at_a_past_date_is_rebuilt_from_the_history(history, secretary, day, bands, figures):
    summary = selectors.register_summary(user=secretary, at=days(day))
    assert summary.by_kind_and_band == bands
    assert (summary.open_actions, summary.overdue_actions, summary.overdue_reviews) == figures


def test_the_summary_keeps_to_the_readers_reach(history, lawyer):
    assert selectors.register_summary(user=lawyer, at=TODAY).total == 0


def test_the_changes_of_level_in_a_period(history, secretary, lawyer):
    changes = selectors.level_changes(user=secretary, start=days(-60), end=TODAY)
    # C's reassessment kept its level (4 × 3 = 3 × 4): not a change.
    assert [(c.risk.title, c.old_level, c.new_level, c.direction) for c in changes] == [
        ("A", 16, 8, "down"), ("C", None, 12, "new"),
    ]
    assert (changes[0].old_band, changes[0].new_band) == (Band.CRITICAL, Band.MEDIUM)
    earlier = selectors.level_changes(user=secretary, start=days(-100), end=days(-61))
    assert [(c.risk.title, c.direction, c.assessment.assessed_on) for c in earlier] == [("A", "new", days(-100)), ("D", "new", days(-90))]
    assert selectors.level_changes(user=lawyer, start=days(-100), end=TODAY) == []


def test_what_is_due_for_an_owner(history, head, clerk):
    due = selectors.due_risk_items(user=head, within_days=7)
    assert [r.title for r in due.risks] == ["A"] and due.actions == []
    assert [r.title for r in selectors.due_risk_items(user=head).risks] == ["A", "C"]
    clerks = selectors.due_risk_items(user=clerk, within_days=7)
    assert [r.title for r in clerks.risks] == ["B"] and [a.description for a in clerks.actions] == ["Công bố danh mục"]
    assert set(selectors.owners_with_due_risks(today=TODAY, within_days=7)) == {head, clerk}
