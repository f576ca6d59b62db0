"""Demo procedures of the demo organisation (see iso.demo), made through the services as users would.

The data is written out below, one dict per procedure and one per revision; one loop
(:func:`load_procedures`) builds them. Each revision starts as a draft made by the services, is
filled in by plain saves (a draft is editable), then is taken through its transitions by the
services, so every state change has its log row and obeys the rules (the approver is never the
author; publishing supersedes the previous revision).

The content is fictional but follows the structure and legal basis that Vietnamese agencies use
(Decision 19/2014/QĐ-TTg, Decree 61/2018/NĐ-CP, Circular 01/2018/TT-VPCP).
"""

import datetime
from decimal import Decimal
from typing import NamedTuple

from django.db import transaction

from iso.demo import DemoOrganisation, demo_signature
from iso.models import Clause, Role

from . import services
from .models import FormTemplate, Procedure, ProcedureRevision, RecordToKeep, Step, StepEdge

MANAGEMENT = Procedure.Category.MANAGEMENT
ADMINISTRATIVE = Procedure.Category.ADMINISTRATIVE
START, TASK, END, REFUSAL = Step.Kind.START, Step.Kind.TASK, Step.Kind.END, Step.Kind.REFUSAL
DAYS, HOURS = Step.TimeUnit.WORKING_DAYS, Step.TimeUnit.WORKING_HOURS
DRAFT = ProcedureRevision.State.DRAFT
IN_REVIEW = ProcedureRevision.State.IN_REVIEW
APPROVED = ProcedureRevision.State.APPROVED
EFFECTIVE = ProcedureRevision.State.EFFECTIVE


class StepSpec(NamedTuple):
    """One row of a step table: the unit is a unit code, the forms are form codes of the revision."""

    code: str
    name: str
    unit: str | None = None
    limit: float = 0
    per: str = DAYS
    kind: str = TASK
    forms: tuple[str, ...] = ()
    role: str = ""
    who: str = ""


# Building blocks shared by several procedures.

ISO_REFERENCES = [
    "TCVN ISO 9001:2015 Hệ thống quản lý chất lượng - Các yêu cầu",
    "Quyết định số 19/2014/QĐ-TTg của Thủ tướng Chính phủ về việc áp dụng Hệ thống quản lý chất lượng vào "
    "hoạt động của các cơ quan, tổ chức thuộc hệ thống hành chính nhà nước",
    "Quyết định số 101/2018/QĐ-TTg của Thủ tướng Chính phủ sửa đổi, bổ sung Quyết định số 19/2014/QĐ-TTg",
    "Thông tư số 26/2014/TT-BKHCN của Bộ Khoa học và Công nghệ quy định chi tiết thi hành Quyết định số "
    "19/2014/QĐ-TTg",
]

ONE_STOP_REFERENCES = [
    "Nghị định số 61/2018/NĐ-CP của Chính phủ về thực hiện cơ chế một cửa, một cửa liên thông trong giải quyết "
    "thủ tục hành chính",
    "Thông tư số 01/2018/TT-VPCP của Văn phòng Chính phủ hướng dẫn thi hành một số quy định của Nghị định số "
    "61/2018/NĐ-CP",
]

ABBREVIATIONS = {
    "UBND": "Ủy ban nhân dân",
    "HĐND": "Hội đồng nhân dân",
    "HTQLCL": "Hệ thống quản lý chất lượng",
    "BCĐ ISO": "Ban chỉ đạo ISO",
    "TTHC": "Thủ tục hành chính",
    "TN&TKQ": "Tiếp nhận và trả kết quả",
    "QT": "Quy trình",
    "BM": "Biểu mẫu",
    "CSDL": "Cơ sở dữ liệu",
    "KPH": "Không phù hợp",
    "HĐKP": "Hành động khắc phục",
    "ĐGNB": "Đánh giá nội bộ",
    "HKD": "Hộ kinh doanh",
    "GPXD": "Giấy phép xây dựng",
}

#: The forms every one-stop procedure uses (Circular 01/2018/TT-VPCP, forms 01 to 06), in that order.
ONE_STOP_FORMS = [
    "Phiếu tiếp nhận hồ sơ và hẹn trả kết quả",
    "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ",
    "Phiếu từ chối tiếp nhận giải quyết hồ sơ",
    "Phiếu xin lỗi và hẹn lại ngày trả kết quả",
    "Phiếu kiểm soát quá trình giải quyết hồ sơ",
    "Sổ theo dõi hồ sơ",
]


def listed(*items: str) -> str:
    """One item a line, each after a dash, as the sections of a procedure list things."""
    return "\n".join(f"- {item}" for item in items)


def references(*own: str, one_stop: bool = False) -> str:
    """Section 3: the procedure's own legal basis, then the one-stop texts if it is one, then ISO's."""
    return listed(*own, *(ONE_STOP_REFERENCES if one_stop else ()), *ISO_REFERENCES)


def definitions(*abbreviations: str, terms: tuple[tuple[str, str], ...] = ()) -> str:
    """Section 4: the terms it defines, then the abbreviations it uses (UBND, TN&TKQ...)."""
    lines = []
    if terms:
        lines += ["Định nghĩa:", *(f"- {term}: {meaning}" for term, meaning in terms)]
    lines += ["Viết tắt:", *(f"- {short}: {ABBREVIATIONS[short]}" for short in ("UBND", *abbreviations))]
    return "\n".join(lines)


def forms(number: str, *own: str, one_stop: bool = False) -> list[tuple[str, str]]:
    """Section 6 as (code, title): BM.<procedure>.<nn>, the one-stop forms first for a one-stop procedure."""
    titles = [*(ONE_STOP_FORMS if one_stop else ()), *own]
    return [(f"BM.{number}.{n:02d}", title) for n, title in enumerate(titles, 1)]


#: Section 5 of an administrative procedure, in the order of DOMAIN.md: (heading, keyword of one_stop_content).
ONE_STOP_SECTIONS = [
    ("Thành phần hồ sơ", "papers"),
    ("Số lượng hồ sơ", "copies"),
    ("Thời hạn giải quyết", "time_limit"),
    ("Nơi tiếp nhận và trả kết quả", "place"),
    ("Đối tượng thực hiện", "applicants"),
    ("Lệ phí, phí", "fee"),
    ("Kết quả giải quyết", "result"),
    ("Điều kiện thực hiện thủ tục hành chính", "conditions"),
]


def one_stop_content(
    *, papers: list[str], time_limit: str, place: str, applicants: str, fee: str, result: str, conditions: str,
    copies: str = "01 (một) bộ.",
) -> str:
    """Section 5 of an administrative procedure; the step table that ends it is built from the steps."""
    values = {
        "papers": listed(*papers), "copies": copies, "time_limit": time_limit, "place": place,
        "applicants": applicants, "fee": fee, "result": result, "conditions": conditions,
    }
    lines = []
    for number, (heading, key) in enumerate(ONE_STOP_SECTIONS, 1):
        lines += [f"5.{number}. {heading}", values[key]]
    return "\n".join(
        [
            *lines,
            f"5.{len(ONE_STOP_SECTIONS) + 1}. Căn cứ pháp lý",
            "Các văn bản tại mục 3 (Tài liệu viện dẫn).",
            f"5.{len(ONE_STOP_SECTIONS) + 2}. Quy trình xử lý công việc",
            "Theo bảng các bước dưới đây; thời gian của mỗi bước tính theo ngày (giờ) làm việc.",
        ]
    )


# The procedures. A revision dict holds its content (sections 1 to 7, forms, records, steps and the
# moves between them; a case returns its result in an "end" step and a refused one stops in a
# "refusal" step) and how far the loader takes it:
#   author, approver   usernames of the demo organisation; the approver is never the author
#   state              draft, in_review, approved or effective; publishing a later revision
#                      supersedes an effective one
#   returned           a comment: the revision was submitted and returned to its author with it
#   effective_from     the date a published revision is in force from
#   read_by            usernames who acknowledge it once it is effective; some of its expected
#                      readers (selectors.revision_readers) are left out, so the "not read yet"
#                      list has names in it
# A later revision is written as {**earlier content, what changed}, so the change reads at a glance.

