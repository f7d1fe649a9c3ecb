"""Every form of the application, fed 200 generated inputs through its view by a user who may
use it: no input makes a server error, and input the view refuses (the form shown again with
its errors, or 400) leaves every table as it was.

Each example runs inside a savepoint that is rolled back, so every one starts from the same
state (a violation to acknowledge stays acknowledgeable). Row counts are summed over every
table in one query; tables that legitimately change on a refused input are left out (sessions,
login attempts, the record-access log on a GET, the feedback rate limit's hashes)."""

import datetime
import json
import operator
from dataclasses import dataclass, field

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from discipline import services
from discipline.models import Violation
from tests import factories

EXAMPLES = 200
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,  # nothing written into the working tree
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)

OMIT = object()

# --- what a field may receive --------------------------------------------------------------------

NASTY = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\r\n",
    "<script>alert(1)</script>",
    "'; DROP TABLE units_staff; --",
    "{{ 7*7 }}",
    "%s%n",
    "../../etc/passwd",
    "🙂" * 5,
    "\u202e\u200b",
    "-1",
    "0",
    "1e309",
    "NaN",
    "9" * 40,
    "2026-02-30",
    "2026-13-01",
    "0000-00-00",
    "9999-12-31",
    "31/12/2026",
    "null",
    "[]",
]


def _text():
    long = st.builds(operator.mul, st.characters(codec="utf-8"), st.integers(1, 6000))
    return st.one_of(st.text(max_size=40), st.sampled_from(NASTY), long)


def text():
    return _text()


def number():
    return st.one_of(st.integers(-(2**63), 2**64).map(str), st.integers(-3, 50).map(str), _text())


def ident(*valid):
    """An id: one of the valid ones (passed as a list or a callable of the context), or not."""
    return st.one_of(st.sampled_from(list(valid)).map(str), number()) if valid else number()


def day():
    return st.one_of(
        st.dates(datetime.date(1, 1, 1), datetime.date(9999, 12, 31)).map(str),
        st.dates(datetime.date(2024, 1, 1), datetime.date(2028, 12, 31)).map(str),
        _text(),
    )


def moment():
    return st.one_of(
        st.datetimes(datetime.datetime(1, 1, 2), datetime.datetime(9999, 12, 30)).map(
            lambda d: d.strftime("%Y-%m-%dT%H:%M")
        ),
        st.datetimes(datetime.datetime(2025, 1, 1), datetime.datetime(2027, 1, 1)).map(
            lambda d: d.strftime("%Y-%m-%dT%H:%M")
        ),
        _text(),
    )


def clock():
    return st.one_of(st.times().map(lambda t: t.strftime("%H:%M")), _text())


def choice(*values):
    return st.one_of(st.sampled_from(list(values)), _text())


def flag():
    return st.sampled_from(["on", "true", "false", "0", "1", ""])


def many(strategy):
    return st.lists(strategy, max_size=4)


PNG = factories.tiny_png()
PAYLOADS = [
    ("a.png", PNG),
    ("a.pdf", factories.tiny_pdf()),
    ("empty.pdf", b""),
    ("polyglot.pdf", b"%PDF-1.4\n<html><script>alert(1)</script>\n%%EOF"),
    ("x.svg", b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>"),
    ("elf.pdf", b"\x7fELF" + b"\x00" * 64),
    ("../../etc/passwd.pdf", factories.tiny_pdf()),
    ("broken.png", PNG[:20]),
]


def upload():
    return st.sampled_from(PAYLOADS).map(lambda p: SimpleUploadedFile(p[0], p[1]))


def json_value():
    return st.recursive(
        st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), _text()),
        lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(_text(), inner)),
        max_leaves=5,
    )


# --- the world the forms act on ------------------------------------------------------------------


