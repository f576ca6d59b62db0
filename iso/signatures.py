"""Electronic signatures on the approvals that matter (21 CFR Part 11, EU GMP Annex 11).

A signature is given at the moment of a transition: the signer re-enters their password and states
what the signature means. The flow, for a service that applies a signed transition:

1. ``signing = transition_signing(obj, name, by=user, signature=request)`` *before* the service's
   transaction: the password is checked here, and a wrong one is counted in the database, so the
   count must not be rolled back by the refusal that follows;
2. in one transaction, ``transition_apply(obj, name, by=user, signing=signing)`` (or
   ``transition_run`` then save then :func:`signature_record`) applies the transition and stores
   the signature with the SHA-256 of the object's ``signed_content()``.

Each signed model says what its signed content is in its own ``signed_content()`` method: a dict
of the fields that matter, made canonical here (sorted keys, compact, UTF-8) before hashing. A
signature whose stored hash differs from the hash of the content now is shown as broken.
"""

import datetime
import decimal
import hashlib
import json
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db.models import F
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from .models import Signature, User
from .workflows import TransitionRefused, transition_label, transition_refusal, transition_signature_meanings

logger = logging.getLogger(__name__)

Meaning = Signature.Meaning

#: Only :func:`signature_authenticate` holds it: a :class:`Signing` without it was never checked.
_CHECKED = object()


class SignatureRefused(TransitionRefused):
    """No signature: none was given, the password was wrong, or the signer is locked out."""


@dataclass(frozen=True)
class SignatureRequest:
    """What the signer typed with the action: their password and the meaning they state."""

    password: str = field(repr=False)
    meaning: str


@dataclass(frozen=True)
class Signing:
    """A signature request whose password was checked for ``signer``; what signed transitions take."""

    signer: User
    meaning: str
    _token: object = field(default=None, repr=False, compare=False)

    @property
    def is_checked(self) -> bool:
        return self._token is _CHECKED


def _json_default(value):
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.UTC).isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, Promise):
        return str(value)
    if isinstance(value, set | frozenset):
        return sorted(value)
    raise TypeError(f"{type(value).__name__} cannot be part of signed content.")


def canonical_json(content) -> str:
    """The one text a content hashes as: sorted keys, no spaces, UTF-8 letters kept."""
    return json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=_json_default)


def content_digest(obj) -> tuple[str, str]:
    """``obj.signed_content()`` as canonical JSON, and its SHA-256 in hex."""
    text = canonical_json(obj.signed_content())
    return text, hashlib.sha256(text.encode("utf-8")).hexdigest()


def _meaning_labels(meanings: Sequence[str]) -> str:
    labels = dict(Meaning.choices)
    return ", ".join(str(labels[m]).lower() for m in meanings)


def signature_authenticate(
    *, signer: User, request: SignatureRequest | None, meanings: Sequence[str], action: str
) -> Signing:
    """Check the password ``signer`` re-entered to sign ``action``; return the checked signing.

    A wrong password is refused and counted in the database; after SIGNATURE_MAX_FAILURES in a row
    the signer cannot sign until the ISO secretary resets it, and while locked the password is not
    even tried. A correct password sets the count back to zero. Call it outside the transaction
    that applies the action: the count must survive the refusal.
    """
    if request is None or not request.password:
        raise SignatureRefused(
            _("“%(action)s” needs your electronic signature: enter your password and say what your signature means.")
            % {"action": action}
        )
    if request.meaning not in meanings:
        raise SignatureRefused(
            _("Say what your signature on “%(action)s” means: %(meanings)s.")
            % {"action": action, "meanings": _meaning_labels(meanings)}
        )
    maximum = settings.SIGNATURE_MAX_FAILURES
    account = User.objects.get(pk=signer.pk)
    if account.signature_locked:
        raise SignatureRefused(
            _("You cannot sign: your electronic signature is locked after %(max)s wrong passwords in a row. "
              "Nothing was signed. Ask the ISO secretary to let you sign again.") % {"max": maximum}
        )
    if not account.check_password(request.password):
        User.objects.filter(pk=signer.pk).update(
            failed_signatures=F("failed_signatures") + 1, last_failed_signature_at=timezone.now()
        )
        count = User.objects.values_list("failed_signatures", flat=True).get(pk=signer.pk)
        logger.warning("Wrong password when %s signed “%s” (%s in a row).", signer.username, action, count)
        if count >= maximum:
            raise SignatureRefused(
                _("Wrong password: nothing was signed and “%(action)s” was not done. That was %(max)s wrong passwords "
                  "in a row: your electronic signature is now locked until the ISO secretary lets you sign again.")
                % {"action": action, "max": maximum}
            )
        raise SignatureRefused(
            _("Wrong password: nothing was signed and “%(action)s” was not done (%(count)s of %(max)s failed "
              "attempts in a row before your signature is locked).") % {"action": action, "count": count, "max": maximum}
        )
    if account.failed_signatures:
        User.objects.filter(pk=signer.pk).update(failed_signatures=0)
    return Signing(signer=signer, meaning=request.meaning, _token=_CHECKED)


