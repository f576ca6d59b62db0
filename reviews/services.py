"""Use cases of management reviews; each runs in one transaction.

The ISO secretary plans a review (its inputs are gathered at once), regathers them until the
meeting is held, writes the agenda's texts, records the meeting as held and its decisions; the
chair approves the minutes with an electronic signature, after which nothing of them changes.
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from iso import trail
from iso.actions import action_transition
from iso.models import Role, User
from iso.signatures import SignatureRequest, transition_signing
from iso.workflows import transition_apply

from .inputs import PROVIDERS
from .models import AgendaItem, AnnualReport, Decision, ManagementReview, ReviewAction

#: What the meeting form may change.
REVIEW_FIELDS = ("title", "period_start", "period_end", "meeting_at", "place", "chair", "secretary", "guests", "conclusion")
#: What may no longer change once the meeting is held: the inputs were gathered for that period.
FROZEN_WHEN_HELD = ("period_start", "period_end")


def _require(user: User, perm: str, message: str) -> None:
    if not user.has_perm(perm):
        raise PermissionDenied(message)


def _check_chair(chair: User | None) -> None:
    if chair is not None and not chair.has_role(Role.APPROVER):
        raise ValidationError({"chair": _("%(person)s is not an approver: a management review is chaired by top management.")
                               % {"person": chair}})


def _locked_editable(review: ManagementReview, by: User) -> ManagementReview:
    """The review locked for this transaction, if ``by`` may prepare it and its minutes are not signed."""
    _require(by, "reviews.change_managementreview", _("Only the ISO secretary prepares management reviews."))
    review = ManagementReview.objects.select_for_update().get(pk=review.pk)
    if not review.is_editable:
        raise ValidationError(
            _("The minutes of %(review)s are approved and signed; they no longer change.") % {"review": review.reference}
        )
    return review


@transaction.atomic
def review_plan(
    *,
    by: User,
    title: str,
    period_start: datetime.date,
    period_end: datetime.date,
    meeting_at: datetime.datetime,
    place: str,
    chair: User,
    secretary: User,
    attendees=(),
    guests: str = "",
) -> ManagementReview:
    """Plan a management review over [period_start, period_end], numbered in the year of the
    meeting, and gather its inputs into the agenda."""
    _require(by, "reviews.add_managementreview", _("Only the ISO secretary plans management reviews."))
    _check_chair(chair)
    year = timezone.localtime(meeting_at).year
    # The year's numbering has no gaps or repeats: its last review is locked while numbering.
    list(ManagementReview.objects.select_for_update().filter(year=year).order_by("-number")[:1])
    number = (ManagementReview.objects.filter(year=year).aggregate(last=Max("number"))["last"] or 0) + 1
    review = ManagementReview(
        reference=f"XXLĐ-{year}-{number:02d}", year=year, number=number, title=title.strip(),
        period_start=period_start, period_end=period_end, meeting_at=meeting_at, place=place.strip(), chair=chair,
        secretary=secretary, guests=guests.strip(), created_by=by,
    )
    review.full_clean()
    review.save()
    review.attendees.set(attendees)
    _gather(review)
    return review


@transaction.atomic
def review_update(*, review: ManagementReview, by: User, attendees=None, **fields) -> ManagementReview:
    """Change the meeting's facts or the chair's conclusion until the minutes are signed; a new
    period regathers the inputs, and is refused once the meeting is held. Each changed field is kept
    as a field change."""
    review = _locked_editable(review, by)
    unknown = set(fields) - set(REVIEW_FIELDS)
    if unknown:
        raise TypeError(f"review_update() got unexpected fields: {', '.join(sorted(unknown))}")
    _check_chair(fields.get("chair"))
    period_changed = any(name in fields and fields[name] != getattr(review, name) for name in FROZEN_WHEN_HELD)
    if period_changed and review.state != ManagementReview.State.PLANNED:
        raise ValidationError({"period_start": _("The meeting was held on the inputs of its period; the period no longer changes.")})
    before = trail.snapshot(review)
    for name, value in fields.items():
        setattr(review, name, value.strip() if isinstance(value, str) else value)
    review.full_clean()
    review.save()
    trail.record_changes(review, before=before, by=by)
    if attendees is not None:
        review.attendees.set(attendees)
    if period_changed:
        _gather(review)
    return review


@transaction.atomic
def review_gather(*, review: ManagementReview, by: User) -> ManagementReview:
    """Gather the inputs again for the review's period, replacing each input's snapshot and summary
    and keeping what the secretary wrote; only before the meeting is held."""
    review = _locked_editable(review, by)
    if review.state != ManagementReview.State.PLANNED:
        raise ValidationError(
            _("The inputs of %(review)s were frozen when the meeting was held; they are not gathered again.")
            % {"review": review.reference}
        )
    _gather(review)
    return review


def _gather(review: ManagementReview) -> None:
    items = {item.input_key: item for item in review.agenda_items.exclude(input_key="")}
    position = review.agenda_items.aggregate(last=Max("position"))["last"] or 0
    now = timezone.now()
    for key, provider in PROVIDERS.items():
        item = items.get(key)
        if item is None:
            position += 1
            item = AgendaItem(review=review, position=position, input_key=key, clause=provider.clause, title=str(provider.title))
        gathered = provider.gather(review.period_start, review.period_end)
        if provider.manual:
            item.snapshot, item.summary = gathered.data, gathered.summary or _("Presented at the meeting by the units concerned.")
        else:
            item.snapshot, item.summary = gathered.data, gathered.summary
        item.gathered_at = now
        item.save()


@transaction.atomic
def agenda_item_add(*, review: ManagementReview, by: User, title: str, discussion: str = "") -> AgendaItem:
    """Add an item of the secretary's own to the end of the agenda."""
    review = _locked_editable(review, by)
    if not title.strip():
        raise ValidationError({"title": _("Give the agenda item a title.")})
    position = (review.agenda_items.aggregate(last=Max("position"))["last"] or 0) + 1
    item = AgendaItem(review=review, position=position, title=title.strip(), discussion=discussion.strip())
    item.full_clean()
    item.save()
    return item