@pytest.fixture
def world(
    authority,
    unit_a,
    unit_b,
    inspector,
    unit_head_a,
    staff_member,
    chief,
    draft,
    issued,
    administrator,
    violation_b,
):
    """One row in each state a form acts on."""
    person = factories.staff(unit_a)

    def violation(status):
        v = factories.violation(person, by=inspector)
        if status != "recorded":
            services.notify_unit_heads(violations=[v], by=inspector)
        if status == "disputed":
            services.dispute_violation(violation=v, by=unit_head_a, explanation="Đi họp.")
        return v

    visit = factories.started_visit(unit_a, by=inspector)
    today = timezone.localdate()
    assigned = factories.task(staff_member.staff, by=unit_head_a)
    submitted = factories.task(staff_member.staff, by=unit_head_a, status="submitted")
    overdue = factories.task(person, by=unit_head_a, due_date=today - datetime.timedelta(days=3))
    return {
        "recorded": violation("recorded"),
        "notified": violation("notified"),
        "disputed": violation("disputed"),
        "other_violation": violation_b,
        "person": person,
        "visit": visit,
        "entry": visit.roll.first(),
        "answer": visit.checklist.first(),
        "assigned": assigned,
        "submitted": submitted,
        "overdue": overdue,
        "today_entry": factories.diary_entry(staff_member.staff, day=today),
        "old_entry": factories.diary_entry(
            staff_member.staff,
            day=today - datetime.timedelta(days=2),
            created_at=timezone.now() - datetime.timedelta(days=2),
        ),
        "feedback": factories.feedback(unit_a, staff=person),
        "draft": draft,
        "issued": issued,
        "unit_a": unit_a,
        "unit_b": unit_b,
    }


@dataclass
class Case:
    form: str
    persona: str | None
    url: object  # str, or a function of the world
    fields: object  # a function of the world returning {name: strategy}
    method: str = "post"
    # Responses that mean "refused, shown again": nothing may have been written.
    refused: tuple = (200, 400, 409)
    ignored: set = field(default_factory=set)
    json: bool = False


def _v(name):
    return lambda w: reverse(
        f"discipline:violation_{name.split(':')[1]}", args=[w[name.split(":")[0]].pk]
    )


def _ids(*names):
    return lambda w: [w[n].pk for n in names]


