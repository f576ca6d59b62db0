"""The demo's management reviews (see iso.demo), made through the services as the secretary and the
chair would: last year's review, held, with its minutes approved and signed, its decisions and its
actions (some closed, one still open), and what last year's annual report says besides its figures;
and this year's review, planned, its inputs gathered.

The inputs are gathered from the demo's own data (cases, audits, nonconformities), so the figures
of the minutes are those of the demo; the texts written at the meeting are below.
"""

import datetime

from django.utils import timezone

from iso.demo import DemoOrganisation, demo_signature
from iso.models import Role, Signature

from . import services
from .models import Decision, ManagementReview, ReviewAction

PLACE = "Phòng họp tầng 2, trụ sở UBND huyện Quang Trung"
GUESTS = "Bà Nguyễn Thị Hạnh, chuyên gia tư vấn hệ thống quản lý chất lượng"
#: Who took part besides the chair and the secretary (usernames of iso.demo.PEOPLE).
ATTENDEES = ["lanhdao2", "chuquytrinh", "danhgia", "canbo", "cb.dkkd", "cb.xaydung", "chutich.anphu"]

#: What was said on each input at last year's meeting: (presentation and discussion, conclusion).
DISCUSSION = {
    "previous_actions": (
        "Thư ký ISO báo cáo: đây là cuộc họp xem xét đầu tiên sau khi công bố hệ thống phù hợp TCVN ISO "
        "9001:2015, chưa có hành động nào từ các lần xem xét trước.",
        "Ghi nhận.",
    ),
    "context_changes": (
        "Trong năm có Nghị định mới về thực hiện thủ tục hành chính theo cơ chế một cửa, một cửa liên thông; "
        "địa giới hành chính một số xã được sắp xếp lại; người dân nộp hồ sơ trực tuyến ngày càng nhiều.",
        "Giao Văn phòng rà soát các quy trình bị ảnh hưởng, cập nhật trong quý I.",
    ),
    "satisfaction": (
        "Bộ phận Một cửa tổng hợp phiếu khảo sát tại quầy: đa số người dân hài lòng về thái độ phục vụ; một "
        "số ý kiến phản ánh thời gian chờ ở quầy chứng thực vào buổi sáng thứ Hai.",
        "Bố trí thêm 01 công chức tiếp nhận hồ sơ chứng thực vào sáng thứ Hai.",
    ),
    "objectives": (
        "Mục tiêu chất lượng năm: tỷ lệ hồ sơ giải quyết đúng hạn từ 98% trở lên; 100% sự không phù hợp được "
        "khắc phục đúng hạn. Mục tiêu thứ nhất đạt; mục tiêu thứ hai chưa đạt do còn hành động khắc phục quá hạn.",
        "Duy trì mục tiêu năm sau; phân công theo dõi hành động khắc phục hằng tháng.",
    ),
    "process_performance": (
        "Thư ký ISO trình bày số liệu giải quyết hồ sơ theo từng quy trình và đơn vị. Thủ tục chứng thực có "
        "tỷ lệ đúng hạn thấp nhất do lượng hồ sơ lớn vào đầu tuần.",
        "Các quá trình vận hành ổn định; tập trung cải thiện thủ tục chứng thực.",
    ),
    "nonconformities": (
        "Trưởng đoàn đánh giá báo cáo tình trạng các sự không phù hợp và hành động khắc phục; một số hành động "
        "quá hạn do chờ kinh phí in ấn biểu mẫu.",
        "Các đơn vị hoàn thành hành động khắc phục quá hạn trước ngày 31/01.",
    ),
    "monitoring": (
        "Bước thẩm định hồ sơ chiếm nhiều thời gian nhất; các bước khác trong thời gian cho phép.",
        "Rà soát lại thời gian của bước thẩm định khi sửa đổi quy trình.",
    ),
    "audits": (
        "Đã thực hiện đánh giá nội bộ theo chương trình năm; các phát hiện chủ yếu về ghi chép hồ sơ và cập "
        "nhật văn bản pháp luật.",
        "Chương trình đánh giá được thực hiện đầy đủ.",
    ),
    "external_providers": (
        "Bưu điện huyện (dịch vụ bưu chính công ích) chuyển phát kết quả đúng hẹn; đơn vị cung cấp phần mềm "
        "một cửa điện tử khắc phục sự cố trong ngày, còn 02 lần gián đoạn trên 4 giờ.",
        "Đề nghị nhà cung cấp phần mềm cam kết thời gian khắc phục sự cố trong hợp đồng năm sau.",
    ),
    "resources": (
        "Bộ phận Một cửa thiếu 01 máy quét tài liệu; 02 công chức mới chưa được đào tạo về TCVN ISO 9001:2015.",
        "Bổ sung máy quét; cử công chức mới tham gia lớp đào tạo.",
    ),
    "risks": (
        "Rủi ro lớn nhất là quá hạn hồ sơ vào cao điểm cuối năm và gián đoạn phần mềm; các biện pháp ứng phó "
        "đã thực hiện có hiệu quả.",
        "Cập nhật sổ đăng ký rủi ro cho năm sau.",
    ),
    "improvement": (
        "Các cơ hội cải tiến từ đánh giá nội bộ: tra cứu tình trạng hồ sơ bằng mã QR, gửi tin nhắn khi có kết quả.",
        "Giao Văn phòng nghiên cứu, đề xuất trong quý I.",
    ),
}

