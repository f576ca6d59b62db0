from django.contrib import admin
from import_export.admin import ImportExportMixin

from iso.admin import ReadOnlyModelAdmin

from records import resources

from .models import Acknowledgement, Procedure, ProcedureRevision


@admin.register(Procedure)
class ProcedureAdmin(ImportExportMixin, admin.ModelAdmin):
    resource_classes = [resources.ProcedureResource]
    list_display = ["code", "title", "owner_unit", "category"]
    list_filter = ["category", "owner_unit"]
    search_fields = ["code", "title"]
    filter_horizontal = ["clauses"]
    list_select_related = ["owner_unit"]


@admin.register(ProcedureRevision)
class ProcedureRevisionAdmin(ReadOnlyModelAdmin):
    """Revisions are read here; their content is edited in the revision editor and their state
    changes only through the workflow, so the admin cannot bypass either."""

    list_display = ["procedure", "number", "state", "author", "approved_by", "effective_from"]
    list_filter = ["state"]
    search_fields = ["procedure__code", "procedure__title"]
    list_select_related = ["procedure", "author", "approved_by"]


@admin.register(Acknowledgement)
class AcknowledgementAdmin(admin.ModelAdmin):
    list_display = ["revision", "user", "acknowledged_at"]
    list_select_related = ["revision__procedure", "user"]

    def has_change_permission(self, request, obj=None):
        return False
