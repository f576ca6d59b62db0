"""The demo has feedback on a share of its resolved cases, mostly satisfied, and a complaint that
opened a nonconformity."""

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from audits.models import Nonconformity
from cases.models import Case
from satisfaction import selectors
from satisfaction.models import Feedback, Rating

pytestmark = pytest.mark.django_db


def test_the_demo_rates_about_two_cases_in_five_mostly_satisfied_with_one_complaint_turned_nonconformity():
    call_command("load_demo", verbosity=0)

    completed = Case.objects.filter(state=Case.State.COMPLETED)
    share = Feedback.objects.filter(case__in=completed).count() / completed.count()
    assert 0.35 < share < 0.45
    assert not Feedback.objects.exclude(case__state__in=Case.RESOLVED_STATES).exists()
    assert set(Feedback.objects.values_list("channel", flat=True)) == {"kiosk", "paper"}
    assert not Feedback.objects.filter(channel="paper", entered_by=None).exists()

    today = timezone.localdate()
    index = selectors.satisfaction_index(start=today - datetime.timedelta(days=400), end=today)
    assert 75 < index < 95
    assert Rating.objects.filter(score__lte=2).exists()
    assert Feedback.objects.exclude(comment="").filter(comment__contains="hồ sơ").exists()

    complaint = Feedback.objects.get(nonconformity__isnull=False)
    assert complaint.is_complaint and complaint.nonconformity.source == Nonconformity.Source.COMPLAINT
    assert complaint.nonconformity.unit == complaint.case.unit
    assert Feedback.objects.filter(is_complaint=True, nonconformity=None).count() == 2
