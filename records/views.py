"""Pages of the records register: record types, kept records and disposal minutes.

Each view parses input, calls one service or selector, and renders. A refusal comes back as a
message in the words of the rule that refused (TransitionRefused or ValidationError).
"""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from iso.forms import signature_request
from iso.models import Signature
from iso.pages import add_errors as _add_errors
from iso.pages import report as _report
from iso.signatures import signatures_checked
from iso.uploads import file_response
from iso.workflows import TransitionRefused, available_transitions

from . import pdf, selectors, services
from .forms import (
    DisposalForm,
    EvidencePackForm,
    KeptRecordFilterForm,
    KeptRecordStoreForm,
    RecordTypeFilterForm,
    RecordTypeForm,
    TransitionForm,
)
from .models import DisposalMinute, KeptRecord, RecordType

PAGE_SIZE = 50


def _query_without_page(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


# Record types


@permission_required("records.view_recordtype", raise_exception=True)
def record_type_list(request):
    form = RecordTypeFilterForm(request.GET or None)
    filters = dict(form.cleaned_data) if form.is_valid() else {}
    page = Paginator(selectors.record_type_list(user=request.user, filters=filters), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "records/record_type_list.html",
        {"form": form, "page": page, "query": _query_without_page(request)},
    )


@permission_required("records.view_recordtype", raise_exception=True)
def record_type_print(request):
    register = pdf.records_register_pdf(selectors.record_type_list(user=request.user))
    return pdf.pdf_response(register, f"records-register-{timezone.localdate():%Y%m%d}.pdf")


@require_POST
@permission_required("records.add_recordtype", raise_exception=True)
def record_type_sync(request):
    result = services.record_types_sync(by=request.user)
    messages.success(
        request,
        _("Synchronised from the effective procedures: %(created)s record types added, %(updated)s updated.")
        % {"created": result.created, "updated": result.updated},
    )
    return redirect("records:record_type_list")


@permission_required("records.add_recordtype", raise_exception=True)
def record_type_create(request):
    form = RecordTypeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            record_type = services.record_type_create(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Record type %(code)s added.") % {"code": record_type.code})
            return redirect("records:record_type_list")
    return render(request, "records/record_type_form.html", {"form": form})


@permission_required("records.change_recordtype", raise_exception=True)
def record_type_edit(request, pk):
    try:
        record_type = selectors.record_type_get(user=request.user, pk=pk)
    except RecordType.DoesNotExist:
        raise Http404(_("No such record type.")) from None
    form = RecordTypeForm(request.POST or None, instance=record_type)
    if request.method == "POST" and form.is_valid():
        try:
            record_type = services.record_type_update(record_type=record_type, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Record type %(code)s saved.") % {"code": record_type.code})
            return redirect("records:record_type_list")
    return render(request, "records/record_type_form.html", {"form": form, "record_type": record_type})


# Kept records


def _kept_record_or_404(request, pk: int) -> KeptRecord:
    try:
        return selectors.kept_record_get(user=request.user, pk=pk)
    except KeptRecord.DoesNotExist:
        raise Http404(_("No such record.")) from None


@permission_required("records.view_keptrecord", raise_exception=True)
def kept_record_list(request):
    form = KeptRecordFilterForm(request.GET or None)
    filters = dict(form.cleaned_data) if form.is_valid() else {}
    page = Paginator(selectors.kept_record_list(user=request.user, filters=filters), PAGE_SIZE).get_page(request.GET.get("page"))
    user = request.user
    rows = [
        (record, [t for t in available_transitions(record, user) if t.name in services.USER_TRANSITIONS])
        for record in page
    ]
    may_dispose = user.has_perm("records.approve_disposal")
    return render(
        request,
        "records/kept_record_list.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "query": _query_without_page(request),
            "may_dispose": may_dispose,
            "disposable": may_dispose and any(r.state == KeptRecord.State.DUE_FOR_DISPOSAL for r, _t in rows),
            "disposal_form": DisposalForm() if may_dispose else None,
            "disposal_meanings": [(m, Signature.Meaning(m).label) for m in services.DISPOSAL_MEANINGS],
            "store_form": KeptRecordStoreForm() if user.has_perm("records.add_keptrecord") else None,
        },
    )


@require_POST
@permission_required("records.add_keptrecord", raise_exception=True)
def kept_record_store(request):
    form = KeptRecordStoreForm(request.POST, request.FILES)
    if not form.is_valid():
        for name, errors in form.errors.items():
            label = form.fields[name].label if name in form.fields else ""
            messages.error(request, f"{label}: {' '.join(errors)}" if label else " ".join(errors))
        return redirect("records:kept_record_list")
    data = form.cleaned_data
    upload = data["file"]
    try:
        record = services.kept_record_store(
            record_type=data["record_type"], title=data["title"], record_date=data["record_date"],
            content=upload, filename=upload.name if upload else "", by=request.user,
        )
    except ValidationError as error:
        _report(request, error)
    else:
        messages.success(request, _("Record %(record)s stored.") % {"record": record.reference})
    return redirect("records:kept_record_list")


@require_POST
@permission_required("records.view_keptrecord", raise_exception=True)
def kept_record_transition(request, pk):
    record = _kept_record_or_404(request, pk)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Unknown action."))
    else:
        try:
            record = services.kept_record_transition(
                record=record, name=form.cleaned_data["transition"], by=request.user,
                comment=form.cleaned_data["comment"],
            )
        except (TransitionRefused, ValidationError) as error:
            _report(request, error)
        except ValueError:
            messages.error(request, _("Unknown action."))
        else:
            messages.success(
                request, _("%(object)s is now %(state)s.") % {"object": record, "state": record.get_state_display().lower()}
            )
    next_url = request.POST.get("next", "")
    # Only back to a page of this site: never an address that sends the user elsewhere.
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        next_url = reverse("records:kept_record_list")
    return redirect(next_url)


@permission_required("records.view_keptrecord", raise_exception=True)
def kept_record_file(request, pk):
    record = _kept_record_or_404(request, pk)
    if not record.file:
        raise Http404(_("This record has no file."))
    return file_response(record.file, filename=record.original_filename)


# Disposal


@require_POST
@permission_required("records.approve_disposal", raise_exception=True)
def disposal_approve(request):
    form = DisposalForm(request.POST)
    if not form.is_valid():
        for name, errors in form.errors.items():
            label = form.fields[name].label if name in form.fields else ""
            messages.error(request, f"{label}: {' '.join(errors)}" if label else " ".join(errors))
        return redirect(f"{reverse('records:kept_record_list')}?state={KeptRecord.State.DUE_FOR_DISPOSAL}")
    data = form.cleaned_data
    try:
        minute = services.disposal_approve(
            records=list(data["records"]), by=request.user, method=data["method"],
            members=data["members"], notes=data["notes"], signature=signature_request(request.POST),
        )
    except (TransitionRefused, ValidationError) as error:
        _report(request, error)
        return redirect(f"{reverse('records:kept_record_list')}?state={KeptRecord.State.DUE_FOR_DISPOSAL}")
    count = minute.records.count()
    messages.success(
        request,
        ngettext(
            "Minute %(number)s: %(count)s record disposed of.", "Minute %(number)s: %(count)s records disposed of.", count
        ) % {"number": minute.number, "count": count},
    )
    return redirect(minute)


@permission_required("records.view_disposalminute", raise_exception=True)
def minute_list(request):
    page = Paginator(selectors.disposal_minute_list(user=request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "records/minute_list.html", {"page": page, "query": ""})


def _minute_or_404(request, number: str) -> DisposalMinute:
    try:
        return selectors.disposal_minute_get(user=request.user, number=number)
    except DisposalMinute.DoesNotExist:
        raise Http404(_("No such disposal minute.")) from None


@permission_required("records.view_disposalminute", raise_exception=True)
def minute_detail(request, number):
    minute = _minute_or_404(request, number)
    return render(
        request,
        "records/minute_detail.html",
        {
            "minute": minute,
            "records": selectors.disposal_minute_records(minute=minute),
            "signatures": signatures_checked(minute),
        },
    )


@permission_required("records.view_disposalminute", raise_exception=True)
def minute_print(request, number):
    minute = _minute_or_404(request, number)
    return pdf.pdf_response(pdf.disposal_minute_pdf(minute), f"{minute.number}.pdf")


# Evidence pack


@permission_required("iso.request_evidence_pack", raise_exception=True)
def evidence_pack(request):
    """The period form; posting it queues the pack and shows the job's page."""
    form = EvidencePackForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = services.evidence_pack_request(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            return redirect(job)
    return render(request, "records/evidence_pack.html", {"form": form})
