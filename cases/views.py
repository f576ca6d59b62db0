"""Pages of cases: intake, lists, the case with its timeline and allowed moves, and the dashboard."""

import datetime

import tablib
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from iso.pages import report as _report
from iso.routers import reads_from_replica
from iso.workflows import TransitionRefused
from records.pdf import pdf_response
from processes.models import Step

from . import selectors, services
from .charts import monthly_bars
from .forms import (
    ApologyForm,
    CaseFilterForm,
    CaseIntakeForm,
    CaseMoveForm,
    IndicatorFilterForm,
    ReasonForm,
    SupplementRequestForm,
)
from .models import Case
from .pdf import apology_letter_pdf, control_sheet_pdf, indicator_report_pdf, receipt_pdf

PAGE_SIZE = 50


def _case_or_404(request, reference: str) -> Case:
    try:
        return selectors.case_get(user=request.user, reference=reference)
    except Case.DoesNotExist:
        raise Http404(_("No such case.")) from None


@permission_required("cases.view_case", raise_exception=True)
def case_list(request):
    form = CaseFilterForm(request.GET or None)
    filters = dict(form.cleaned_data) if form.is_valid() else {}
    if filters.pop("mine", False):
        filters["assignee"] = request.user
    page = selectors.case_page(
        user=request.user, filters=filters, after=request.GET.get("after"), before=request.GET.get("before"), size=PAGE_SIZE
    )
    query = request.GET.copy()
    for name in ("page", "after", "before"):
        query.pop(name, None)
    return render(request, "cases/case_list.html", {"form": form, "page": page, "query": query.urlencode(), "now": timezone.now()})


@require_POST
@permission_required("cases.view_case", raise_exception=True)
def case_export(request, fmt):
    """Queue an export of the listed cases (the list's filters are in the query string)."""
    query = {name: value for name, value in request.GET.items() if name != "page"}
    try:
        job = services.case_export_request(fmt=fmt, query=query, by=request.user)
    except ValidationError:
        raise Http404(_("Unknown format.")) from None
    return redirect(job)


@permission_required("cases.add_case", raise_exception=True)
def case_create(request):
    form = CaseIntakeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            case = services.case_receive(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("Case %(case)s received; due %(due)s.")
                % {"case": case, "due": timezone.localtime(case.due_at).strftime("%d/%m/%Y %H:%M")},
            )
            return redirect(case)
    return render(request, "cases/case_form.html", {"form": form})


@permission_required("cases.view_case", raise_exception=True)
def case_detail(request, reference):
    case = _case_or_404(request, reference)
    moves = []
    if case.current_step_id and case.state in (Case.State.RECEIVED, Case.State.IN_PROGRESS):
        moves = list(case.current_step.outgoing.select_related("target__responsible_unit"))
    may_handle = request.user.has_perm("cases.handle_case")
    return render(
        request,
        "cases/case_detail.html",
        {
            "case": case,
            "visits": selectors.case_visits(case=case),
            "supplements": case.supplement_requests.select_related("step", "requested_by"),
            "history": selectors.case_history(case=case),
            "moves": moves if may_handle else [],
            "may_handle": may_handle,
            "move_form": CaseMoveForm(),
            "supplement_form": SupplementRequestForm(),
            "apology_form": ApologyForm(),
            "reason_form": ReasonForm(),
            "now": timezone.now(),
            "at_risk_from": selectors.at_risk_boundary(),
        },
    )


def _move(request, case):
    form = CaseMoveForm(request.POST)
    if not form.is_valid():
        raise ValidationError(_("Choose the move to make."))
    step = get_object_or_404(Step, pk=form.cleaned_data["to_step"], revision=case.revision_id)
    return services.case_move(
        case=case, to_step=step, by=request.user, assignee=form.cleaned_data["assignee"],
        comment=form.cleaned_data["comment"],
    )


def _with_form(form_class, call):
    def action(request, case):
        form = form_class(request.POST)
        if not form.is_valid():
            raise ValidationError([f"{form.fields[name].label}: {' '.join(errors)}" for name, errors in form.errors.items()])
        return call(request, case, form.cleaned_data)
    return action


#: The actions a case page can post, each the one service that does it.
CASE_ACTIONS = {
    "move": _move,
    "request_supplement": _with_form(
        SupplementRequestForm, lambda r, c, d: services.case_request_supplement(case=c, by=r.user, missing=d["missing"])
    ),
    "receive_supplement": lambda r, c: services.case_receive_supplement(case=c, by=r.user),
    "apologise": _with_form(
        ApologyForm,
        lambda r, c, d: services.case_apologise(case=c, by=r.user, reason=d["reason"], new_due_at=d["new_due_at"]),
    ),
    "reject": _with_form(ReasonForm, lambda r, c, d: services.case_reject(case=c, by=r.user, reason=d["reason"])),
    "withdraw": _with_form(ReasonForm, lambda r, c, d: services.case_withdraw(case=c, by=r.user, reason=d["reason"])),
}


