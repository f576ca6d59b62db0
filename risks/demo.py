"""The demo's register of risks and opportunities (see iso.demo), made through the services as users
would: each risk is entered by its owner, rated, reassessed at its reviews (the history of its
level), treated by actions carried out by their owners and verified, signed, by someone else.

Dates are counted back from today, so that the register tells something true whenever it is loaded:
some reviews overdue, some actions late, levels that fell after their treatment.
"""

import datetime

from django.utils import timezone

from iso.actions import action_transition
from iso.demo import DemoOrganisation, demo_signature
from iso.models import Role, Signature, User
from processes.models import Procedure

from . import services
from .models import Risk, RiskAction, RiskScale

RISK, OPPORTUNITY = Risk.Kind.RISK, Risk.Kind.OPPORTUNITY
INTERNAL, EXTERNAL, PROCESS, PARTY = (
    Risk.Source.INTERNAL_ISSUE, Risk.Source.EXTERNAL_ISSUE, Risk.Source.PROCESS, Risk.Source.INTERESTED_PARTY
)
S = Risk.State
A = RiskAction.State

LIKELIHOOD_LABELS = "Hiếm khi\nÍt khả năng\nCó thể xảy ra\nNhiều khả năng\nGần như chắc chắn"
IMPACT_LABELS = "Không đáng kể\nNhỏ\nTrung bình\nLớn\nNghiêm trọng"

