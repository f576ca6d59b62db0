"""The home page: what waits for the signed-in user."""

from django.shortcuts import render

from processes.selectors import revision_tasks


def home(request):
    return render(request, "iso/home.html", {"revision_tasks": revision_tasks(user=request.user)})