_QT01 = dict(
    purpose="Quy định thống nhất cách soạn thảo, xem xét, phê duyệt, ban hành, phân phối, sửa đổi và thu hồi "
    "tài liệu của Hệ thống quản lý chất lượng, bảo đảm tài liệu đang dùng luôn là bản có hiệu lực.",
    scope="Áp dụng cho mọi tài liệu nội bộ và tài liệu có nguồn gốc bên ngoài thuộc HTQLCL của UBND huyện "
    "Quang Trung và các phòng, đơn vị trực thuộc.",
    references=references("Nghị định số 30/2020/NĐ-CP của Chính phủ về công tác văn thư"),
    definitions=definitions(
        "HTQLCL", "BCĐ ISO", "QT", "BM",
        terms=(
            ("Tài liệu", "thông tin dạng văn bản mà HTQLCL yêu cầu kiểm soát và duy trì: chính sách, mục tiêu "
             "chất lượng, quy trình, biểu mẫu"),
            ("Tài liệu có nguồn gốc bên ngoài", "văn bản quy phạm pháp luật, tiêu chuẩn, văn bản hướng dẫn của "
             "cơ quan cấp trên dùng trong HTQLCL"),
        ),
    ),
    content="\n".join(
        [
            "5.1. Yêu cầu chung",
            listed(
                "Mọi tài liệu được xem xét, phê duyệt trước khi ban hành và có mã số, lần ban hành, ngày hiệu lực.",
                "Quy trình mã hóa QT-xx; biểu mẫu BM.xx.yy (xx: số quy trình, yy: số thứ tự biểu mẫu).",
                "Thư ký ISO cập nhật Danh mục tài liệu nội bộ và Danh mục tài liệu có nguồn gốc bên ngoài.",
            ),
            "5.2. Phân phối và thu hồi",
            listed(
                "Tài liệu được phân phối bản điện tử trên phần mềm; bản giấy có dấu \"Tài liệu kiểm soát\".",
                "Tài liệu hết hiệu lực được thu hồi hoặc đóng dấu \"Tài liệu hết hiệu lực\" nếu cần lưu.",
            ),
            "5.3. Các bước thực hiện: theo bảng dưới đây.",
        ]
    ),
    forms=forms(
        "01",
        "Phiếu đề nghị ban hành, sửa đổi tài liệu",
        "Danh mục tài liệu nội bộ",
        "Danh mục tài liệu có nguồn gốc bên ngoài",
        "Sổ theo dõi phân phối tài liệu",
    ),
    records=[
        ("Phiếu đề nghị ban hành, sửa đổi tài liệu", "Thư ký ISO", 3),
        ("Danh mục tài liệu nội bộ, Danh mục tài liệu có nguồn gốc bên ngoài", "Thư ký ISO", None),
        ("Sổ theo dõi phân phối tài liệu", "Thư ký ISO", 3),
    ],
    steps=[
        StepSpec("B1", "Đề nghị ban hành mới, sửa đổi tài liệu", None, 2, kind=START, forms=("BM.01.01",),
                 role=Role.PROCESS_OWNER, who="Các phòng, đơn vị"),
        StepSpec("B2", "Xem xét đề nghị", "VP", 2, who="Thư ký ISO"),
        StepSpec("B3", "Soạn thảo, sửa đổi tài liệu", None, 10, role=Role.PROCESS_OWNER, who="Đơn vị chủ trì"),
        StepSpec("B4", "Kiểm tra, góp ý dự thảo", "VP", 3, who="Thư ký ISO"),
        StepSpec("B5", "Phê duyệt tài liệu", "HQT", 2, role=Role.APPROVER, who="Trưởng Ban chỉ đạo ISO"),
        StepSpec("B6", "Ban hành, phân phối, cập nhật Danh mục tài liệu", "VP", 2, forms=("BM.01.02", "BM.01.04"),
                 who="Thư ký ISO"),
        StepSpec("B7", "Lưu hồ sơ", "VP", kind=END),
        StepSpec("B8", "Thông báo không chấp thuận đề nghị", "VP", kind=REFUSAL),
    ],
    edges=[
        ("B1", "B2", "Gửi đề nghị"),
        ("B2", "B3", "Chấp thuận, giao soạn thảo"),
        ("B2", "B8", "Không chấp thuận"),
        ("B3", "B4", "Gửi dự thảo"),
        ("B4", "B3", "Yêu cầu chỉnh sửa"),
        ("B4", "B5", "Trình phê duyệt"),
        ("B5", "B3", "Trả lại để chỉnh sửa"),
        ("B5", "B6", "Phê duyệt"),
        ("B6", "B7", "Hoàn thành"),
    ],
)

_QT02 = dict(
    purpose="Quy định cách nhận biết, lưu giữ, bảo quản, truy cập và hủy hồ sơ chất lượng, làm bằng chứng "
    "cho việc HTQLCL được thực hiện.",
    scope="Áp dụng cho hồ sơ phát sinh từ các quy trình của HTQLCL tại các phòng, đơn vị thuộc UBND huyện.",
    references=references(
        "Luật Lưu trữ số 01/2011/QH13", "Nghị định số 30/2020/NĐ-CP của Chính phủ về công tác văn thư"
    ),
    definitions=definitions(
        "HTQLCL", "BM",
        terms=(("Hồ sơ", "thông tin dạng văn bản cung cấp bằng chứng về các hoạt động đã thực hiện"),),
    ),
    content="\n".join(
        [
            "5.1. Mỗi đơn vị lập Danh mục hồ sơ (BM.02.01), ghi rõ tên hồ sơ, nơi lưu, người lưu, thời hạn lưu.",
            "5.2. Hồ sơ được sắp xếp theo thứ tự thời gian, dễ tìm, được bảo vệ khỏi hư hỏng, mất mát; hồ sơ điện tử "
            "được sao lưu định kỳ.",
            "5.3. Việc mượn hồ sơ phải ghi Phiếu mượn hồ sơ (BM.02.02) và được lãnh đạo đơn vị đồng ý.",
            "5.4. Hồ sơ hết thời hạn lưu được xem xét để chuyển lưu trữ cơ quan hoặc hủy theo quy định; việc hủy "
            "lập biên bản (BM.02.03).",
        ]
    ),
    forms=forms("02", "Danh mục hồ sơ", "Phiếu mượn hồ sơ", "Biên bản hủy hồ sơ hết thời hạn lưu"),
    records=[
        ("Danh mục hồ sơ của các đơn vị", "Thư ký ISO", None),
        ("Phiếu mượn hồ sơ", "Văn thư cơ quan", 2),
        ("Biên bản hủy hồ sơ", "Văn thư cơ quan", None),
    ],
    steps=[
        StepSpec("B1", "Lập Danh mục hồ sơ của đơn vị", None, 5, kind=START, forms=("BM.02.01",),
                 role=Role.PROCESS_OWNER, who="Các phòng, đơn vị"),
        StepSpec("B2", "Cập nhật, sắp xếp, lưu giữ hồ sơ", None, role=Role.STAFF, who="Cán bộ, công chức được giao"),
        StepSpec("B3", "Kiểm tra việc lưu giữ hồ sơ (06 tháng một lần)", "VP", 5, who="Thư ký ISO"),
        StepSpec("B4", "Xem xét hồ sơ hết thời hạn lưu", "VP", 5, who="Văn thư cơ quan"),
        StepSpec("B5", "Hủy hồ sơ, lập biên bản", "VP", 5, forms=("BM.02.03",),
                 who="Hội đồng xác định giá trị tài liệu"),
        StepSpec("B6", "Chuyển lưu trữ cơ quan", "VP", kind=END),
        StepSpec("B7", "Lưu biên bản hủy", "VP", kind=END),
    ],
    edges=[
        ("B1", "B2", "Ban hành danh mục"),
        ("B2", "B3", "Đến kỳ kiểm tra"),
        ("B3", "B2", "Yêu cầu khắc phục"),
        ("B3", "B4", "Hết thời hạn lưu"),
        ("B4", "B6", "Chuyển lưu trữ"),
        ("B4", "B5", "Đề nghị hủy"),
        ("B5", "B7", "Hoàn thành"),
    ],
)

