from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from import_export.admin import ImportExportMixin

from records import resources

from .models import CalendarDay, Clause, FieldChange, OrgUnit, Signature, TransitionLog, User
from .signatures import signature_lock_reset, signatures_checked
from .versioning import EditVersionAdminMixin


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


class SignatureLockFilter(admin.SimpleListFilter):
    """Who cannot sign now: the secretary's list of accounts to look at and reset."""

    title = _("electronic signature")
    parameter_name = "signature"

    def lookups(self, request, model_admin):
        return [("locked", _("Locked after failed signatures")), ("failed", _("Some failed signatures"))]

    def queryset(self, request, queryset):
        if self.value() == "locked":
            return queryset.filter(failed_signatures__gte=settings.SIGNATURE_MAX_FAILURES)
        if self.value() == "failed":
            return queryset.filter(failed_signatures__gt=0)
        return queryset


@admin.register(User)
class UserAdmin(ImportExportMixin, BaseUserAdmin):
    resource_classes = [resources.UserResource]
    fieldsets = BaseUserAdmin.fieldsets + ((_("Position in the organisation"), {"fields": ["full_name", "job_title", "unit"]}),)
    add_fieldsets = BaseUserAdmin.add_fieldsets + ((_("Position in the organisation"), {"fields": ["full_name", "unit", "groups"]}),)
    list_display = ["username", "full_name", "unit", "is_active", "is_staff", "failed_signatures", "last_failed_signature_at"]
    list_filter = ["groups", "unit", "is_active", SignatureLockFilter]
    search_fields = ["username", "full_name", "email"]
    list_select_related = ["unit"]
    readonly_fields = ["failed_signatures", "last_failed_signature_at"]
    actions = ["reset_signature_lock"]

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None:
            return fieldsets
        return (*fieldsets, (_("Electronic signature"), {"fields": ["failed_signatures", "last_failed_signature_at"]}))

    @admin.action(description=_("Let them sign again (reset failed signatures)"), permissions=["reset_signature_lock"])
    def reset_signature_lock(self, request, queryset):
        for user in queryset:
            signature_lock_reset(user=user, by=request.user)
        count = len(queryset)
        self.message_user(
            request,
            ngettext("%(count)s user may sign again.", "%(count)s users may sign again.", count) % {"count": count},
            messages.SUCCESS,
        )

    def has_reset_signature_lock_permission(self, request):
        return request.user.has_perm("iso.reset_signature_lock")


@admin.register(Clause)
class ClauseAdmin(ImportExportMixin, admin.ModelAdmin):
    resource_classes = [resources.ClauseResource]
    list_display = ["number", "title_vi", "title_en"]
    search_fields = ["number", "title_vi", "title_en"]


@admin.register(TransitionLog)
class TransitionLogAdmin(ReadOnlyModelAdmin):
    """The log is evidence, written only by transitions."""

    list_display = ["seq", "at", "object_repr", "transition", "source", "target", "actor"]
    list_filter = ["content_type", "transition"]
    search_fields = ["object_repr", "comment", "entry_hash"]
    list_select_related = ["actor"]
    date_hierarchy = "at"


@admin.register(Signature)
class SignatureAdmin(ReadOnlyModelAdmin):
    """Signatures are evidence, written only when signing; the detail checks the content still matches."""

    list_display = ["signed_at", "object_repr", "action", "meaning", "signer_name", "content_sha256"]
    list_filter = ["content_type", "meaning", "action"]
    search_fields = ["object_repr", "signer_name", "content_sha256"]
    date_hierarchy = "signed_at"
    readonly_fields = ["validity"]

    @admin.display(description=_("check"))
    def validity(self, obj):
        subject = obj.subject
        checked = next((c for c in signatures_checked(subject) if c.signature.pk == obj.pk), None) if subject else None
        if checked and checked.valid:
            return _("Valid")
        return _("BROKEN: the content changed after signing")


@admin.register(FieldChange)
class FieldChangeAdmin(ReadOnlyModelAdmin):
    """Old and new values of controlled records, written only by the services that edit them."""

    list_display = ["seq", "changed_at", "object_repr", "field_name", "actor"]
    list_filter = ["content_type", "field_name"]
    search_fields = ["object_repr", "old_value", "new_value", "entry_hash"]
    list_select_related = ["actor"]
    date_hierarchy = "changed_at"


@admin.register(CalendarDay)
class CalendarDayAdmin(EditVersionAdminMixin, ImportExportMixin, admin.ModelAdmin):
    resource_classes = [resources.CalendarDayResource]
    list_display = ["date", "kind", "name"]
    list_filter = ["kind"]
    search_fields = ["name"]
    date_hierarchy = "date"
