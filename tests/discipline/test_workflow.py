"""The answer workflow of DESIGN.md §3, service by service: every allowed transition records
who and when, every refused one changes nothing and says why."""

import datetime
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from discipline import services
from discipline.models import Evidence, Violation
from tests import factories
from units.models import Notification

S = Violation.Status
PNG = factories.tiny_png()


def frozen(when):
    return mock.patch("django.utils.timezone.now", return_value=when)


def _state(violation: Violation) -> dict:
    violation.refresh_from_db()
    return {
        f.attname: getattr(violation, f.attname)
        for f in Violation._meta.concrete_fields
        if f.attname != "recorded_at"
    }


def _last(violation):
    return violation.history.order_by("-history_date", "-history_id").first()


@pytest.fixture
def notified(inspector, unit_head_a, violation_a):
    services.notify_unit_heads(violations=[violation_a], by=inspector)
    violation_a.refresh_from_db()
    return violation_a


@pytest.fixture
def disputed(notified, unit_head_a):
    return services.dispute_violation(
        violation=notified, by=unit_head_a, explanation="Đi họp theo giấy mời."
    )


@pytest.fixture
def upheld(disputed, inspector):
    return services.rule_on_violation(
        violation=disputed, by=inspector, outcome="upheld", reason="Không có giấy mời."
    )


@pytest.fixture
def acknowledged(notified, unit_head_a):
    return services.acknowledge_violation(
        violation=notified, by=unit_head_a, corrective_action="Đã nhắc nhở."
    )


def _to(status, request):
    """A violation of unit A in `status`, reached through the services."""
    if status == S.RECORDED:
        return request.getfixturevalue("violation_a")
    if status in (S.NOTIFIED, S.DISPUTED, S.UPHELD, S.ACKNOWLEDGED):
        return request.getfixturevalue(
            {
                S.NOTIFIED: "notified",
                S.DISPUTED: "disputed",
                S.UPHELD: "upheld",
                S.ACKNOWLEDGED: "acknowledged",
            }[status]
        )
    inspector = request.getfixturevalue("inspector")
    if status == S.DISMISSED:
        return services.rule_on_violation(
            violation=request.getfixturevalue("disputed"),
            by=inspector,
            outcome="dismissed",
            reason="Có giấy mời hợp lệ.",
        )
    if status == S.CLOSED:
        return services.close_violation(
            violation=request.getfixturevalue("acknowledged"), by=inspector
        )
    if status == S.VOIDED:
        return services.void_violation(
            violation=request.getfixturevalue("violation_a"), by=inspector, reason="Nhầm."
        )
    raise AssertionError(status)


# --- allowed transitions, with who and when in the history ---------------------------------------


def test_acknowledge_records_corrective_action_actor_and_time(notified, unit_head_a):
    when = (timezone.now() + datetime.timedelta(hours=2)).replace(microsecond=0)
    with frozen(when):
        services.acknowledge_violation(
            violation=notified, by=unit_head_a, corrective_action="  Đã nhắc nhở.  "
        )
    notified.refresh_from_db()
    assert notified.status == S.ACKNOWLEDGED
    assert notified.corrective_action == "Đã nhắc nhở."
    assert notified.answered_at == when
    record = _last(notified)
    assert (record.history_user, record.history_change_reason, record.history_date) == (
        unit_head_a,
        "acknowledged",
        when,
    )
    assert notified.stands


def test_dispute_records_explanation_attaches_evidence_and_tells_inspectors(
    notified, unit_head_a, inspector, other_inspector, office_chief
):
    upload = SimpleUploadedFile("giay-moi.png", PNG, content_type="image/png")
    services.dispute_violation(
        violation=notified, by=unit_head_a, explanation="Đi họp.", evidence=[upload]
    )
    notified.refresh_from_db()
    assert notified.status == S.DISPUTED
    assert notified.explanation == "Đi họp."
    assert notified.answered_at is not None
    assert (_last(notified).history_user, _last(notified).history_change_reason) == (
        unit_head_a,
        "disputed",
    )
    evidence = Evidence.objects.get(violation=notified)
    assert (evidence.uploaded_by, evidence.content_type) == (unit_head_a, "image/png")
    told = set(Notification.objects.filter(url=notified.get_absolute_url()).values_list("user"))
    # This Authority's inspectors only: not another Authority's, not the office chief.
    assert (inspector.pk,) in told
    assert (other_inspector.pk,) not in told and (office_chief.pk,) not in told


