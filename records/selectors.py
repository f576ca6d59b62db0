"""Read queries of the records register, with what their pages and printouts need already joined."""

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from iso import access
from iso.models import TransitionLog, User

from .models import DisposalMinute, KeptRecord, RecordType


def record_register(record_types: QuerySet[RecordType] | None = None) -> QuerySet[RecordType]:
    """The register as printed: record types by code with the number of records still kept."""
    record_types = RecordType.objects.all() if record_types is None else record_types
    return record_types.select_related("procedure", "form").annotate(
        kept_count=Count("kept_records", filter=~Q(kept_records__state=KeptRecord.State.DISPOSED))
    ).order_by("code")


def record_type_list(*, user: User, filters: dict | None = None) -> QuerySet[RecordType]:
    filters = filters or {}
    queryset = record_register(access.record_types(user))
    if filters.get("procedure"):
        queryset = queryset.filter(procedure=filters["procedure"])
    if filters.get("search"):
        term = filters["search"]
        queryset = queryset.filter(Q(code__icontains=term) | Q(name__icontains=term))
    return queryset.order_by("code")


def kept_record_list(*, user: User, filters: dict | None = None) -> QuerySet[KeptRecord]:
    """The kept records ``user`` may see, newest first; ``due`` keeps those whose retention has passed and that are
    not yet disposed of (due for disposal, or still to be marked)."""
    filters = filters or {}
    queryset = access.kept_records(user).select_related(
        "record_type", "disposal_minute", "content_type", "created_by", "marked_due_by"
    ).prefetch_related("subject")
    if filters.get("record_type"):
        queryset = queryset.filter(record_type=filters["record_type"])
    if filters.get("state"):
        queryset = queryset.filter(state=filters["state"])
    if filters.get("due"):
        queryset = queryset.filter(
            Q(state=KeptRecord.State.DUE_FOR_DISPOSAL)
            | Q(state__in=[KeptRecord.State.ACTIVE, KeptRecord.State.ARCHIVED], retention_end__lte=timezone.localdate())
        )
    if filters.get("search"):
        term = filters["search"]
        queryset = queryset.filter(Q(reference__icontains=term) | Q(title__icontains=term))
    return queryset.order_by("-record_date", "-pk")


def kept_record_get(*, user: User, pk: int) -> KeptRecord:
    """The kept record if ``user`` may see it; DoesNotExist otherwise."""
    return access.kept_records(user).select_related("record_type", "disposal_minute").get(pk=pk)


def record_type_get(*, user: User, pk: int) -> RecordType:
    return access.record_types(user).select_related("procedure", "form").get(pk=pk)


def disposal_minute_list(*, user: User) -> QuerySet[DisposalMinute]:
    return access.disposal_minutes(user).select_related("approved_by").annotate(record_count=Count("records")).order_by("-date", "-number")


def disposal_minute_get(*, user: User, number: str) -> DisposalMinute:
    """The minute if ``user`` may see it; DoesNotExist otherwise."""
    return access.disposal_minutes(user).select_related("approved_by").get(number=number)


def disposal_minute_records(*, minute: DisposalMinute) -> QuerySet[KeptRecord]:
    return minute.records.select_related("record_type", "marked_due_by").order_by("reference")


def history(*, obj) -> QuerySet[TransitionLog]:
    return TransitionLog.objects.for_object(obj).select_related("actor")
