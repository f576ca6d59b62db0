"""The criteria are configured in the admin (order, wording, asked or not); feedback is read there,
never changed or deleted: it is the applicant's word."""

from django.contrib import admin

from .models import Criterion, Feedback, Rating


@admin.register(Criterion)
class CriterionAdmin(admin.ModelAdmin):
    list_display = ["code", "label", "position", "is_active"]
    list_editable = ["position", "is_active"]
    fields = ["code", "name", "question", "position", "is_active"]

    def has_delete_permission(self, request, obj=None):
        # Ratings keep their criterion: one no longer wanted is deactivated instead.
        return False


class RatingInline(admin.TabularInline):
    model = Rating
    fields = ["criterion", "score"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Feedback)
class FeedbackAdmin(admin.ModelAdmin):
    list_display = ["case", "given_on", "channel", "is_complaint", "nonconformity"]
    list_filter = ["channel", "is_complaint"]
    list_select_related = ["case", "nonconformity"]
    search_fields = ["case__reference"]
    fields = ["case", "channel", "given_on", "comment", "is_complaint", "complaint_marked_by", "entered_by", "created_at",
              "nonconformity"]
    readonly_fields = fields
    inlines = [RatingInline]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