@pytest.mark.parametrize("outcome", ["upheld", "dismissed"])
def test_ruling_records_outcome_reason_actor_and_tells_the_unit_head(
    disputed, inspector, unit_head_a, outcome
):
    services.rule_on_violation(
        violation=disputed, by=inspector, outcome=outcome, reason="Lý do kết luận."
    )
    disputed.refresh_from_db()
    assert disputed.status == outcome
    assert disputed.ruling_reason == "Lý do kết luận."
    assert disputed.ruled_at is not None
    assert (_last(disputed).history_user, _last(disputed).history_change_reason) == (
        inspector,
        outcome,
    )
    notice = Notification.objects.get(user=unit_head_a, key=f"ruled:{disputed.pk}")
    assert notice.url == disputed.get_absolute_url()
    assert disputed.stands is (outcome == "upheld")


def test_unit_head_accepts_an_upheld_ruling_with_corrective_action(upheld, unit_head_a):
    assert upheld.awaits_corrective_action
    answered_at = upheld.answered_at
    services.acknowledge_violation(
        violation=upheld, by=unit_head_a, corrective_action="Kiểm điểm trước cơ quan."
    )
    upheld.refresh_from_db()
    # The status stays `upheld` (DESIGN.md §3 has no upheld → acknowledged edge); the action
    # is recorded, in the history as the unit's acknowledgement.
    assert upheld.status == S.UPHELD
    assert upheld.corrective_action == "Kiểm điểm trước cơ quan."
    assert upheld.answered_at == answered_at
    assert not upheld.awaits_corrective_action
    assert (_last(upheld).history_user, _last(upheld).history_change_reason) == (
        unit_head_a,
        "acknowledged",
    )


@pytest.mark.parametrize("status", [S.ACKNOWLEDGED, S.UPHELD])
def test_acknowledged_and_upheld_violations_can_be_closed(request, inspector, status):
    violation = _to(status, request)
    services.close_violation(violation=violation, by=inspector)
    violation.refresh_from_db()
    assert violation.status == S.CLOSED
    assert violation.closed_at is not None
    assert (_last(violation).history_user, _last(violation).history_change_reason) == (
        inspector,
        "closed",
    )
    assert violation.stands


def test_the_whole_story_is_in_the_history_in_order(upheld, unit_head_a, inspector):
    services.acknowledge_violation(violation=upheld, by=unit_head_a, corrective_action="Xong.")
    services.close_violation(violation=upheld, by=inspector)
    steps = list(
        upheld.history.order_by("history_date", "history_id").values_list(
            "history_change_reason", "history_user__username"
        )
    )
    assert steps == [
        ("recorded", "inspector"),
        ("notified", "inspector"),
        ("disputed", "head_a"),
        ("upheld", "inspector"),
        ("acknowledged", "head_a"),
        ("closed", "inspector"),
    ]


# --- refused transitions change nothing ----------------------------------------------------------

ALL = list(S)
REFUSALS = [
    # (service, statuses it accepts)
    ("acknowledge", {S.NOTIFIED, S.UPHELD}),
    ("dispute", {S.NOTIFIED}),
    ("rule", {S.DISPUTED}),
    ("close", {S.ACKNOWLEDGED, S.UPHELD}),
    ("void", set(ALL) - {S.CLOSED, S.VOIDED}),
]


def _call(name, violation, request):
    head = request.getfixturevalue("unit_head_a")
    inspector = request.getfixturevalue("inspector")
    return {
        "acknowledge": lambda: services.acknowledge_violation(
            violation=violation, by=head, corrective_action="x"
        ),
        "dispute": lambda: services.dispute_violation(
            violation=violation, by=head, explanation="x"
        ),
        "rule": lambda: services.rule_on_violation(
            violation=violation, by=inspector, outcome="upheld", reason="x"
        ),
        "close": lambda: services.close_violation(violation=violation, by=inspector),
        "void": lambda: services.void_violation(violation=violation, by=inspector, reason="x"),
    }[name]()


@pytest.mark.parametrize(
    ("name", "status"),
    [(name, status) for name, allowed in REFUSALS for status in ALL if status not in allowed],
)
def test_transition_not_in_the_state_machine_is_refused_and_changes_nothing(
    db, request, name, status
):
    violation = _to(status, request)
    before = _state(violation)
    history = violation.history.count()
    notices = Notification.objects.count()
    with pytest.raises(services.ViolationError) as error:
        _call(name, violation, request)
    assert str(error.value)  # a message for the user
    assert _state(violation) == before
    assert violation.history.count() == history
    assert Notification.objects.count() == notices


