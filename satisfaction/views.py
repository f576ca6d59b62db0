"""Pages of satisfaction: the kiosk (no sign-in), the satisfaction index, the feedback list and
page, typing in a paper form, and turning a complaint into a nonconformity."""

import datetime
import functools

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required, permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from cases.models import Case
from iso.pages import report as _report
from iso.routers import reads_from_replica

from . import selectors, services, throttle, tokens
from .forms import FeedbackFilterForm, FeedbackForm, KioskIdentifyForm, PaperFeedbackForm, SatisfactionFilterForm
from .models import Feedback

PAGE_SIZE = 50


# The kiosk


def kiosk_language(view):
    """Vietnamese unless the visitor chose a language with the switch: a tablet's own settings do
    not decide the language of the one-stop shop's kiosk."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:
            translation.activate(settings.LANGUAGE_CODE)
            request.LANGUAGE_CODE = settings.LANGUAGE_CODE
        return view(request, *args, **kwargs)

    return wrapper


@login_not_required
@never_cache
@kiosk_language
def kiosk(request):
    """The applicant names the dossier and the code from the receipt, then rates.

    Both are checked again with the ratings, so nothing but the form carries the visitor from one
    step to the next. A wrong pair says only that it is wrong (never whether the dossier exists)
    and counts against the client's address; past the limit every attempt is refused for a while.
    """
    if request.method != "POST":
        initial = {"case": request.GET.get("case", ""), "code": request.GET.get("code", "")}
        return render(request, "satisfaction/kiosk.html", {"form": KioskIdentifyForm(initial=initial)})
    client = throttle.client_key(request)
    if throttle.is_blocked(client):
        minutes = settings.SATISFACTION_KIOSK_WINDOW_MINUTES
        return render(request, "satisfaction/kiosk_blocked.html", {"minutes": minutes}, status=429)
    identify = KioskIdentifyForm(request.POST)
    if not identify.is_valid():
        return render(request, "satisfaction/kiosk.html", {"form": identify})
    case = selectors.kiosk_case(reference=identify.cleaned_data["case"])
    if not tokens.token_matches(case, identify.cleaned_data["code"]):
        throttle.record_failure(client)
        identify.add_error(None, _("The dossier code or the code for rating is not right. Check both on your receipt."))
        return render(request, "satisfaction/kiosk.html", {"form": identify})
    if obstacle := selectors.feedback_obstacle(case=case):
        identify.add_error(None, obstacle)
        return render(request, "satisfaction/kiosk.html", {"form": identify})
    rating = FeedbackForm(request.POST if "rate" in request.POST else None, criteria=selectors.criteria_asked())
    if rating.is_bound and rating.is_valid():
        try:
            services.feedback_submit(
                case=case, scores=rating.scores, comment=rating.cleaned_data["comment"],
                is_complaint=rating.cleaned_data["is_complaint"],
            )
        except ValidationError as error:
            rating.add_error(None, error)
        else:
            return redirect("satisfaction:kiosk_thanks")
    context = {"identify": identify, "form": rating, "reference": case.reference, "procedure": case.procedure.title}
    return render(request, "satisfaction/kiosk_rate.html", context)


@login_not_required
@kiosk_language
def kiosk_thanks(request):
    return render(request, "satisfaction/kiosk_thanks.html", {"return_seconds": 20})


# Signed-in pages


def _period(form) -> tuple[datetime.date, datetime.date]:
    """The chosen period, or the twelve months to today (as the on-time dashboard)."""
    today = timezone.localdate()
    data = form.cleaned_data if form.is_valid() else {}
    return data.get("start") or today.replace(day=1).replace(year=today.year - 1), data.get("end") or today


@permission_required("satisfaction.view_feedback", raise_exception=True)
@reads_from_replica
def satisfaction_index(request):
    form = SatisfactionFilterForm(request.GET or None, units=selectors.report_units(user=request.user))
    start, end = _period(form)
    data = form.cleaned_data if form.is_valid() else {}
    report = selectors.satisfaction_report(
        user=request.user, start=start, end=end, unit=data.get("unit"), procedure=data.get("procedure")
    )
    return render(request, "satisfaction/index.html", {"form": form, "report": report, "query": request.GET.urlencode()})


@permission_required("satisfaction.view_feedback", raise_exception=True)
def feedback_list(request):
    form = FeedbackFilterForm(request.GET or None, units=selectors.report_units(user=request.user))
    filters = dict(form.cleaned_data) if form.is_valid() else {}
    feedback = selectors.feedback_list(user=request.user, filters=filters)
    page = Paginator(feedback, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "satisfaction/feedback_list.html", {"form": form, "page": page, "query": query.urlencode()})


def _feedback_or_404(request, reference: str) -> Feedback:
    try:
        return selectors.feedback_get(user=request.user, reference=reference)
    except Feedback.DoesNotExist:
        raise Http404(_("No feedback on this case.")) from None


@permission_required("satisfaction.view_feedback", raise_exception=True)
def feedback_detail(request, reference):
    feedback = _feedback_or_404(request, reference)
    return render(
        request, "satisfaction/feedback_detail.html",
        {"feedback": feedback, "ratings": selectors.feedback_ratings(feedback=feedback)},
    )


@permission_required("satisfaction.handle_feedback", raise_exception=True)
def feedback_enter(request, reference):
    try:
        case = selectors.case_for_entry(user=request.user, reference=reference)
    except Case.DoesNotExist:
        raise Http404(_("No such case.")) from None
    if obstacle := selectors.feedback_obstacle(case=case):
        messages.error(request, obstacle)
        return redirect(case)
    form = PaperFeedbackForm(request.POST or None, criteria=selectors.criteria_asked())
    if request.method == "POST" and form.is_valid():
        try:
            feedback = services.feedback_enter(
                case=case, by=request.user, scores=form.scores, comment=form.cleaned_data["comment"],
                is_complaint=form.cleaned_data["is_complaint"], given_on=form.cleaned_data["given_on"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Feedback on %(case)s recorded.") % {"case": case.reference})
            return redirect(feedback)
    return render(request, "satisfaction/feedback_form.html", {"form": form, "case": case})


@require_POST
@permission_required("satisfaction.handle_feedback", raise_exception=True)
def feedback_complaint(request, reference):
    feedback = _feedback_or_404(request, reference)
    try:
        services.feedback_mark_complaint(feedback=feedback, by=request.user)
    except ValidationError as error:
        _report(request, error)
    else:
        messages.success(request, _("Marked as a complaint."))
    return redirect(feedback)


@require_POST
@permission_required("audits.add_nonconformity", raise_exception=True)
def feedback_nonconformity(request, reference):
    feedback = _feedback_or_404(request, reference)
    try:
        nonconformity = services.feedback_raise_nonconformity(feedback=feedback, by=request.user)
    except ValidationError as error:
        _report(request, error)
        return redirect(feedback)
    messages.success(
        request, _("Nonconformity %(nc)s opened from the complaint on %(case)s.")
        % {"nc": nonconformity.reference, "case": feedback.case.reference},
    )
    return redirect(nonconformity)
