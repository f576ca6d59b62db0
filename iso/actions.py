"""The shared use cases and page rows of tracked actions (iso.models.TrackedAction).

A model built on ``TrackedAction`` gets its lifecycle moved on by :func:`action_transition` (checked,
locked, logged, the verification signed) and its rows for a page by :func:`action_rows`; the
templates ``iso/_action_notes.html`` and ``iso/_action_buttons.html`` show them.
"""

from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .models import TrackedAction, User
from .signatures import CheckedSignature, SignatureRequest, signatures_checked_many, transition_signing
from .workflows import TransitionChoice, available_transitions, transition_apply

#: The transitions of the lifecycle, in the order a page offers them.
ACTION_TRANSITIONS = ("start", "finish", "verify_effective", "verify_not_effective")


def action_transition(
    *, action: TrackedAction, name: str, by: User, note: str = "", signature: SignatureRequest | None = None
) -> TrackedAction:
    """Start, finish (``note``: what was done) or verify (``note``: what the verification found,
    signed electronically by ``by``, never the owner) an action.

    The password of a verification is checked before the transaction: a wrong one is counted, and
    then nothing changes.
    """
    if name not in ACTION_TRANSITIONS:
        raise ValidationError(_("Unknown action."))
    signing = transition_signing(action, name, by=by, signature=signature)
    return transition_apply(action, name, by=by, comment=note, signing=signing)


class ActionRow(NamedTuple):
    """One action as a page shows it: the buttons its reader may press and its signatures (a tuple,
    so that a template or a test may unpack it)."""

    action: TrackedAction
    transitions: list[TransitionChoice]
    signatures: list[CheckedSignature]


def action_rows(actions, *, user: User) -> list[ActionRow]:
    """The rows of ``actions`` (one model) for ``user``, their signatures read in one query."""
    actions = list(actions)
    signatures = signatures_checked_many(actions)
    return [
        ActionRow(
            action,
            [t for t in available_transitions(action, user) if t.name in ACTION_TRANSITIONS],
            signatures.get(action.pk, []),
        )
        for action in actions
    ]
