"""The demo organisation's scope and context document and quality policy (see iso.demo), made through
the services as the ISO secretary and the head of the ISO steering committee would.

The scope took effect in March 2024 and was announced then; it was widened to the three communes in
September 2025 and not announced again yet, so the secretary sees the red flag. The policy was
revised in January 2026, and part of the staff has not read the new revision yet.
"""

import datetime

from iso.demo import DemoOrganisation, demo_signature
from iso.models import Clause, Role
from iso.revisions import services as revisions
from processes.models import Procedure

from . import services
from .models import ContextIssue, ExcludedClause, InterestedParty, PolicyCommitment, QmsDocument, QmsRevision

INTERNAL, EXTERNAL = ContextIssue.Kind.INTERNAL, ContextIssue.Kind.EXTERNAL

EXCLUSION_8_3 = (
    "Các thủ tục hành chính do cơ quan nhà nước có thẩm quyền quy định; UBND huyện tổ chức thực hiện theo quy định, "
    "không thiết kế và phát triển sản phẩm, dịch vụ mới. Việc không áp dụng yêu cầu này không ảnh hưởng đến khả "
    "năng và trách nhiệm của cơ quan trong việc bảo đảm sự phù hợp của dịch vụ hành chính công và nâng cao sự hài "
    "lòng của người dân, doanh nghiệp."
)

STATEMENT = (
    "Hệ thống quản lý chất lượng theo TCVN ISO 9001:2015 của UBND huyện Quang Trung được áp dụng cho hoạt động "
    "tiếp nhận, giải quyết và trả kết quả các thủ tục hành chính thuộc thẩm quyền của UBND huyện tại Bộ phận "
    "Tiếp nhận và trả kết quả huyện (Bộ phận Một cửa) theo cơ chế một cửa, một cửa liên thông, và cho các hoạt "
    "động quản lý nội bộ liên quan: kiểm soát tài liệu, kiểm soát hồ sơ, đánh giá nội bộ, kiểm soát sự không "
    "phù hợp và xem xét của lãnh đạo."
)

ISSUES_2024 = [
    (INTERNAL, "Số lượng công chức tại Bộ phận Một cửa còn mỏng, một người kiêm nhiệm nhiều lĩnh vực.",
     "Nguy cơ trễ hẹn vào thời điểm cao điểm; cần phân công dự phòng và đào tạo chéo."),
    (INTERNAL, "Trang thiết bị tin học, máy quét phục vụ số hóa hồ sơ chưa đồng bộ.",
     "Ảnh hưởng đến tiến độ số hóa và tiếp nhận hồ sơ trực tuyến."),
    (INTERNAL, "Lãnh đạo UBND huyện quan tâm, chỉ đạo sát sao công tác cải cách hành chính.",
     "Thuận lợi để duy trì và cải tiến hệ thống quản lý chất lượng."),
    (EXTERNAL, "Văn bản quy phạm pháp luật về thủ tục hành chính thay đổi thường xuyên (đất đai, hộ tịch, xây dựng).",
     "Phải cập nhật quy trình trong vòng 3 tháng kể từ khi văn bản mới có hiệu lực."),
    (EXTERNAL, "Người dân, doanh nghiệp ngày càng đòi hỏi cao về thời gian giải quyết và thái độ phục vụ.",
     "Theo dõi tỷ lệ hồ sơ đúng hẹn và mức độ hài lòng hằng tháng."),
    (EXTERNAL, "Hệ thống thông tin giải quyết thủ tục hành chính của tỉnh kết nối với Cổng Dịch vụ công quốc gia.",
     "Quy trình phải phù hợp với việc tiếp nhận và trả kết quả trực tuyến."),
]

PARTIES_2024 = [
    ("Người dân, tổ chức, doanh nghiệp",
     "Thủ tục công khai, đơn giản; giải quyết đúng hẹn; được hướng dẫn đầy đủ một lần; thái độ phục vụ tận tình.",
     "Khảo sát mức độ hài lòng; hộp thư góp ý, đường dây nóng; tỷ lệ hồ sơ đúng hẹn."),
    ("UBND tỉnh (cơ quan cấp trên trực tiếp)",
     "Thực hiện đúng quy định về cải cách hành chính và cơ chế một cửa; báo cáo định kỳ đúng hạn.",
     "Báo cáo cải cách hành chính hằng quý, năm; kết quả chấm điểm chỉ số cải cách hành chính."),
    ("Sở Khoa học và Công nghệ",
     "Công bố hệ thống quản lý chất lượng phù hợp TCVN ISO 9001:2015, duy trì và cải tiến; công bố lại khi điều "
     "chỉnh phạm vi áp dụng; báo cáo tình hình áp dụng hằng năm.",
     "Báo cáo tình hình áp dụng hằng năm; kiểm tra của Sở."),
    ("HĐND huyện, Ủy ban Mặt trận Tổ quốc Việt Nam huyện",
     "Giám sát việc giải quyết thủ tục hành chính; tiếp thu, trả lời kiến nghị của cử tri.",
     "Báo cáo giám sát; trả lời kiến nghị cử tri tại các kỳ họp."),
    ("Cán bộ, công chức, người lao động",
     "Phân công rõ ràng; được đào tạo, bồi dưỡng; môi trường làm việc thuận lợi.",
     "Họp giao ban hằng tuần; đánh giá, xếp loại cuối năm."),
]

