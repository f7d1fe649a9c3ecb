"""URL wiring: the project's root URLconf, and the discipline app's own pages."""

from django.conf.urls.i18n import set_language
from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path

from discipline import views
from units.admin import scoped_view_on_site

admin.site.site_header = "Kỷ cương"
admin.site.site_title = "Kỷ cương"
admin.site.index_title = admin.site.site_header

discipline_patterns = [
    path("letters/", views.letter_list, name="letter_list"),
    path("letters/proposals/", views.letter_proposals, name="letter_proposals"),
    path("letters/draft/", views.letter_draft, name="letter_draft"),
    path("letters/register/", views.letter_register, name="letter_register"),
    path("letters/register/export/", views.letter_register_export, name="letter_register_export"),
    path("letters/<int:pk>/", views.letter_detail, name="letter_detail"),
    path("letters/<int:pk>/edit/", views.letter_edit, name="letter_edit"),
    path("letters/<int:pk>/issue/", views.letter_issue, name="letter_issue"),
    path("letters/<int:pk>/close/", views.letter_close, name="letter_close"),
    path("letters/<int:pk>/report/", views.letter_report, name="letter_report"),
    path("letters/<int:pk>/print/", views.letter_print, name="letter_print"),
    path("letters/<int:pk>/docx/", views.letter_docx, name="letter_docx"),
    path("letters/<int:pk>/pdf/", views.letter_pdf, name="letter_pdf"),
    path(
        "letter-reports/files/<int:pk>/",
        views.report_attachment_download,
        name="report_attachment_download",
    ),
    path("decisions/", views.decision_list, name="decision_list"),
    path("decisions/<int:pk>/", views.decision_detail, name="decision_detail"),
    path("evaluation/", views.evaluation_sheet, name="evaluation_sheet"),
    path("evaluation/export/", views.evaluation_export, name="evaluation_export"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("reports/", views.report, name="report"),
    path("reports/xlsx/", views.report_xlsx, name="report_xlsx"),
    path("reports/docx/", views.report_docx, name="report_docx"),
    path("violations/", views.violation_list, name="violation_list"),
    path("violations/new/", views.violation_record, name="violation_record"),
    path("violations/notify/", views.violations_notify, name="violations_notify"),
    path("violations/<int:pk>/", views.violation_detail, name="violation_detail"),
    path("violations/<int:pk>/notify/", views.violation_notify, name="violation_notify"),
    path(
        "violations/<int:pk>/acknowledge/",
        views.violation_acknowledge,
        name="violation_acknowledge",
    ),
    path("violations/<int:pk>/dispute/", views.violation_dispute, name="violation_dispute"),
    path("violations/<int:pk>/rule/", views.violation_rule, name="violation_rule"),
    path("violations/<int:pk>/close/", views.violation_close, name="violation_close"),
    path("violations/<int:pk>/void/", views.violation_void, name="violation_void"),
    path("inbox/", views.inbox, name="inbox"),
    path("my-record/", views.my_record, name="my_record"),
    path("my-record/export/", views.my_record_export, name="my_record_export"),
    path("evidence/<int:pk>/", views.evidence_download, name="evidence_download"),
    path("visits/<int:pk>/", views.visit_detail, name="visit_detail"),
    path("visits/<int:pk>/finish/", views.visit_finish, name="visit_finish"),
    path("visits/<int:pk>/evidence/", views.visit_evidence_add, name="visit_evidence_add"),
    path("visits/<int:pk>/minutes/", views.visit_minutes, name="visit_minutes"),
    path("visits/<int:pk>/minutes.pdf", views.visit_minutes_pdf, name="visit_minutes_pdf"),
    path("tasks/<int:pk>/violation/", views.task_violation, name="task_violation"),
    path("feedback/<int:pk>/violation/", views.feedback_violation, name="feedback_violation"),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/otp/setup/", views.otp_setup, name="otp_setup"),
    path("accounts/otp/verify/", views.otp_verify, name="otp_verify"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    # Before the admin's own "view on site" route, which would redirect for rows of any scope.
    path(
        "admin/r/<path:content_type_id>/<path:object_id>/",
        admin.site.admin_view(scoped_view_on_site),
        name="admin_view_on_site",
    ),
    path("admin/", admin.site.urls),
    path("", include((discipline_patterns, "discipline"))),
    path("", include("inspections.urls")),
    path("", include("units.urls")),
]
