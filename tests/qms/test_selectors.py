import datetime

import pytest
from django.utils import timezone

from iso import access
from iso.models import Role
from iso.revisions.services import revision_withdraw
from qms import selectors, services
from qms.models import ContextIssue, InterestedParty

from ..factories import (
    OrgUnitFactory,
    PolicyRevisionFactory,
    ScopeRevisionFactory,
    UserFactory,
    make_effective,
)
from .conftest import APR_1, JAN_1, JUL_1

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def test_the_scope_in_force_is_read_for_any_date(scopes, staff):
    first, second = scopes
    assert selectors.scope_effective(user=staff, on=JAN_1 - datetime.timedelta(days=1)) is None
    assert selectors.scope_effective(user=staff, on=JAN_1) == first
    assert selectors.scope_effective(user=staff, on=JUL_1 - datetime.timedelta(days=1)) == first
    # Superseded on 1 July: from that day the new revision is the one in force.
    assert selectors.scope_effective(user=staff, on=JUL_1) == second
    assert selectors.scope_effective(user=staff) == second


def test_a_withdrawn_scope_is_in_force_no_more(scopes, secretary, staff):
    _first, second = scopes
    revision_withdraw(revision=second, by=secretary, comment="Sáp nhập đơn vị")
    assert selectors.scope_effective(user=staff, on=TODAY) is None
    assert selectors.scope_effective(user=staff, on=JUL_1) == second


def test_the_units_and_procedures_in_scope_follow_the_revision_in_force(scopes, staff):
    assert [u.code for u in selectors.scope_units(user=staff, on=APR_1)] == ["MC"]
    assert [u.code for u in selectors.scope_units(user=staff)] == ["MC", "TP"]
    assert [p.code for p in selectors.scope_procedures(user=staff)] == ["QT-01"]
    assert list(selectors.scope_units(user=staff, on=datetime.date(2024, 12, 31))) == []


def test_context_changes_name_the_rows_added_removed_and_changed_in_a_period(scopes, staff):
    first, second = scopes
    changes = selectors.context_changes(user=staff, start=APR_1, end=TODAY)
    assert (changes.before, changes.after) == (first, second)
    assert [i.description for i in changes.issues_added] == ["Chuyển đổi số, dịch vụ công trực tuyến"]
    assert [i.description for i in changes.issues_removed] == ["Luật Đất đai 2024 thay đổi"]
    assert [(old.effect, new.effect) for old, new in changes.issues_changed] == [("Cũ", "Thay bằng Nghị định 118/2025")]
    assert [p.party for p in changes.parties_added] == ["Sở Khoa học và Công nghệ"]
    assert [p.party for p in changes.parties_removed] == ["Sở Nội vụ"]
    assert changes.parties_changed == []
    assert changes.any


def test_no_change_within_one_revision_and_everything_added_before_the_first(scopes, staff):
    unchanged = selectors.context_changes(user=staff, start=JAN_1, end=APR_1)
    assert not unchanged.any
    from_nothing = selectors.context_changes(user=staff, start=datetime.date(2024, 6, 1), end=APR_1)
    assert from_nothing.before is None
    assert len(from_nothing.issues_added) == 3 and len(from_nothing.parties_added) == 2
    assert from_nothing.issues_removed == [] and isinstance(from_nothing.issues_added[0], ContextIssue)
    assert isinstance(from_nothing.parties_added[0], InterestedParty)


def test_the_selectors_read_the_scope_in_a_fixed_number_of_queries(scopes, staff, django_assert_num_queries):
    access.reach(staff)  # the user's reach is read once per request, before any page's own queries
    with django_assert_num_queries(12):
        # 6 for each revision: itself, then units, procedures, exclusions, issues and parties.
        selectors.context_changes(user=staff, start=APR_1, end=TODAY)


def test_drafts_are_not_in_force_and_not_seen_by_staff(secretary, staff):
    draft = ScopeRevisionFactory(author=secretary)
    assert selectors.scope_effective(user=secretary) is None
    with pytest.raises(type(draft).DoesNotExist):
        selectors.revision_get(user=staff, kind="scope", number=draft.number)
    assert selectors.revision_get(user=secretary, kind="scope", number=draft.number) == draft


def test_the_scope_must_be_announced_again_once_a_newer_revision_is_in_force(scopes, secretary, staff):
    first, second = scopes
    assert selectors.scope_announcement(user=staff).needed  # never announced
    services.scope_announcement_record(document=first.document, announced_on=APR_1, reference="", by=secretary)
    announcement = selectors.scope_announcement(user=staff)
    assert (announcement.scope, announcement.announced_on, announcement.needed) == (second, APR_1, True)
    services.scope_announcement_record(document=first.document, announced_on=JUL_1, reference="", by=secretary)
    assert not selectors.scope_announcement(user=staff).needed


def test_the_home_tasks_show_the_announcement_only_to_the_secretary(scopes, secretary, staff):
    assert selectors.qms_tasks(user=secretary)["announcement"].needed
    assert "announcement" not in selectors.qms_tasks(user=staff)


def test_the_policy_waits_for_each_person_until_they_read_it(secretary, approver, staff):
    policy = make_effective(PolicyRevisionFactory(author=secretary), approver=approver, publisher=secretary)
    assert selectors.policy_to_acknowledge(user=staff) == policy
    services.policy_acknowledge(revision=policy, user=staff)
    assert selectors.policy_to_acknowledge(user=staff) is None
    assert selectors.policy_to_acknowledge(user=approver) == policy


def test_the_readers_of_the_policy_are_grouped_by_unit(secretary, approver, staff, django_assert_num_queries):
    policy = make_effective(PolicyRevisionFactory(author=secretary), approver=approver, publisher=secretary)
    other_unit = OrgUnitFactory(code="XAP", name="UBND xã An Phú")
    clerk = UserFactory(roles=[Role.STAFF], unit=other_unit, full_name="Lý Thị Mai")
    UserFactory(roles=[Role.STAFF], unit=other_unit, is_active=False)
    services.policy_acknowledge(revision=policy, user=staff)
    services.policy_acknowledge(revision=policy, user=clerk)
    with django_assert_num_queries(2):
        groups = selectors.policy_readers(user=secretary, revision=policy)
    by_unit = {g.unit.code if g.unit else None: g for g in groups}
    assert [a.user for a in by_unit["XAP"].acknowledged] == [clerk] and by_unit["XAP"].pending == []
    office = by_unit[staff.unit.code]
    assert [a.user for a in office.acknowledged] == [staff]
    # The factories' authors and approvers of the revision have not read it yet.
    assert secretary in office.pending and approver in office.pending
    assert all(g.total == len(g.acknowledged) + len(g.pending) for g in groups)
