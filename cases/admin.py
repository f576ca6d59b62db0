from django.contrib import admin
from import_export.admin import ExportMixin

from iso.admin import ReadOnlyModelAdmin

from records import resources

from .models import Apology, Case, StepVisit, SupplementRequest


class StepVisitInline(admin.TabularInline):
    model = StepVisit
    extra = 0
    can_delete = False
    readonly_fields = [f.name for f in StepVisit._meta.fields]


@admin.register(Case)
class CaseAdmin(ExportMixin, ReadOnlyModelAdmin):
    """Cases are read here; they change only through their workflow, never by hand."""

    # Export only: cases are imported with manage.py import_cases.
    resource_classes = [resources.CaseResource]

    list_display = ["reference", "procedure", "unit", "state", "received_at", "due_at", "timing"]
    list_filter = ["state", "timing", "channel", "unit"]
    search_fields = ["reference", "applicant_name"]
    list_select_related = ["procedure", "unit"]
    date_hierarchy = "received_at"
    inlines = [StepVisitInline]


@admin.register(SupplementRequest)
class SupplementRequestAdmin(admin.ModelAdmin):
    list_display = ["case", "requested_at", "received_at"]
    list_select_related = ["case"]

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Apology)
class ApologyAdmin(admin.ModelAdmin):
    list_display = ["case", "issued_at", "new_due_at", "in_good_time"]
    list_select_related = ["case"]

    def has_change_permission(self, request, obj=None):
        return False