_QT03 = dict(
    purpose="Quy định việc lập chương trình, chuẩn bị, thực hiện và báo cáo đánh giá nội bộ để xác định HTQLCL "
    "phù hợp với yêu cầu của TCVN ISO 9001:2015 và được áp dụng, duy trì có hiệu lực.",
    scope="Áp dụng cho các cuộc đánh giá nội bộ tại mọi phòng, đơn vị thuộc phạm vi HTQLCL, ít nhất 01 lần mỗi năm.",
    references=references("TCVN ISO 19011:2018 Hướng dẫn đánh giá hệ thống quản lý"),
    definitions=definitions(
        "HTQLCL", "BCĐ ISO", "ĐGNB", "KPH",
        terms=(
            ("Chuyên gia đánh giá nội bộ", "cán bộ, công chức đã qua đào tạo đánh giá nội bộ và được Trưởng "
             "BCĐ ISO chỉ định"),
            ("Phát hiện", "kết quả so sánh bằng chứng đánh giá với chuẩn mực đánh giá: phù hợp, không phù hợp "
             "hoặc khuyến nghị"),
        ),
    ),
    content="\n".join(
        [
            "5.1. Thư ký ISO lập Chương trình đánh giá nội bộ năm (BM.03.01), trình Trưởng BCĐ ISO phê duyệt.",
            "5.2. Trưởng đoàn lập Kế hoạch đánh giá (BM.03.02) gửi các đơn vị ít nhất 05 ngày làm việc trước khi "
            "đánh giá. Chuyên gia đánh giá không đánh giá công việc của đơn vị mình.",
            "5.3. Phát hiện không phù hợp được ghi vào Phiếu yêu cầu hành động khắc phục và xử lý theo QT-04.",
            "5.4. Báo cáo đánh giá (BM.03.05) được trình Trưởng BCĐ ISO phê duyệt và là đầu vào của QT-05.",
        ]
    ),
    forms=forms(
        "03",
        "Chương trình đánh giá nội bộ năm",
        "Kế hoạch đánh giá nội bộ",
        "Phiếu ghi chép đánh giá (checklist)",
        "Phiếu yêu cầu hành động khắc phục",
        "Báo cáo đánh giá nội bộ",
    ),
    records=[
        ("Chương trình, kế hoạch đánh giá nội bộ", "Thư ký ISO", 3),
        ("Phiếu ghi chép đánh giá", "Thư ký ISO", 3),
        ("Báo cáo đánh giá nội bộ", "Thư ký ISO", 5),
    ],
    steps=[
        StepSpec("B1", "Lập Chương trình đánh giá nội bộ năm", "VP", 5, kind=START, forms=("BM.03.01",),
                 who="Thư ký ISO"),
        StepSpec("B2", "Phê duyệt Chương trình đánh giá", "HQT", 2, role=Role.APPROVER, who="Trưởng Ban chỉ đạo ISO"),
        StepSpec("B3", "Lập Kế hoạch đánh giá, phân công chuyên gia", "VP", 5, forms=("BM.03.02",),
                 who="Trưởng đoàn đánh giá"),
        StepSpec("B4", "Chuẩn bị Phiếu ghi chép đánh giá", None, 3, forms=("BM.03.03",), role=Role.INTERNAL_AUDITOR,
                 who="Chuyên gia đánh giá"),
        StepSpec("B5", "Họp khai mạc, đánh giá tại đơn vị", None, 2, forms=("BM.03.04",),
                 role=Role.INTERNAL_AUDITOR, who="Đoàn đánh giá"),
        StepSpec("B6", "Họp kết thúc, lập Báo cáo đánh giá", None, 3, forms=("BM.03.05",),
                 role=Role.INTERNAL_AUDITOR, who="Trưởng đoàn đánh giá"),
        StepSpec("B7", "Phê duyệt Báo cáo đánh giá", "HQT", 2, role=Role.APPROVER, who="Trưởng Ban chỉ đạo ISO"),
        StepSpec("B8", "Theo dõi hành động khắc phục (theo QT-04)", "VP", 30, who="Thư ký ISO"),
        StepSpec("B9", "Lưu hồ sơ đánh giá", "VP", kind=END),
    ],
    edges=[
        ("B1", "B2", "Trình phê duyệt"),
        ("B2", "B1", "Yêu cầu điều chỉnh"),
        ("B2", "B3", "Phê duyệt"),
        ("B3", "B4", "Gửi kế hoạch"),
        ("B4", "B5", "Tiến hành đánh giá"),
        ("B5", "B6", "Kết thúc đánh giá"),
        ("B6", "B7", "Trình phê duyệt"),
        ("B7", "B6", "Yêu cầu điều chỉnh"),
        ("B7", "B8", "Phê duyệt"),
        ("B8", "B9", "Hoàn thành"),
    ],
)

_QT04 = dict(
    purpose="Quy định cách nhận biết, xử lý sự không phù hợp, xác định nguyên nhân và thực hiện hành động "
    "khắc phục để loại bỏ nguyên nhân, tránh tái diễn.",
    scope="Áp dụng cho sự không phù hợp phát hiện qua đánh giá nội bộ, kiểm tra của cơ quan cấp trên, phản ánh "
    "của tổ chức, cá nhân và hồ sơ giải quyết trễ hạn.",
    references=references(),
    definitions=definitions(
        "KPH", "HĐKP", "BCĐ ISO",
        terms=(
            ("Sự không phù hợp", "việc không đáp ứng một yêu cầu"),
            ("Hành động khắc phục", "hành động loại bỏ nguyên nhân của sự không phù hợp và ngăn ngừa tái diễn"),
        ),
    ),
    content="\n".join(
        [
            "5.1. Người phát hiện ghi Phiếu yêu cầu hành động khắc phục (BM.04.01), nêu rõ yêu cầu không được đáp "
            "ứng và bằng chứng.",
            "5.2. Đơn vị có sự không phù hợp xác định nguyên nhân gốc, đề xuất khắc phục và thời hạn hoàn thành.",
            "5.3. Thư ký ISO theo dõi trên Sổ theo dõi (BM.04.02) và kiểm tra hiệu lực sau khi thực hiện; hành "
            "động không có hiệu lực được lập phiếu mới với số mới.",
        ]
    ),
    forms=forms("04", "Phiếu yêu cầu hành động khắc phục", "Sổ theo dõi sự không phù hợp và hành động khắc phục"),
    records=[
        ("Phiếu yêu cầu hành động khắc phục", "Thư ký ISO", 3),
        ("Sổ theo dõi sự không phù hợp và hành động khắc phục", "Thư ký ISO", 5),
    ],
    steps=[
        StepSpec("B1", "Phát hiện, ghi nhận sự không phù hợp", None, 1, kind=START, forms=("BM.04.01",),
                 who="Người phát hiện"),
        StepSpec("B2", "Xác định nguyên nhân, đề xuất hành động khắc phục", None, 5, role=Role.PROCESS_OWNER,
                 who="Lãnh đạo đơn vị có sự không phù hợp"),
        StepSpec("B3", "Phê duyệt hành động khắc phục", "HQT", 2, role=Role.APPROVER, who="Trưởng Ban chỉ đạo ISO"),
        StepSpec("B4", "Thực hiện hành động khắc phục", None, 30, role=Role.PROCESS_OWNER,
                 who="Đơn vị có sự không phù hợp"),
        StepSpec("B5", "Kiểm tra, xác nhận hiệu lực", "VP", 5, forms=("BM.04.02",), who="Thư ký ISO"),
        StepSpec("B6", "Đóng phiếu, lưu hồ sơ", "VP", kind=END),
        StepSpec("B7", "Không phải sự không phù hợp: ghi lý do, lưu hồ sơ", "VP", kind=REFUSAL),
    ],
    edges=[
        ("B1", "B2", "Chuyển đơn vị xử lý"),
        ("B2", "B3", "Trình phê duyệt"),
        ("B2", "B7", "Không chấp nhận"),
        ("B3", "B2", "Yêu cầu phân tích lại"),
        ("B3", "B4", "Phê duyệt"),
        ("B4", "B5", "Báo cáo hoàn thành"),
        ("B5", "B6", "Có hiệu lực"),
        ("B5", "B2", "Chưa hiệu lực, lập phiếu mới"),
    ],
)

