from django.urls import path

from inspections import views

app_name = "inspections"

urlpatterns = [
    path("visits/", views.visit_list, name="visit_list"),
    path("visits/plan/", views.visit_plan, name="visit_plan"),
    path("visits/planner/", views.planner, name="planner"),
    path("visits/planner/plan/", views.planner_plan, name="planner_plan"),
    path("visits/<int:pk>/start/", views.visit_start, name="visit_start"),
    path("visits/<int:pk>/cancel/", views.visit_cancel, name="visit_cancel"),
    path("visits/<int:pk>/roll/", views.roll, name="roll"),
    path("visits/<int:pk>/roll/add/", views.roll_add, name="roll_add"),
    path("visits/<int:pk>/roll/<int:entry_pk>/", views.roll_mark, name="roll_mark"),
    path(
        "visits/<int:pk>/checklist/<int:answer_pk>/",
        views.checklist_answer,
        name="checklist_answer",
    ),
    # Citizen feedback.
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