#: The scope widened to the communes in September 2025: what changed in its context.
ISSUES_2025 = [
    ISSUES_2024[0],
    ISSUES_2024[2],
    (INTERNAL, "Mở rộng áp dụng hệ thống quản lý chất lượng đến UBND các xã An Phú, Hòa Bình, Tân Lập; công chức "
               "cấp xã chưa quen với việc áp dụng ISO.",
     "Tập huấn, hướng dẫn áp dụng cho công chức cấp xã; đánh giá nội bộ các xã trong năm đầu."),
    ISSUES_2024[3],
    (EXTERNAL, ISSUES_2024[4][1],
     "Theo dõi tỷ lệ hồ sơ đúng hẹn hằng tháng; khảo sát mức độ hài lòng bằng thiết bị đánh giá tại quầy."),
    ISSUES_2024[5],
    (EXTERNAL, "Nghị định số 118/2025/NĐ-CP thay thế Nghị định số 61/2018/NĐ-CP về thực hiện cơ chế một cửa, "
               "một cửa liên thông.",
     "Rà soát, sửa đổi các quy trình và biểu mẫu một cửa cho phù hợp quy định mới."),
]

PARTIES_2025 = [
    *PARTIES_2024,
    ("UBND các xã An Phú, Hòa Bình, Tân Lập",
     "Được hướng dẫn áp dụng hệ thống quản lý chất lượng; phối hợp liên thông hồ sơ giữa cấp xã và cấp huyện.",
     "Đánh giá nội bộ; báo cáo hằng quý của Bộ phận Một cửa các xã."),
]

SCOPE_REVISIONS = [
    {
        "units": ["HQT", "VP", "MC", "TP", "TCKH", "NV", "KTHT", "XAP"],
        "procedures": ["QT-01", "QT-02", "QT-03", "QT-04", "QT-05", "QT-06", "QT-07", "QT-08"],
        "statement": STATEMENT,
        "issues": ISSUES_2024,
        "parties": PARTIES_2024,
        "change_summary": "Ban hành lần đầu.",
        "effective_from": datetime.date(2024, 3, 1),
        "announced": (datetime.date(2024, 3, 15), "Quyết định số 25/QĐ-UBND ngày 15/3/2024 của UBND huyện Quang Trung"),
    },
    {
        "units": ["HQT", "VP", "MC", "TP", "TCKH", "NV", "KTHT", "XAP", "XHB", "XTL"],
        "procedures": ["QT-01", "QT-02", "QT-03", "QT-04", "QT-05", "QT-06", "QT-07", "QT-08", "QT-09", "QT-10"],
        "statement": STATEMENT + " Phạm vi áp dụng bao gồm cả Bộ phận Một cửa của UBND các xã An Phú, Hòa Bình và "
                                 "Tân Lập đối với các thủ tục hành chính thuộc thẩm quyền cấp xã.",
        "issues": ISSUES_2025,
        "parties": PARTIES_2025,
        "change_summary": "Mở rộng phạm vi áp dụng đến UBND các xã Hòa Bình, Tân Lập; bổ sung QT-09, QT-10; cập nhật "
                          "bối cảnh theo Nghị định số 118/2025/NĐ-CP.",
        "effective_from": datetime.date(2025, 9, 1),
    },
]

POLICY_TEXT = (
    "UBND huyện Quang Trung cam kết xây dựng, áp dụng, duy trì và cải tiến thường xuyên hệ thống quản lý chất "
    "lượng phù hợp tiêu chuẩn TCVN ISO 9001:2015 trong hoạt động giải quyết thủ tục hành chính, với phương châm "
    "«Công khai – Minh bạch – Đúng hẹn – Hài lòng». Lấy sự hài lòng của người dân, doanh nghiệp làm thước đo "
    "chất lượng phục vụ của cơ quan."
)

COMMITMENTS_2024 = [
    "Công khai đầy đủ, kịp thời thủ tục hành chính, thành phần hồ sơ, thời hạn giải quyết, phí và lệ phí.",
    "Giải quyết hồ sơ đúng hẹn; chủ động xin lỗi và hẹn lại khi trễ hạn.",
    "Cán bộ, công chức tận tụy, văn minh, lịch sự; hướng dẫn người dân đầy đủ một lần.",
    "Thường xuyên đào tạo, nâng cao năng lực cán bộ, công chức và cải tiến quy trình làm việc.",
]