_QT05 = dict(
    purpose="Quy định việc lãnh đạo xem xét HTQLCL theo định kỳ để bảo đảm hệ thống luôn phù hợp, thỏa đáng, "
    "có hiệu lực và nhất quán với định hướng của UBND huyện.",
    scope="Áp dụng cho cuộc họp xem xét của lãnh đạo, ít nhất 01 lần mỗi năm, và khi có thay đổi lớn về tổ chức "
    "hoặc phạm vi HTQLCL.",
    references=references(),
    definitions=definitions("HTQLCL", "BCĐ ISO", "ĐGNB"),
    content="\n".join(
        [
            "5.1. Đầu vào xem xét (mục 9.3.2): tình trạng các hành động từ lần xem xét trước; thay đổi về bối cảnh, "
            "văn bản pháp luật; kết quả giải quyết hồ sơ, mục tiêu chất lượng; sự không phù hợp và hành động khắc "
            "phục; kết quả đánh giá nội bộ; rủi ro và cơ hội; cơ hội cải tiến.",
            "5.2. Đầu ra xem xét (mục 9.3.3): quyết định về cơ hội cải tiến, nhu cầu thay đổi HTQLCL và nguồn lực.",
            "5.3. Kết luận của cuộc họp được ghi Biên bản (BM.05.03) và thông báo đến các đơn vị.",
        ]
    ),
    forms=forms(
        "05",
        "Kế hoạch họp xem xét của lãnh đạo",
        "Báo cáo đánh giá hiệu lực HTQLCL",
        "Biên bản họp xem xét của lãnh đạo",
    ),
    records=[
        ("Kế hoạch họp xem xét của lãnh đạo", "Thư ký ISO", 3),
        ("Báo cáo đánh giá hiệu lực HTQLCL", "Thư ký ISO", 5),
        ("Biên bản họp xem xét của lãnh đạo", "Thư ký ISO", None),
    ],
    steps=[
        StepSpec("B1", "Lập kế hoạch họp xem xét của lãnh đạo", "VP", 3, kind=START, forms=("BM.05.01",),
                 who="Thư ký ISO"),
        StepSpec("B2", "Chuẩn bị báo cáo đầu vào (mục 9.3.2)", None, 7, role=Role.PROCESS_OWNER,
                 who="Các phòng, đơn vị"),
        StepSpec("B3", "Tổng hợp Báo cáo đánh giá hiệu lực HTQLCL", "VP", 3, forms=("BM.05.02",), who="Thư ký ISO"),
        StepSpec("B4", "Họp xem xét của lãnh đạo", "HQT", 1, role=Role.APPROVER, who="Trưởng Ban chỉ đạo ISO"),
        StepSpec("B5", "Lập Biên bản, thông báo kết luận", "VP", 2, forms=("BM.05.03",), who="Thư ký ISO"),
        StepSpec("B6", "Theo dõi thực hiện kết luận", "VP", 30, who="Thư ký ISO"),
        StepSpec("B7", "Lưu hồ sơ", "VP", kind=END),
    ],
    edges=[
        ("B1", "B2", "Gửi kế hoạch"),
        ("B2", "B3", "Gửi báo cáo"),
        ("B3", "B2", "Yêu cầu bổ sung báo cáo"),
        ("B3", "B4", "Trình họp"),
        ("B4", "B5", "Kết luận"),
        ("B5", "B6", "Thông báo"),
        ("B6", "B7", "Hoàn thành"),
    ],
)

_KHAI_SINH = dict(
    conditions="Trẻ em sinh ra chưa được đăng ký khai sinh; người đi đăng ký là cha, mẹ hoặc ông, bà, người thân "
    "thích khác của trẻ; đăng ký trong thời hạn 60 ngày kể từ ngày sinh.",
    papers=[
        "Tờ khai đăng ký khai sinh theo mẫu (BM.06.07)",
        "Bản chính Giấy chứng sinh; nếu không có thì văn bản của người làm chứng hoặc giấy cam đoan về việc sinh",
        "Xuất trình giấy tờ tùy thân có ảnh của người đi đăng ký",
        "Xuất trình giấy tờ chứng minh nơi cư trú của cha, mẹ",
        "Xuất trình Giấy chứng nhận kết hôn của cha, mẹ (nếu cha, mẹ đã đăng ký kết hôn)",
    ],
    time_limit="Ngay trong ngày tiếp nhận hồ sơ; hồ sơ nhận sau 15 giờ thì trả kết quả trong ngày làm việc tiếp theo.",
    place="Bộ phận Tiếp nhận và trả kết quả UBND xã An Phú, hoặc nộp trực tuyến trên Cổng Dịch vụ công.",
    applicants="Cha, mẹ, ông, bà hoặc người thân thích khác của trẻ.",
    fee="Miễn lệ phí đăng ký khai sinh đúng hạn (Điều 11 Luật Hộ tịch).",
    result="Giấy khai sinh (bản chính) và bản sao Trích lục khai sinh nếu có yêu cầu.",
)

_QT06 = dict(
    purpose="Quy định trình tự, thời gian tiếp nhận và giải quyết hồ sơ đăng ký khai sinh tại UBND xã, bảo đảm "
    "đúng pháp luật và trả kết quả đúng hẹn.",
    scope="Áp dụng cho việc đăng ký khai sinh đúng hạn cho công dân Việt Nam tại UBND xã An Phú.",
    references=references(
        "Luật Hộ tịch số 60/2014/QH13",
        "Nghị định số 123/2015/NĐ-CP của Chính phủ quy định chi tiết một số điều và biện pháp thi hành Luật Hộ tịch",
        "Thông tư số 04/2020/TT-BTP của Bộ Tư pháp quy định chi tiết thi hành Luật Hộ tịch và Nghị định số "
        "123/2015/NĐ-CP",
        one_stop=True,
    ),
    definitions=definitions("TN&TKQ", "TTHC", "CSDL", "BM"),
    content=one_stop_content(**_KHAI_SINH),
    forms=forms("06", "Tờ khai đăng ký khai sinh", one_stop=True),
    records=[
        ("Sổ đăng ký khai sinh", "Công chức Tư pháp - Hộ tịch", None),
        ("Tờ khai và giấy tờ đăng ký khai sinh", "Công chức Tư pháp - Hộ tịch", None),
        ("Phiếu kiểm soát quá trình giải quyết hồ sơ", "Bộ phận Một cửa xã", 5),
        ("Sổ theo dõi hồ sơ", "Bộ phận Một cửa xã", 5),
    ],
    steps=[
        StepSpec("B1", "Tiếp nhận, kiểm tra hồ sơ; lập Phiếu tiếp nhận và hẹn trả kết quả", "XAP", 1, HOURS, START,
                 forms=("BM.06.01", "BM.06.05", "BM.06.06"), who="Công chức Văn phòng - Thống kê (Bộ phận Một cửa)"),
        StepSpec("B2", "Kiểm tra, xác minh thông tin; ghi Sổ đăng ký khai sinh", "XAP", 3.5, HOURS,
                 forms=("BM.06.02",), who="Công chức Tư pháp - Hộ tịch"),
        StepSpec("B3", "Ký Giấy khai sinh", "XAP", 2, HOURS, who="Chủ tịch hoặc Phó Chủ tịch UBND xã"),
        StepSpec("B4", "Đóng dấu, vào sổ, chuyển kết quả về Bộ phận Một cửa", "XAP", 1, HOURS, who="Văn thư UBND xã"),
        StepSpec("B5", "Trả kết quả cho công dân", "XAP", kind=END, who="Bộ phận Một cửa"),
        StepSpec("B6", "Trả hồ sơ, thông báo từ chối bằng văn bản", "XAP", kind=REFUSAL, forms=("BM.06.03",),
                 who="Bộ phận Một cửa"),
    ],
    edges=[
        ("B1", "B2", "Chuyển xử lý"),
        ("B2", "B1", "Yêu cầu bổ sung"),
        ("B2", "B6", "Từ chối"),
        ("B2", "B3", "Trình ký"),
        ("B3", "B2", "Yêu cầu xử lý lại"),
        ("B3", "B4", "Ký duyệt"),
        ("B4", "B5", "Trả kết quả"),
    ],
)

_QT06_R1 = {
    **_QT06,
    "change_summary": "Không yêu cầu xuất trình giấy tờ chứng minh nơi cư trú: công chức khai thác thông tin từ CSDL "
    "quốc gia về dân cư. Bổ sung bước cập nhật CSDL hộ tịch điện tử và cấp số định danh cá nhân; rút thời gian "
    "kiểm tra, xác minh từ 3,5 xuống 2,5 giờ làm việc.",
    "content": one_stop_content(
        **{
            **_KHAI_SINH,
            "papers": [p for p in _KHAI_SINH["papers"] if "nơi cư trú" not in p],
        }
    ),
    "steps": [
        *_QT06["steps"][:1],
        _QT06["steps"][1]._replace(limit=2.5),
        StepSpec("B3", "Cập nhật CSDL hộ tịch điện tử, cấp số định danh cá nhân", "XAP", 1, HOURS,
                 who="Công chức Tư pháp - Hộ tịch"),
        StepSpec("B4", "Ký Giấy khai sinh", "XAP", 2, HOURS, who="Chủ tịch hoặc Phó Chủ tịch UBND xã"),
        StepSpec("B5", "Đóng dấu, vào sổ, chuyển kết quả về Bộ phận Một cửa", "XAP", 1, HOURS, who="Văn thư UBND xã"),
        StepSpec("B6", "Trả kết quả cho công dân", "XAP", kind=END, who="Bộ phận Một cửa"),
        StepSpec("B7", "Trả hồ sơ, thông báo từ chối bằng văn bản", "XAP", kind=REFUSAL, forms=("BM.06.03",),
                 who="Bộ phận Một cửa"),
    ],
    "edges": [
        ("B1", "B2", "Chuyển xử lý"),
        ("B2", "B1", "Yêu cầu bổ sung"),
        ("B2", "B7", "Từ chối"),
        ("B2", "B3", "Chuyển cập nhật CSDL"),
        ("B3", "B4", "Trình ký"),
        ("B4", "B2", "Yêu cầu xử lý lại"),
        ("B4", "B5", "Ký duyệt"),
        ("B5", "B6", "Trả kết quả"),
    ],
}