def test_upheld_violation_with_corrective_action_cannot_be_acknowledged_twice(upheld, unit_head_a):
    services.acknowledge_violation(violation=upheld, by=unit_head_a, corrective_action="Một.")
    with pytest.raises(services.ViolationError):
        services.acknowledge_violation(violation=upheld, by=unit_head_a, corrective_action="Hai.")
    upheld.refresh_from_db()
    assert upheld.corrective_action == "Một."


def test_ruling_on_a_violation_that_was_not_disputed_says_so(notified, inspector):
    with pytest.raises(services.ViolationError, match="khiếu nại"):
        services.rule_on_violation(violation=notified, by=inspector, outcome="upheld", reason="x")


def test_refusal_uses_the_current_row_not_a_stale_copy(notified, unit_head_a, inspector):
    stale = Violation.objects.get(pk=notified.pk)
    services.acknowledge_violation(violation=notified, by=unit_head_a, corrective_action="Xong.")
    with pytest.raises(services.ViolationError):
        services.dispute_violation(violation=stale, by=unit_head_a, explanation="Muộn.")
    notified.refresh_from_db()
    assert notified.status == S.ACKNOWLEDGED


# --- bad input is refused next to its field, nothing saved ---------------------------------------


@pytest.mark.parametrize(
    ("name", "field"),
    [("acknowledge", "corrective_action"), ("dispute", "explanation"), ("rule", "reason")],
)
def test_empty_text_is_refused_next_to_its_field(db, request, name, field):
    violation = _to(S.DISPUTED if name == "rule" else S.NOTIFIED, request)
    before = _state(violation)
    head, inspector = request.getfixturevalue("unit_head_a"), request.getfixturevalue("inspector")
    with pytest.raises(ValidationError) as error:
        if name == "acknowledge":
            services.acknowledge_violation(violation=violation, by=head, corrective_action="  ")
        elif name == "dispute":
            services.dispute_violation(violation=violation, by=head, explanation="")
        else:
            services.rule_on_violation(
                violation=violation, by=inspector, outcome="upheld", reason=" "
            )
    assert field in error.value.message_dict
    assert _state(violation) == before


def test_ruling_must_be_upheld_or_dismissed(disputed, inspector):
    with pytest.raises(ValidationError) as error:
        services.rule_on_violation(violation=disputed, by=inspector, outcome="closed", reason="x")
    assert "outcome" in error.value.message_dict
    disputed.refresh_from_db()
    assert disputed.status == S.DISPUTED


def test_dispute_with_a_file_that_is_not_an_image_saves_nothing(notified, unit_head_a):
    upload = SimpleUploadedFile("anh.png", b"MZ not an image at all", content_type="image/png")
    with pytest.raises(ValidationError):
        services.dispute_violation(
            violation=notified, by=unit_head_a, explanation="Đi họp.", evidence=[upload]
        )
    notified.refresh_from_db()
    assert notified.status == S.NOTIFIED
    assert notified.explanation == ""
    assert not Evidence.objects.exists()
    assert not Notification.objects.filter(key=f"disputed:{notified.pk}").exists()


# --- who may do what -----------------------------------------------------------------------------


def test_unit_head_cannot_answer_for_another_units_violation(inspector, unit_head_b, violation_a):
    services.notify_unit_heads(violations=[violation_a], by=inspector)
    with pytest.raises(PermissionDenied):
        services.acknowledge_violation(violation=violation_a, by=unit_head_b, corrective_action="x")
    with pytest.raises(PermissionDenied):
        services.dispute_violation(violation=violation_a, by=unit_head_b, explanation="x")
    violation_a.refresh_from_db()
    assert violation_a.status == S.NOTIFIED


def test_only_inspectors_rule_and_close(disputed, unit_head_a, office_chief, administrator):
    for user in (unit_head_a, office_chief, administrator):
        with pytest.raises(PermissionDenied):
            services.rule_on_violation(violation=disputed, by=user, outcome="dismissed", reason="x")
    disputed.refresh_from_db()
    assert disputed.status == S.DISPUTED


def test_inspector_cannot_answer_for_the_unit(notified, inspector):
    with pytest.raises(PermissionDenied):
        services.acknowledge_violation(violation=notified, by=inspector, corrective_action="x")


def test_staff_member_cannot_dispute_their_own_violation(inspector, staff_member):
    own = factories.violation(staff_member.staff, by=inspector)
    services.notify_unit_heads(violations=[own], by=inspector)
    with pytest.raises(PermissionDenied):
        services.dispute_violation(violation=own, by=staff_member, explanation="Không đúng.")


def test_inspector_of_another_authority_cannot_rule(disputed, other_inspector):
    with pytest.raises(PermissionDenied):
        services.rule_on_violation(
            violation=disputed, by=other_inspector, outcome="dismissed", reason="x"
        )