CASES = [
    # discipline
    Case(
        "AcknowledgeForm",
        "unit_head_a",
        _v("notified:acknowledge"),
        lambda w: {"corrective_action": text()},
    ),
    Case(
        "DisputeForm",
        "unit_head_a",
        _v("notified:dispute"),
        lambda w: {"explanation": text(), "evidence": upload()},
    ),
    Case(
        "RulingForm",
        "inspector",
        _v("disputed:rule"),
        lambda w: {"outcome": choice("upheld", "dismissed", "closed"), "reason": text()},
    ),
    Case("VoidForm", "inspector", _v("recorded:void"), lambda w: {"reason": text()}),
    Case("violation notify (no form)", "inspector", _v("recorded:notify"), lambda w: {"x": text()}),
    Case("violation close (no form)", "inspector", _v("notified:close"), lambda w: {"x": text()}),
    Case(
        "violations_notify (list)",
        "inspector",
        reverse("discipline:violations_notify"),
        lambda w: {
            "violation": many(ident(w["recorded"].pk, w["notified"].pk, w["other_violation"].pk))
        },
        refused=(200, 400, 404),
    ),
    Case(
        "RecordViolationForm",
        "inspector",
        reverse("discipline:violation_record"),
        lambda w: {
            "unit": ident(w["unit_a"].pk, w["unit_b"].pk),
            "staff": ident(w["person"].pk),
            "type": ident(*Violation.objects.values_list("type_id", flat=True)[:1] or [1]),
            "occurred_at": moment(),
            "description": text(),
            "evidence": upload(),
            "notify": flag(),
        },
        refused=(200, 400, 404),
    ),
    Case(
        "ViolationFilterForm (list)",
        "inspector",
        reverse("discipline:violation_list"),
        lambda w: {
            "unit": ident(w["unit_a"].pk),
            "staff": ident(w["person"].pk),
            "type": number(),
            "category": text(),
            "status": choice("recorded", "overdue", "standing_open"),
            "date_from": day(),
            "date_to": day(),
            "page": number(),
        },
        method="get",
        ignored={"discipline_recordaccess"},
    ),
    Case(
        "ViolationFilterForm (inbox)",
        "unit_head_a",
        reverse("discipline:inbox"),
        lambda w: {
            "staff": ident(w["person"].pk),
            "status": text(),
            "type": number(),
            "page": number(),
        },
        method="get",
    ),
    Case(
        "FinishVisitForm",
        "inspector",
        lambda w: reverse("discipline:visit_finish", args=[w["visit"].pk]),
        lambda w: {"summary": text(), "unit_representative": text(), "confirm": flag()},
    ),
    Case(
        "VisitEvidenceForm",
        "inspector",
        lambda w: reverse("discipline:visit_evidence_add", args=[w["visit"].pk]),
        lambda w: {"photo": upload(), "document": upload(), "roll_entry": ident(w["entry"].pk)},
    ),
    Case(
        "FeedbackViolationForm",
        "inspector",
        lambda w: reverse("discipline:feedback_violation", args=[w["feedback"].pk]),
        lambda w: {
            "staff": ident(w["person"].pk),
            "type": number(),
            "occurred_at": moment(),
            "description": text(),
        },
    ),
    Case(
        "TaskViolationForm",
        "inspector",
        lambda w: reverse("discipline:task_violation", args=[w["overdue"].pk]),
        lambda w: {"description": text()},
    ),
    Case(
        "LetterForm",
        "office_chief",
        lambda w: reverse("discipline:letter_edit", args=[w["draft"].pk]),
        lambda w: {
            "kind": choice("reminder", "rectification", "self_review"),
            "subject": text(),
            "recipients": text(),
            "body": text(),
            "response_due": day(),
            "copy_to": text(),
            "signer": number(),
            "addressees": many(ident(w["unit_a"].pk, w["unit_b"].pk)),
            "violations": many(number()),
        },
    ),
    Case(
        "letter issue (no form)",
        "office_chief",
        lambda w: reverse("discipline:letter_issue", args=[w["draft"].pk]),
        lambda w: {"x": text()},
    ),
    Case(
        "letter draft (proposal)",
        "office_chief",
        reverse("discipline:letter_draft"),
        lambda w: {"rule": number(), "target": text()},
        refused=(200, 400, 404),
    ),
    Case(
        "LetterReportForm",
        "unit_head_a",
        lambda w: reverse("discipline:letter_report", args=[w["issued"].pk]),
        lambda w: {
            "unit": ident(w["unit_a"].pk, w["unit_b"].pk),
            "text": text(),
            "files": many(upload()),
        },
    ),
    Case(
        "OneTimeCodeForm (verify)",
        "administrator",
        reverse("otp_verify"),
        lambda w: {"code": st.one_of(st.from_regex(r"\A[0-9]{6}\Z"), text()), "next": text()},
        ignored={"otp_totp_totpdevice"},
    ),
    # inspections
    Case(
        "VisitFilterForm",
        "inspector",
        reverse("inspections:visit_list"),
        lambda w: {"unit": ident(w["unit_a"].pk), "kind": text(), "status": text(), "month": day()},
        method="get",
    ),
    Case(
        "VisitPlanForm",
        "inspector",
        reverse("inspections:visit_plan"),
        lambda w: {
            "unit": ident(w["unit_a"].pk),
            "kind": choice("regular", "unannounced", "thematic"),
            "planned_date": day(),
            "lead_inspector": number(),
            "team": many(number()),
            "summary": text(),
        },
    ),
    Case(
        "planner plan (no form)",
        "inspector",
        reverse("inspections:planner_plan"),
        lambda w: {"unit": ident(w["unit_a"].pk, w["unit_b"].pk)},
        refused=(200, 400, 404),
    ),
    Case(
        "StartForm",
        "inspector",
        lambda w: reverse("inspections:visit_start", args=[w["visit"].pk]),
        lambda w: {"started_at": moment()},
    ),
    Case(
        "CancelForm",
        "inspector",
        lambda w: reverse("inspections:visit_cancel", args=[w["visit"].pk]),
        lambda w: {"reason": text()},
    ),
    Case(
        "MarkForm",
        "inspector",
        lambda w: reverse("inspections:roll_mark", args=[w["visit"].pk, w["entry"].pk]),
        lambda w: {
            "presence": choice(
                "present", "late", "absent_excused", "absent", "on_duty", "on_leave"
            ),
            "arrived_at": clock(),
            "no_badge": flag(),
            "improper_dress": flag(),
            "alcohol_suspected": flag(),
            "note": text(),
        },
        refused=(400, 409),
    ),
    Case(
        "MarkForm (JSON)",
        "inspector",
        lambda w: reverse("inspections:roll_mark", args=[w["visit"].pk, w["entry"].pk]),
        lambda w: {
            name: json_value()
            for name in ("presence", "arrived_at", "no_badge", "improper_dress", "note")
        },
        refused=(400, 409),
        json=True,
    ),
    Case(
        "ChecklistAnswerForm",
        "inspector",
        lambda w: reverse("inspections:checklist_answer", args=[w["visit"].pk, w["answer"].pk]),
        lambda w: {"answer": choice("yes", "no", "partly", ""), "note": text()},
        refused=(400, 409),
    ),
    Case(
        "ChecklistAnswerForm (JSON)",
        "inspector",
        lambda w: reverse("inspections:checklist_answer", args=[w["visit"].pk, w["answer"].pk]),
        lambda w: {"answer": json_value(), "note": json_value()},
        refused=(400, 409),
        json=True,
    ),
    Case(
        "AddToRollForm",
        "inspector",
        lambda w: reverse("inspections:roll_add", args=[w["visit"].pk]),
        lambda w: {"staff": ident(w["person"].pk)},
    ),
    Case(
        "FeedbackForm (public)",
        None,
        lambda w: reverse("inspections:feedback_form", args=[w["unit_a"].feedback_token]),
        lambda w: {
            "category": choice("attitude", "delay", "improper_request", "praise"),
            "text": text(),
            "staff": ident(w["person"].pk),
            "contact": text(),
            "website": st.one_of(st.just(""), text()),
        },
    ),
    Case(
        "ForwardForm",
        "inspector",
        lambda w: reverse("inspections:feedback_forward", args=[w["feedback"].pk]),
        lambda w: {"note": text()},
    ),
    Case(
        "DismissForm",
        "inspector",
        lambda w: reverse("inspections:feedback_dismiss", args=[w["feedback"].pk]),
        lambda w: {"reason": text()},
    ),
    Case(
        "PeriodForm",
        "inspector",
        reverse("inspections:feedback_summary"),
        lambda w: {"start": day(), "end": day()},
        method="get",
    ),
    Case(
        "ReportFilterForm (report)",
        "leader",
        reverse("discipline:report"),
        lambda w: {
            "period": choice("month", "quarter", "half", "year", "range"),
            "start": day(),
            "end": day(),
            "unit": ident(w["unit_a"].pk, w["unit_b"].pk),
            "category": text(),
        },
        method="get",
    ),
    Case(
        "ReportFilterForm (dashboard)",
        "leader",
        reverse("discipline:dashboard"),
        lambda w: {
            "period": choice("month", "quarter", "year"),
            "unit": ident(w["unit_a"].pk),
            "category": text(),
        },
        method="get",
    ),
    Case(
        "DecisionAdminForm (admin)",
        "administrator",
        reverse("admin:discipline_decision_add"),
        lambda w: {
            "staff": ident(w["person"].pk),
            "form": choice("reprimand", "warning", "removal", "dismissal", "recall"),
            "number": text(),
            "decided_on": day(),
            "decided_by": text(),
            "signer_name": text(),
            "signer_position": text(),
            "violations": many(ident(w["disputed"].pk, w["other_violation"].pk)),
            "notes": text(),
        },
    ),
    # units
    Case(
        "TaskAssignForm",
        "unit_head_a",
        "/tasks/new/",
        lambda w: {
            "assignee": ident(w["person"].pk),
            "title": text(),
            "description": text(),
            "expected_result": text(),
            "due_date": day(),
        },
    ),
    Case(
        "TaskNoteForm (progress)",
        "staff_member",
        lambda w: f"/tasks/{w['assigned'].pk}/progress/",
        lambda w: {"progress-note": text()},
    ),
    Case(
        "TaskNoteForm (complete)",
        "staff_member",
        lambda w: f"/tasks/{w['assigned'].pk}/complete/",
        lambda w: {"complete-note": text()},
    ),
    Case(
        "TaskNoteForm (accept)",
        "unit_head_a",
        lambda w: f"/tasks/{w['submitted'].pk}/accept/",
        lambda w: {"accept-note": text()},
    ),
    Case(
        "TaskNoteForm (return)",
        "unit_head_a",
        lambda w: f"/tasks/{w['submitted'].pk}/return/",
        lambda w: {"return-note": text()},
    ),
    Case(
        "DiaryEntryForm (write)",
        "staff_member",
        "/diary/new/",
        lambda w: {"text": text(), "task": ident(w["assigned"].pk, w["overdue"].pk)},
    ),
    Case(
        "DiaryEntryForm (edit)",
        "staff_member",
        lambda w: f"/diary/{w['today_entry'].pk}/edit/",
        lambda w: {"text": text(), "task": ident(w["assigned"].pk)},
    ),
    Case(
        "DiaryCorrectionForm",
        "staff_member",
        lambda w: f"/diary/{w['old_entry'].pk}/correct/",
        lambda w: {"text": text()},
    ),
    # Django's own forms, through our pages
    Case(
        "AuthenticationForm (login)",
        None,
        "/accounts/login/",
        lambda w: {"username": choice("inspector", "staff_a"), "password": text(), "next": text()},
        ignored={"axes_accessattempt", "axes_accesslog", "axes_accessfailurelog"},
    ),
    Case(
        "PasswordChangeForm",
        "staff_member",
        "/accounts/password_change/",
        lambda w: {
            "old_password": choice(factories.PASSWORD),
            "new_password1": text(),
            "new_password2": text(),
        },
    ),
    # admin actions with their own forms
    Case(
        "AdminDisputeForm (admin action)",
        "unit_head_a",
        reverse("admin:discipline_violation_changelist"),
        lambda w: {
            "action": choice("dispute_selected", "acknowledge_selected"),
            "_selected_action": many(ident(w["notified"].pk, w["other_violation"].pk)),
            "apply": flag(),
            "explanation": text(),
            "corrective_action": text(),
        },
        refused=(400,),
    ),
    Case(
        "DraftLetterForm (admin action)",
        "office_chief",
        reverse("admin:discipline_violation_changelist"),
        lambda w: {
            "action": choice("draft_letter"),
            "_selected_action": many(ident(w["notified"].pk, w["other_violation"].pk)),
            "apply": flag(),
            "kind": choice("reminder", "rectification", "self_review"),
        },
        refused=(400,),
    ),
]