#: One dict per risk. ``identified``: days ago; ``ratings``: (days ago, likelihood, impact, note),
#: oldest first, the last one's ``review`` (days from today, negative when overdue) is the next
#: review; ``actions``: (description, owner, due in days, state, what was done, what was verified,
#: days since done); ``state``: where the risk ends.
RISKS = [
    {
        "kind": RISK, "title": "Hồ sơ trễ hạn do thiếu cán bộ thụ lý vào cao điểm", "unit": "TP", "owner": "chuquytrinh",
        "source": INTERNAL, "source_detail": "Biên chế Phòng Tư pháp giảm 01 công chức; lượng hồ sơ chứng thực tăng gấp đôi cuối năm",
        "procedure": "QT-08", "treatment": Risk.Treatment.REDUCE,
        "description": "Vào tháng 11–12 và trước Tết, hồ sơ chứng thực và hộ tịch tăng mạnh trong khi chỉ còn 02 công chức "
                       "thụ lý; nhiều hồ sơ phải xin lỗi và hẹn lại.",
        "identified": 330, "review": 75,
        "ratings": [(330, 4, 4, "Năm trước có 17 hồ sơ trễ hạn trong tháng 12."),
                    (150, 3, 4, "Đã bố trí người hỗ trợ cao điểm; số hồ sơ trễ hạn giảm còn 4.")],
        "actions": [
            ("Bố trí 01 công chức Văn phòng hỗ trợ thụ lý hồ sơ chứng thực trong tháng 11–12", "cb.tuphap", -200,
             A.VERIFIED_EFFECTIVE, "Đã có quyết định phân công, hỗ trợ từ 01/11.", "Tháng 12 chỉ còn 4 hồ sơ trễ hạn, giảm 13 hồ sơ.", 180),
            ("Lập lịch trực và phân công thụ lý thay thế khi công chức nghỉ phép", "chuquytrinh", 20, A.IN_PROGRESS, "", "", 0),
        ],
        "state": S.IN_TREATMENT,
    },
    {
        "kind": RISK, "title": "Lỗi phần mềm một cửa điện tử làm gián đoạn tiếp nhận hồ sơ", "unit": "MC", "owner": "lanhdao2",
        "source": EXTERNAL, "source_detail": "Hệ thống thông tin giải quyết thủ tục hành chính của tỉnh; đường truyền mạng",
        "treatment": Risk.Treatment.REDUCE,
        "description": "Phần mềm một cửa điện tử của tỉnh ngừng 3 lần trong quý, mỗi lần 2–4 giờ; không in được phiếu hẹn.",
        "identified": 240, "review": 40,
        "ratings": [(240, 3, 5, "Ba lần gián đoạn trong quý III.")],
        "actions": [
            ("Xây dựng phương án tiếp nhận hồ sơ giấy dự phòng khi phần mềm lỗi", "canbo", -150, A.VERIFIED_EFFECTIVE,
             "Đã ban hành phương án và mẫu phiếu hẹn viết tay.", "Lần lỗi ngày 12/3 vẫn tiếp nhận đủ 46 hồ sơ, nhập bù trong ngày.", 120),
            ("Đề nghị nhà mạng lắp đường truyền dự phòng cho Bộ phận Một cửa", "motcua2", -10, A.IN_PROGRESS, "", "", 0),
        ],
        "state": S.IN_TREATMENT,
    },
    {
        "kind": RISK, "title": "Thay đổi văn bản pháp luật chưa cập nhật vào quy trình", "unit": "VP", "owner": "thuky",
        "source": EXTERNAL, "source_detail": "Nghị định 118/2025/NĐ-CP thay thế Nghị định 61/2018/NĐ-CP về một cửa, một cửa liên thông",
        "procedure": "QT-01", "treatment": Risk.Treatment.REDUCE,
        "description": "Quy trình phải cập nhật trong 3 tháng kể từ khi văn bản mới có hiệu lực; nhiều quy trình còn viện dẫn văn bản đã hết hiệu lực.",
        "identified": 200, "review": -12,
        "ratings": [(200, 4, 4, "05 quy trình còn viện dẫn Nghị định 61/2018/NĐ-CP."),
                    (72, 4, 4, "Mới cập nhật 2/5 quy trình; giữ nguyên mức.")],
        "actions": [
            ("Phân công rà soát văn bản pháp luật mới hằng tháng và lập sổ theo dõi", "thuky", -60, A.DONE,
             "Đã lập sổ theo dõi văn bản mới, rà soát tháng 1 và tháng 2.", "", 20),
            ("Sửa đổi 03 quy trình còn viện dẫn văn bản hết hiệu lực", "chuquytrinh", -5, A.IN_PROGRESS, "", "", 0),
        ],
        "state": S.IN_TREATMENT,
    },
    {
        "kind": OPPORTUNITY, "title": "Tiếp nhận hồ sơ trực tuyến toàn trình", "unit": "MC", "owner": "lanhdao2",
        "source": EXTERNAL, "source_detail": "Đề án 06 của Chính phủ; Cổng Dịch vụ công quốc gia", "treatment": Risk.Treatment.EXPLOIT,
        "description": "Đưa các thủ tục đủ điều kiện lên dịch vụ công trực tuyến toàn trình để giảm người đến quầy và giảm trễ hạn.",
        "identified": 120, "review": 60,
        "ratings": [(120, 4, 5, "25 thủ tục đủ điều kiện; người dân đã quen dùng VNeID.")],
        "actions": [
            ("Công bố danh mục 25 thủ tục hành chính thực hiện trực tuyến toàn trình", "thuky", 30, A.PLANNED, "", "", 0),
            ("Tập huấn cán bộ một cửa hướng dẫn người dân nộp hồ sơ trực tuyến", "canbo", 15, A.IN_PROGRESS, "", "", 0),
        ],
        "state": S.IN_TREATMENT,
    },
    {
        "kind": RISK, "title": "Người dân không hài lòng do thời gian chờ tại quầy kéo dài", "unit": "MC", "owner": "canbo",
        "source": PARTY, "source_detail": "Người dân, tổ chức đến giao dịch tại Bộ phận Một cửa", "treatment": Risk.Treatment.REDUCE,
        "description": "Phiếu khảo sát quý I có 14% ý kiến chưa hài lòng về thời gian chờ.",
        "identified": 280, "review": 95,
        "ratings": [(280, 4, 3, "14% ý kiến chưa hài lòng về thời gian chờ."), (90, 3, 3, "Có máy lấy số thứ tự; còn 5% chưa hài lòng.")],
        "actions": [
            ("Lắp máy lấy số thứ tự và bảng điện tử gọi số", "motcua2", -150, A.VERIFIED_EFFECTIVE,
             "Đã lắp đặt, vận hành từ tháng 4.", "Khảo sát quý III: thời gian chờ trung bình 12 phút, 5% chưa hài lòng.", 100),
        ],
        "state": S.MONITORED,
    },
    {
        "kind": RISK, "title": "Thất lạc hồ sơ giấy khi luân chuyển giữa Bộ phận Một cửa và phòng chuyên môn", "unit": "MC",
        "owner": "motcua2", "source": PROCESS, "source_detail": "Bước chuyển hồ sơ giấy cho phòng chuyên môn", "procedure": "QT-06",
        "description": "Hồ sơ giấy chuyển bằng tay, không có sổ giao nhận ký nhận ở từng bước.",
        "identified": 45, "review": 30,
        "ratings": [(45, 2, 4, "Một hồ sơ bị thất lạc 2 ngày trong tháng trước.")],
        "actions": [("Lập sổ giao nhận hồ sơ có chữ ký ở từng lần chuyển", "motcua2", 14, A.PLANNED, "", "", 0)],
        "state": S.ASSESSED,
    },
    {
        "kind": RISK, "title": "Công chức xã chưa nắm vững quy trình ISO sửa đổi", "unit": "XAP", "owner": "chutich.anphu",
        "source": INTERNAL, "source_detail": "Quy trình sửa đổi sau sắp xếp đơn vị hành chính",
        "description": "Một số công chức mới điều động về xã chưa được phổ biến các quy trình sửa đổi.",
        "identified": 100, "review": 80,
        "ratings": [(100, 3, 2, "Ảnh hưởng nhỏ: quy trình đã niêm yết và có trên phần mềm.")],
        "accept": "Đã phổ biến tại giao ban tuần; theo dõi qua đánh giá nội bộ năm nay.",
        "state": S.MONITORED,
    },
    {
        "kind": RISK, "title": "Sai sót khi chứng thực bản sao do không đối chiếu bản chính", "unit": "TP", "owner": "chuquytrinh",
        "source": PROCESS, "source_detail": "Bước đối chiếu bản sao với bản chính", "procedure": "QT-08", "treatment": Risk.Treatment.REDUCE,
        "description": "Chứng thực sai gây hậu quả pháp lý cho người dân và trách nhiệm của người ký.",
        "identified": 160, "review": 20,
        "ratings": [(160, 2, 5, "Chưa xảy ra sai sót nhưng hậu quả nghiêm trọng.")],
        "actions": [
            ("Bổ sung bước tự kiểm tra có ký nháy của người đối chiếu vào quy trình chứng thực", "cb.tuphap", -20, A.DONE,
             "Đã sửa quy trình và áp dụng từ tháng trước.", "", 10),
        ],
        "state": S.IN_TREATMENT,
    },
    {
        "kind": RISK, "title": "Hồ sơ cấp giấy phép xây dựng quá hạn do phải lấy ý kiến nhiều cơ quan", "unit": "KTHT",
        "owner": "cb.xaydung", "source": PROCESS, "source_detail": "Bước lấy ý kiến cơ quan liên quan", "procedure": "QT-10",
        "description": "Các cơ quan được hỏi ý kiến trả lời chậm; thời gian lấy ý kiến chiếm quá nửa thời hạn giải quyết.",
        "identified": 210, "review": -25,
        "ratings": [(210, 4, 3, "30% hồ sơ cấp phép xây dựng năm trước trễ hạn.")],
        "state": S.ASSESSED,
    },
    {
        "kind": RISK, "title": "Mất dữ liệu hồ sơ điện tử do sự cố máy chủ hoặc tấn công mạng", "unit": "VP", "owner": "lanhdao2",
        "source": EXTERNAL, "source_detail": "Tấn công mã độc tống tiền vào cơ quan nhà nước", "treatment": Risk.Treatment.REDUCE,
        "description": "Hồ sơ lưu trên máy chủ của Văn phòng, chưa có bản sao lưu ngoài.",
        "identified": 360, "review": 110,
        "ratings": [(360, 2, 5, "Chưa có sao lưu ngoài máy chủ."), (200, 1, 5, "Sao lưu hằng tuần ra ổ cứng ngoài, đã thử khôi phục.")],
        "actions": [
            ("Sao lưu dữ liệu hằng tuần ra ổ cứng ngoài, cất giữ ở phòng khác; thử khôi phục mỗi quý", "thuky", -260,
             A.VERIFIED_EFFECTIVE, "Đã sao lưu từ tháng 3; lần thử khôi phục đầu tiên thành công.", "Kiểm tra 3 lần thử khôi phục: dữ liệu đầy đủ.", 230),
        ],
        "state": S.MONITORED,
    },
    {
        "kind": RISK, "title": "Hồ sơ đăng ký hộ kinh doanh bị trả lại nhiều lần do hướng dẫn chưa rõ", "unit": "TCKH",
        "owner": "cb.dkkd", "source": PARTY, "source_detail": "Hộ kinh doanh, doanh nghiệp", "procedure": "QT-07",
        "treatment": Risk.Treatment.REDUCE,
        "description": "Phản ánh của hộ kinh doanh: phải bổ sung hồ sơ 2–3 lần.",
        "identified": 30, "review": 150,
        "ratings": [(30, 3, 2, "04 phản ánh trong quý.")],
        "actions": [("Soạn tờ hướng dẫn kê khai kèm hồ sơ mẫu, niêm yết tại quầy", "cb.dkkd", 25, A.PLANNED, "", "", 0)],
        "state": S.ASSESSED,
    },
    {
        "kind": OPPORTUNITY, "title": "Liên thông điện tử đăng ký khai sinh – thường trú – thẻ bảo hiểm y tế cho trẻ dưới 6 tuổi",
        "unit": "XHB", "owner": "hotich.hoabinh", "source": EXTERNAL, "source_detail": "Nghị định 63/2024/NĐ-CP về liên thông thủ tục hành chính",
        "procedure": "QT-06", "treatment": Risk.Treatment.EXPLOIT,
        "description": "Người dân chỉ nộp một bộ hồ sơ cho ba thủ tục; giảm số lần đi lại.",
        "identified": 60, "review": 120,
        "ratings": [(60, 3, 4, "Phần mềm đã sẵn sàng; cần hướng dẫn người dân.")],
        "actions": [("Hướng dẫn người dân dùng thủ tục liên thông khi đăng ký khai sinh", "hotich.hoabinh", 45, A.PLANNED, "", "", 0)],
        "state": S.ASSESSED,
    },
    {
        "kind": OPPORTUNITY, "title": "Thu phí, lệ phí không dùng tiền mặt tại Bộ phận Một cửa", "unit": "MC", "owner": "motcua2",
        "source": EXTERNAL, "source_detail": "Chủ trương thanh toán không dùng tiền mặt", "treatment": Risk.Treatment.EXPLOIT,
        "description": "Thu qua mã QR giảm thời gian thu tiền và sai sót khi đối chiếu.",
        "identified": 250, "review": 70,
        "ratings": [(250, 4, 2, "Đa số người dân có tài khoản ngân hàng.")],
        "actions": [
            ("Mở tài khoản chuyên thu và niêm yết mã QR tại quầy", "canbo", -180, A.VERIFIED_EFFECTIVE,
             "Đã niêm yết mã QR từ tháng 5.", "62% khoản thu qua mã QR trong quý III; không có sai lệch đối chiếu.", 120),
        ],
        "state": S.MONITORED,
    },
    {
        "kind": RISK, "title": "Thiếu công chức tư pháp – hộ tịch sau sắp xếp đơn vị hành chính", "unit": "XTL", "owner": "hotich.tanlap",
        "source": INTERNAL, "source_detail": "Sắp xếp đơn vị hành chính cấp xã",
        "description": "Xã chỉ còn 01 công chức tư pháp – hộ tịch.",
        "identified": 300, "review": 30,
        "ratings": [(300, 4, 3, "Một công chức nghỉ hưu."), (130, 2, 2, "Đã có công chức được điều động bổ sung.")],
        "close": "Đã bổ sung đủ 02 công chức tư pháp – hộ tịch theo quyết định điều động; rủi ro không còn.",
        "state": S.CLOSED,
    },
    {
        "kind": RISK, "title": "Biểu mẫu in sẵn hết hoặc dùng sai lần ban hành", "unit": "XHB", "owner": "vanphong.hoabinh",
        "source": PROCESS, "source_detail": "Kiểm soát biểu mẫu tại quầy", "procedure": "QT-01",
        "description": "Quầy còn dùng một số biểu mẫu cũ khi biểu mẫu mới chưa in kịp.",
        "identified": 90, "review": 100,
        "ratings": [(90, 1, 3, "Biểu mẫu có trên phần mềm, in được ngay.")],
        "accept": "Mức thấp: kiểm tra biểu mẫu tại quầy mỗi tháng là đủ.",
        "state": S.MONITORED,
    },
    {
        "kind": RISK, "title": "Thiết bị đánh giá mức độ hài lòng tại quầy bị hỏng", "unit": "XAP", "owner": "vanphong.anphu",
        "source": INTERNAL, "source_detail": "Thiết bị đánh giá tại Bộ phận Một cửa xã",
        "description": "Thiết bị không ghi nhận được đánh giá từ tuần trước; chưa đánh giá mức độ.",
        "identified": 5, "review": 7,
        "state": S.IDENTIFIED,
    },
]


