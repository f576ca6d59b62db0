"""The daily digest that reminds each owner of the nonconformities and actions due or overdue, and of
the risks they own whose review is due and their risk treatment actions."""

import datetime
from collections.abc import Callable

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils.translation import gettext, ngettext

from iso.jobs import job_request
from iso.models import Job, User

from risks.selectors import due_risk_items, owners_with_due_risks

from .selectors import due_items, owners_with_due_items

#: Items due within this many days are in the digest, with those already overdue.
DIGEST_HORIZON_DAYS = 7

#: ``progress(done, total, message)``.
Progress = Callable[[int, int, str], None]


def due_digest(*, user: User, today: datetime.date, within_days: int = DIGEST_HORIZON_DAYS) -> EmailMessage | None:
    """The digest for ``user`` in the active language, or None when nothing of theirs is due."""
    items = due_items(user=user, today=today, within_days=within_days)
    risks = due_risk_items(user=user, today=today, within_days=within_days)
    if not (items or risks) or not user.email:
        return None
    context = {"user": user, "items": items, "risks": risks, "today": today, "site": getattr(settings, "SITE_URL", "")}
    count = len(items.nonconformities) + len(items.actions) + len(risks)
    subject = ngettext(
        "ISO tracker: %(count)s item due or overdue", "ISO tracker: %(count)s items due or overdue", count
    ) % {"count": count}
    body = render_to_string("audits/email/due_digest.txt", context)
    return EmailMessage(subject=subject, body=body, to=[user.email])


def send_due_digests(
    *, today: datetime.date, within_days: int = DIGEST_HORIZON_DAYS, progress: Progress | None = None
) -> int:
    """Send each owner their digest over one connection; returns how many were sent.

    ``progress(done, total, message)`` is told after each owner's digest is prepared.
    """
    owners = list(
        User.objects.filter(
            Q(pk__in=owners_with_due_items(today=today, within_days=within_days).values("pk"))
            | Q(pk__in=owners_with_due_risks(today=today, within_days=within_days).values("pk"))
        ).order_by("pk")
    )
    messages = []
    for done, user in enumerate(owners, start=1):
        if (message := due_digest(user=user, today=today, within_days=within_days)) is not None:
            messages.append(message)
        if progress:
            progress(done, len(owners), gettext("Digest of %(user)s prepared.") % {"user": user})
    if messages:
        get_connection().send_messages(messages)
    return len(messages)


def due_digests_request(*, today: datetime.date, within_days: int = DIGEST_HORIZON_DAYS):
    """Queue the day's digests as a background job of the scheduler (no requester)."""
    from .tasks import due_digests_task  # the task module imports this one

    return job_request(
        kind=Job.Kind.DUE_DIGEST, requested_by=None,
        parameters={"today": today.isoformat(), "within_days": within_days}, task=due_digests_task,
    )
