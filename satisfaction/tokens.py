"""The code printed on a case's receipt that lets the applicant rate that case at the kiosk.

The code is a keyed hash (HMAC-SHA-256 with the site's SECRET_KEY) of the case's id and dossier
code, cut to 50 bits and written in ten letters and digits of Crockford's base 32, which has no
I, L, O or U to misread. Nothing is stored: every case, old ones included, has its code without a
write at reception, nobody can work out a code without the secret, and the kiosk checks what it is
given against the code it computes, in constant time. With at most a handful of refused attempts
per address and window (satisfaction/throttle.py), guessing 2**50 codes is out of reach.

Rotating SECRET_KEY would void the codes already printed; put the old key in SECRET_KEY_FALLBACKS
(Django's own rule for signed values) and they keep working.
"""

from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse
from django.utils.crypto import constant_time_compare, salted_hmac

#: Crockford's base 32: digits and letters without I, L, O, U.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
#: Characters of a code: 10 × 5 bits = 50 bits.
LENGTH = 10
_SALT = "satisfaction.tokens.case"
#: What people type for the letters the alphabet leaves out.
_MISREAD = str.maketrans({"I": "1", "L": "1", "O": "0"})


def _code(case_id: int, reference: str, secret: str) -> str:
    digest = salted_hmac(_SALT, f"{case_id}:{reference}", secret=secret, algorithm="sha256").digest()
    number = int.from_bytes(digest[:8], "big") >> (64 - 5 * LENGTH)
    return "".join(ALPHABET[(number >> (5 * i)) & 31] for i in reversed(range(LENGTH)))


def case_token(case) -> str:
    """The code of ``case`` as printed: two groups of five, ``7K2QF-M9XTA``."""
    code = _code(case.pk, case.reference, settings.SECRET_KEY)
    return f"{code[:5]}-{code[5:]}"


def normalise(value: str) -> str:
    """What was typed, as a bare code: capitals, no spaces or dashes, misread letters mapped."""
    return "".join(ch for ch in (value or "").upper().translate(_MISREAD) if ch in ALPHABET)


def token_matches(case, given: str) -> bool:
    """Whether ``given`` is the code of ``case`` (under the key or a fallback key).

    ``case`` may be None (no such dossier): a code is still computed and compared, so that the
    answer takes as long either way.
    """
    given = normalise(given)
    case_id, reference = (case.pk, case.reference) if case is not None else (0, "")
    matched = False
    for secret in [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]:
        matched |= constant_time_compare(_code(case_id, reference, secret), given)
    return matched and case is not None


def kiosk_address(request=None) -> str:
    """The public address of the kiosk page: SATISFACTION_KIOSK_URL, or this site's."""
    if settings.SATISFACTION_KIOSK_URL:
        return settings.SATISFACTION_KIOSK_URL
    path = reverse("satisfaction:kiosk")
    return request.build_absolute_uri(path) if request is not None else path


def kiosk_link(case, request=None) -> str:
    """The kiosk address with the dossier code and the code filled in, for the receipt's QR code."""
    address = kiosk_address(request)
    separator = "&" if "?" in address else "?"
    return f"{address}{separator}{urlencode({'case': case.reference, 'code': case_token(case)})}"
