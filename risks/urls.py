from django.urls import path

from . import views

app_name = "risks"

urlpatterns = [
    path("", views.risk_list, name="risk_list"),
    path("new/", views.risk_create, name="risk_create"),
    path("print/", views.risk_register_print, name="risk_register_print"),
    path("export/<str:fmt>/", views.risk_export, name="risk_export"),
    path("scale/", views.scale_edit, name="scale_edit"),
    path("r/<str:reference>/", views.risk_detail, name="risk_detail"),
    path("r/<str:reference>/<str:action>/", views.risk_action, name="risk_action"),
]
