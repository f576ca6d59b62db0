"""Read queries every kind of revision shares."""

from django.db.models import QuerySet

from iso.models import TransitionLog

from .models import ControlledRevision


def revision_history(*, revision: ControlledRevision) -> QuerySet[TransitionLog]:
    """The state changes of ``revision``, oldest first, with who made them."""
    return TransitionLog.objects.for_object(revision).select_related("actor")