POLICY_REVISIONS = [
    {
        "text": POLICY_TEXT,
        "commitments": COMMITMENTS_2024,
        "change_summary": "Ban hành lần đầu.",
        "effective_from": datetime.date(2024, 3, 1),
        "read_by": ["thuky", "lanhdao", "lanhdao2", "chuquytrinh", "canbo", "danhgia", "xem", "motcua2", "cb.tuphap"],
    },
    {
        "text": POLICY_TEXT.replace("trong hoạt động giải quyết thủ tục hành chính",
                                    "trong hoạt động giải quyết thủ tục hành chính và cung cấp dịch vụ công trực tuyến"),
        "commitments": [
            *COMMITMENTS_2024,
            "Đẩy mạnh tiếp nhận, giải quyết hồ sơ trực tuyến và số hóa kết quả giải quyết thủ tục hành chính.",
        ],
        "change_summary": "Bổ sung cam kết về dịch vụ công trực tuyến và số hóa hồ sơ, kết quả giải quyết.",
        "effective_from": datetime.date(2026, 1, 5),
        # The others (among them the one-stop-shop clerk "canbo" and the viewer "xem") have yet to read it.
        "read_by": ["thuky", "lanhdao", "lanhdao2", "chuquytrinh", "danhgia", "motcua2", "cb.tuphap", "cb.dkkd",
                    "hotich.anphu", "vanphong.anphu"],
    },
]


def load_qms(organisation: DemoOrganisation) -> None:
    """The scope and context document and the quality policy, each with its revisions; skipped when
    either document exists."""
    if QmsDocument.objects.exists():
        return
    secretary = organisation.users[Role.ISO_SECRETARY]
    scope = services.qms_document_create(
        kind=QmsDocument.Kind.SCOPE, code="PVBC-01", by=secretary,
        title="Phạm vi áp dụng và bối cảnh của Hệ thống quản lý chất lượng",
    )
    for spec in SCOPE_REVISIONS:
        revision = _draft(scope, secretary)
        _write_scope(revision, spec, organisation)
        _publish(revision, spec, organisation)
        if "announced" in spec:
            announced_on, reference = spec["announced"]
            services.scope_announcement_record(document=scope, announced_on=announced_on, reference=reference, by=secretary)
    policy = services.qms_document_create(
        kind=QmsDocument.Kind.POLICY, code="CSCL-01", title="Chính sách chất lượng", by=secretary
    )
    for spec in POLICY_REVISIONS:
        revision = _draft(policy, secretary)
        revision.text, revision.change_summary = spec["text"], spec["change_summary"]
        revision.save()
        revision.commitments.all().delete()
        PolicyCommitment.objects.bulk_create(
            PolicyCommitment(revision=revision, position=position, text=text)
            for position, text in enumerate(spec["commitments"], start=1)
        )
        revision = _publish(revision, spec, organisation)
        for username in spec["read_by"]:
            services.policy_acknowledge(revision=revision, user=organisation.people[username])


def _draft(document: QmsDocument, secretary) -> QmsRevision:
    """Revision 0 as registered, or the next one, copied from the revision in force."""
    draft = document.revisions.filter(state=QmsRevision.State.DRAFT).first()
    return draft or services.qms_revision_start(document=document, by=secretary)


def _write_scope(revision, spec: dict, organisation: DemoOrganisation) -> None:
    """Make the draft hold exactly ``spec``; the rows copied from the revision before are replaced."""
    revision.statement, revision.change_summary = spec["statement"], spec["change_summary"]
    revision.save()
    revision.units.set(organisation.units[code] for code in spec["units"])
    revision.procedures.set(Procedure.objects.filter(code__in=spec["procedures"]))
    for rows in (revision.excluded_clauses, revision.issues, revision.parties):
        rows.all().delete()
    ExcludedClause.objects.create(revision=revision, position=1, clause=Clause.objects.get(number="8.3"),
                                  justification=EXCLUSION_8_3)
    ContextIssue.objects.bulk_create(
        ContextIssue(revision=revision, position=position, kind=kind, description=description, effect=effect)
        for position, (kind, description, effect) in enumerate(spec["issues"], start=1)
    )
    InterestedParty.objects.bulk_create(
        InterestedParty(revision=revision, position=position, party=party, requirements=requirements,
                        monitoring=monitoring)
        for position, (party, requirements, monitoring) in enumerate(spec["parties"], start=1)
    )


def _publish(revision: QmsRevision, spec: dict, organisation: DemoOrganisation) -> QmsRevision:
    """Submitted by the secretary, approved (signed) by the head of the steering committee, published."""
    secretary, approver = organisation.users[Role.ISO_SECRETARY], organisation.users[Role.APPROVER]
    revision = revisions.revision_submit(revision=revision, by=secretary)
    revision = revisions.revision_approve(revision=revision, by=approver, signature=demo_signature())
    return revisions.revision_publish(
        revision=revision, by=secretary, effective_from=spec["effective_from"], signature=demo_signature()
    )