@transaction.atomic
def agenda_item_update(*, item: AgendaItem, by: User, discussion: str, conclusion: str, title: str | None = None) -> AgendaItem:
    """Write what was presented and discussed on an item, and its conclusion; each change is kept."""
    _locked_editable(item.review, by)
    item = AgendaItem.objects.select_for_update().get(pk=item.pk)
    before = trail.snapshot(item)
    if title is not None and title.strip():
        item.title = title.strip()
    item.discussion = discussion.strip()
    item.conclusion = conclusion.strip()
    item.full_clean()
    item.save()
    trail.record_changes(item, before=before, by=by)
    return item


@transaction.atomic
def agenda_item_move(*, item: AgendaItem, by: User, offset: int) -> AgendaItem:
    """Move an item one place up (``offset=-1``) or down (``+1``) the agenda."""
    review = _locked_editable(item.review, by)
    items = list(review.agenda_items.select_for_update().order_by("position", "pk"))
    index = next(i for i, other in enumerate(items) if other.pk == item.pk)
    target = index + (1 if offset > 0 else -1)
    if not 0 <= target < len(items):
        return items[index]
    items[index], items[target] = items[target], items[index]
    for position, other in enumerate(items, start=1):
        other.position = position
    AgendaItem.objects.bulk_update(items, ["position"])
    return items[target]


def review_hold(*, review: ManagementReview, by: User, comment: str = "") -> ManagementReview:
    """Record that the meeting took place: the agenda's inputs are frozen as gathered."""
    return transition_apply(review, "hold", by=by, comment=comment)


def review_approve_minutes(
    *, review: ManagementReview, by: User, signature: SignatureRequest | None, comment: str = ""
) -> ManagementReview:
    """The chair approves the minutes, signed electronically (the password is checked before the
    transaction); the signature covers the agenda as presented, the decisions and the actions."""
    signing = transition_signing(review, "approve_minutes", by=by, signature=signature)
    return transition_apply(review, "approve_minutes", by=by, comment=comment, signing=signing)


def _locked_held(review: ManagementReview, by: User) -> ManagementReview:
    review = _locked_editable(review, by)
    if review.state != ManagementReview.State.HELD:
        raise ValidationError(
            _("Decisions and actions are recorded once the meeting is held and until its minutes are approved; "
              "%(review)s is %(state)s.") % {"review": review.reference, "state": review.get_state_display().lower()}
        )
    return review


@transaction.atomic
def decision_record(*, review: ManagementReview, by: User, category: str, text: str) -> Decision:
    """Record a decision of the meeting in its clause-9.3.3 category."""
    review = _locked_held(review, by)
    number = (review.decisions.aggregate(last=Max("number"))["last"] or 0) + 1
    decision = Decision(review=review, number=number, category=category, text=text.strip())
    decision.full_clean()
    decision.save()
    return decision


@transaction.atomic
def decision_update(*, decision: Decision, by: User, category: str, text: str) -> Decision:
    _locked_held(decision.review, by)
    decision = Decision.objects.select_for_update().get(pk=decision.pk)
    before = trail.snapshot(decision)
    decision.category, decision.text = category, text.strip()
    decision.full_clean()
    decision.save()
    trail.record_changes(decision, before=before, by=by)
    return decision


@transaction.atomic
def review_action_plan(
    *,
    review: ManagementReview,
    by: User,
    description: str,
    owner: User,
    due_date: datetime.date,
    decision: Decision | None = None,
) -> ReviewAction:
    """Record an action the meeting decided, with its owner and due date (and the decision it
    carries out); work on it starts once the minutes are approved."""
    review = _locked_held(review, by)
    if decision is not None and decision.review_id != review.pk:
        raise ValidationError({"decision": _("Decision %(decision)s is not one of %(review)s.")
                               % {"decision": decision, "review": review.reference}})
    if not owner.is_active or not owner.has_perm("reviews.carry_out_reviewaction"):
        raise ValidationError({"owner": _("%(person)s cannot carry out actions (a viewer, or an inactive account).")
                               % {"person": owner}})
    number = (review.actions.aggregate(last=Max("number"))["last"] or 0) + 1
    action = ReviewAction(
        review=review, decision=decision, number=number, description=description.strip(), owner=owner, due_date=due_date
    )
    action.full_clean()
    action.save()
    return action


def review_action_transition(
    *, action: ReviewAction, name: str, by: User, note: str = "", signature: SignatureRequest | None = None
) -> ReviewAction:
    """Start, finish (``note``: what was done) or verify an action of a review (signed electronically
    by the secretary or an approver, never its owner): the lifecycle every tracked action shares."""
    return action_transition(action=action, name=name, by=by, note=note, signature=signature)


@transaction.atomic
def annual_report_save(
    *, year: int, by: User, recipient: str = "", proposals: str = "", signer_title: str = "", signer_name: str = ""
) -> AnnualReport:
    """Keep what the annual report says besides its figures: to whom, the proposals, the signer."""
    _require(by, "reviews.change_annualreport", _("Only the ISO secretary prepares the annual report."))
    report, _created = AnnualReport.objects.select_for_update().get_or_create(year=year)
    report.recipient, report.proposals = recipient.strip(), proposals.strip()
    report.signer_title, report.signer_name = signer_title.strip(), signer_name.strip()
    report.updated_by = by
    report.full_clean()
    report.save()
    return report
