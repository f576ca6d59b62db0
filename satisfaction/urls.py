from django.urls import path

from . import views

app_name = "satisfaction"

urlpatterns = [
    path("", views.satisfaction_index, name="index"),
    path("kiosk/", views.kiosk, name="kiosk"),
    path("kiosk/thanks/", views.kiosk_thanks, name="kiosk_thanks"),
    path("feedback/", views.feedback_list, name="feedback_list"),
    path("feedback/<str:reference>/", views.feedback_detail, name="feedback_detail"),
    path("feedback/<str:reference>/enter/", views.feedback_enter, name="feedback_enter"),
    path("feedback/<str:reference>/complaint/", views.feedback_complaint, name="feedback_complaint"),
    path("feedback/<str:reference>/nonconformity/", views.feedback_nonconformity, name="feedback_nonconformity"),
]