def transition_signing(instance, name: str, *, by: User, signature: SignatureRequest | None) -> Signing | None:
    """The checked signing for transition ``name``, or None when the transition is not signed.

    A transition the user may not apply now is refused first, without trying the password.
    """
    meanings = transition_signature_meanings(type(instance), name)
    if not meanings:
        return None
    # The state as stored now, not as the caller's copy was read: the transition re-checks it under lock.
    refusal = transition_refusal(type(instance)._default_manager.get(pk=instance.pk), name, by)
    if refusal:
        raise TransitionRefused(refusal)
    return signature_authenticate(
        signer=by, request=signature, meanings=meanings, action=transition_label(type(instance), name)
    )


def signature_record(*, obj, signing: Signing, action: str) -> Signature:
    """Store ``signing`` on ``obj`` (saved, in the caller's transaction) with the hash of its content."""
    if not (isinstance(signing, Signing) and signing.is_checked):
        raise TypeError("Only a signing checked by signature_authenticate can be recorded.")
    text, digest = content_digest(obj)
    signer = signing.signer
    return Signature.objects.create(
        content_type=ContentType.objects.get_for_model(obj),
        object_id=obj.pk,
        object_repr=str(obj)[:200],
        action=action,
        meaning=signing.meaning,
        signer=signer,
        signer_name=signer.get_full_name()[:150],
        signer_title=signer.job_title[:150],
        signer_roles=",".join(sorted(signer.roles))[:200],
        content_sha256=digest,
        content=text,
    )


@dataclass(frozen=True)
class CheckedSignature:
    """A signature and whether the signed object's content is still what was signed."""

    signature: Signature
    valid: bool

    @property
    def broken(self) -> bool:
        return not self.valid


def signatures_checked(obj) -> list[CheckedSignature]:
    """The signatures of ``obj``, oldest first, each checked against its content now."""
    return signatures_checked_many([obj]).get(obj.pk, [])


def signatures_checked_many(objs: Iterable) -> dict[int, list[CheckedSignature]]:
    """The checked signatures of several objects of one model, by primary key (one query, and the
    content of each signed object read once)."""
    objs = {obj.pk: obj for obj in objs}
    found: dict[int, list[Signature]] = {}
    for signature in Signature.objects.for_objects(objs.values()):
        found.setdefault(signature.object_id, []).append(signature)
    checked = {}
    for pk, signatures in found.items():
        _text, digest = content_digest(objs[pk])
        # The stored JSON must still hash to the stored hash too: an edited signature row is broken.
        checked[pk] = [
            CheckedSignature(s, s.content_sha256 == digest == hashlib.sha256(s.content.encode("utf-8")).hexdigest())
            for s in signatures
        ]
    return checked


def last_signature(checked: Sequence[CheckedSignature], *actions: str) -> CheckedSignature | None:
    """The latest of ``checked`` given for one of ``actions``."""
    matching = [c for c in checked if c.signature.action in actions]
    return matching[-1] if matching else None


def signature_lock_reset(*, user: User, by: User) -> None:
    """Let ``user`` sign again after failed signatures (the ISO secretary)."""
    if not by.has_perm("iso.reset_signature_lock"):
        raise PermissionDenied(_("Only the ISO secretary may let a user sign again."))
    User.objects.filter(pk=user.pk).update(failed_signatures=0)
    logger.info("%s let %s sign again.", by.username, user.username)
