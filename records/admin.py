"""The register in the admin: readable and correctable, never deletable; states move only through
the register's pages (their transitions are logged)."""

from django.contrib import admin

from iso.versioning import EditVersionAdminMixin

from .models import DisposalMinute, KeptRecord, RecordType


class NoDeleteAdmin(admin.ModelAdmin):
    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(RecordType)
class RecordTypeAdmin(EditVersionAdminMixin, NoDeleteAdmin):
    list_display = ["code", "name", "procedure", "keeper", "location", "retention_years"]
    list_select_related = ["procedure"]
    search_fields = ["code", "name"]
    readonly_fields = ["source_name"]


@admin.register(KeptRecord)
class KeptRecordAdmin(NoDeleteAdmin):
    list_display = ["reference", "title", "record_type", "record_date", "retention_end", "state"]
    list_filter = ["state", "record_type"]
    list_select_related = ["record_type"]
    search_fields = ["reference", "title", "sha256"]
    fields = ["reference", "record_type", "title", "record_date", "retention_end", "state", "original_filename", "sha256",
              "created_by", "created_at", "marked_due_by", "disposal_minute", "disposed_at"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False


@admin.register(DisposalMinute)
class DisposalMinuteAdmin(NoDeleteAdmin):
    list_display = ["number", "date", "approved_by", "method"]
    list_select_related = ["approved_by"]
    readonly_fields = ["number", "date", "approved_by", "method", "created_at"]

    def has_add_permission(self, request):
        return False
