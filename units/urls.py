from django.urls import path

from units import views

app_name = "units"

urlpatterns = [
    path("notifications/", views.notification_list, name="notification_list"),
    path("notifications/<int:pk>/open/", views.notification_open, name="notification_open"),
    path("notifications/read-all/", views.notification_read_all, name="notification_read_all"),
    path("tasks/", views.task_list, {"which": "mine"}, name="task_list"),
    path("tasks/unit/", views.task_list, {"which": "unit"}, name="task_list_unit"),
    path("tasks/overdue/", views.task_list, {"which": "overdue"}, name="task_list_overdue"),
    path("tasks/new/", views.task_assign, name="task_assign"),
    path("tasks/<int:pk>/", views.task_detail, name="task_detail"),
    path("tasks/<int:pk>/progress/", views.task_progress, name="task_progress"),
    path("tasks/<int:pk>/complete/", views.task_complete, name="task_complete"),
    path("tasks/<int:pk>/accept/", views.task_accept, name="task_accept"),
    path("tasks/<int:pk>/return/", views.task_return, name="task_return"),
    path("diary/", views.diary_mine, name="diary_mine"),
    path("diary/new/", views.diary_write, name="diary_write"),
    path("diary/<int:pk>/edit/", views.diary_edit, name="diary_edit"),
    path("diary/<int:pk>/correct/", views.diary_correct, name="diary_correct"),
    path("diary/unit/", views.diary_unit, name="diary_unit"),
]
