"""Objectives in the admin: readable, never deletable; they are set and measured through their pages
(their changes and corrections are kept as field changes there)."""

from django.contrib import admin

from .models import MonthlyValue, Objective


class _ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Objective)
class ObjectiveAdmin(_ReadOnlyAdmin):
    list_display = ["reference", "name", "year", "unit", "target", "direction", "indicator", "owner", "due_date"]
    list_filter = ["year", "indicator"]
    list_select_related = ["unit", "owner"]
    search_fields = ["reference", "name"]


@admin.register(MonthlyValue)
class MonthlyValueAdmin(_ReadOnlyAdmin):
    list_display = ["objective", "month", "value", "entered_by", "entered_at"]
    list_select_related = ["objective", "entered_by"]
