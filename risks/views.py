"""Pages of the risk register: the register with its heat map, a risk with its history and
treatment actions, the printout, the export and the scale.

Each view parses input, calls one service or selector, and renders. A refusal comes back as a
message in the words of the rule that refused.
"""

import io

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from iso.actions import action_rows, action_transition
from iso.forms import ActionTransitionForm, TransitionForm, signature_request
from iso.pages import add_errors as _add_errors
from iso.pages import report as _report
from iso.pages import valid as _valid
from iso.workflows import TransitionRefused, available_transitions
from records.pdf import pdf_response
from records.resources import export_csv, export_xlsx

from . import pdf, selectors, services
from .charts import level_trend
from .forms import ActionPlanForm, AssessmentForm, RiskEditForm, RiskFilterForm, RiskForm, ScaleForm
from .models import Band, Risk
from .resources import RiskResource

PAGE_SIZE = 50

#: The transitions a risk's page offers as buttons; its first assessment happens through the
#: assessment form.
RISK_TRANSITIONS = ("treat", "monitor", "accept", "close")

EXPORT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _risk_or_404(request, reference: str) -> Risk:
    try:
        return selectors.risk_get(user=request.user, reference=reference)
    except Risk.DoesNotExist:
        raise Http404(_("No such risk.")) from None


def _filters(request) -> tuple[RiskFilterForm, dict]:
    form = RiskFilterForm(request.GET or None)
    filters = dict(form.cleaned_data) if form.is_valid() else {}
    if filters.pop("mine", False):
        filters["owner"] = request.user
    return form, filters


def _state_changed(obj) -> str:
    return _("%(object)s is now %(state)s.") % {"object": obj, "state": obj.get_state_display().lower()}


# The register


@permission_required("risks.view_risk", raise_exception=True)
def risk_list(request):
    form, filters = _filters(request)
    scale = selectors.current_scale()
    page = Paginator(selectors.risk_list(user=request.user, filters=filters, scale=scale), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    cell_query = query.copy()
    for name in ("likelihood", "impact"):
        cell_query.pop(name, None)
    return render(
        request,
        "risks/risk_list.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "cell_query": cell_query.urlencode(),
            "heat": selectors.heat_map(user=request.user, filters=filters, scale=scale),
            "bands": Band.choices,
            "cell": (filters.get("likelihood"), filters.get("impact")),
        },
    )


@permission_required("risks.add_risk", raise_exception=True)
def risk_create(request):
    scale = selectors.current_scale()
    form = RiskForm.for_user(request.POST or None, user=request.user, scale=scale)
    if request.method == "POST" and form.is_valid():
        try:
            risk = services.risk_identify(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
        except TransitionRefused as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("%(risk)s entered in the register.") % {"risk": risk.reference})
            return redirect(risk)
    return render(request, "risks/risk_form.html", {"form": form})


@permission_required("risks.view_risk", raise_exception=True)
def risk_register_print(request):
    _form, filters = _filters(request)
    scale = selectors.current_scale()
    register = pdf.risk_register_pdf(
        selectors.risk_list(user=request.user, filters=filters, scale=scale),
        selectors.heat_map(user=request.user, filters=filters, scale=scale),
    )
    return pdf_response(register, f"risk-register-{timezone.localdate():%Y%m%d}.pdf")


