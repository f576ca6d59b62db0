"""Two revisions of the scope and context: what changed between them is worked out in the fixture."""

import datetime

import pytest

from qms import services

from ..factories import ContextIssueFactory, InterestedPartyFactory, OrgUnitFactory, ProcedureFactory, ScopeRevisionFactory, make_effective

JAN_1, APR_1, JUL_1 = datetime.date(2025, 1, 1), datetime.date(2025, 4, 1), datetime.date(2025, 7, 1)


@pytest.fixture
def scopes(secretary, approver):
    """Scope revision 0 in force from 1 January 2025, revision 1 from 1 July 2025."""
    first = ScopeRevisionFactory(author=secretary, units=[OrgUnitFactory(code="MC")], procedures=[ProcedureFactory(code="QT-01")])
    ContextIssueFactory(revision=first, kind="internal", description="Thiếu  công chức một cửa", effect="Chậm hồ sơ")
    ContextIssueFactory(revision=first, kind="external", description="Luật Đất đai 2024 thay đổi", effect="Sửa quy trình")
    ContextIssueFactory(revision=first, kind="external", description="Nghị định 61/2018", effect="Cũ")
    InterestedPartyFactory(revision=first, party="Người dân", requirements="Đúng hẹn", monitoring="Khảo sát")
    InterestedPartyFactory(revision=first, party="Sở Nội vụ", requirements="Báo cáo", monitoring="")
    first = make_effective(first, approver=approver, publisher=secretary, effective_from=JAN_1)

    second = services.qms_revision_start(document=first.document, by=secretary)
    second.units.add(OrgUnitFactory(code="TP"))
    second.issues.filter(description__startswith="Luật").delete()
    # Same issue, written with other spaces and case: not a change; a new effect is.
    second.issues.filter(description__startswith="Thiếu").update(description="thiếu công chức  một cửa")
    second.issues.filter(description__startswith="Nghị định").update(effect="Thay bằng Nghị định 118/2025")
    ContextIssueFactory(revision=second, kind="external", description="Chuyển đổi số, dịch vụ công trực tuyến")
    second.parties.filter(party="Sở Nội vụ").delete()
    InterestedPartyFactory(revision=second, party="Sở Khoa học và Công nghệ", requirements="Công bố lại khi phạm vi thay đổi")
    second = make_effective(second, approver=approver, publisher=secretary, effective_from=JUL_1)
    return first, second
