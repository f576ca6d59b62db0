"""Demo feedback: about 40% of the completed demo cases (and a few refused ones) rated at the kiosk
or on paper, mostly satisfied, lower where the case was late or refused, with Vietnamese comments;
one complaint has opened a nonconformity, two more wait for someone to look at them.

Written in bulk like the demo cases; the complaint's nonconformity goes through the service.
"""

import datetime
import random

from django.utils import timezone

from cases.models import Case, Timing
from iso.models import Role

from .models import Criterion, Feedback, Rating
from .services import feedback_raise_nonconformity

#: Share of the completed and of the refused cases whose applicant gave feedback.
COMPLETED_SHARE, REJECTED_SHARE = 0.40, 0.25
#: Criteria that do not concern every applicant and are often left unrated.
OFTEN_SKIPPED = {"costs": 0.25, "feedback_handling": 0.7}

PRAISE = [
    "Cán bộ hướng dẫn tận tình, chu đáo.",
    "Hồ sơ được trả sớm hơn ngày hẹn, rất hài lòng.",
    "Thủ tục nhanh gọn, không phải đi lại nhiều lần.",
    "Cán bộ một cửa niềm nở, giải thích rõ ràng.",
    "Nhận kết quả đúng hẹn, không phát sinh chi phí.",
    "Nên có thêm ghế ngồi chờ ở bộ phận một cửa.",
]
CRITICISM = [
    "Phải bổ sung giấy tờ hai lần vì lần đầu không được hướng dẫn đầy đủ.",
    "Thời gian chờ tại quầy lâu, nên bố trí thêm cán bộ vào buổi sáng.",
    "Thành phần hồ sơ niêm yết chưa khớp với yêu cầu thực tế.",
    "Trả kết quả trễ hẹn, không được báo trước.",
]
COMPLAINT = (
    "Hồ sơ trễ hẹn gần một tuần, tôi phải lên hỏi ba lần mới được trả lời. "
    "Đề nghị cơ quan xem xét, chấn chỉnh việc trả kết quả và thông báo cho người dân khi có chậm trễ."
)


def _mood(rng: random.Random, case: Case) -> str:
    roll = rng.random()
    if case.timing == Timing.LATE or case.state == Case.State.REJECTED:
        return "unhappy" if roll < 0.35 else "mixed" if roll < 0.8 else "happy"
    return "unhappy" if roll < 0.03 else "mixed" if roll < 0.15 else "happy"


def _score(rng: random.Random, mood: str, code: str, case: Case) -> int:
    if code == "return_time" and case.timing == Timing.LATE:
        return rng.choice([1, 2, 2, 3])
    if code == "return_time" and case.timing == Timing.EARLY and mood == "happy":
        return 5
    weights = {"happy": [0, 0, 1, 8, 11], "mixed": [0, 2, 6, 6, 2], "unhappy": [4, 6, 4, 1, 0]}[mood]
    return rng.choices([1, 2, 3, 4, 5], weights=weights)[0]


def load_feedback(organisation, *, seed: int = 2031) -> None:
    """Feedback on a share of the resolved demo cases; skipped if any feedback exists."""
    if Feedback.objects.exists():
        return
    rng = random.Random(seed)
    now = timezone.now()
    today = timezone.localdate()
    criteria = list(Criterion.objects.filter(is_active=True).order_by("position"))
    cases = list(
        Case.objects.filter(state__in=Case.RESOLVED_STATES)
        .only("pk", "reference", "state", "timing", "resolved_at", "unit_id")
        .order_by("pk")
    )
    # Paper forms are typed in by the one-stop-shop staff of the case's unit.
    typists = {}
    for user in organisation.people.values():
        if Role.STAFF in user.roles:
            typists.setdefault(user.unit_id, user)
    fallback_typist = organisation.users[Role.STAFF]
    feedback, scores = [], []
    for case in cases:
        share = COMPLETED_SHARE if case.state == Case.State.COMPLETED else REJECTED_SHARE
        if rng.random() >= share:
            continue
        mood = _mood(rng, case)
        resolved_on = timezone.localdate(case.resolved_at)
        on_paper = rng.random() < 0.3
        given_on = min(resolved_on + datetime.timedelta(days=rng.randint(0, 3) if on_paper else 0), today)
        comment = ""
        if rng.random() < (0.2 if mood == "happy" else 0.6):
            comment = rng.choice(PRAISE if mood == "happy" else CRITICISM)
        created_at = case.resolved_at + datetime.timedelta(minutes=rng.randint(2, 20))
        if on_paper:
            created_at = min(created_at + datetime.timedelta(days=(given_on - resolved_on).days + 1), now)
        feedback.append(Feedback(
            case=case, channel=Feedback.Channel.PAPER if on_paper else Feedback.Channel.KIOSK, given_on=given_on,
            comment=comment, entered_by=typists.get(case.unit_id, fallback_typist) if on_paper else None,
            created_at=created_at,
        ))
        scores.append([
            (criterion, _score(rng, mood, criterion.code, case))
            for criterion in criteria
            if rng.random() >= OFTEN_SKIPPED.get(criterion.code, 0)
        ])
    _mark_complaints(feedback, scores, organisation)
    Feedback.objects.bulk_create(feedback, batch_size=1000)
    Rating.objects.bulk_create(
        (Rating(feedback=item, criterion=criterion, score=score)
         for item, given in zip(feedback, scores) for criterion, score in given),
        batch_size=2000,
    )
    # The most recent complaint about a late result has gone to the nonconformity register.
    ticked = [item for item in feedback if item.is_complaint and item.complaint_marked_by is None]
    complaint = max(ticked, key=lambda item: (item.given_on, item.pk))
    feedback_raise_nonconformity(feedback=complaint, by=organisation.users[Role.ISO_SECRETARY])


def _mark_complaints(feedback: list[Feedback], scores: list, organisation) -> None:
    """Three complaints among the least satisfied: two ticked by the applicant at the kiosk about a
    late result (the latest opens a nonconformity), one marked by the secretary from a comment."""
    ranked = sorted(range(len(feedback)), key=lambda i: (sum(s for _c, s in scores[i]) / max(len(scores[i]), 1), -i))
    late = [i for i in ranked if feedback[i].case.timing == Timing.LATE and feedback[i].channel == Feedback.Channel.KIOSK]
    for index in sorted(late[:2]):
        feedback[index].is_complaint, feedback[index].comment = True, COMPLAINT
    marked = next(i for i in ranked if i not in late[:2] and feedback[i].comment)
    feedback[marked].is_complaint = True
    feedback[marked].complaint_marked_by = organisation.users[Role.ISO_SECRETARY]