@require_POST
@permission_required("cases.handle_case", raise_exception=True)
def case_action(request, reference, action):
    case = _case_or_404(request, reference)
    if action not in CASE_ACTIONS:
        raise Http404(_("Unknown action."))
    try:
        CASE_ACTIONS[action](request, case)
    except (ValidationError, TransitionRefused) as error:
        _report(request, error)
    else:
        messages.success(request, _("Saved."))
    return redirect("cases:case_detail", reference=reference)


def _period(request, form) -> dict:
    """The dashboard's scope for the signed-in user: the filters, and received-from/to as aware
    datetimes (end exclusive)."""
    today = timezone.localdate()
    data = form.cleaned_data if form.is_valid() else {}
    start = data.get("start") or today.replace(day=1).replace(year=today.year - 1)
    end = data.get("end") or today
    tz = timezone.get_current_timezone()
    return selectors.indicator_scope(
        user=request.user,
        unit=data.get("unit"),
        procedure=data.get("procedure"),
        start=datetime.datetime.combine(start, datetime.time.min, tzinfo=tz),
        end=datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz),
    )


@permission_required("cases.view_case", raise_exception=True)
@reads_from_replica
def dashboard(request):
    form = IndicatorFilterForm(request.GET or None, units=selectors.indicator_units(user=request.user))
    scope = _period(request, form)
    months = selectors.indicators_by("month", **scope)
    return render(
        request,
        "cases/dashboard.html",
        {
            "form": form,
            "scope": scope,
            "total": selectors.indicators_total(**scope),
            "months": months,
            "chart": monthly_bars(months),
            "by_procedure": selectors.indicators_by("procedure", **scope),
            "by_unit": selectors.indicators_by("unit", **scope),
            "steps": selectors.step_loads(**scope)[:15],
            "denominator": selectors.DENOMINATORS[selectors.rate_denominator()],
            "query": request.GET.urlencode(),
        },
    )


@permission_required("cases.view_case", raise_exception=True)
@reads_from_replica
def dashboard_export(request, fmt):
    if fmt not in {"csv", "xlsx"}:
        raise Http404(_("Unknown format."))
    scope = _period(request, IndicatorFilterForm(request.GET or None, units=selectors.indicator_units(user=request.user)))
    headers = [
        _("Group"), _("Key"), _("Name"), _("Received"), _("Resolved"), _("Early"), _("On time"), _("Late"),
        _("In progress"), _("Overdue now"), _("On-time rate (%)"), _("Rate denominator"),
    ]
    data = tablib.Dataset(headers=[str(h) for h in headers])
    denominator = str(selectors.DENOMINATORS[selectors.rate_denominator()])
    groups = [(_("Total"), [selectors.indicators_total(**scope)])] + [
        (label, selectors.indicators_by(dimension, **scope))
        for label, dimension in ((_("Month"), "month"), (_("Procedure"), "procedure"), (_("Unit"), "unit"))
    ]
    for group, rows in groups:
        for row in rows:
            key = row.key.strftime("%Y-%m") if hasattr(row.key, "strftime") else (row.key or "")
            data.append([
                str(group), key, row.label, row.received, row.resolved, row.early, row.on_time, row.late,
                row.in_progress, row.overdue, float(row.rate) if row.rate is not None else "", denominator,
            ])
    content_type = {
        "csv": "text/csv; charset=utf-8",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }[fmt]
    response = HttpResponse(data.export(fmt), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="on-time-indicators-{timezone.localdate():%Y%m%d}.{fmt}"'
    return response


@permission_required("cases.view_case", raise_exception=True)
def case_receipt_print(request, reference):
    case = _case_or_404(request, reference)
    return pdf_response(receipt_pdf(case, request=request), f"{case.reference}-receipt.pdf")


@permission_required("cases.view_case", raise_exception=True)
def case_control_sheet_print(request, reference):
    case = _case_or_404(request, reference)
    return pdf_response(control_sheet_pdf(case), f"{case.reference}-control-sheet.pdf")


@permission_required("cases.view_case", raise_exception=True)
def case_apology_print(request, reference):
    case = _case_or_404(request, reference)
    if not hasattr(case, "apology"):
        raise Http404(_("This case has no apology."))
    return pdf_response(apology_letter_pdf(case), f"{case.reference}-apology.pdf")


@permission_required("cases.view_case", raise_exception=True)
@reads_from_replica
def dashboard_print(request):
    scope = _period(request, IndicatorFilterForm(request.GET or None, units=selectors.indicator_units(user=request.user)))
    return pdf_response(indicator_report_pdf(scope=scope), f"on-time-report-{timezone.localdate():%Y%m%d}.pdf")