DECISIONS = [
    (Decision.Category.IMPROVEMENT, "Triển khai tra cứu tình trạng hồ sơ bằng mã QR in trên Phiếu tiếp nhận và hẹn trả kết quả."),
    (Decision.Category.QMS_CHANGE, "Sửa đổi quy trình chứng thực bản sao để bổ sung bước phân luồng hồ sơ vào giờ cao điểm."),
    (Decision.Category.RESOURCES, "Trang bị 01 máy quét tài liệu cho Bộ phận Một cửa; đào tạo 02 công chức mới về TCVN ISO 9001:2015."),
]

#: The actions decided, by the index of their decision in DECISIONS; due dates and completion in
#: days from today (see _due).
ACTIONS = [
    {"decision": 0, "owner": "lanhdao2", "due": -120, "state": ReviewAction.State.VERIFIED_EFFECTIVE, "finished": 130,
     "do": "In mã QR tra cứu tình trạng hồ sơ trên Phiếu tiếp nhận và hẹn trả kết quả; hướng dẫn người dân sử dụng.",
     "done": "Đã in mã QR trên phiếu hẹn; niêm yết hướng dẫn sử dụng tại Bộ phận Một cửa.",
     "verifier": "thuky",
     "checked": "Kiểm tra 20 phiếu hẹn: đều có mã QR tra cứu được; số cuộc gọi hỏi tình trạng hồ sơ giảm rõ rệt."},
    {"decision": 1, "owner": "chuquytrinh", "due": -90, "state": ReviewAction.State.VERIFIED_EFFECTIVE, "finished": 95,
     "do": "Sửa đổi quy trình chứng thực bản sao (QT-08): bổ sung bước phân luồng hồ sơ vào giờ cao điểm.",
     "done": "Đã trình ban hành lần sửa đổi của QT-08; phổ biến cho công chức chứng thực.",
     "verifier": "lanhdao",
     "checked": "Thời gian chờ tại quầy chứng thực sáng thứ Hai giảm từ khoảng 40 phút xuống dưới 15 phút."},
    {"decision": 2, "owner": "lanhdao2", "due": -30, "state": ReviewAction.State.DONE, "finished": 20,
     "do": "Mua sắm và lắp đặt 01 máy quét tài liệu cho Bộ phận Một cửa.",
     "done": "Máy quét đã lắp đặt và đưa vào sử dụng tại quầy số 2."},
    {"decision": 2, "owner": "thuky", "due": -10, "state": ReviewAction.State.IN_PROGRESS,
     "do": "Cử 02 công chức mới tham gia lớp đào tạo nhận thức TCVN ISO 9001:2015."},
]

CONCLUSION = (
    "Hệ thống quản lý chất lượng của UBND huyện phù hợp với tiêu chuẩn TCVN ISO 9001:2015, được duy trì và "
    "cải tiến; các mục tiêu chất lượng cơ bản đạt. Giao Thư ký ISO theo dõi việc thực hiện các quyết định và "
    "hành động nêu trên, báo cáo tại cuộc họp xem xét lần sau."
)


#: What last year's annual report asks of the supervising body.
PROPOSALS = (
    "Đề nghị Sở Khoa học và Công nghệ tổ chức tập huấn nâng cao cho chuyên gia đánh giá nội bộ; hướng dẫn việc "
    "cập nhật hệ thống quản lý chất lượng khi sắp xếp lại đơn vị hành chính cấp xã."
)