ALWAYS_IGNORED = {"django_session", "django_admin_log"}


def _counter(ignored: set):
    tables = [
        t
        for t in connection.introspection.table_names()
        if t not in ALWAYS_IGNORED | ignored and not t.startswith("sqlite_")
    ]
    sql = "SELECT " + " + ".join(f'(SELECT COUNT(*) FROM "{t}")' for t in tables)

    def count() -> int:
        with connection.cursor() as cursor:
            cursor.execute(sql)
            return cursor.fetchone()[0]

    return count


def _url(case: Case, world: dict) -> str:
    return case.url(world) if callable(case.url) else case.url


@pytest.mark.parametrize("case", CASES, ids=[case.form for case in CASES])
def test_generated_input_never_breaks_a_form_or_half_saves(request, world, case, settings_):
    client = Client(raise_request_exception=True)
    if case.persona:
        user = request.getfixturevalue(case.persona)
        client.force_login(user)
        if case.form.startswith("OneTimeCodeForm"):
            from django_otp.plugins.otp_totp.models import TOTPDevice

            TOTPDevice.objects.create(user=user, name="TOTP", confirmed=True)
    url = _url(case, world)
    fields = case.fields(world)
    count = _counter(case.ignored)
    statuses = []

    @FUZZ
    @given(data=st.data())
    def run(data):
        payload = {}
        for name, strategy in fields.items():
            value = data.draw(st.one_of(st.just(OMIT), strategy), label=name)
            if value is not OMIT:
                payload[name] = value
        if data.draw(st.booleans(), label="junk field"):
            payload[data.draw(st.text(max_size=10), label="junk name")] = data.draw(text())
        cache.clear()
        with transaction.atomic():
            before = count()
            if case.json:
                response = client.post(
                    url,
                    json.dumps(payload, default=str),
                    content_type="application/json",
                    headers={"accept": "application/json"},
                )
            elif case.method == "get":
                response = client.get(url, payload)
            else:
                response = client.post(url, payload, REMOTE_ADDR="10.9.8.7")
            statuses.append(response.status_code)
            assert response.status_code < 500, payload
            if case.method == "get" or response.status_code in case.refused:
                assert count() == before, (response.status_code, payload)
            transaction.set_rollback(True)

    run()
    assert len(statuses) >= EXAMPLES


@pytest.fixture
def settings_(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.OTP_REQUIRED_ROLES = ["administrators"]
    return settings
