"""What every revision page does the same way: its shared context, and applying a posted transition.

Each app's views find the revision within the user's reach (404 / 403 by iso/access.py) and then
call these.
"""

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import ProtectedError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from iso.forms import signature_request
from iso.signatures import signatures_checked
from iso.workflows import TransitionRefused, available_transitions, transition_signature_meanings

from .forms import TransitionForm
from .models import ControlledRevision
from .selectors import revision_history
from .services import REVISION_TRANSITIONS, revision_save_edits


def revision_context(request, revision: ControlledRevision) -> dict:
    """The revision, the transitions the user may press on it now, its history and its signatures."""
    return {
        "revision": revision,
        "transitions": [t for t in available_transitions(revision, request.user) if t.name in REVISION_TRANSITIONS],
        "history": revision_history(revision=revision),
        "signatures": signatures_checked(revision),
    }


def revision_transition(request, revision: ControlledRevision) -> HttpResponse:
    """Apply the transition posted for ``revision`` through its service, then go back to its page
    with what happened, or why it was refused, as a message."""
    form = TransitionForm(request.POST)
    if not form.is_valid() or form.cleaned_data["transition"] not in REVISION_TRANSITIONS:
        messages.error(request, _("Unknown action."))
        return redirect(revision)
    name = form.cleaned_data["transition"]
    kwargs = {"revision": revision, "by": request.user, "comment": form.cleaned_data["comment"]}
    if name == "publish":
        kwargs["effective_from"] = form.cleaned_data["effective_from"]
    if transition_signature_meanings(type(revision), name):
        kwargs["signature"] = signature_request(request.POST)
    try:
        revision = REVISION_TRANSITIONS[name](**kwargs)
    except TransitionRefused as refusal:
        messages.error(request, refusal.message)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(
            request, _("%(revision)s is now %(state)s.") % {"revision": revision, "state": revision.get_state_display().lower()}
        )
    return redirect(revision)


def revision_edit(
    request, revision: ControlledRevision, *, forms: Callable, template: str, context: dict | None = None
) -> HttpResponse:
    """The editor of a draft: ``forms(data, files)`` returns its content form and a dict of named
    formsets; a valid post saves them all through revision_save_edits, or says why not. A revision
    that is no longer a draft sends the user back to its page with the reason."""
    if not revision.is_editable:
        try:
            revision.ensure_editable()
        except ValidationError as error:
            messages.error(request, error.messages[0])
        return redirect(revision)
    content, formsets = forms(request.POST or None, request.FILES or None)
    if request.method == "POST" and content.is_valid() and all(f.is_valid() for f in formsets.values()):
        try:
            revision_save_edits(
                revision=revision, by=request.user, forms=[content, *formsets.values()],
                edit_version=content.cleaned_data["edit_version"],
            )
        except ValidationError as error:
            messages.error(request, "; ".join(error.messages))
        except ProtectedError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("%(revision)s saved.") % {"revision": revision})
            if "save_and_close" in request.POST:
                return redirect(revision)
            return redirect(request.path)
    return render(request, template, {"revision": revision, "content_form": content, **formsets, **(context or {})})