def load_risks(organisation: DemoOrganisation) -> None:
    """The demo register, skipped if any risk exists."""
    if Risk.objects.exists():
        return
    secretary = organisation.users[Role.ISO_SECRETARY]
    scale = RiskScale.objects.current()
    if not scale.likelihood_labels:
        services.risk_scale_update(by=secretary, likelihood_labels=LIKELIHOOD_LABELS, impact_labels=IMPACT_LABELS)
    people = organisation.people
    procedures = {procedure.code: procedure for procedure in Procedure.objects.all()}
    today = timezone.localdate()
    for spec in RISKS:
        _load_risk(spec, people, procedures, organisation, today)


def _day(today: datetime.date, days: int) -> datetime.date:
    return today + datetime.timedelta(days=days)


def _load_risk(spec: dict, people: dict[str, User], procedures: dict, organisation: DemoOrganisation, today) -> None:
    owner = people[spec["owner"]]
    ratings = spec.get("ratings", [])
    # Each rating but the last set a review that the next one held; the last sets the review ahead.
    reviews = [_day(today, -later[0]) for later in ratings[1:]] + [_day(today, spec["review"])]
    first = ratings[0] if ratings else None
    risk = services.risk_identify(
        by=owner, kind=spec["kind"], title=spec["title"], description=spec.get("description", ""),
        source=spec["source"], source_detail=spec.get("source_detail", ""), procedure=procedures.get(spec.get("procedure")),
        unit=organisation.units[spec["unit"]], owner=owner, treatment=spec.get("treatment", ""),
        identified_on=_day(today, -spec["identified"]), review_date=reviews[0] if first else _day(today, spec["review"]),
        likelihood=first[1] if first else None, impact=first[2] if first else None, note=first[3] if first else "",
    )
    for (days_ago, likelihood, impact, note), review in zip(ratings[1:], reviews[1:], strict=True):
        services.risk_assess(
            risk=risk, by=owner, likelihood=likelihood, impact=impact, note=note, next_review=review,
            assessed_on=_day(today, -days_ago),
        )
    if "accept" in spec:
        services.risk_transition(risk=risk, name="accept", by=owner, comment=spec["accept"])
    actions = [_plan(risk, action, people, today, spec["identified"]) for action in spec.get("actions", [])]
    if actions and spec["state"] in (S.IN_TREATMENT, S.MONITORED):
        services.risk_transition(risk=risk, name="treat", by=owner)
        for action, action_spec in actions:
            _carry_out(action, action_spec, people, organisation)
    if spec["state"] == S.MONITORED and actions:
        services.risk_transition(risk=risk, name="monitor", by=owner)
    if "close" in spec:
        services.risk_transition(risk=risk, name="close", by=owner, comment=spec["close"])


