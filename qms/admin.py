from django.contrib import admin

from iso.admin import ReadOnlyModelAdmin

from .models import PolicyAcknowledgement, PolicyRevision, QmsDocument, ScopeRevision


@admin.register(QmsDocument)
class QmsDocumentAdmin(ReadOnlyModelAdmin):
    """Registered, revised and announced on their own pages, where the rules and the trail apply."""

    list_display = ["code", "title", "kind", "last_announced_on"]


@admin.register(ScopeRevision, PolicyRevision)
class QmsRevisionAdmin(ReadOnlyModelAdmin):
    """Revisions are read here; their content is edited in their editor and their state changes only
    through the workflow, so the admin cannot bypass either."""

    list_display = ["document", "number", "state", "author", "approved_by", "effective_from"]
    list_filter = ["state"]
    list_select_related = ["document", "author", "approved_by"]


@admin.register(PolicyAcknowledgement)
class PolicyAcknowledgementAdmin(ReadOnlyModelAdmin):
    list_display = ["revision", "user", "acknowledged_at"]
    list_select_related = ["revision__document", "user"]
