"""Signing in and staying signed in: the client address that login throttling counts by, the
lockout page, and the renewal of a session that is in use.

django-axes counts failed logins per username and address (settings AXES_*); client_ip and
lockout_response are the two places where it asks the project.
"""

import math
import time

from django.conf import settings
from django.shortcuts import render


def client_ip(request) -> str:
    """The address of the client: REMOTE_ADDR, or, behind TRUSTED_PROXY_COUNT proxies, the address
    the outermost trusted proxy saw (an address the client wrote itself into X-Forwarded-For is
    never believed)."""
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "")


def lockout_response(request, original_response=None, credentials=None):
    """The translated page shown instead of the login form while a username and address are locked out."""
    cooloff = settings.AXES_COOLOFF_TIME
    context = {
        "failure_limit": settings.AXES_FAILURE_LIMIT,
        "cooloff_minutes": math.ceil(cooloff.total_seconds() / 60) if cooloff else 0,
    }
    return render(request, "registration/locked_out.html", context, status=429)


#: Session key holding when the session's expiry was last pushed back (seconds since the epoch).
TOUCHED = "_renewed_at"


def session_touch(sender, request, user, **kwargs):
    """At sign-in the session starts its idle clock (the user_logged_in receiver)."""
    request.session[TOUCHED] = int(time.time())


class SessionRenewalMiddleware:
    """Ends a session after SESSION_COOKIE_AGE seconds without a request, and never while in use.

    Each request of a signed-in user pushes the expiry back, but at most once every
    SESSION_RENEW_SECONDS: a page then costs no session write, and the idle timeout is exact to
    within that interval. (SESSION_SAVE_EVERY_REQUEST would write the session on every page.)
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = int(time.time())
            if now - request.session.get(TOUCHED, 0) >= settings.SESSION_RENEW_SECONDS:
                request.session[TOUCHED] = now  # marks the session modified: saved with a new expiry
        return self.get_response(request)
