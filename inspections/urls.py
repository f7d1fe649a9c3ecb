from django.urls import path

from inspections import views

app_name = "inspections"

urlpatterns: list = [
    # The public address printed on posters: short, in plain Vietnamese words ("góp ý").
    path("gop-y/<slug:token>/", views.feedback_form, name="feedback_form"),
    path("gop-y/<slug:token>/cam-on/", views.feedback_thanks, name="feedback_thanks"),
    path("feedback/", views.feedback_list, name="feedback_list"),
    path("feedback/summary/", views.feedback_summary, name="feedback_summary"),
    path("feedback/<int:pk>/", views.feedback_detail, name="feedback_detail"),
    path("feedback/<int:pk>/forward/", views.feedback_forward, name="feedback_forward"),
    path("feedback/<int:pk>/dismiss/", views.feedback_dismiss, name="feedback_dismiss"),
    path("units/<int:pk>/poster/", views.feedback_poster, name="feedback_poster"),
]