_QT07 = dict(
    purpose="Quy định trình tự tiếp nhận, thẩm định và cấp Giấy chứng nhận đăng ký hộ kinh doanh đúng thời hạn.",
    scope="Áp dụng cho việc đăng ký thành lập hộ kinh doanh trên địa bàn huyện Quang Trung.",
    references=references(
        "Luật Doanh nghiệp số 59/2020/QH14",
        "Nghị định số 01/2021/NĐ-CP của Chính phủ về đăng ký doanh nghiệp (Chương VIII: hộ kinh doanh)",
        "Nghị quyết của HĐND tỉnh quy định mức thu lệ phí đăng ký hộ kinh doanh",
        one_stop=True,
    ),
    definitions=definitions("HĐND", "TN&TKQ", "TTHC", "HKD", "BM"),
    content=one_stop_content(
        conditions="Ngành, nghề đăng ký không bị cấm kinh doanh; tên hộ kinh doanh không trùng với tên hộ kinh "
        "doanh đã đăng ký trong huyện; hồ sơ hợp lệ; đã nộp lệ phí.",
        papers=[
            "Giấy đề nghị đăng ký hộ kinh doanh (BM.07.07)",
            "Bản sao giấy tờ pháp lý của cá nhân đối với chủ hộ và các thành viên hộ gia đình đăng ký hộ kinh doanh",
            "Bản sao biên bản họp thành viên hộ gia đình về việc thành lập hộ kinh doanh (nếu các thành viên hộ gia "
            "đình cùng đăng ký)",
            "Bản sao văn bản ủy quyền của các thành viên cho một thành viên làm chủ hộ (nếu có)",
        ],
        time_limit="03 ngày làm việc kể từ ngày nhận đủ hồ sơ hợp lệ.",
        place="Bộ phận Tiếp nhận và trả kết quả huyện (Bộ phận Một cửa), hoặc nộp trực tuyến.",
        applicants="Cá nhân, thành viên hộ gia đình là công dân Việt Nam có năng lực hành vi dân sự đầy đủ.",
        fee="Lệ phí đăng ký hộ kinh doanh: 100.000 đồng/lần (theo Nghị quyết của HĐND tỉnh).",
        result="Giấy chứng nhận đăng ký hộ kinh doanh.",
    ),
    forms=forms("07", "Giấy đề nghị đăng ký hộ kinh doanh", one_stop=True),
    records=[
        ("Hồ sơ đăng ký hộ kinh doanh", "Phòng Tài chính - Kế hoạch", 10),
        ("Sổ đăng ký hộ kinh doanh", "Phòng Tài chính - Kế hoạch", None),
        ("Phiếu kiểm soát quá trình giải quyết hồ sơ", "Bộ phận Tiếp nhận và trả kết quả huyện", 5),
        ("Sổ theo dõi hồ sơ", "Bộ phận Tiếp nhận và trả kết quả huyện", 5),
    ],
    steps=[
        StepSpec("B1", "Tiếp nhận, kiểm tra hồ sơ, thu lệ phí; lập Phiếu tiếp nhận và hẹn trả kết quả", "MC", 0.5,
                 kind=START, forms=("BM.07.01", "BM.07.05", "BM.07.06"), who="Công chức Bộ phận Một cửa"),
        StepSpec("B2", "Thẩm định hồ sơ, dự thảo Giấy chứng nhận", "TCKH", 1.5, forms=("BM.07.02",),
                 who="Chuyên viên đăng ký kinh doanh"),
        StepSpec("B3", "Ký Giấy chứng nhận đăng ký hộ kinh doanh", "TCKH", 0.5,
                 who="Lãnh đạo Phòng Tài chính - Kế hoạch"),
        StepSpec("B4", "Vào sổ, cập nhật Hệ thống thông tin quốc gia về đăng ký hộ kinh doanh, chuyển kết quả",
                 "TCKH", 0.5, who="Chuyên viên đăng ký kinh doanh"),
        StepSpec("B5", "Trả kết quả", "MC", kind=END, who="Công chức Bộ phận Một cửa"),
        StepSpec("B6", "Trả hồ sơ, thông báo từ chối", "MC", kind=REFUSAL, forms=("BM.07.03",),
                 who="Công chức Bộ phận Một cửa"),
    ],
    edges=[
        ("B1", "B2", "Chuyển xử lý"),
        ("B1", "B6", "Từ chối tiếp nhận"),
        ("B2", "B1", "Yêu cầu bổ sung"),
        ("B2", "B6", "Từ chối"),
        ("B2", "B3", "Trình ký"),
        ("B3", "B2", "Yêu cầu xử lý lại"),
        ("B3", "B4", "Ký duyệt"),
        ("B4", "B5", "Trả kết quả"),
    ],
)

_CHUNG_THUC = dict(
    conditions="Bản chính không thuộc các trường hợp không được dùng làm cơ sở chứng thực bản sao: bị tẩy xóa, "
    "sửa chữa, hư hỏng không xác định được nội dung; đóng dấu mật; không có chữ ký và dấu của cơ quan cấp.",
    papers=[
        "Bản chính giấy tờ, văn bản làm cơ sở để chứng thực bản sao",
        "Bản sao cần chứng thực (nếu người yêu cầu tự chuẩn bị bản chụp)",
        "Bản chính do cơ quan có thẩm quyền nước ngoài cấp phải được hợp pháp hóa lãnh sự, trừ trường hợp được "
        "miễn",
    ],
    copies="Không hạn chế số bản sao; mỗi yêu cầu kèm bản chính để đối chiếu.",
    time_limit="Trong ngày tiếp nhận yêu cầu, hoặc ngày làm việc tiếp theo nếu tiếp nhận sau 15 giờ; không quá "
    "02 ngày làm việc khi yêu cầu nhiều bản (có phiếu hẹn).",
    place="Bộ phận Tiếp nhận và trả kết quả huyện (Bộ phận Một cửa).",
    applicants="Cá nhân, tổ chức có yêu cầu.",
    fee="2.000 đồng/trang; từ trang thứ ba trở lên 1.000 đồng/trang, tối đa 200.000 đồng/bản.",
    result="Bản sao được chứng thực từ bản chính.",
)

_QT08 = dict(
    purpose="Quy định trình tự chứng thực bản sao từ bản chính tại Phòng Tư pháp, bảo đảm chính xác, nhanh chóng.",
    scope="Áp dụng cho việc chứng thực bản sao từ bản chính giấy tờ, văn bản do cơ quan có thẩm quyền của Việt Nam "
    "hoặc nước ngoài cấp, tại Phòng Tư pháp huyện.",
    references=references(
        "Nghị định số 23/2015/NĐ-CP của Chính phủ về cấp bản sao từ sổ gốc, chứng thực bản sao từ bản chính, "
        "chứng thực chữ ký và chứng thực hợp đồng, giao dịch",
        "Thông tư số 01/2020/TT-BTP của Bộ Tư pháp quy định chi tiết và hướng dẫn thi hành Nghị định số "
        "23/2015/NĐ-CP",
        "Thông tư số 226/2016/TT-BTC của Bộ Tài chính quy định mức thu, chế độ thu, nộp phí chứng thực",
        one_stop=True,
    ),
    definitions=definitions("TN&TKQ", "TTHC", "BM"),
    content=one_stop_content(**_CHUNG_THUC),
    forms=forms("08", one_stop=True),
    records=[
        ("Sổ chứng thực bản sao từ bản chính", "Phòng Tư pháp", 2),
        ("Phiếu kiểm soát quá trình giải quyết hồ sơ", "Bộ phận Tiếp nhận và trả kết quả huyện", 2),
    ],
    steps=[
        StepSpec("B1", "Tiếp nhận yêu cầu, kiểm tra bản chính và bản sao", "MC", 1, HOURS, START,
                 forms=("BM.08.01", "BM.08.05", "BM.08.06"), who="Công chức Bộ phận Một cửa"),
        StepSpec("B2", "Đối chiếu bản sao với bản chính, ghi lời chứng", "TP", 2, HOURS, forms=("BM.08.02",),
                 who="Chuyên viên Phòng Tư pháp"),
        StepSpec("B3", "Ký chứng thực", "TP", 1, HOURS, who="Lãnh đạo Phòng Tư pháp"),
        StepSpec("B4", "Đóng dấu, ghi Sổ chứng thực, thu phí", "MC", 1, HOURS, who="Công chức Bộ phận Một cửa"),
        StepSpec("B5", "Trả kết quả", "MC", kind=END, who="Công chức Bộ phận Một cửa"),
        StepSpec("B6", "Từ chối chứng thực, giải thích lý do", "MC", kind=REFUSAL, forms=("BM.08.03",),
                 who="Công chức Bộ phận Một cửa"),
    ],
    edges=[
        ("B1", "B2", "Chuyển xử lý"),
        ("B1", "B6", "Từ chối tiếp nhận"),
        ("B2", "B1", "Yêu cầu bổ sung"),
        ("B2", "B6", "Từ chối"),
        ("B2", "B3", "Trình ký"),
        ("B3", "B2", "Yêu cầu xử lý lại"),
        ("B3", "B4", "Ký duyệt"),
        ("B4", "B5", "Trả kết quả"),
    ],
)

