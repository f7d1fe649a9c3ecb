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
]
