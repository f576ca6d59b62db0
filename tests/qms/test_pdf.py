"""The printed scope and policy: Vietnamese intact, the shared frame and the signature block."""

import datetime

import pytest
from django.utils.translation import override

from qms.pdf import policy_revision_pdf, scope_revision_pdf

from ..factories import (
    ContextIssueFactory,
    ExcludedClauseFactory,
    InterestedPartyFactory,
    OrgUnitFactory,
    PolicyCommitmentFactory,
    PolicyRevisionFactory,
    ProcedureFactory,
    ScopeRevisionFactory,
    make_effective,
)
from ..records.test_pdf import pdf_text

pytestmark = pytest.mark.django_db

EFFECTIVE = datetime.date(2026, 3, 2)


def test_the_scope_prints_every_part_in_vietnamese_with_the_frame_and_signatures(secretary, approver):
    revision = ScopeRevisionFactory(
        author=secretary,
        statement="Tiếp nhận, giải quyết và trả kết quả thủ tục hành chính tại Bộ phận Một cửa huyện Quang Trung.",
        units=[OrgUnitFactory(code="MC", name="Bộ phận Tiếp nhận và trả kết quả")],
        procedures=[ProcedureFactory(code="QT-06", title="Đăng ký khai sinh")],
    )
    ExcludedClauseFactory(revision=revision, justification="Không thiết kế dịch vụ mới; thủ tục do luật định.")
    ContextIssueFactory(revision=revision, kind="external", description="Luật Đất đai năm 2024 có hiệu lực",
                        effect="Phải sửa đổi các quy trình đất đai")
    for index in range(40):  # enough rows for a second page
        ContextIssueFactory(revision=revision, kind="internal", description=f"Thiếu trang thiết bị số hóa hồ sơ {index}")
    InterestedPartyFactory(revision=revision, party="Sở Khoa học và Công nghệ", requirements="Công bố lại khi thay đổi")
    revision = make_effective(revision, approver=approver, publisher=secretary, effective_from=EFFECTIVE)

    with override("vi"):
        pages = pdf_text(scope_revision_pdf(revision))
    text = "\n".join(pages)
    assert len(pages) >= 2
    for expected in (
        "Tiếp nhận, giải quyết và trả kết quả thủ tục hành chính tại Bộ phận Một cửa huyện Quang Trung.",
        "Bộ phận Tiếp nhận và trả kết quả", "Đăng ký khai sinh", "Thiết kế và phát triển",
        "Không thiết kế dịch vụ mới; thủ tục do luật định.", "Luật Đất đai năm 2024 có hiệu lực",
        "Sở Khoa học và Công nghệ", secretary.full_name, approver.full_name, "Người soạn thảo", "Người phê duyệt", "Người ban hành", "đã ký điện tử",
    ):
        assert expected in text, expected
    for number, page in enumerate(pages, start=1):
        assert "STCL-01" in page and "02/03/2026" in page
        assert f"Trang {number}/{len(pages)}" in page or f"Trang {number} / {len(pages)}" in page, page[:300]


def test_the_policy_prints_its_text_and_numbered_commitments(secretary, approver):
    revision = PolicyRevisionFactory(author=secretary, text="Lấy sự hài lòng của người dân, doanh nghiệp làm thước đo.")
    PolicyCommitmentFactory(revision=revision, position=1, text="Công khai, minh bạch thủ tục hành chính")
    PolicyCommitmentFactory(revision=revision, position=2, text="Giải quyết hồ sơ đúng hẹn, không phiền hà")
    revision = make_effective(revision, approver=approver, publisher=secretary, effective_from=EFFECTIVE)
    with override("vi"):
        text = "\n".join(pdf_text(policy_revision_pdf(revision)))
    assert "Lấy sự hài lòng của người dân, doanh nghiệp làm thước đo." in text
    assert "1. Công khai, minh bạch thủ tục hành chính" in text
    assert "2. Giải quyết hồ sơ đúng hẹn, không phiền hà" in text
    assert "CSCL-01" in text and "ký điện tử" in text