_QT08_R1 = {
    **_QT08,
    "change_summary": "Bổ sung chứng thực bản sao điện tử từ bản chính theo Nghị định số 45/2020/NĐ-CP; ghi Sổ "
    "chứng thực điện tử; rút thời gian đối chiếu từ 2 xuống 1,5 giờ làm việc.",
    "references": references(
        "Nghị định số 23/2015/NĐ-CP của Chính phủ về cấp bản sao từ sổ gốc, chứng thực bản sao từ bản chính, "
        "chứng thực chữ ký và chứng thực hợp đồng, giao dịch",
        "Nghị định số 45/2020/NĐ-CP của Chính phủ về thực hiện thủ tục hành chính trên môi trường điện tử",
        "Thông tư số 01/2020/TT-BTP của Bộ Tư pháp quy định chi tiết và hướng dẫn thi hành Nghị định số "
        "23/2015/NĐ-CP",
        "Thông tư số 226/2016/TT-BTC của Bộ Tài chính quy định mức thu, chế độ thu, nộp phí chứng thực",
        one_stop=True,
    ),
    "content": one_stop_content(
        **{
            **_CHUNG_THUC,
            "papers": [
                *_CHUNG_THUC["papers"],
                "Nếu yêu cầu bản sao điện tử: địa chỉ thư điện tử hoặc tài khoản Cổng Dịch vụ công để nhận kết quả",
            ],
            "result": "Bản sao được chứng thực từ bản chính (bản giấy hoặc bản điện tử).",
        }
    ),
    "steps": [
        *_QT08["steps"][:1],
        _QT08["steps"][1]._replace(limit=1.5),
        _QT08["steps"][2],
        _QT08["steps"][3]._replace(name="Đóng dấu (ký số với bản điện tử), ghi Sổ chứng thực điện tử, thu phí"),
        *_QT08["steps"][4:],
    ],
}

_QT09 = dict(
    purpose="Quy định trình tự tiếp nhận, giải quyết và trao Giấy chứng nhận kết hôn tại UBND xã.",
    scope="Áp dụng cho việc đăng ký kết hôn giữa công dân Việt Nam cư trú trong nước tại UBND xã Hòa Bình.",
    references=references(
        "Luật Hôn nhân và gia đình số 52/2014/QH13",
        "Luật Hộ tịch số 60/2014/QH13",
        "Nghị định số 123/2015/NĐ-CP của Chính phủ quy định chi tiết một số điều và biện pháp thi hành Luật Hộ tịch",
        "Thông tư số 04/2020/TT-BTP của Bộ Tư pháp",
        one_stop=True,
    ),
    definitions=definitions("TN&TKQ", "TTHC", "CSDL", "BM"),
    content=one_stop_content(
        conditions="Nam từ đủ 20 tuổi, nữ từ đủ 18 tuổi; việc kết hôn do hai bên tự nguyện; không mất năng lực "
        "hành vi dân sự; không thuộc các trường hợp cấm kết hôn (Điều 8 Luật Hôn nhân và gia đình).",
        papers=[
            "Tờ khai đăng ký kết hôn theo mẫu (BM.09.07)",
            "Giấy xác nhận tình trạng hôn nhân (nếu đăng ký tại xã không phải nơi thường trú)",
            "Xuất trình giấy tờ tùy thân có ảnh của hai bên nam, nữ",
        ],
        time_limit="Ngay sau khi nhận đủ giấy tờ hợp lệ; nếu cần xác minh thì không quá 05 ngày làm việc.",
        place="Bộ phận Tiếp nhận và trả kết quả UBND xã Hòa Bình (nơi cư trú của một trong hai bên).",
        applicants="Hai bên nam, nữ là công dân Việt Nam cư trú trong nước.",
        fee="Miễn lệ phí (Điều 11 Luật Hộ tịch).",
        result="Giấy chứng nhận kết hôn, mỗi bên 01 bản chính; hai bên cùng có mặt khi nhận.",
    ),
    forms=forms("09", "Tờ khai đăng ký kết hôn", one_stop=True),
    records=[
        ("Sổ đăng ký kết hôn", "Công chức Tư pháp - Hộ tịch", None),
        ("Tờ khai và giấy tờ đăng ký kết hôn", "Công chức Tư pháp - Hộ tịch", None),
        ("Phiếu kiểm soát quá trình giải quyết hồ sơ", "Bộ phận Một cửa xã", 5),
    ],
    steps=[
        StepSpec("B1", "Tiếp nhận, kiểm tra hồ sơ; lập Phiếu tiếp nhận và hẹn trả kết quả", "XHB", 1, HOURS, START,
                 forms=("BM.09.01", "BM.09.05", "BM.09.06"), who="Công chức Văn phòng - Thống kê (Bộ phận Một cửa)"),
        StepSpec("B2", "Kiểm tra, xác minh điều kiện kết hôn; ghi Sổ đăng ký kết hôn", "XHB", 3.5, HOURS,
                 forms=("BM.09.02",), who="Công chức Tư pháp - Hộ tịch"),
        StepSpec("B3", "Ký Giấy chứng nhận kết hôn", "XHB", 2, HOURS, who="Chủ tịch hoặc Phó Chủ tịch UBND xã"),
        StepSpec("B4", "Tổ chức trao Giấy chứng nhận kết hôn, hai bên ký Sổ", "XHB", 1, HOURS,
                 who="Công chức Tư pháp - Hộ tịch"),
        StepSpec("B5", "Hoàn thành, lưu hồ sơ", "XHB", kind=END),
        StepSpec("B6", "Từ chối, thông báo lý do bằng văn bản", "XHB", kind=REFUSAL, forms=("BM.09.03",)),
    ],
    edges=[
        ("B1", "B2", "Chuyển xử lý"),
        ("B2", "B1", "Yêu cầu bổ sung"),
        ("B2", "B6", "Từ chối"),
        ("B2", "B3", "Trình ký"),
        ("B3", "B2", "Yêu cầu xử lý lại"),
        ("B3", "B4", "Ký duyệt"),
        ("B4", "B5", "Trả kết quả"),
    ],
)

