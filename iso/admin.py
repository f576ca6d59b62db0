from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportMixin

from records import resources

from .models import CalendarDay, Clause, OrgUnit, TransitionLog, User


class ReadOnlyModelAdmin(admin.ModelAdmin):
    """For records that change only through their workflow or are evidence: shown, never edited here."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(OrgUnit)
class OrgUnitAdmin(ImportExportMixin, admin.ModelAdmin):
    resource_classes = [resources.OrgUnitResource]
    list_display = ["code", "name", "kind", "parent", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["code", "name"]
    list_select_related = ["parent"]


@admin.register(User)
class UserAdmin(ImportExportMixin, BaseUserAdmin):
    resource_classes = [resources.UserResource]
    fieldsets = BaseUserAdmin.fieldsets + ((_("Position in the organisation"), {"fields": ["full_name", "job_title", "unit"]}),)
    add_fieldsets = BaseUserAdmin.add_fieldsets + ((_("Position in the organisation"), {"fields": ["full_name", "unit", "groups"]}),)
    list_display = ["username", "full_name", "unit", "is_active", "is_staff"]
    list_filter = ["groups", "unit", "is_active"]
    search_fields = ["username", "full_name", "email"]
    list_select_related = ["unit"]


@admin.register(Clause)
class ClauseAdmin(ImportExportMixin, admin.ModelAdmin):
    resource_classes = [resources.ClauseResource]
    list_display = ["number", "title_vi", "title_en"]
    search_fields = ["number", "title_vi", "title_en"]


@admin.register(TransitionLog)
class TransitionLogAdmin(ReadOnlyModelAdmin):
    """The log is evidence, written only by transitions."""

    list_display = ["at", "object_repr", "transition", "source", "target", "actor"]
    list_filter = ["content_type", "transition"]
    search_fields = ["object_repr", "comment"]
    list_select_related = ["actor"]
    date_hierarchy = "at"


@admin.register(CalendarDay)
class CalendarDayAdmin(ImportExportMixin, admin.ModelAdmin):
    resource_classes = [resources.CalendarDayResource]
    list_display = ["date", "kind", "name"]
    list_filter = ["kind"]
    search_fields = ["name"]
    date_hierarchy = "date"
