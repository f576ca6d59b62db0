"""The shared machinery of every state machine: permissions that can say why they refuse, the one
way to apply a transition (locked, checked, saved, logged) and the one receiver that logs it.

Each app declares its transitions with django-fsm's ``@transition`` on its models; the
``permission=`` of each is a :class:`TransitionPermission`, so that the buttons a user sees and the
refusal message a user reads come from the same rule.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django_fsm import FSMFieldMixin, Transition

from . import trail
from .models import Signature, TransitionLog

#: A check returns the message that explains a refusal, or None when it allows.
Check = Callable[[models.Model, models.Model], "str | None"]


class TransitionRefused(Exception):
    """The user may not, or cannot now, apply this transition. The message says why."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = str(message)


class TransitionPermission:
    """A django-fsm permission: a Django permission plus object checks, each with its message.

    django-fsm calls it as ``permission(instance, user) -> bool``; :func:`transition_refusal` asks
    :meth:`refusal` for the reason to show.
    """

    def __init__(self, perm: str, message: Promise | str, *checks: Check):
        self.perm = perm
        self.message = message
        self.checks = checks

    def __call__(self, instance, user) -> bool:
        return self.refusal(instance, user) is None

    def refusal(self, instance, user) -> str | None:
        if not (user and user.is_active and user.has_perm(self.perm)):
            return str(self.message)
        for check in self.checks:
            message = check(instance, user)
            if message:
                return str(message)
        return None


@dataclass(frozen=True)
class TransitionChoice:
    """A transition as the UI offers it: its name, its label and what it asks for."""

    name: str
    label: str
    asks: str  # "" | "comment" (mandatory comment) | "reason" | "date"
    style: str
    #: The meanings a signer may state, as (value, label), when the transition is signed; else empty.
    meanings: tuple[tuple[str, str], ...] = ()

    @classmethod
    def from_transition(cls, transition: Transition) -> "TransitionChoice":
        custom = transition.custom
        labels = dict(Signature.Meaning.choices)
        return cls(
            name=transition.name,
            label=str(custom.get("label", transition.name)),
            asks=custom.get("asks", ""),
            style=custom.get("style", "secondary"),
            meanings=tuple((m, str(labels[m])) for m in custom.get("signature", ())),
        )

    @property
    def signed(self) -> bool:
        return bool(self.meanings)


def _state_field(instance) -> FSMFieldMixin:
    fields = [f for f in instance._meta.concrete_fields if isinstance(f, FSMFieldMixin)]
    if len(fields) != 1:
        raise TypeError(f"{type(instance).__name__} must have exactly one FSM field.")
    return fields[0]


def _transition_for(instance, name: str) -> Transition | None:
    method = getattr(type(instance), name, None)
    meta = getattr(method, "_django_fsm", None)
    if meta is None:
        raise ValueError(f"{type(instance).__name__} has no transition named {name!r}.")
    return meta.get_transition(meta.field.get_state(instance))


def transition_label(model: type[models.Model], name: str) -> str:
    """The label users read for transition ``name`` of ``model``; the name itself if it has none."""
    meta = getattr(getattr(model, name, None), "_django_fsm", None)
    for transition in meta.transitions.values() if meta else ():
        return str(transition.custom.get("label", name))
    return name


def transition_signature_meanings(model: type[models.Model], name: str) -> tuple[str, ...]:
    """The meanings a signer may state for transition ``name`` (``custom={"signature": (...)}``);
    empty when the transition needs no electronic signature."""
    meta = getattr(getattr(model, name, None), "_django_fsm", None)
    for transition in meta.transitions.values() if meta else ():
        return tuple(transition.custom.get("signature", ()))
    return ()