_QT10 = dict(
    purpose="Quy định trình tự tiếp nhận, thẩm định và cấp giấy phép xây dựng nhà ở riêng lẻ đúng thời hạn.",
    scope="Áp dụng cho việc cấp giấy phép xây dựng mới nhà ở riêng lẻ trên địa bàn huyện Quang Trung thuộc thẩm "
    "quyền của UBND huyện.",
    references=references(
        "Luật Xây dựng số 50/2014/QH13, được sửa đổi, bổ sung bởi Luật số 62/2020/QH14",
        "Nghị định số 15/2021/NĐ-CP của Chính phủ quy định chi tiết một số nội dung về quản lý dự án đầu tư xây dựng",
        "Nghị quyết của HĐND tỉnh quy định mức thu lệ phí cấp giấy phép xây dựng",
        one_stop=True,
    ),
    definitions=definitions("HĐND", "TN&TKQ", "TTHC", "GPXD", "BM"),
    content=one_stop_content(
        conditions="Phù hợp với quy hoạch chi tiết xây dựng và mục đích sử dụng đất; bảo đảm an toàn cho công trình "
        "và công trình lân cận; thiết kế đáp ứng quy chuẩn, tiêu chuẩn xây dựng.",
        papers=[
            "Đơn đề nghị cấp giấy phép xây dựng (BM.10.07, theo mẫu của Nghị định số 15/2021/NĐ-CP)",
            "Bản sao giấy tờ chứng minh quyền sử dụng đất",
            "02 bộ bản vẽ thiết kế: mặt bằng vị trí, mặt bằng, mặt cắt, mặt đứng chính, mặt bằng móng, sơ đồ đấu nối "
            "hạ tầng kỹ thuật",
            "Cam kết bảo đảm an toàn đối với công trình liền kề (nếu có)",
        ],
        copies="01 bộ hồ sơ, kèm 02 bộ bản vẽ thiết kế.",
        time_limit="15 ngày làm việc kể từ ngày nhận đủ hồ sơ hợp lệ.",
        place="Bộ phận Tiếp nhận và trả kết quả huyện (Bộ phận Một cửa), hoặc nộp trực tuyến.",
        applicants="Hộ gia đình, cá nhân là chủ đầu tư xây dựng nhà ở riêng lẻ.",
        fee="Lệ phí cấp giấy phép xây dựng: 75.000 đồng/giấy phép (theo Nghị quyết của HĐND tỉnh).",
        result="Giấy phép xây dựng kèm bản vẽ thiết kế có đóng dấu của cơ quan cấp phép.",
    ),
    forms=forms("10", "Đơn đề nghị cấp giấy phép xây dựng", "Biên bản kiểm tra hiện trạng", one_stop=True),
    records=[
        ("Hồ sơ cấp giấy phép xây dựng", "Phòng Kinh tế và Hạ tầng", None),
        ("Sổ theo dõi cấp giấy phép xây dựng", "Phòng Kinh tế và Hạ tầng", None),
        ("Phiếu kiểm soát quá trình giải quyết hồ sơ", "Bộ phận Tiếp nhận và trả kết quả huyện", 5),
    ],
    steps=[
        StepSpec("B1", "Tiếp nhận, kiểm tra hồ sơ, thu lệ phí; lập Phiếu tiếp nhận và hẹn trả kết quả", "MC", 0.5,
                 kind=START, forms=("BM.10.01", "BM.10.05", "BM.10.06"), who="Công chức Bộ phận Một cửa"),
        StepSpec("B2", "Thẩm định hồ sơ, kiểm tra thực địa", "KTHT", 10, forms=("BM.10.02", "BM.10.08"),
                 who="Chuyên viên Phòng Kinh tế và Hạ tầng; nếu cần bổ sung, thông báo một lần trong 07 ngày đầu"),
        StepSpec("B3", "Dự thảo giấy phép, trình lãnh đạo UBND huyện", "KTHT", 1.5,
                 who="Lãnh đạo Phòng Kinh tế và Hạ tầng"),
        StepSpec("B4", "Ký giấy phép xây dựng", "HQT", 2, who="Chủ tịch hoặc Phó Chủ tịch UBND huyện"),
        StepSpec("B5", "Vào sổ, đóng dấu, chuyển kết quả", "VP", 1, who="Văn thư Văn phòng HĐND và UBND huyện"),
        StepSpec("B6", "Trả kết quả", "MC", kind=END, who="Công chức Bộ phận Một cửa"),
        StepSpec("B7", "Trả hồ sơ, thông báo từ chối", "MC", kind=REFUSAL, forms=("BM.10.03",),
                 who="Công chức Bộ phận Một cửa"),
    ],
    edges=[
        ("B1", "B2", "Chuyển xử lý"),
        ("B1", "B7", "Từ chối tiếp nhận"),
        ("B2", "B1", "Yêu cầu bổ sung"),
        ("B2", "B7", "Từ chối"),
        ("B2", "B3", "Đủ điều kiện, dự thảo giấy phép"),
        ("B3", "B4", "Trình ký"),
        ("B4", "B2", "Yêu cầu xử lý lại"),
        ("B4", "B5", "Ký duyệt"),
        ("B5", "B6", "Trả kết quả"),
    ],
)

PROCEDURES = [
    {
        "code": "QT-01",
        "title": "Kiểm soát tài liệu",
        "category": MANAGEMENT,
        "unit": "VP",
        "clauses": ["7.5", "7.5.1", "7.5.2", "7.5.3"],
        "revisions": [
            {**_QT01, "author": "thuky", "approver": "lanhdao", "state": EFFECTIVE,
             "effective_from": datetime.date(2024, 3, 1), "read_by": ["lanhdao", "lanhdao2", "thuky"]},
            {
                **_QT01,
                "change_summary": "Bổ sung yêu cầu rà soát, cập nhật tài liệu trong 03 tháng kể từ khi văn bản pháp "
                "luật liên quan thay đổi và Sổ theo dõi văn bản pháp luật mới; rút thời gian xem xét đề nghị từ 2 "
                "xuống 1 ngày làm việc.",
                "content": _QT01["content"].replace(
                    "5.3. Các bước",
                    "- Trong 03 tháng kể từ khi văn bản pháp luật liên quan thay đổi, đơn vị chủ trì đề nghị sửa "
                    "đổi tài liệu; Thư ký ISO theo dõi trên Sổ theo dõi văn bản pháp luật mới (BM.01.05).\n"
                    "5.3. Các bước",
                ),
                "forms": [*_QT01["forms"], ("BM.01.05", "Sổ theo dõi văn bản pháp luật mới ban hành")],
                "steps": [
                    _QT01["steps"][0]._replace(forms=("BM.01.01", "BM.01.05")),
                    _QT01["steps"][1]._replace(limit=1),
                    *_QT01["steps"][2:],
                ],
                "author": "thuky", "approver": "lanhdao2", "state": EFFECTIVE,
                "effective_from": datetime.date(2025, 2, 17), "read_by": ["lanhdao2"],
            },
        ],
    },
    {
        "code": "QT-02",
        "title": "Kiểm soát hồ sơ",
        "category": MANAGEMENT,
        "unit": "VP",
        "clauses": ["7.5.3"],
        "revisions": [
            {**_QT02, "author": "thuky", "approver": "lanhdao", "state": EFFECTIVE,
             "effective_from": datetime.date(2024, 3, 1), "read_by": ["lanhdao2"]},
        ],
    },
    {
        "code": "QT-03",
        "title": "Đánh giá nội bộ",
        "category": MANAGEMENT,
        "unit": "VP",
        "clauses": ["9.2", "9.2.1", "9.2.2"],
        "revisions": [
            {**_QT03, "author": "thuky", "approver": "lanhdao", "state": EFFECTIVE,
             "effective_from": datetime.date(2024, 3, 1), "read_by": ["thuky", "lanhdao2", "danhgia"]},
            # Written by the second approver: she cannot approve it herself, the other approver can.
            {
                **_QT03,
                "change_summary": "Quy định chuyên gia đánh giá nội bộ phải có chứng nhận đào tạo (36 tiết, đạt từ "
                "70/100 điểm) và đánh giá bổ sung khi phạm vi HTQLCL thay đổi.",
                "content": _QT03["content"]
                + "\n5.5. Chuyên gia đánh giá phải có chứng nhận hoàn thành khóa đào tạo đánh giá nội bộ (36 tiết, "
                "đạt từ 70/100 điểm). Khi phạm vi HTQLCL thay đổi, tổ chức đánh giá bổ sung trong 03 tháng.",
                "author": "lanhdao2", "state": IN_REVIEW,
            },
        ],
    },
    {
        "code": "QT-04",
        "title": "Kiểm soát sự không phù hợp và hành động khắc phục",
        "category": MANAGEMENT,
        "unit": "VP",
        "clauses": ["8.7", "10.2"],
        "revisions": [
            {**_QT04, "author": "thuky", "approver": "lanhdao", "state": EFFECTIVE,
             "effective_from": datetime.date(2024, 3, 1), "read_by": ["thuky", "danhgia"]},
            {
                **_QT04,
                "change_summary": "Bổ sung việc báo cáo kết quả khắc phục sau kiểm tra của Sở Khoa học và Công nghệ.",
                "content": _QT04["content"]
                + "\n5.4. Sự không phù hợp do Sở Khoa học và Công nghệ phát hiện khi kiểm tra được khắc phục và báo "
                "cáo Sở.",
                "author": "thuky", "approver": "lanhdao", "state": DRAFT,
                "returned": "Đề nghị ghi rõ thời hạn 02 tháng kể từ ngày kiểm tra để báo cáo Sở Khoa học và Công "
                "nghệ, và thêm bước báo cáo vào bảng các bước.",
            },
        ],
    },
    {
        "code": "QT-05",
        "title": "Xem xét của lãnh đạo",
        "category": MANAGEMENT,
        "unit": "VP",
        "clauses": ["9.3", "9.3.1", "9.3.2", "9.3.3"],
        "revisions": [
            {**_QT05, "author": "thuky", "approver": "lanhdao", "state": EFFECTIVE,
             "effective_from": datetime.date(2024, 3, 1), "read_by": ["lanhdao2"]},
            # Approved and waiting for the secretary to publish it.
            {
                **_QT05,
                "change_summary": "Bổ sung đầu vào: kết quả khảo sát sự hài lòng của người dân và tỷ lệ hồ sơ giải "
                "quyết đúng hạn, ghi rõ cách tính.",
                "content": _QT05["content"].replace(
                    "kết quả giải quyết hồ sơ,",
                    "kết quả giải quyết hồ sơ (tỷ lệ đúng hạn, ghi rõ mẫu số), sự hài lòng của người dân,",
                ),
                "author": "thuky", "approver": "lanhdao2", "state": APPROVED,
            },
        ],
    },
    {
        "code": "QT-06",
        "title": "Đăng ký khai sinh",
        "category": ADMINISTRATIVE,
        "unit": "XAP",
        "clauses": ["8.1", "8.2.2", "8.5.1", "8.5.2"],
        "revisions": [
            {**_QT06, "author": "chuquytrinh", "approver": "lanhdao", "state": EFFECTIVE,
             "effective_from": datetime.date(2024, 4, 1),
             "read_by": ["hotich.anphu", "vanphong.anphu", "chutich.anphu"]},
            {**_QT06_R1, "author": "chuquytrinh", "approver": "lanhdao", "state": EFFECTIVE,
             "effective_from": datetime.date(2025, 3, 3), "read_by": ["hotich.anphu", "vanphong.anphu"]},
        ],
    },
    {
        "code": "QT-07",
        "title": "Đăng ký thành lập hộ kinh doanh",
        "category": ADMINISTRATIVE,
        "unit": "TCKH",
        "clauses": ["8.1", "8.2.2", "8.5.1", "8.5.2"],
        "revisions": [
            {**_QT07, "author": "thuky", "approver": "lanhdao", "state": EFFECTIVE,
             "effective_from": datetime.date(2024, 4, 1), "read_by": ["cb.dkkd", "canbo"]},
        ],
    },
    {
        "code": "QT-08",
        "title": "Chứng thực bản sao từ bản chính",
        "category": ADMINISTRATIVE,
        "unit": "TP",
        "clauses": ["8.1", "8.2.2", "8.5.1"],
        "revisions": [
            {**_QT08, "author": "chuquytrinh", "approver": "lanhdao2", "state": EFFECTIVE,
             "effective_from": datetime.date(2024, 4, 1), "read_by": ["cb.tuphap", "canbo", "motcua2"]},
            {**_QT08_R1, "author": "chuquytrinh", "approver": "lanhdao", "state": EFFECTIVE,
             "effective_from": datetime.date(2025, 3, 3), "read_by": ["cb.tuphap"]},
        ],
    },
    {
        "code": "QT-09",
        "title": "Đăng ký kết hôn",
        "category": ADMINISTRATIVE,
        "unit": "XHB",
        "clauses": ["8.1", "8.2.2", "8.5.1", "8.5.2"],
        "revisions": [
            {**_QT09, "author": "chuquytrinh", "state": IN_REVIEW},
        ],
    },
    {
        "code": "QT-10",
        "title": "Cấp giấy phép xây dựng nhà ở riêng lẻ",
        "category": ADMINISTRATIVE,
        "unit": "KTHT",
        "clauses": ["8.1", "8.2.2", "8.5.1"],
        "revisions": [
            {**_QT10, "author": "thuky", "state": DRAFT},
        ],
    },
]