def _plan(risk: Risk, action_spec: tuple, people: dict[str, User], today, identified: int):
    description, owner, due, *_rest = action_spec
    action = services.risk_action_plan(
        risk=risk, by=risk.owner, description=description, owner=people[owner], due_date=_day(today, due)
    )
    # Data setup, not a state change: the action was planned soon after the risk was identified.
    RiskAction.objects.filter(pk=action.pk).update(
        planned_at=timezone.now() - datetime.timedelta(days=max(identified - 7, 1))
    )
    return action, action_spec


def _carry_out(action: RiskAction, action_spec: tuple, people: dict[str, User], organisation: DemoOrganisation) -> None:
    _description, owner_name, _due, state, done, checked, days_since_done = action_spec
    owner = people[owner_name]
    if state == A.PLANNED:
        return
    action = action_transition(action=action, name="start", by=owner)
    if state == A.IN_PROGRESS:
        return
    action = action_transition(action=action, name="finish", by=owner, note=done)
    # Data setup: done days ago, so that effectiveness may be judged after the delay.
    RiskAction.objects.filter(pk=action.pk).update(
        completed_at=timezone.now() - datetime.timedelta(days=days_since_done)
    )
    if state in (A.VERIFIED_EFFECTIVE, A.NOT_EFFECTIVE):
        action.refresh_from_db()
        action_transition(
            action=action, name="verify_effective" if state == A.VERIFIED_EFFECTIVE else "verify_not_effective",
            by=_verifier(action, organisation), note=checked, signature=demo_signature(Signature.Meaning.VERIFIED),
        )


def _verifier(action: RiskAction, organisation: DemoOrganisation) -> User:
    """The risk's owner when they may verify and did not do the action; else the secretary or an approver."""
    risk_owner = action.risk.owner
    candidates = [risk_owner, organisation.users[Role.ISO_SECRETARY], organisation.users[Role.APPROVER]]
    return next(
        person for person in candidates
        if person.pk != action.owner_id and person.has_perm("risks.verify_riskaction")
    )