@permission_required("risks.view_risk", raise_exception=True)
def risk_export(request, fmt):
    if fmt not in EXPORT_TYPES:
        raise Http404(_("Unknown format."))
    _form, filters = _filters(request)
    risks = selectors.risk_list(user=request.user, filters=filters)
    resource = RiskResource()
    if fmt == "csv":
        out = io.StringIO()
        export_csv(resource, out, risks)
        content = out.getvalue().encode("utf-8-sig")
    else:
        out = io.BytesIO()
        export_xlsx(resource, out, risks)
        content = out.getvalue()
    response = HttpResponse(content, content_type=EXPORT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="risk-register-{timezone.localdate():%Y%m%d}.{fmt}"'
    return response


@permission_required("risks.change_riskscale", raise_exception=True)
def scale_edit(request):
    scale = selectors.current_scale()
    form = ScaleForm(request.POST or None, instance=scale)
    if request.method == "POST" and form.is_valid():
        try:
            services.risk_scale_update(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("The risk scale is saved."))
            return redirect("risks:risk_list")
    return render(request, "risks/scale_form.html", {"form": form, "scale": scale, "bands": Band.choices})


# One risk


@permission_required("risks.view_risk", raise_exception=True)
def risk_detail(request, reference):
    risk = _risk_or_404(request, reference)
    user = request.user
    scale = selectors.current_scale()
    assessments = list(selectors.risk_assessments(risk=risk))
    may_change = risk.is_open and selectors.risk_changeable(user=user, risk=risk)
    return render(
        request,
        "risks/risk_detail.html",
        {
            "risk": risk,
            "band": scale.band(risk.level),
            "bands": Band.choices,
            "scale": scale,
            "transitions": [t for t in available_transitions(risk, user) if t.name in RISK_TRANSITIONS],
            "may_change": may_change,
            "assessment_form": AssessmentForm.for_risk(None, risk=risk, scale=scale) if may_change else None,
            "edit_form": RiskEditForm(instance=risk) if may_change else None,
            "plan_form": ActionPlanForm(initial={"owner": risk.owner_id}) if may_change and risk.level else None,
            "actions": action_rows(selectors.risk_actions(risk=risk), user=user),
            "assessments": assessments,
            "trend": level_trend(assessments, scale),
            "history": selectors.history(obj=risk),
        },
    )


def _transition(request, risk):
    data = _valid(TransitionForm(request.POST))
    if data["transition"] not in RISK_TRANSITIONS:
        raise ValidationError(_("Unknown action."))
    risk = services.risk_transition(risk=risk, name=data["transition"], by=request.user, comment=data["comment"])
    return _state_changed(risk)


def _assess(request, risk):
    data = _valid(AssessmentForm(request.POST, scale=selectors.current_scale()))
    assessment = services.risk_assess(risk=risk, by=request.user, **data)
    return _("%(risk)s assessed: %(likelihood)s × %(impact)s = %(level)s.") % {
        "risk": risk.reference, "likelihood": assessment.likelihood, "impact": assessment.impact, "level": assessment.level,
    }


def _edit(request, risk):
    form = RiskEditForm(request.POST, instance=Risk.objects.get(pk=risk.pk))
    data = _valid(form)
    services.risk_update(risk=risk, by=request.user, **data)
    return _("%(risk)s saved.") % {"risk": risk.reference}


def _plan_action(request, risk):
    action = services.risk_action_plan(risk=risk, by=request.user, **_valid(ActionPlanForm(request.POST)))
    return _("Treatment action %(action)s planned.") % {"action": action.label}


def _action(request, risk):
    data = _valid(ActionTransitionForm(request.POST))
    action = get_object_or_404(selectors.risk_actions(risk=risk), pk=data["action"])
    action = action_transition(
        action=action, name=data["transition"], by=request.user, note=data["note"],
        signature=signature_request(request.POST),
    )
    return _state_changed(action)


#: What a risk's page can post: whether it needs the right to change the risk (its owner, the
#: secretary; else the transition's own rule decides, with its message) and its handler.
RISK_ACTIONS = {
    "transition": (False, _transition),
    "assess": (True, _assess),
    "edit": (True, _edit),
    "plan_action": (True, _plan_action),
    "action": (False, _action),
}


@require_POST
@permission_required("risks.view_risk", raise_exception=True)
def risk_action(request, reference, action):
    risk = _risk_or_404(request, reference)
    if action not in RISK_ACTIONS:
        raise Http404(_("Unknown action."))
    to_change, handler = RISK_ACTIONS[action]
    if to_change and not selectors.risk_changeable(user=request.user, risk=risk):
        raise PermissionDenied
    try:
        message = handler(request, risk)
    except (ValidationError, TransitionRefused) as error:
        _report(request, error)
    else:
        messages.success(request, message)
    return redirect(risk)