#: The text sections of a revision, written on the draft as they are in the spec.
TEXT_FIELDS = ("purpose", "scope", "references", "definitions", "content", "change_summary")


def load_procedures(org: DemoOrganisation) -> None:
    """Create the demo procedures that do not exist yet, each through the services as users would.

    A procedure whose code already exists is left as it is, whatever happened to it since, so that
    loading again creates nothing and never undoes anyone's work.
    """
    existing = set(Procedure.objects.filter(code__in=[p["code"] for p in PROCEDURES]).values_list("code", flat=True))
    for spec in PROCEDURES:
        if spec["code"] not in existing:
            _load_procedure(spec, org)


# A procedure is made whole or not at all: one left half-made would be skipped by the next load.
@transaction.atomic
def _load_procedure(spec: dict, org: DemoOrganisation) -> None:
    first, *later = spec["revisions"]
    procedure = services.procedure_create(
        code=spec["code"],
        title=spec["title"],
        owner_unit=org.units[spec["unit"]],
        category=spec["category"],
        by=org.users[Role.ISO_SECRETARY],
        author=org.people[first["author"]],
        clauses=_clauses(spec["clauses"]),
    )
    revision = procedure.revisions.get(number=0)
    _write_draft(revision, first, org)
    _take_through(revision, first, org)
    for revision_spec in later:
        revision = services.revision_start(procedure=procedure, by=org.people[revision_spec["author"]])
        _write_draft(revision, revision_spec, org)
        _take_through(revision, revision_spec, org)


def _clauses(numbers: list[str]) -> list[Clause]:
    clauses = list(Clause.objects.filter(number__in=numbers))
    missing = set(numbers) - {clause.number for clause in clauses}
    if missing:
        raise LookupError(f"No ISO 9001 clause numbered {', '.join(sorted(missing))}.")
    return clauses


def _saved(instance):
    # What data written by hand gets wrong is a text too long or a choice misspelt. The foreign keys
    # are rows just saved and the database enforces the unique constraints, so their checks (a
    # query each, hundreds in all) are skipped.
    relations = [field.name for field in instance._meta.concrete_fields if field.is_relation]
    instance.full_clean(exclude=relations, validate_unique=False, validate_constraints=False)
    instance.save()
    return instance


def _write_draft(revision: ProcedureRevision, spec: dict, org: DemoOrganisation) -> None:
    """Make a draft hold exactly the content of ``spec``; a draft is editable, so plain saves do."""
    revision.ensure_editable()
    for name in TEXT_FIELDS:
        setattr(revision, name, spec.get(name, ""))
    revision.supplement_restarts_clock = spec.get("supplement_restarts_clock", True)
    _saved(revision)
    # A new revision starts as a copy of the one before; the spec describes it whole, so the copy
    # of the structured parts is replaced (deleting a step deletes its moves and form links).
    revision.steps.all().delete()
    revision.forms.all().delete()
    revision.records_to_keep.all().delete()
    form_by_code = {
        code: _saved(FormTemplate(revision=revision, code=code, title=title)) for code, title in spec["forms"]
    }
    for position, (name, keeper, years) in enumerate(spec["records"], 1):
        _saved(RecordToKeep(revision=revision, position=position, name=name, keeper=keeper, retention_years=years))
    steps = {}
    for position, row in enumerate(spec["steps"], 1):
        step = _saved(
            Step(
                revision=revision,
                code=row.code,
                position=position,
                name=row.name,
                kind=row.kind,
                responsible_unit=org.units[row.unit] if row.unit else None,
                responsible_role=row.role,
                time_limit=Decimal(str(row.limit)),
                time_unit=row.per,
                description=row.who,
            )
        )
        step.forms.set([form_by_code[code] for code in row.forms])
        steps[row.code] = step
    for source, target, action in spec["edges"]:
        _saved(StepEdge(revision=revision, source=steps[source], target=steps[target], action=action))
    # A revision left as a draft never meets submit's check; a broken demo graph must fail the load,
    # not the first user who submits it.
    revision.step_graph().validate()


def _take_through(revision: ProcedureRevision, spec: dict, org: DemoOrganisation) -> None:
    """Apply the transitions that bring a fresh draft to the state ``spec`` asks for."""
    if spec["state"] == DRAFT and "returned" not in spec:
        return
    approver = org.people.get(spec.get("approver", ""))
    revision = services.revision_submit(revision=revision, by=revision.author)
    if "returned" in spec:
        services.revision_return(revision=revision, by=approver, comment=spec["returned"])
        return
    if spec["state"] == IN_REVIEW:
        return
    revision = services.revision_approve(revision=revision, by=approver, signature=demo_signature())
    if spec["state"] == APPROVED:
        return
    revision = services.revision_publish(
        revision=revision, by=org.users[Role.ISO_SECRETARY], effective_from=spec["effective_from"],
        signature=demo_signature(),
    )
    for username in spec.get("read_by", ()):
        services.revision_acknowledge(revision=revision, user=org.people[username])