def load_reviews(organisation: DemoOrganisation) -> None:
    """Last year's review with its signed minutes and this year's planned one; skipped if any review exists."""
    if ManagementReview.objects.exists():
        return
    today = timezone.localdate()
    secretary, chair = organisation.users[Role.ISO_SECRETARY], organisation.users[Role.APPROVER]
    attendees = [organisation.people[name] for name in ATTENDEES]
    last_year = today.year - 1
    tz = timezone.get_current_timezone()

    review = services.review_plan(
        by=secretary, title=f"Họp xem xét của lãnh đạo về hệ thống quản lý chất lượng năm {last_year}",
        period_start=datetime.date(last_year, 1, 1), period_end=datetime.date(last_year, 11, 30),
        meeting_at=datetime.datetime(last_year, 12, 18, 8, 0, tzinfo=tz), place=PLACE, chair=chair,
        secretary=secretary, attendees=attendees, guests=GUESTS,
    )
    for item in review.agenda_items.all():
        discussion, conclusion = DISCUSSION.get(item.input_key, ("", ""))
        services.agenda_item_update(item=item, by=secretary, discussion=discussion, conclusion=conclusion)
    review = services.review_hold(review=review, by=secretary)
    decisions = [
        services.decision_record(review=review, by=secretary, category=category, text=text) for category, text in DECISIONS
    ]
    _load_actions(review, decisions, organisation)
    services.review_update(review=review, by=secretary, conclusion=CONCLUSION)
    review = services.review_approve_minutes(review=review, by=chair, signature=demo_signature())
    _carry_out_actions(review, organisation)
    services.annual_report_save(
        year=last_year, by=secretary, recipient="Sở Khoa học và Công nghệ tỉnh", proposals=PROPOSALS,
        signer_title="KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH", signer_name=chair.get_full_name(),
    )

    meeting = datetime.date(today.year, 12, 15) if today < datetime.date(today.year, 12, 15) else today + datetime.timedelta(days=7)
    services.review_plan(
        by=secretary, title=f"Họp xem xét của lãnh đạo về hệ thống quản lý chất lượng năm {today.year}",
        period_start=datetime.date(today.year, 1, 1), period_end=datetime.date(today.year, 11, 30),
        meeting_at=datetime.datetime.combine(meeting, datetime.time(8, 0), tzinfo=tz), place=PLACE, chair=chair,
        secretary=secretary, attendees=attendees,
    )


def _due(review, offset: int) -> datetime.date:
    """``offset`` days from today, but never sooner than two weeks after the meeting."""
    meeting = timezone.localtime(review.meeting_at).date()
    return max(timezone.localdate() + datetime.timedelta(days=offset), meeting + datetime.timedelta(days=14))


def _load_actions(review, decisions, organisation) -> None:
    """The actions the meeting decided, each under its decision."""
    secretary = organisation.users[Role.ISO_SECRETARY]
    for spec in ACTIONS:
        services.review_action_plan(
            review=review, by=secretary, decision=decisions[spec["decision"]], description=spec["do"],
            owner=organisation.people[spec["owner"]], due_date=_due(review, spec["due"]),
        )


def _carry_out_actions(review, organisation) -> None:
    """Each action as far as its story goes: two verified effective, one done and awaiting
    verification, one still in progress past its due date."""
    for spec, action in zip(ACTIONS, review.actions.order_by("number"), strict=True):
        owner = organisation.people[spec["owner"]]
        action = services.review_action_transition(action=action, name="start", by=owner)
        if spec["state"] == ReviewAction.State.IN_PROGRESS:
            continue
        action = services.review_action_transition(action=action, name="finish", by=owner, note=spec["done"])
        # Data setup, not a state change: the demo's history starts before today.
        ReviewAction.objects.filter(pk=action.pk).update(
            completed_at=timezone.now() - datetime.timedelta(days=spec["finished"])
        )
        if spec["state"] == ReviewAction.State.VERIFIED_EFFECTIVE:
            services.review_action_transition(
                action=ReviewAction.objects.get(pk=action.pk), name="verify_effective",
                by=organisation.people[spec["verifier"]], note=spec["checked"],
                signature=demo_signature(Signature.Meaning.VERIFIED),
            )
