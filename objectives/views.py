"""Pages of quality objectives: the year's objectives by unit, one objective with its months, setting
and changing objectives, entering monthly values, raising the nonconformity of a missed objective."""

import io

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from iso.pages import add_errors
from iso.pages import report as _report
from iso.routers import reads_from_replica
from records.resources import export_csv, export_xlsx

from . import selectors, services
from .forms import MonthlyValueForm, ObjectiveFilterForm, ObjectiveForm
from .indicators import INDICATORS
from .models import Objective
from .resources import ObjectiveResource

EXPORT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _objective_or_404(request, reference: str) -> Objective:
    try:
        return selectors.objective_get(user=request.user, reference=reference)
    except Objective.DoesNotExist:
        raise Http404(_("No such objective.")) from None


def _filters(request) -> tuple[ObjectiveFilterForm, int, object]:
    """The filter form of the list and its export, the year chosen (this year by default) and the unit."""
    form = ObjectiveFilterForm(request.GET or None, years=selectors.objective_years(user=request.user))
    data = form.cleaned_data if form.is_valid() else {}
    return form, data.get("year") or timezone.localdate().year, data.get("unit")


@permission_required("objectives.view_objective", raise_exception=True)
@reads_from_replica
def objective_list(request):
    form, year, unit = _filters(request)
    report = selectors.objectives_report(user=request.user, year=year, unit=unit)
    return render(
        request, "objectives/objective_list.html",
        {"form": form, "year": year, "report": report, "query": request.GET.urlencode()},
    )


@permission_required("objectives.view_objective", raise_exception=True)
@reads_from_replica
def objective_export(request, fmt):
    """The listed objectives with their monthly values, as CSV or XLSX."""
    if fmt not in EXPORT_TYPES:
        raise Http404(_("Unknown format."))
    _form, year, unit = _filters(request)
    objectives = selectors.objective_list(user=request.user, year=year, unit=unit)
    out = io.BytesIO()
    if fmt == "xlsx":
        export_xlsx(ObjectiveResource(), out, objectives)
    else:
        text = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=True)
        export_csv(ObjectiveResource(), text, objectives)
        text.detach()
    response = HttpResponse(out.getvalue(), content_type=EXPORT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="quality-objectives-{year}.{fmt}"'
    return response


@permission_required("objectives.view_objective", raise_exception=True)
def objective_detail(request, reference):
    objective = _objective_or_404(request, reference)
    performance = selectors.objective_performance(objective)
    may_enter = (
        objective.is_manual and objective.nonconformity_id is None
        and services.may_enter_values(objective=objective, user=request.user)
    )
    return render(
        request,
        "objectives/objective_detail.html",
        {
            "objective": objective,
            "performance": performance,
            "indicator": INDICATORS.get(objective.indicator),
            "entries": selectors.objective_entries(objective=objective) if objective.is_manual else [],
            "value_form": MonthlyValueForm(year=objective.year, initial={"month": timezone.localdate().month})
            if may_enter else None,
            "may_raise": performance.may_raise_nonconformity
            and request.user.has_perm("objectives.raise_objective_nonconformity"),
        },
    )


@permission_required("objectives.add_objective", raise_exception=True)
def objective_create(request):
    form = ObjectiveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            objective = services.objective_create(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Objective %(objective)s set.") % {"objective": objective.reference})
            return redirect(objective)
    return render(request, "objectives/objective_form.html", {"form": form})


@permission_required("objectives.change_objective", raise_exception=True)
def objective_edit(request, reference):
    objective = _objective_or_404(request, reference)
    form = ObjectiveForm(request.POST or None, instance=objective)
    if request.method == "POST" and form.is_valid():
        try:
            objective = services.objective_update(objective=objective, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Objective %(objective)s saved.") % {"objective": objective.reference})
            return redirect(objective)
    return render(request, "objectives/objective_form.html", {"form": form, "objective": objective})


@require_POST
@permission_required("objectives.record_objective_value", raise_exception=True)
def objective_value_record(request, reference):
    objective = _objective_or_404(request, reference)
    form = MonthlyValueForm(request.POST, year=objective.year)
    if not form.is_valid():
        for name, errors in form.errors.items():
            messages.error(request, f"{form.fields[name].label}: {' '.join(errors)}")
        return redirect(objective)
    try:
        entry = services.objective_value_record(objective=objective, by=request.user, **form.cleaned_data)
    except ValidationError as error:
        _report(request, error)
    else:
        messages.success(request, _("Value of %(month)02d/%(year)s saved.") % {"month": entry.month, "year": objective.year})
    return redirect(objective)


@require_POST
@permission_required("objectives.raise_objective_nonconformity", raise_exception=True)
def objective_raise_nonconformity(request, reference):
    objective = _objective_or_404(request, reference)
    try:
        nonconformity = services.objective_raise_nonconformity(objective=objective, by=request.user)
    except ValidationError as error:
        _report(request, error)
        return redirect(objective)
    messages.success(
        request,
        _("Nonconformity %(nc)s raised for objective %(objective)s.") % {"nc": nonconformity.reference, "objective": objective.reference},
    )
    return redirect(nonconformity)
