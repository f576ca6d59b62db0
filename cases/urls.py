from django.urls import path

from . import views

app_name = "cases"

urlpatterns = [
    path("", views.case_list, name="case_list"),
    path("export.<str:fmt>", views.case_export, name="case_export"),
    path("new/", views.case_create, name="case_create"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/export.<str:fmt>", views.dashboard_export, name="dashboard_export"),
    path("dashboard/print/", views.dashboard_print, name="dashboard_print"),
    path("<str:reference>/", views.case_detail, name="case_detail"),
    path("<str:reference>/print/receipt/", views.case_receipt_print, name="case_receipt_print"),
    path("<str:reference>/print/control-sheet/", views.case_control_sheet_print, name="case_control_sheet_print"),
    path("<str:reference>/print/apology/", views.case_apology_print, name="case_apology_print"),
    path("<str:reference>/<str:action>/", views.case_action, name="case_action"),
]
