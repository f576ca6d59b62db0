"""Objectives in the admin: readable, never edited or deleted there; they are set and measured through
their pages, where their changes and corrections are kept as field changes."""

from django.contrib import admin

from iso.admin import ReadOnlyModelAdmin

from .models import MonthlyValue, Objective


@admin.register(Objective)
class ObjectiveAdmin(ReadOnlyModelAdmin):
    list_display = ["reference", "name", "year", "unit", "target", "direction", "indicator", "owner", "due_date"]
    list_filter = ["year", "indicator"]
    list_select_related = ["unit", "owner"]
    search_fields = ["reference", "name"]


@admin.register(MonthlyValue)
class MonthlyValueAdmin(ReadOnlyModelAdmin):
    list_display = ["objective", "month", "value", "entered_by", "entered_at"]
    list_select_related = ["objective", "entered_by"]