def transition_refusal(instance, name: str, user, *, internal: bool = False) -> str | None:
    """Why ``user`` may not apply transition ``name`` to ``instance`` now; None when they may.

    Transitions marked ``custom={"internal": True}`` happen only as part of another use case
    (superseding is part of publishing) and are refused unless the caller says ``internal=True``.
    """
    transition = _transition_for(instance, name)
    if transition is not None and transition.custom.get("internal") and not internal:
        return _("“%(action)s” happens only as part of another action, never on its own.") % {
            "action": transition_label(type(instance), name)
        }
    if transition is None:
        return _("“%(action)s” is not possible while %(object)s is %(state)s.") % {
            "action": transition_label(type(instance), name),
            "object": instance,
            "state": instance.get_state_display().lower(),
        }
    for condition in transition.conditions:
        if not condition(instance):
            return str(getattr(condition, "message", _("The conditions for this step are not met.")))
    permission = transition.permission
    # A TransitionPermission, or a rule that delegates to one (iso.models.DelegatedPermission).
    if hasattr(permission, "refusal"):
        return permission.refusal(instance, user)
    if permission and not transition.has_perm(instance, user):
        return _("You do not have the right to do this.")
    return None


def available_transitions(instance, user) -> list[TransitionChoice]:
    """The transitions ``user`` may apply to ``instance`` now."""
    field = _state_field(instance)
    getter = getattr(instance, f"get_available_user_{field.name}_transitions")
    return [TransitionChoice.from_transition(t) for t in getter(user) if not t.custom.get("internal")]


def transition_run(
    instance, name: str, *, by, comment: str = "", internal: bool = False, signing=None, **kwargs
) -> None:
    """Check and apply transition ``name`` on an instance the caller has locked; the caller saves it.

    For services that change other fields or rows in the same transaction as the state. A signed
    transition needs ``signing``, checked for ``by`` by iso.signatures; the caller records it with
    ``signature_record`` once the instance is saved.
    """
    refusal = transition_refusal(instance, name, by, internal=internal)
    if refusal:
        raise TransitionRefused(refusal)
    meanings = transition_signature_meanings(type(instance), name)
    if meanings and not (
        signing is not None and signing.is_checked and signing.signer.pk == by.pk and signing.meaning in meanings
    ):
        from .signatures import SignatureRefused  # signatures imports this module

        raise SignatureRefused(
            _("“%(action)s” needs your electronic signature: enter your password and say what your signature means.")
            % {"action": transition_label(type(instance), name)}
        )
    getattr(instance, name)(by=by, comment=comment, **kwargs)


def transition_apply(instance, name: str, *, by, comment: str = "", internal: bool = False, signing=None, **kwargs):
    """Apply transition ``name`` to ``instance`` as ``by``, on a row locked for the transaction.

    The state is read again under the lock, so two users pressing the same button at the same
    moment cannot both win: the second sees the new state and is refused. Returns the saved,
    fresh instance; the post_transition receiver has written the log row in the same transaction,
    and so is the electronic signature of a signed transition (``signing``, see iso.signatures);
    any followed content field the transition changed is kept as a field change (iso/trail.py).
    """
    with transaction.atomic():
        locked = type(instance)._default_manager.select_for_update().get(pk=instance.pk)
        before = trail.snapshot(locked)
        transition_run(locked, name, by=by, comment=comment, internal=internal, signing=signing, **kwargs)
        locked.save()
        # Content a transition fills in (what was done, what the verification found) is kept as
        # field changes too; the state itself is in the transition log.
        trail.record_changes(locked, before=before, by=by)
        if signing is not None:
            from .signatures import signature_record  # signatures imports this module

            signature_record(obj=locked, signing=signing, action=name)
    return locked


def log_transition(sender, instance, name, source, target, method_kwargs, **extra):
    """The one post_transition receiver: every state change of every model becomes a log row."""
    if "exception" in extra:
        return
    TransitionLog.objects.create(
        content_type=ContentType.objects.get_for_model(instance),
        object_id=instance.pk,
        object_repr=str(instance)[:200],
        transition=name,
        source=source or "",
        target=target or "",
        actor=method_kwargs.get("by"),
        comment=method_kwargs.get("comment", "") or "",
    )
