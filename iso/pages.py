"""What the views of every app do alike with posted forms and refusals.

A view parses input, calls one service, and turns a refusal (TransitionRefused or ValidationError)
into messages in the words of the rule that refused, or into errors on the form's fields.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext as _

from .workflows import TransitionRefused


def report(request, error: Exception) -> None:
    """Show a refusal as error messages."""
    if isinstance(error, TransitionRefused):
        messages.error(request, error.message)
    else:
        for message in error.messages:
            messages.error(request, message)


def valid(form) -> dict:
    """The form's cleaned data, or a ValidationError whose messages name the fields."""
    if not form.is_valid():
        raise ValidationError([
            f"{form.fields[name].label}: {' '.join(errors)}" if name in form.fields and form.fields[name].label else " ".join(errors)
            for name, errors in form.errors.items()
        ])
    return form.cleaned_data


def add_errors(form, error: ValidationError) -> None:
    """Put a service's ValidationError on the form: on its field where the form has it, else on top."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


def state_changed(obj) -> str:
    return _("%(object)s is now %(state)s.") % {"object": obj, "state": obj.get_state_display().lower()}


def dispatch(request, obj, actions: dict, action: str) -> None:
    """Run the handler of ``action`` on ``obj`` (``actions`` maps a name to the permission it needs,
    or None for the service's own check, and its handler); report its success or its refusal."""
    if action not in actions:
        raise Http404(_("Unknown action."))
    perm, handler = actions[action]
    if perm and not request.user.has_perm(perm):
        raise PermissionDenied
    try:
        message = handler(request, obj)
    except (ValidationError, TransitionRefused) as error:
        report(request, error)
    else:
        messages.success(request, message)
