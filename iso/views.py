"""The home page: what waits for the signed-in user."""

from django.shortcuts import render
from django.utils import timezone

from audits.selectors import due_items
from cases.selectors import my_cases
from processes.selectors import revision_tasks


def home(request):
    return render(
        request,
        "iso/home.html",
        {
            "revision_tasks": revision_tasks(user=request.user),
            "now": timezone.now(),
            "my_cases": my_cases(user=request.user)[:15] if request.user.has_perm("cases.handle_case") else None,
            "due_items": due_items(user=request.user) if request.user.has_perm("audits.view_nonconformity") else None,
        },
    )
