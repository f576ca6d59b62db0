"""Pages of management reviews and of the annual QMS report.

Each view parses input, calls one service or selector, and renders. A refusal comes back as a
message in the words of the rule that refused (TransitionRefused or ValidationError).
"""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from iso import access
from iso.actions import action_rows
from iso.forms import ActionTransitionForm, signature_request
from iso.pages import add_errors, dispatch, state_changed, valid
from iso.signatures import signatures_checked
from iso.workflows import available_transitions
from records.pdf import pdf_response

from . import pdf, selectors, services
from .forms import (
    AgendaItemAddForm,
    AgendaItemForm,
    AgendaMoveForm,
    AnnualReportForm,
    ConclusionForm,
    DecisionEditForm,
    DecisionForm,
    ReviewActionFilterForm,
    ReviewActionForm,
    ReviewForm,
    TransitionForm,
)
from .models import AgendaItem, AnnualReport, Decision, ManagementReview, ReviewAction
from .report import annual_report

PAGE_SIZE = 50
#: The transitions the review page offers as buttons.
REVIEW_TRANSITIONS = ("hold", "approve_minutes")
#: The years an annual report may be asked for.
REPORT_YEARS = range(2000, 2100)


def _review_or_404(request, reference: str) -> ManagementReview:
    try:
        return selectors.review_get(user=request.user, reference=reference)
    except ManagementReview.DoesNotExist:
        raise Http404(_("No such management review.")) from None


@permission_required("reviews.view_managementreview", raise_exception=True)
def review_list(request):
    user = request.user
    page = Paginator(selectors.review_list(user=user), PAGE_SIZE).get_page(request.GET.get("page"))
    year = timezone.localdate().year
    may_report = access.may_read_annual_report(user)
    return render(
        request,
        "reviews/review_list.html",
        {"page": page, "query": "", "year": year, "red_flags": selectors.red_flags(year=year) if may_report else [],
         "may_report": may_report},
    )


