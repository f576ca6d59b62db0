"""Pages for procedures and their revisions. Each view parses input, calls one service or selector,
and renders."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from iso import access
from iso.revisions import views as revision_views
from iso.uploads import file_response
from records.pdf import pdf_response

from . import selectors, services
from .forms import (
    FormTemplateFormSet,
    ProcedureFilterForm,
    ProcedureForm,
    RecordToKeepFormSet,
    RevisionContentForm,
    StepEdgeFormSet,
    StepFormSet,
)
from .models import FormTemplate, Procedure, ProcedureRevision
from .pdf import master_list_pdf, revision_pdf

PAGE_SIZE = 25


def _error_messages(error: ValidationError) -> list[str]:
    return [str(message) for message in error.messages]


def _revision_or_404(request, code: str, number: int, *, to_change: bool = False) -> ProcedureRevision:
    """The revision as the signed-in user may see it: 404 when out of their reach, 403 when they may
    read it but not change it and ``to_change`` is asked."""
    try:
        return selectors.revision_get(user=request.user, code=code, number=number, to_change=to_change)
    except ProcedureRevision.DoesNotExist:
        raise Http404(_("No such revision.")) from None


def _procedure_or_404(request, code: str, *, to_change: bool = False) -> Procedure:
    try:
        return selectors.procedure_get(user=request.user, code=code, to_change=to_change)
    except Procedure.DoesNotExist:
        raise Http404(_("No such procedure.")) from None


@permission_required("processes.view_procedure", raise_exception=True)
def procedure_list(request):
    form = ProcedureFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    page = Paginator(selectors.procedure_list(user=request.user, filters=filters), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "processes/procedure_list.html",
        {"form": form, "page": page, "query": query.urlencode()},
    )


@permission_required("processes.add_procedure", raise_exception=True)
def procedure_create(request):
    form = ProcedureForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            procedure = services.procedure_create(**form.cleaned_data, by=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Procedure %(code)s created with a draft revision 0.") % {"code": procedure.code})
            return redirect(procedure.revisions.get().get_absolute_url())
    return render(request, "processes/procedure_form.html", {"form": form})


@permission_required("processes.view_procedure", raise_exception=True)
def procedure_detail(request, code):
    procedure = _procedure_or_404(request, code)
    effective = procedure.effective_revisions[0] if procedure.effective_revisions else None
    return render(
        request,
        "processes/procedure_detail.html",
        {
            "procedure": procedure,
            "effective": effective,
            "steps": selectors.revision_steps(revision=effective) if effective else [],
            "revisions": selectors.revision_list(user=request.user, procedure=procedure),
        },
    )


@require_POST
@permission_required("processes.add_procedurerevision", raise_exception=True)
def revision_start(request, code):
    procedure = _procedure_or_404(request, code, to_change=True)
    try:
        draft = services.revision_start(procedure=procedure, by=request.user)
    except ValidationError as error:
        for message in _error_messages(error):
            messages.error(request, message)
        return redirect(procedure)
    messages.success(request, _("%(revision)s opened as a draft.") % {"revision": draft})
    return redirect("processes:revision_edit", code=code, number=draft.number)


@permission_required("processes.view_procedurerevision", raise_exception=True)
def revision_detail(request, code, number):
    revision = _revision_or_404(request, code, number)
    can_see_readers = request.user.has_perm("processes.view_acknowledgement")
    is_effective = revision.state == ProcedureRevision.State.EFFECTIVE
    return render(
        request,
        "processes/revision_detail.html",
        {
            **revision_views.revision_context(request, revision),
            "procedure": revision.procedure,
            "steps": selectors.revision_steps(revision=revision),
            "graph_errors": revision.step_graph().errors() if revision.is_editable else [],
            "acknowledged": is_effective and revision.acknowledgements.filter(user=request.user).exists(),
            "acknowledgements": selectors.revision_acknowledgements(revision=revision) if can_see_readers else None,
            "pending_readers": (
                selectors.revision_pending_readers(revision=revision) if can_see_readers and is_effective else None
            ),
            "can_edit": revision.is_editable and request.user.has_perm("processes.change_procedurerevision"),
        },
    )


@permission_required("processes.change_procedurerevision", raise_exception=True)
def revision_edit(request, code, number):
    revision = _revision_or_404(request, code, number, to_change=True)

    def forms(data, files):
        return RevisionContentForm(data, instance=revision, prefix="content"), {
            "forms_formset": FormTemplateFormSet(data, files, instance=revision, prefix="forms"),
            "steps_formset": StepFormSet(data, instance=revision, prefix="steps", form_kwargs={"revision": revision}),
            "edges_formset": StepEdgeFormSet(data, instance=revision, prefix="edges", form_kwargs={"revision": revision}),
            "records_formset": RecordToKeepFormSet(data, instance=revision, prefix="records"),
        }

    return revision_views.revision_edit(
        request, revision, forms=forms, template="processes/revision_edit.html",
        context={"procedure": revision.procedure, "graph_errors": revision.step_graph().errors()},
    )


@require_POST
def revision_transition(request, code, number):
    return revision_views.revision_transition(request, _revision_or_404(request, code, number, to_change=True))


@require_POST
@permission_required("processes.view_procedurerevision", raise_exception=True)
def revision_acknowledge(request, code, number):
    revision = _revision_or_404(request, code, number)
    if not access.is_expected_reader(request.user, revision):
        raise PermissionDenied(_("Only the units that apply %(revision)s acknowledge it.") % {"revision": revision})
    try:
        services.revision_acknowledge(revision=revision, user=request.user)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, _("Thank you: your reading of %(revision)s is recorded.") % {"revision": revision})
    return redirect(revision)


@permission_required("processes.view_procedurerevision", raise_exception=True)
def revision_compare(request, code):
    procedure = _procedure_or_404(request, code)
    revisions = list(selectors.revision_list(user=request.user, procedure=procedure))
    numbers = {r.number: r for r in revisions}
    newest = revisions[0] if revisions else None
    try:
        new = numbers[int(request.GET.get("new", newest.number if newest else -1))]
        default_old = max((n for n in numbers if n < new.number), default=new.number)
        old = numbers[int(request.GET.get("old", default_old))]
    except (KeyError, ValueError):
        raise Http404(_("No such revision.")) from None
    return render(
        request,
        "processes/revision_compare.html",
        {
            "procedure": procedure,
            "revisions": revisions,
            "old": old,
            "new": new,
            "sections": selectors.revision_diff(old=old, new=new),
        },
    )


@permission_required("processes.view_procedurerevision", raise_exception=True)
def form_template_file(request, code, number, form_code):
    """Download the blank template of one form of a revision."""
    revision = _revision_or_404(request, code, number)
    form = get_object_or_404(FormTemplate, revision=revision, code=form_code)
    if not form.template_file:
        raise Http404(_("This form has no template file."))
    return file_response(form.template_file, filename=form.original_filename)


@permission_required("processes.view_procedure", raise_exception=True)
def master_list(request):
    return render(request, "processes/master_list.html", {"procedures": selectors.master_list()})


@permission_required("processes.view_procedurerevision", raise_exception=True)
def revision_print(request, code, number):
    revision = _revision_or_404(request, code, number)
    return pdf_response(revision_pdf(revision), f"{revision.procedure.code}-rev{revision.number}.pdf")


@permission_required("processes.view_procedure", raise_exception=True)
def master_list_print(request):
    return pdf_response(master_list_pdf(), "master-list.pdf")
