from django.urls import path

from . import views

app_name = "records"

urlpatterns = [
    path("", views.kept_record_list, name="kept_record_list"),
    path("store/", views.kept_record_store, name="kept_record_store"),
    path("<int:pk>/transition/", views.kept_record_transition, name="kept_record_transition"),
    path("<int:pk>/file/", views.kept_record_file, name="kept_record_file"),
    path("types/", views.record_type_list, name="record_type_list"),
    path("types/print/", views.record_type_print, name="record_type_print"),
    path("types/new/", views.record_type_create, name="record_type_create"),
    path("types/sync/", views.record_type_sync, name="record_type_sync"),
    path("types/<int:pk>/", views.record_type_edit, name="record_type_edit"),
    path("disposal/", views.disposal_approve, name="disposal_approve"),
    path("evidence-pack/", views.evidence_pack, name="evidence_pack"),
    path("minutes/", views.minute_list, name="minute_list"),
    path("minutes/<str:number>/", views.minute_detail, name="minute_detail"),
    path("minutes/<str:number>/print/", views.minute_print, name="minute_print"),
]