@permission_required("reviews.add_managementreview", raise_exception=True)
def review_create(request):
    today = timezone.localdate()
    form = ReviewForm(request.POST or None, initial={
        "title": _("Management review %(year)s") % {"year": today.year},
        "period_start": today.replace(month=1, day=1), "period_end": today, "secretary": request.user,
    })
    if request.method == "POST" and form.is_valid():
        try:
            review = services.review_plan(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Management review %(review)s planned; its inputs are gathered.") % {"review": review.reference})
            return redirect(review)
    return render(request, "reviews/review_form.html", {"form": form})


@permission_required("reviews.view_managementreview", raise_exception=True)
def review_detail(request, reference):
    review = _review_or_404(request, reference)
    user = request.user
    prepares = user.has_perm("reviews.change_managementreview") and review.is_editable
    agenda = list(selectors.review_agenda(review=review))
    return render(
        request,
        "reviews/review_detail.html",
        {
            "review": review,
            "attendees": review.attendees.all(),
            "agenda": [(item, AgendaItemForm(initial={"item": item.pk, "title": item.title, "discussion": item.discussion,
                                                      "conclusion": item.conclusion}) if prepares else None)
                       for item in agenda],
            "decisions": selectors.review_decisions(review=review),
            "transitions": [t for t in available_transitions(review, user) if t.name in REVIEW_TRANSITIONS],
            "prepares": prepares,
            "may_gather": prepares and review.state == ManagementReview.State.PLANNED,
            "may_decide": prepares and review.state == ManagementReview.State.HELD,
            "add_form": AgendaItemAddForm(),
            "conclusion_form": ConclusionForm(initial={"conclusion": review.conclusion}),
            "decision_form": DecisionForm(),
            "decision_categories": Decision.Category.choices,
            "actions": action_rows(selectors.review_actions(review=review), user=user),
            "action_form": ReviewActionForm(review=review),
            "history": selectors.history(obj=review),
            "signatures": signatures_checked(review),
        },
    )


@permission_required("reviews.change_managementreview", raise_exception=True)
def review_edit(request, reference):
    review = _review_or_404(request, reference)
    form = ReviewForm(request.POST or None, instance=review)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        attendees = data.pop("attendees")
        try:
            review = services.review_update(review=review, by=request.user, attendees=attendees, **data)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Management review %(review)s saved.") % {"review": review.reference})
            return redirect(review)
    return render(request, "reviews/review_form.html", {"form": form, "review": review})


def _transition(request, review):
    data = valid(TransitionForm(request.POST))
    name = data["transition"]
    if name == "hold":
        review = services.review_hold(review=review, by=request.user, comment=data["comment"])
    elif name == "approve_minutes":
        review = services.review_approve_minutes(
            review=review, by=request.user, comment=data["comment"], signature=signature_request(request.POST)
        )
    else:
        raise ValidationError(_("Unknown action."))
    return state_changed(review)


def _gather(request, review):
    services.review_gather(review=review, by=request.user)
    return _("The inputs of %(review)s are gathered again for its period.") % {"review": review.reference}


def _add_item(request, review):
    item = services.agenda_item_add(review=review, by=request.user, **valid(AgendaItemAddForm(request.POST)))
    return _("Agenda item “%(title)s” added.") % {"title": item.title}


def _item(review, pk) -> AgendaItem:
    return get_object_or_404(AgendaItem.objects.select_related("review"), pk=pk, review=review)


def _edit_item(request, review):
    data = valid(AgendaItemForm(request.POST))
    item = services.agenda_item_update(
        item=_item(review, data["item"]), by=request.user, title=data["title"], discussion=data["discussion"],
        conclusion=data["conclusion"],
    )
    return _("Agenda item “%(title)s” saved.") % {"title": item.title}


def _move_item(request, review):
    data = valid(AgendaMoveForm(request.POST))
    item = services.agenda_item_move(item=_item(review, data["item"]), by=request.user, offset=data["offset"])
    return _("Agenda item “%(title)s” moved.") % {"title": item.title}


def _conclude(request, review):
    services.review_update(review=review, by=request.user, conclusion=valid(ConclusionForm(request.POST))["conclusion"])
    return _("The conclusion of the chair is saved.")


def _decide(request, review):
    decision = services.decision_record(review=review, by=request.user, **valid(DecisionForm(request.POST)))
    return _("Decision %(decision)s recorded.") % {"decision": decision}


def _edit_decision(request, review):
    data = valid(DecisionEditForm(request.POST))
    decision = get_object_or_404(Decision.objects.select_related("review"), pk=data["decision"], review=review)
    decision = services.decision_update(decision=decision, by=request.user, category=data["category"], text=data["text"])
    return _("Decision %(decision)s saved.") % {"decision": decision}


def _plan_action(request, review):
    action = services.review_action_plan(review=review, by=request.user, **valid(ReviewActionForm(request.POST, review=review)))
    return _("Action %(action)s recorded.") % {"action": action.label}


def _action(request, review):
    data = valid(ActionTransitionForm(request.POST))
    action = get_object_or_404(ReviewAction.objects.select_related("review"), pk=data["action"], review=review)
    action = services.review_action_transition(
        action=action, name=data["transition"], by=request.user, note=data["note"], signature=signature_request(request.POST)
    )
    return state_changed(action)


#: What a review page can post: the permission it needs (None: the transition's own) and its handler.
REVIEW_ACTIONS = {
    "transition": (None, _transition),
    "gather": ("reviews.change_managementreview", _gather),
    "add_item": ("reviews.change_managementreview", _add_item),
    "edit_item": ("reviews.change_managementreview", _edit_item),
    "move_item": ("reviews.change_managementreview", _move_item),
    "conclude": ("reviews.change_managementreview", _conclude),
    "decide": ("reviews.change_managementreview", _decide),
    "edit_decision": ("reviews.change_managementreview", _edit_decision),
    "plan_action": ("reviews.change_managementreview", _plan_action),
    "action": (None, _action),
}


@require_POST
@permission_required("reviews.view_managementreview", raise_exception=True)
def review_action(request, reference, action):
    review = _review_or_404(request, reference)
    dispatch(request, review, REVIEW_ACTIONS, action)
    return redirect("reviews:review_detail", reference=reference)


@permission_required("reviews.view_managementreview", raise_exception=True)
def review_print(request, reference):
    review = _review_or_404(request, reference)
    return pdf_response(pdf.minutes_pdf(review), f"{review.reference}.pdf")


@permission_required("reviews.view_managementreview", raise_exception=True)
def action_list(request):
    form = ReviewActionFilterForm(request.GET or None)
    filters = dict(form.cleaned_data) if form.is_valid() else {}
    page = Paginator(selectors.review_action_list(user=request.user, filters=filters), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "reviews/action_list.html", {"form": form, "page": page, "query": query.urlencode()})


# The annual report


def _report_year(request, year: int) -> int:
    if not access.may_read_annual_report(request.user):
        raise PermissionDenied
    if year not in REPORT_YEARS:
        raise Http404(_("No report for that year."))
    return year


@permission_required("reviews.view_annualreport", raise_exception=True)
def report_detail(request, year):
    year = _report_year(request, year)
    notes = AnnualReport.objects.filter(year=year).first() or AnnualReport(year=year)
    form = AnnualReportForm(request.POST or None, instance=notes)
    if request.method == "POST":
        if not request.user.has_perm("reviews.change_annualreport"):
            raise PermissionDenied
        if form.is_valid():
            try:
                services.annual_report_save(year=year, by=request.user, **form.cleaned_data)
            except ValidationError as error:
                add_errors(form, error)
            else:
                messages.success(request, _("The annual report %(year)s is saved.") % {"year": year})
                return redirect("reviews:report_detail", year=year)
    return render(
        request, "reviews/report_detail.html",
        {"report": annual_report(year=year), "form": form, "year": year, "this_year": timezone.localdate().year,
         "may_edit": request.user.has_perm("reviews.change_annualreport")},
    )


@permission_required("reviews.view_annualreport", raise_exception=True)
def report_print(request, year):
    year = _report_year(request, year)
    return pdf_response(pdf.annual_report_pdf(annual_report(year=year)), f"annual-qms-report-{year}.pdf")


@permission_required("reviews.view_annualreport", raise_exception=True)
def report_xlsx(request, year):
    year = _report_year(request, year)
    response = HttpResponse(
        pdf.annual_report_xlsx(annual_report(year=year)),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="annual-qms-report-{year}.xlsx"'
    return response
