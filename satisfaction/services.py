"""Use cases of satisfaction: the applicant's feedback (kiosk or paper form), complaints, and the
nonconformity a complaint opens. Each runs in one transaction on the locked row it changes."""

import datetime
from collections.abc import Mapping

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audits.models import Nonconformity
from audits.services import nonconformity_raise
from cases.models import Case
from iso.models import Clause, User

from .models import HIGHEST_SCORE, LOWEST_SCORE, Criterion, Feedback, Rating
from .selectors import feedback_obstacle


def _require(user: User, perm: str, message: str) -> None:
    if not (user and user.is_active and user.has_perm(perm)):
        raise PermissionDenied(message)


def _check_ratings(scores: Mapping[int, int]) -> dict[Criterion, int]:
    """The scores by criterion id as criteria: each an asked criterion and a score from 1 to 5."""
    given = {int(pk): score for pk, score in scores.items() if score not in (None, "")}
    if not given:
        raise ValidationError(_("Rate at least one criterion."))
    criteria = Criterion.objects.filter(is_active=True).in_bulk(list(given))
    unknown = set(given) - set(criteria)
    if unknown:
        raise ValidationError(_("These criteria are not asked: %(ids)s.") % {"ids": ", ".join(map(str, sorted(unknown)))})
    checked = {}
    for pk, score in given.items():
        if not (isinstance(score, int) and LOWEST_SCORE <= score <= HIGHEST_SCORE):
            raise ValidationError(
                _("%(criterion)s: the score must be a whole number from %(low)s to %(high)s.")
                % {"criterion": criteria[pk].label, "low": LOWEST_SCORE, "high": HIGHEST_SCORE}
            )
        checked[criteria[pk]] = score
    return checked


def _create(
    *, case: Case, scores: Mapping[int, int], comment: str, is_complaint: bool, channel: str,
    given_on: datetime.date, entered_by: User | None,
) -> Feedback:
    # The case row is locked so that two submissions for one case queue; the unique constraint on
    # the case stays the last word.
    case = Case.objects.select_for_update().get(pk=case.pk)
    if obstacle := feedback_obstacle(case=case):
        raise ValidationError(obstacle)
    comment = comment.strip()
    if is_complaint and not comment:
        raise ValidationError({"comment": _("Say what the complaint is about in the comment.")})
    ratings = _check_ratings(scores)
    resolved_on = timezone.localdate(case.resolved_at)
    if given_on > timezone.localdate():
        raise ValidationError({"given_on": _("The date of the feedback is in the future.")})
    if given_on < resolved_on:
        raise ValidationError(
            {"given_on": _("The date of the feedback is before the dossier was resolved (%(date)s).")
             % {"date": resolved_on.strftime("%d/%m/%Y")}}
        )
    feedback = Feedback(
        case=case, channel=channel, given_on=given_on, comment=comment, is_complaint=is_complaint,
        entered_by=entered_by,
    )
    feedback.full_clean(exclude=["case"])
    try:
        with transaction.atomic():
            feedback.save()
    except IntegrityError:
        message = _("Feedback on dossier %(case)s has already been given. Thank you.")
        raise ValidationError(message % {"case": case.reference}) from None
    Rating.objects.bulk_create(Rating(feedback=feedback, criterion=c, score=s) for c, s in ratings.items())
    return feedback


@transaction.atomic
def feedback_submit(*, case: Case, scores: Mapping[int, int], comment: str = "", is_complaint: bool = False) -> Feedback:
    """The applicant's own feedback at the kiosk, given today. ``scores`` maps criterion ids to
    1–5; criteria left out were not rated. The caller has checked the code from the receipt."""
    return _create(
        case=case, scores=scores, comment=comment, is_complaint=is_complaint, channel=Feedback.Channel.KIOSK,
        given_on=timezone.localdate(), entered_by=None,
    )


@transaction.atomic
def feedback_enter(
    *, case: Case, by: User, scores: Mapping[int, int], comment: str = "", is_complaint: bool = False,
    given_on: datetime.date | None = None,
) -> Feedback:
    """Type in a paper feedback form for ``case``, dated ``given_on`` (today when not given); who
    entered it is kept. The caller has checked that ``by`` sees the case."""
    _require(by, "satisfaction.handle_feedback", _("You may not enter feedback."))
    return _create(
        case=case, scores=scores, comment=comment, is_complaint=is_complaint, channel=Feedback.Channel.PAPER,
        given_on=given_on or timezone.localdate(), entered_by=by,
    )


@transaction.atomic
def feedback_mark_complaint(*, feedback: Feedback, by: User) -> Feedback:
    """Treat the feedback as a complaint (its comment or its low scores say something went wrong)."""
    _require(by, "satisfaction.handle_feedback", _("You may not mark feedback as a complaint."))
    feedback = Feedback.objects.select_for_update().get(pk=feedback.pk)
    if feedback.is_complaint:
        raise ValidationError(_("This feedback is already a complaint."))
    feedback.is_complaint = True
    feedback.complaint_marked_by = by
    feedback.save(update_fields=["is_complaint", "complaint_marked_by"])
    return feedback


def _complaint_description(feedback: Feedback) -> str:
    case = feedback.case
    ratings = feedback.ratings.select_related("criterion").order_by("criterion__position")
    scores = "; ".join(f"{r.criterion.label}: {r.score}/{HIGHEST_SCORE}" for r in ratings)
    text = _("Complaint of the applicant of dossier %(case)s (%(procedure)s), given on %(date)s.") % {
        "case": case.reference, "procedure": case.procedure.title, "date": feedback.given_on.strftime("%d/%m/%Y"),
    }
    if feedback.comment:
        text += "\n" + _("Comment: %(comment)s") % {"comment": feedback.comment}
    return text + "\n" + _("Ratings: %(scores)s") % {"scores": scores}


@transaction.atomic
def feedback_raise_nonconformity(*, feedback: Feedback, by: User) -> Nonconformity:
    """Open a nonconformity of the case's unit, source "complaint", from a complaint, and link it;
    a complaint opens one nonconformity, never two."""
    _require(by, "audits.add_nonconformity", _("You may not raise nonconformities."))
    feedback = Feedback.objects.select_for_update().get(pk=feedback.pk)
    if not feedback.is_complaint:
        raise ValidationError(_("Only a complaint opens a nonconformity; mark the feedback as a complaint first."))
    if feedback.nonconformity_id:
        raise ValidationError(
            _("This complaint already opened nonconformity %(nc)s.") % {"nc": feedback.nonconformity.reference}
        )
    nonconformity = nonconformity_raise(
        by=by,
        source=Nonconformity.Source.COMPLAINT,
        unit=feedback.case.unit,
        description=_complaint_description(feedback),
        # ISO 9001:2015 8.2.1 c): customer feedback, including complaints.
        clause=Clause.objects.filter(number="8.2.1").first(),
    )
    feedback.nonconformity = nonconformity
    feedback.save(update_fields=["nonconformity"])
    return nonconformity
