from django.urls import path

from . import views

app_name = "audits"

urlpatterns = [
    path("", views.programme_list, name="programme_list"),
    path("new/", views.programme_create, name="programme_create"),
    path("nonconformities/", views.nonconformity_list, name="nonconformity_list"),
    path("nonconformities/new/", views.nonconformity_create, name="nonconformity_create"),
    path("nonconformities/from-case/<str:reference>/", views.nonconformity_from_case, name="nonconformity_from_case"),
    path("nonconformities/<str:reference>/", views.nonconformity_detail, name="nonconformity_detail"),
    path("nonconformities/<str:reference>/evidence/<int:pk>/", views.evidence_file, name="evidence_file"),
    path("nonconformities/<str:reference>/<str:action>/", views.nonconformity_action, name="nonconformity_action"),
    path("a/<str:reference>/", views.audit_detail, name="audit_detail"),
    path("a/<str:reference>/<str:action>/", views.audit_action, name="audit_action"),
    path("<int:year>/", views.programme_detail, name="programme_detail"),
    path("<int:year>/plan/", views.audit_create, name="audit_create"),
    path("<int:year>/transition/", views.programme_transition, name="programme_transition"),
    path("print/programme/<int:year>/", views.programme_print, name="programme_print"),
    path("print/audit/<str:reference>/<str:document>/", views.audit_print, name="audit_print"),
    path("print/nonconformity/<str:reference>/", views.nonconformity_print, name="nonconformity_print"),
]
