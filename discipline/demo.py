"""The demo district: directive 455/UBND-NV's Vĩnh Hưng district as of 2018, with fictional
people and a few months of visits and violations ending today. Used by `loaddemo` and tests."""

import contextlib
import datetime
import random
from unittest import mock

from django.contrib.auth.models import Group, User
from django.db import transaction
from django.utils import timezone

from discipline import selectors, services
from discipline.models import Letter, Violation, ViolationType
from inspections.models import ChecklistAnswer, Feedback, RollEntry, Visit
from inspections.services import (
    answer_checklist,
    dismiss_feedback,
    mark_roll_entry,
    plan_visit,
    start_visit,
)
from units.calendar import add_working_days, is_working_day, working_days_back
from units.models import Authority, DiaryEntry, Notification, Staff, Task, Unit
from units.roles import Role
from units.services import notify, save_tracked

DEMO_AUTHORITY_NAME = "Ủy ban nhân dân huyện Vĩnh Hưng"
DEMO_PASSWORD = "kycuong-demo"
DEMO_USERS = {
    "admin": "Administrator (Văn phòng HĐND và UBND)",
    "inspector": "Inspector (Phòng Nội vụ)",
    "unithead": "Unit head: Chủ tịch UBND xã Khánh Hưng",
    "chief": "Office chief: Chánh Văn phòng HĐND và UBND",
    "leader": "Leader: Chủ tịch UBND huyện",
    "canbo": "Staff member (no role): công chức Tư pháp - Hộ tịch, UBND xã Khánh Hưng",
}

AGENCIES = [
    # name, code, kind, staff count
    ("Thường trực UBND huyện", "TT", Unit.Kind.AGENCY, 4),
    ("Văn phòng HĐND và UBND huyện", "VP", Unit.Kind.AGENCY, 18),
    ("Phòng Nội vụ", "NV", Unit.Kind.AGENCY, 8),
    ("Phòng Tài chính - Kế hoạch", "TCKH", Unit.Kind.AGENCY, 9),
    ("Phòng Tư pháp", "TP", Unit.Kind.AGENCY, 5),
    ("Phòng Tài nguyên và Môi trường", "TNMT", Unit.Kind.AGENCY, 9),
    ("Phòng Kinh tế - Hạ tầng", "KTHT", Unit.Kind.AGENCY, 8),
    ("Phòng Nông nghiệp và Phát triển nông thôn", "NNPTNT", Unit.Kind.AGENCY, 8),
    ("Phòng Lao động - Thương binh và Xã hội", "LĐTBXH", Unit.Kind.AGENCY, 7),
    ("Phòng Văn hóa và Thông tin", "VHTT", Unit.Kind.AGENCY, 6),
    ("Phòng Giáo dục và Đào tạo", "GDĐT", Unit.Kind.AGENCY, 9),
    ("Phòng Y tế", "YT", Unit.Kind.AGENCY, 4),
    ("Thanh tra huyện", "TTr", Unit.Kind.AGENCY, 5),
    ("Ban Quản lý dự án đầu tư xây dựng huyện", "BQLDA", Unit.Kind.PUBLIC_SERVICE, 8),
    ("Trung tâm Văn hóa - Thể thao huyện", "TTVHTT", Unit.Kind.PUBLIC_SERVICE, 7),
]
COMMUNES = [
    ("UBND thị trấn Vĩnh Hưng", "TTVH"),
    ("UBND xã Khánh Hưng", "KH"),
    ("UBND xã Hưng Điền A", "HĐA"),
    ("UBND xã Thái Bình Trung", "TBT"),
    ("UBND xã Thái Trị", "TTRI"),
    ("UBND xã Tuyên Bình", "TB"),
    ("UBND xã Tuyên Bình Tây", "TBTAY"),
    ("UBND xã Vĩnh Bình", "VB"),
    ("UBND xã Vĩnh Thuận", "VT"),
    ("UBND xã Vĩnh Trị", "VTRI"),
]
COMMUNE_POSITIONS = [
    "Chủ tịch UBND",
    "Phó Chủ tịch UBND",
    "Phó Chủ tịch UBND",
    "Công chức Văn phòng - Thống kê",
    "Công chức Văn phòng - Thống kê",
    "Công chức Địa chính - Xây dựng",
    "Công chức Địa chính - Nông nghiệp",
    "Công chức Tư pháp - Hộ tịch",
    "Công chức Tư pháp - Hộ tịch",
    "Công chức Tài chính - Kế toán",
    "Công chức Văn hóa - Xã hội",
    "Công chức Văn hóa - Xã hội",
    "Chỉ huy trưởng Quân sự",
    "Công chức Một cửa",
    "Công chức Một cửa",
    "Nhân viên hợp đồng",
    "Nhân viên hợp đồng",
    "Nhân viên hợp đồng",
    "Công chức Địa chính - Xây dựng",
    "Công chức Tài chính - Kế toán",
]

SURNAMES = [
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Huỳnh",
    "Hoàng",
    "Võ",
    "Phan",
    "Trương",
    "Bùi",
    "Đặng",
    "Đỗ",
    "Ngô",
    "Hồ",
    "Dương",
    "Lâm",
    "Đinh",
    "Châu",
    "Tạ",
    "Lương",
]
MIDDLE = [
    "Văn",
    "Thị",
    "Minh",
    "Thanh",
    "Hoàng",
    "Ngọc",
    "Quốc",
    "Thị Kim",
    "Hữu",
    "Đức",
    "Thị Mỹ",
    "Công",
    "Trung",
    "Bảo",
    "Kim",
    "Xuân",
    "Phước",
    "Thành",
]
GIVEN = [
    "An",
    "Bình",
    "Cường",
    "Dũng",
    "Giang",
    "Hà",
    "Hải",
    "Hạnh",
    "Hiếu",
    "Hoa",
    "Hùng",
    "Hương",
    "Khánh",
    "Lan",
    "Linh",
    "Long",
    "Mai",
    "Minh",
    "Nam",
    "Nga",
    "Nhung",
    "Phúc",
    "Phương",
    "Quang",
    "Sơn",
    "Tâm",
    "Thảo",
    "Thắng",
    "Thu",
    "Trang",
    "Trí",
    "Tuấn",
    "Tùng",
    "Uyên",
    "Vân",
    "Việt",
    "Vinh",
    "Xuân",
    "Yến",
    "Lộc",
    "Tài",
    "Nghĩa",
]

DEMO_DAYS = 120


def load_demo(*, today: datetime.date | None = None) -> str:
    """Create the demo district once. Return a summary, or "" if it was already there."""
    existing = Authority.objects.filter(name=DEMO_AUTHORITY_NAME).first()
    if existing is not None:
        # A demo loaded before decisions existed gets them now; otherwise nothing changes.
        with transaction.atomic():
            add_demo_decisions(existing, today=today or timezone.localdate())
        return ""
    with transaction.atomic():
        return _Builder(today or timezone.localdate()).build()


class _Builder:
    def __init__(self, today: datetime.date):
        self.today = today
        self.rng = random.Random(455)
        self.badge = 0
        self.units: dict[str, Unit] = {}
        self.staff_by_unit: dict[str, list[Staff]] = {}
        self.users: dict[str, User] = {}

    def build(self) -> str:
        self.keeper = User.objects.create_user(
            "demo-loader", first_name="Nhập liệu mẫu", is_active=False
        )
        self.authority = Authority.objects.create(
            name=DEMO_AUTHORITY_NAME,
            parent_body="UBND TỈNH LONG AN",
            issuing_body="ỦY BAN NHÂN DÂN\nHUYỆN VĨNH HƯNG",
            abbreviation="UBND",
            place_name="Vĩnh Hưng",
        )
        self._organisation()
        self._users()
        visits, violations = self._visits()
        violations += self._other_violations()
        self._statuses()
        tasks = self._tasks()
        entries = self._diaries()
        feedback = self._feedback()
        letters = self._letters()
        decisions = add_demo_decisions(self.authority, today=self.today)
        self._after_the_fact()
        return (
            f"{len(self.units)} units, {Staff.objects.filter(authority=self.authority).count()} "
            f"staff, {visits} visits, {violations} violations, {tasks} tasks, "
            f"{entries} diary entries, {feedback} citizen feedback items, {letters} letters, "
            f"{decisions} disciplinary decisions"
        )

    # --- organisation -------------------------------------------------------------------
    def _name(self) -> str:
        rng = self.rng
        return f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"

    def _staff(self, unit: Unit, position: str, category: str) -> Staff:
        self.badge += 1
        staff = Staff(
            unit=unit,
            full_name=self._name(),
            position=position,
            category=category,
            badge_number=f"VH-{self.badge:04d}",
        )
        from units.services import save_staff

        save_staff(staff=staff, by=self.keeper)
        self.staff_by_unit.setdefault(unit.code, []).append(staff)
        return staff

    def _organisation(self) -> None:
        for name, code, kind, count in AGENCIES:
            unit = save_tracked(
                Unit(authority=self.authority, name=name, code=code, kind=kind),
                by=self.keeper,
                reason="saved",
            )
            self.units[code] = unit
            if code == "TT":
                positions = [
                    "Chủ tịch UBND huyện",
                    "Phó Chủ tịch UBND huyện",
                    "Phó Chủ tịch UBND huyện",
                    "Thư ký Chủ tịch",
                ]
            elif code == "VP":
                positions = [
                    "Chánh Văn phòng",
                    "Phó Chánh Văn phòng",
                    "Phó Chánh Văn phòng",
                    "Chuyên viên công nghệ thông tin",
                ] + ["Chuyên viên"] * (count - 4)
            elif kind == Unit.Kind.PUBLIC_SERVICE:
                positions = ["Giám đốc", "Phó Giám đốc"] + ["Viên chức"] * (count - 2)
            else:
                head = "Chánh Thanh tra" if code == "TTr" else "Trưởng phòng"
                deputy = "Phó Chánh Thanh tra" if code == "TTr" else "Phó Trưởng phòng"
                positions = [head, deputy] + ["Chuyên viên"] * (count - 2)
            for index, position in enumerate(positions):
                if kind == Unit.Kind.PUBLIC_SERVICE:
                    category = Staff.Category.PUBLIC_EMPLOYEE
                elif code == "TT" and index < 3:
                    category = Staff.Category.CADRE
                else:
                    category = Staff.Category.CIVIL_SERVANT
                self._staff(unit, position, category)
            self._set_head(unit)
        for name, code in COMMUNES:
            unit = save_tracked(
                Unit(authority=self.authority, name=name, code=code, kind=Unit.Kind.COMMUNE),
                by=self.keeper,
                reason="saved",
            )
            self.units[code] = unit
            for position in COMMUNE_POSITIONS:
                if position.startswith(("Chủ tịch", "Phó Chủ tịch")):
                    category = Staff.Category.CADRE
                elif position.startswith("Nhân viên"):
                    category = Staff.Category.CONTRACT
                else:
                    category = Staff.Category.CIVIL_SERVANT
                self._staff(unit, position, category)
            self._set_head(unit)
        # One person left the service: inactive staff keep their history.
        leaver = self.staff_by_unit["TCKH"][-1]
        leaver.is_active = False
        save_tracked(leaver, by=self.keeper, reason="saved", update_fields=["is_active"])

    def _set_head(self, unit: Unit) -> None:
        unit.head = self.staff_by_unit[unit.code][0]
        save_tracked(unit, by=self.keeper, reason="saved", update_fields=["head"])

    def _users(self) -> None:
        groups = {role: Group.objects.get(name=role) for role in Role.values}
        accounts = [
            ("admin", self.staff_by_unit["VP"][3], Role.ADMINISTRATORS, True),
            ("inspector", self.staff_by_unit["NV"][2], Role.INSPECTORS, False),
            ("unithead", self.staff_by_unit["KH"][0], Role.UNIT_HEADS, False),
            ("chief", self.staff_by_unit["VP"][0], Role.OFFICE_CHIEF, False),
            ("leader", self.staff_by_unit["TT"][0], Role.LEADERS, False),
            # A plain official with a login and no role: their own tasks and work diary.
            ("canbo", self.staff_by_unit["KH"][7], None, False),
        ]
        for username, staff, role, superuser in accounts:
            user = User.objects.create_user(
                username,
                password=DEMO_PASSWORD,
                # Vietnamese names read family name first: keep the whole name in one field.
                first_name=staff.full_name,
                # The address comes at the end (_after_the_fact): the demo's past mails nobody.
                is_staff=role is not None,
                is_superuser=superuser,
            )
            if role is not None:
                user.groups.add(groups[role])
            staff.user = user
            save_tracked(staff, by=self.keeper, reason="saved", update_fields=["user"])
            self.users[username] = user
        # The second inspector of Phòng Nội vụ, so visits have a team.
        self.inspectors = self.staff_by_unit["NV"][1:4]

    # --- visits and violations -------------------------------------------------------------
    def _at(self, day: datetime.date, hour: int, minute: int) -> datetime.datetime:
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))

    def _visits(self) -> tuple[int, int]:
        """About a third of working days have a visit; past ones were run and finished through
        the same services as the roll page (start, mark, checklist, findings → violations)."""
        inspector = self.users["inspector"]
        lead = inspector.staff
        codes = list(self.units)
        visits = violations = 0
        day = self.today - datetime.timedelta(days=DEMO_DAYS)
        while day < self.today:
            day += datetime.timedelta(days=1)
            if not is_working_day(day) or self.rng.random() > 0.35:
                continue
            unit = self.units[self.rng.choice(codes[1:])]
            kind = self.rng.choice(
                [
                    Visit.Kind.UNANNOUNCED,
                    Visit.Kind.UNANNOUNCED,
                    Visit.Kind.REGULAR,
                    Visit.Kind.THEMATIC,
                ]
            )
            visit = plan_visit(
                unit=unit,
                kind=kind,
                planned_date=day,
                lead_inspector=lead,
                team=[self.inspectors[0]],
                by=inspector,
            )
            visits += 1
            if day == self.today:
                continue
            morning = self.rng.random() < 0.7
            start = self._at(day, 7, 20) if morning else self._at(day, 13, 45)
            start_visit(visit=visit, by=inspector, started_at=start)
            self._roll(visit, start, morning, inspector)
            self._checklist(visit, inspector)
            violations += len(services.record_visit_findings(visit=visit, by=inspector))
            self._finish(visit, start, inspector)
        # Two visits ahead, one unannounced: the planner's work for next week.
        for offset, kind in [(3, Visit.Kind.REGULAR), (6, Visit.Kind.UNANNOUNCED)]:
            plan_visit(
                unit=self.units[self.rng.choice(codes[1:])],
                kind=kind,
                planned_date=add_working_days(self.today, offset),
                lead_inspector=lead,
                by=inspector,
            )
            visits += 1
        return visits, violations

    def _roll(self, visit, start, morning, inspector) -> None:
        """Mark the few people who were not simply present; everyone else stays present."""
        for entry in visit.roll.select_related("staff"):
            mark = {
                "presence": RollEntry.Presence.PRESENT,
                "badge_worn": True,
                "dress_proper": True,
                "alcohol_suspected": False,
                "note": "",
            }
            roll = self.rng.random()
            if roll < 0.10 and morning:
                mark["presence"] = RollEntry.Presence.LATE
                mark["arrived_at"] = start + datetime.timedelta(minutes=self.rng.randint(10, 40))
            elif roll < 0.12:
                mark["presence"] = RollEntry.Presence.ABSENT_WITHOUT_REASON
            elif roll < 0.17:
                mark["presence"] = RollEntry.Presence.ABSENT_ON_DUTY
                mark["note"] = "Có giấy cử đi công tác."
            elif roll < 0.20:
                mark["presence"] = RollEntry.Presence.ON_LEAVE
            if mark["presence"] in (RollEntry.Presence.PRESENT, RollEntry.Presence.LATE):
                if self.rng.random() < 0.07:
                    mark["badge_worn"] = False
                if self.rng.random() < 0.02:
                    mark["dress_proper"] = False
                if not morning and self.rng.random() < 0.04:
                    mark["alcohol_suspected"] = True
                    mark["note"] = "Có mùi rượu bia sau giờ nghỉ trưa."
            if mark["presence"] != RollEntry.Presence.PRESENT or not (
                mark["badge_worn"] and mark["dress_proper"] and not mark["alcohol_suspected"]
            ):
                mark_roll_entry(entry=entry, by=inspector, **mark)

    CHECKLIST_NOTES = {
        "work_diaries": "02 công chức chưa cập nhật sổ nhật ký công việc trong tuần.",
        "working_regulations": "Quy chế làm việc ban hành năm 2015, chưa rà soát lại.",
        "task_assignment": "Chưa có văn bản phân công nhiệm vụ cho công chức mới.",
        "periodic_reports": "Báo cáo tháng gửi trễ 03 ngày.",
        "citizen_reception": "Bộ phận một cửa chưa niêm yết lịch tiếp công dân.",
        "badges_worn": "Một số công chức không đeo thẻ.",
    }

    def _checklist(self, visit, inspector) -> None:
        for answer in visit.checklist.select_related("item"):
            roll = self.rng.random()
            if roll < 0.75:
                answer_checklist(answer=answer, by=inspector, value=ChecklistAnswer.Answer.YES)
            elif roll < 0.90:
                answer_checklist(
                    answer=answer,
                    by=inspector,
                    value=ChecklistAnswer.Answer.NO,
                    note=self.CHECKLIST_NOTES.get(answer.item.code, ""),
                )
            # else: left "not checked", as happens when time runs short

    def _finish(self, visit, start, inspector) -> None:
        """Freeze the visit as finish_visit does, but dated in the past and without telling the
        unit head now: _statuses() walks the violations through their own past."""
        head = visit.unit.head
        visit.refresh_from_db()
        visit.status = Visit.Status.FINISHED
        visit.finished_at = start + datetime.timedelta(minutes=50)
        visit.summary = (
            "Kiểm tra việc chấp hành thời gian làm việc, đeo thẻ, trang phục. Đề nghị đơn vị "
            "chấn chỉnh các trường hợp vi phạm và báo cáo kết quả khắc phục."
        )
        visit.unit_representative = f"{head.full_name}, {head.position}" if head else ""
        visit._history_date = visit.finished_at
        save_tracked(
            visit,
            by=inspector,
            reason="finished",
            update_fields=["status", "finished_at", "summary", "unit_representative"],
        )
        # The services stamped their history rows with the loading time: move them to the day
        # of the visit, where they belong in this made-up past.
        Visit.history.filter(id=visit.pk, history_change_reason="started").update(
            history_date=start
        )
        during = start + datetime.timedelta(minutes=30)
        RollEntry.history.filter(visit_id=visit.pk).update(history_date=during)
        ChecklistAnswer.history.filter(visit_id=visit.pk).update(history_date=during)
        Violation.history.filter(visit_id=visit.pk).update(history_date=visit.finished_at)

    def _other_violations(self) -> int:
        inspector = self.users["inspector"]
        types = {t.code: t for t in ViolationType.objects.all()}
        # A repeat offender in Khánh Hưng, so the escalation rules have someone to propose.
        offender = self.offender = self.staff_by_unit["KH"][8]
        count = 0
        for days_ago, code in [
            (70, "late_early"),
            (45, "no_badge"),
            (30, "late_early"),
            (12, "private_business"),
        ]:
            day = self.today - datetime.timedelta(days=days_ago)
            with _as_of(self._at(day, 8, 45)):
                services.record_violation(
                    staff=offender,
                    type=types[code],
                    occurred_at=self._at(day, 7, 45),
                    by=inspector,
                    source=Violation.Source.OTHER,
                    description="Phát hiện qua theo dõi của Phòng Nội vụ.",
                )
            count += 1
        for days_ago, unit_code, code, text in [
            (40, "HĐA", "attitude", "Công dân phản ánh cán bộ một cửa trả lời thiếu tôn trọng."),
            (20, "TNMT", "slow_task", "Hồ sơ đất đai trễ hạn 15 ngày không có văn bản xin lỗi."),
            (1, "TTVH", "gathering", "Tụ tập uống cà phê ngoài trụ sở lúc 9 giờ 30."),
            (2, "KH", "attitude", "Công dân phản ánh qua đường dây nóng: bị hẹn lại nhiều lần."),
            (5, "KH", "absent", "Vắng mặt tại bộ phận một cửa lúc 9 giờ 30, không báo cáo."),
        ]:
            day = self.today - datetime.timedelta(days=days_ago)
            staff = self.rng.choice(self.staff_by_unit[unit_code][3:])
            with _as_of(self._at(day, 10, 30)):
                services.record_violation(
                    staff=staff,
                    type=types[code],
                    occurred_at=self._at(day, 9, 30),
                    by=inspector,
                    source=Violation.Source.OTHER,
                    description=text,
                )
            count += 1
        return count

    # Where violations end up, cycled so that every status is present: older ones further along.
    OLD_OUTCOMES = [
        "closed",
        "acknowledged",
        "upheld",
        "closed",
        "dismissed",
        "acknowledged",
        "closed_upheld",
        "voided",
        "disputed",
        "closed",
        "notified",
    ]
    MID_OUTCOMES = ["acknowledged", "disputed", "notified", "acknowledged", "upheld", "voided"]

    def _statuses(self) -> None:
        """Walk violations through the states, each transition by the person who makes it."""
        violations = Violation.objects.filter(unit__authority=self.authority).select_related(
            "unit__head__user"
        )
        old = mid = 0
        for violation in violations.order_by("occurred_at", "pk"):
            age = (self.today - timezone.localdate(violation.occurred_at)).days
            if age < 3:
                continue  # still `recorded`
            if age < 10:
                outcome = "notified"
            elif age < 25:
                outcome = self.MID_OUTCOMES[mid % len(self.MID_OUTCOMES)]
                mid += 1
            else:
                outcome = self.OLD_OUTCOMES[old % len(self.OLD_OUTCOMES)]
                old += 1
                if violation.staff_id == self.offender.pk:
                    # The repeat offender's older breaches stand, so a letter is proposed.
                    outcome = "acknowledged"
            self._walk(violation, outcome)

    def _walk(self, violation: Violation, outcome: str) -> None:
        """Take one violation to `outcome` through the real services, each step by the person
        who takes it at the time it happens. Only Khánh Hưng's head answers with a login of
        their own; other units' answers are entered by the demo's data-entry account, as a
        secretary would from paper."""
        inspector = self.users["inspector"]
        head = getattr(violation.unit.head, "user", None)
        if head is not None and not head.has_perm("discipline.answer_violation"):
            head = None  # e.g. the office chief heads Văn phòng but is not in unit_heads
        when = violation.occurred_at + datetime.timedelta(hours=2)
        with _as_of(when):
            services.notify_unit_heads(violations=[violation], by=inspector)
        if outcome == "notified":
            return
        when += datetime.timedelta(days=2)
        if outcome == "voided":
            with _as_of(when):
                services.void_violation(
                    violation=violation,
                    by=inspector,
                    reason="Ghi nhận nhầm người; đã xác minh lại với đơn vị.",
                )
            return
        if outcome in ("disputed", "upheld", "dismissed", "closed_upheld"):
            self._answer(
                violation,
                head,
                when,
                dispute="Đồng chí có giấy mời họp tại xã bên cạnh, đã báo miệng.",
            )
            if outcome == "disputed":
                return
            when += datetime.timedelta(days=3)
            upheld = outcome != "dismissed"
            with _as_of(when):
                services.rule_on_violation(
                    violation=violation,
                    by=inspector,
                    outcome=Violation.Status.UPHELD if upheld else Violation.Status.DISMISSED,
                    reason=(
                        "Không có văn bản cử đi công tác."
                        if upheld
                        else "Đơn vị cung cấp giấy mời họp hợp lệ."
                    ),
                )
            if outcome != "closed_upheld":
                return
            when += datetime.timedelta(days=1)
            self._answer(
                violation, head, when, acknowledge="Đã nhắc nhở, yêu cầu viết bản kiểm điểm."
            )
        else:
            self._answer(
                violation, head, when, acknowledge="Đã nhắc nhở, yêu cầu viết bản kiểm điểm."
            )
            if outcome != "closed":
                return
        when += datetime.timedelta(days=5)
        with _as_of(when):
            services.close_violation(violation=violation, by=inspector)

    def _answer(self, violation, head, when, *, dispute: str = "", acknowledge: str = "") -> None:
        if head is not None:
            with _as_of(when):
                if dispute:
                    services.dispute_violation(violation=violation, by=head, explanation=dispute)
                else:
                    services.acknowledge_violation(
                        violation=violation, by=head, corrective_action=acknowledge
                    )
            return
        violation.refresh_from_db()
        if dispute:
            violation.status = Violation.Status.DISPUTED
            violation.explanation = dispute
            violation.answered_at = when
            fields, reason = ["status", "explanation", "answered_at"], "disputed"
        else:
            violation.corrective_action = acknowledge
            fields, reason = ["corrective_action"], "acknowledged"
            if violation.status == Violation.Status.NOTIFIED:
                violation.status = Violation.Status.ACKNOWLEDGED
                violation.answered_at = when
                fields += ["status", "answered_at"]
        violation._history_date = when
        save_tracked(violation, by=self.keeper, reason=reason, update_fields=fields)

    # --- tasks, work diaries, citizen feedback ---------------------------------------------
    def _tasks(self) -> int:
        head_user = self.users["unithead"]
        inspector = self.users["inspector"]
        for code, index, title, expected, ago, due_in, outcome in DEMO_TASKS:
            assignee = self.staff_by_unit[code][index]
            assigned_at = self._at(self.today - datetime.timedelta(days=ago), 8, 15)
            by = head_user if code == "KH" else self.keeper
            task = Task(
                unit=assignee.unit,
                assignee=assignee,
                assigned_by=by,
                title=title,
                expected_result=expected,
                due_date=self.today + datetime.timedelta(days=due_in),
                assigned_at=assigned_at,
            )
            task._history_date = assigned_at
            save_tracked(task, by=by, reason="assigned")
            worker = assignee.user or self.keeper
            when = assigned_at + datetime.timedelta(days=1, hours=1)
            if outcome == "assigned":
                continue
            task.status, task.started_at = Task.Status.IN_PROGRESS, when
            task.progress_note = "Đã nhận việc, đang thu thập hồ sơ liên quan."
            self._task_move(
                task, worker, "progress", when, ["status", "started_at", "progress_note"]
            )
            if outcome == "in_progress":
                continue
            when = max(when + datetime.timedelta(days=2), assigned_at)
            task.status, task.submitted_at = Task.Status.SUBMITTED, when
            task.completion_note = "Đã hoàn thành, kết quả gửi kèm trong hồ sơ công việc."
            self._task_move(
                task, worker, "submitted", when, ["status", "submitted_at", "completion_note"]
            )
            if outcome == "submitted":
                continue
            when += datetime.timedelta(hours=20)
            accepted = outcome == "accepted"
            task.status = Task.Status.ACCEPTED if accepted else Task.Status.RETURNED
            task.reviewed_at = when
            task.review_note = "Đạt yêu cầu." if accepted else "Thiếu xác nhận của trưởng ấp 4."
            self._task_move(task, by, outcome, when, ["status", "reviewed_at", "review_note"])
        # One overdue task an inspector already turned into a proposed violation.
        overdue = Task.objects.get(title__startswith="Thẩm định hồ sơ chuyển mục đích")
        services.propose_slow_task_violation(
            task=overdue,
            by=inspector,
            description="Quá hạn 10 ngày, chưa có văn bản báo cáo lý do chậm.",
        )
        # The head's deputy takes over assigning work when the head is away.
        deputy = self.staff_by_unit["KH"][1]
        deputy.assigns_tasks = True
        save_tracked(deputy, by=self.keeper, reason="saved", update_fields=["assigns_tasks"])
        return len(DEMO_TASKS)

    def _task_move(self, task, by, reason, when, fields) -> None:
        task._history_date = when
        save_tracked(task, by=by, reason=reason, update_fields=fields)

    def _diaries(self) -> int:
        days = working_days_back(self.today - datetime.timedelta(days=1), 20)
        entries = []
        for code, index, diligence in DIARY_WRITERS:
            staff = self.staff_by_unit[code][index]
            author = staff.user or self.keeper
            tasks = list(Task.objects.filter(assignee=staff).pending())
            for day in days:
                if self.rng.random() > diligence:
                    continue
                task = tasks[0] if tasks and self.rng.random() < 0.3 else None
                entries.append(
                    DiaryEntry(
                        staff=staff,
                        day=day,
                        text=self.rng.choice(DIARY_TEXTS),
                        task=task if task and task.assigned_at.date() <= day else None,
                        created_by=author,
                        created_at=self._at(day, 16, self.rng.randint(20, 59)),
                    )
                )
        DiaryEntry.objects.bulk_create(entries)
        # A correction, written the next morning: the original keeps its words.
        canbo = self.users["canbo"].staff
        original = DiaryEntry.objects.filter(staff=canbo, day__lt=days[1]).order_by("-day").first()
        if original is not None:
            DiaryEntry.objects.create(
                staff=canbo,
                day=original.day,
                text="Đính chính: số hồ sơ chứng thực đã trả là 14, không phải 12.",
                corrects=original,
                created_by=self.users["canbo"],
                created_at=self._at(add_working_days(original.day, 1), 7, 40),
            )
            return len(entries) + 1
        return len(entries)

    def _feedback(self) -> int:
        inspector = self.users["inspector"]
        types = {t.code: t for t in ViolationType.objects.all()}
        for code, index, category, text, contact, ago, outcome in DEMO_FEEDBACK:
            unit = self.units[code]
            submitted = self._at(self.today - datetime.timedelta(days=ago), 9, 40) - (
                datetime.timedelta(minutes=self.rng.randint(0, 90))
            )
            item = Feedback.objects.create(
                unit=unit,
                staff=self.staff_by_unit[code][index] if index is not None else None,
                category=category,
                text=text,
                contact=contact,
                submitted_at=submitted,
            )
            if outcome == "dismissed":
                reason = (
                    "Tin rác, không liên quan đến công vụ."
                    if code == "VB"
                    else "Nội dung chung chung, không có thông tin để xác minh."
                )
                dismiss_feedback(feedback=item, by=inspector, reason=reason)
            elif outcome == "violation":
                services.record_violation_from_feedback(
                    feedback=item,
                    staff=item.staff,
                    type=types["slow_task"],
                    occurred_at=submitted,
                    by=inspector,
                    description=f"Công dân phản ánh: {text}",
                )
            elif outcome == "forwarded":
                item.status = Feedback.Status.FORWARDED
                item.triaged_by, item.triaged_at = (
                    inspector,
                    submitted + datetime.timedelta(hours=3),
                )
                item.save(update_fields=["status", "triaged_by", "triaged_at"])
                notify(
                    users=[self.users["unithead"]] if code == "KH" else [],
                    subject=f"Phản ánh của công dân về {unit}: {item.get_category_display()}",
                    body=text,
                    url=item.get_absolute_url(),
                    email=False,
                )
        return len(DEMO_FEEDBACK)

    # --- demo tasks, work diaries and citizen feedback --------------------------------------------

    # unit code, staff index, title, expected result, assigned days ago, due in days (from today),
    # where it ended up.

    def _after_the_fact(self) -> None:
        """Today's view of the demo's past: notices older than a week read, the logins' addresses set
        (after the walk, so that loading the demo mails nobody)."""
        recent = self._at(self.today - datetime.timedelta(days=7), 0, 0)
        Notification.objects.filter(user__in=self.users.values(), created_at__lt=recent).update(
            read_at=recent
        )
        for username, user in self.users.items():
            user.email = f"{username}@vinhhung.example"
            user.save(update_fields=["email"])

    # --- letters ----------------------------------------------------------------------------
    def _letters(self) -> int:
        """Last year's register (so this year's starts at 01): a closed letter, an answered one
        and one whose report is overdue; and this year one draft from a current proposal."""
        chief, unithead = self.users["chief"], self.users["unithead"]
        types = {t.code: t for t in ViolationType.objects.all()}
        year = self.today.year - 1
        history = [
            # staff, type, occurred, kind, drafted, issued, report (date, text) or None, closed
            (
                self.staff_by_unit["KH"][10],
                "alcohol",
                datetime.date(year, 10, 2),
                Letter.Kind.RECTIFICATION,
                datetime.date(year, 10, 9),
                datetime.date(year, 10, 12),
                (
                    datetime.date(year, 10, 20),
                    "Đã tổ chức họp cơ quan chấn chỉnh; đồng chí vi phạm đã viết bản kiểm điểm, "
                    "cam kết không tái phạm. UBND xã đã quán triệt toàn thể cán bộ, công chức.",
                ),
                datetime.date(year, 10, 27),
            ),
            (
                self.staff_by_unit["KH"][13],
                "no_badge",
                datetime.date(year, 11, 4),
                Letter.Kind.REMINDER,
                datetime.date(year, 11, 12),
                datetime.date(year, 11, 13),
                (
                    datetime.date(year, 11, 24),
                    "UBND xã đã nhắc nhở trực tiếp; từ ngày 15/11 cán bộ một cửa đeo thẻ đầy đủ.",
                ),
                None,
            ),
            (
                self.staff_by_unit["HĐA"][14],
                "attitude",
                datetime.date(year, 11, 20),
                Letter.Kind.RECTIFICATION,
                datetime.date(year, 11, 27),
                datetime.date(year, 12, 1),
                None,
                None,
            ),
        ]
        count = 0
        for staff, code, occurred, kind, drafted, issued, report, closed in history:
            with _as_of(self._at(occurred, 15, 0)):
                violation = services.record_violation(
                    staff=staff,
                    type=types[code],
                    occurred_at=self._at(occurred, 14, 10),
                    by=self.users["inspector"],
                    description="Phát hiện qua kiểm tra công vụ đột xuất.",
                )
            self._walk(violation, "acknowledged")
            letter = services.draft_letter(
                kind=kind, violations=[violation], by=chief, now=self._at(drafted, 9, 0)
            )
            services.issue_letter(letter=letter, by=chief, now=self._at(issued, 8, 30))
            if report:
                services.record_letter_report(
                    letter=letter,
                    unit=staff.unit,
                    text=report[1],
                    by=unithead,
                    now=self._at(report[0], 15, 0),
                )
            if closed:
                services.close_letter(letter=letter, by=chief, now=self._at(closed, 10, 0))
            count += 1
        # This year: one draft from a current proposal (not the repeat offender's: the browser
        # tour drafts that one).
        for proposal in selectors.letter_proposals(chief):
            if proposal.staff != self.offender and proposal.state == "new":
                services.draft_letter(
                    kind=proposal.rule.letter_kind,
                    violations=proposal.violations,
                    addressees=[proposal.unit],
                    rule=proposal.rule,
                    by=chief,
                )
                count += 1
                break
        return count


DEMO_TASKS = [
    (
        "KH",
        7,
        "Rà soát hồ sơ chứng thực tồn đọng tháng trước",
        "Danh sách hồ sơ tồn đọng, lý do và ngày trả kết quả cho từng hồ sơ.",
        12,
        -3,
        "in_progress",
    ),
    (
        "KH",
        7,
        "Cập nhật dữ liệu hộ tịch lên phần mềm dùng chung",
        "Toàn bộ sổ đăng ký khai sinh năm 2017 được nhập và đối chiếu.",
        2,
        8,
        "assigned",
    ),
    (
        "KH",
        7,
        "Báo cáo kết quả cải cách hành chính quý",
        "Báo cáo gửi Phòng Nội vụ đúng mẫu, đúng hạn.",
        30,
        -16,
        "accepted",
    ),
    (
        "KH",
        5,
        "Giải quyết đơn đề nghị cấp giấy chứng nhận quyền sử dụng đất của hộ ông Tư",
        "Tờ trình trình UBND huyện hoặc văn bản trả lời công dân.",
        20,
        -8,
        "assigned",
    ),
    (
        "KH",
        9,
        "Lập dự toán kinh phí sửa chữa trụ sở bộ phận một cửa",
        "Dự toán chi tiết kèm ba báo giá.",
        10,
        2,
        "submitted",
    ),
    (
        "KH",
        10,
        "Tổng hợp danh sách hộ nghèo, cận nghèo năm nay",
        "Danh sách có xác nhận của trưởng ấp.",
        14,
        3,
        "returned",
    ),
    (
        "KH",
        13,
        "Niêm yết công khai thủ tục hành chính mới tại bộ phận một cửa",
        "Bảng niêm yết đúng danh mục đã công bố.",
        25,
        -18,
        "accepted",
    ),
    (
        "TNMT",
        3,
        "Thẩm định hồ sơ chuyển mục đích sử dụng đất xã Vĩnh Trị",
        "Báo cáo thẩm định trình lãnh đạo phòng.",
        25,
        -10,
        "in_progress",
    ),
    (
        "VP",
        6,
        "Tổng hợp lịch công tác tuần của Thường trực UBND huyện",
        "Lịch công tác đăng trên cổng thông tin trước 16 giờ thứ Sáu.",
        6,
        1,
        "submitted",
    ),
    (
        "HĐA",
        5,
        "Kiểm tra hiện trạng công trình xây dựng không phép ở ấp 2",
        "Biên bản kiểm tra và đề xuất xử lý.",
        15,
        -4,
        "assigned",
    ),
    (
        "TCKH",
        2,
        "Thẩm tra quyết toán công trình đường giao thông nông thôn",
        "Báo cáo thẩm tra quyết toán.",
        40,
        -20,
        "accepted",
    ),
]

DIARY_TEXTS = [
    "Tiếp nhận và trả kết quả hồ sơ tại bộ phận một cửa; hướng dẫn công dân bổ sung giấy tờ.",
    "Tham dự họp giao ban đầu tuần của UBND; nhận nhiệm vụ được phân công.",
    "Soạn thảo báo cáo chuyên môn tháng, trình lãnh đạo ký.",
    "Kiểm tra thực địa theo hồ sơ đang giải quyết; lập biên bản.",
    "Đăng ký khai sinh, kết hôn; chứng thực bản sao từ bản chính.",
    "Rà soát văn bản đến, tham mưu trả lời đúng hạn.",
    "Cập nhật số liệu lên phần mềm quản lý văn bản và hồ sơ công việc.",
    "Tiếp công dân theo lịch; ghi sổ tiếp công dân.",
    "Phối hợp với trưởng ấp xác minh thông tin hộ gia đình.",
    "Tổng hợp ý kiến góp ý dự thảo văn bản gửi phòng chuyên môn huyện.",
]

# unit code, staff index (or None), how often they write (share of working days).
DIARY_WRITERS = [
    ("KH", 7, 0.95),
    ("KH", 0, 0.6),
    ("KH", 1, 0.85),
    ("KH", 5, 0.3),
    ("KH", 9, 0.8),
    ("KH", 13, 0.7),
    ("TNMT", 0, 0.7),
    ("TNMT", 3, 0.5),
    ("VP", 4, 0.9),
]

# unit code, staff index (or None), category, text, contact, days ago, outcome.
DEMO_FEEDBACK = [
    (
        "KH",
        7,
        "praise",
        "Cán bộ tư pháp hướng dẫn rất tận tình, làm khai sinh cho cháu trong buổi "
        "sáng. Xin cảm ơn.",
        "",
        20,
        "forwarded",
    ),
    (
        "KH",
        None,
        "praise",
        "Bộ phận một cửa sạch sẽ, có ghế ngồi chờ, hồ sơ trả đúng hẹn.",
        "",
        9,
        "new",
    ),
    (
        "KH",
        13,
        "praise",
        "Chị ở bộ phận một cửa vui vẻ, giải thích dễ hiểu cho người già.",
        "0912 345 678",
        3,
        "new",
    ),
    (
        "KH",
        5,
        "delay",
        "Tôi nộp hồ sơ đất từ tháng trước, đến hẹn lên ba lần vẫn bảo chờ, không có giấy hẹn lại.",
        "0909 111 222",
        6,
        "violation",
    ),
    (
        "KH",
        None,
        "improper_request",
        "Có người nói nộp thêm tiền thì làm nhanh.",
        "",
        15,
        "dismissed",
    ),
    ("KH", 14, "attitude", "Cán bộ trả lời cộc lốc, không nhìn người hỏi.", "", 1, "new"),
    ("TTVH", None, "praise", "Thị trấn giải quyết hồ sơ nhanh, đúng hẹn.", "", 12, "new"),
    ("TTVH", 4, "praise", "Anh cán bộ văn phòng nhiệt tình.", "", 4, "new"),
    ("TTVH", None, "attitude", "Phải chờ lâu mà không ai hướng dẫn lấy số thứ tự.", "", 2, "new"),
    (
        "TNMT",
        3,
        "delay",
        "Hồ sơ chuyển mục đích sử dụng đất quá hạn hai tuần.",
        "ông Bảy, ấp 3",
        5,
        "new",
    ),
    ("TNMT", None, "praise", "Phòng trả lời đơn bằng văn bản rõ ràng.", "", 30, "new"),
    (
        "HĐA",
        14,
        "attitude",
        "Cán bộ một cửa nói chuyện điện thoại riêng khi tiếp dân.",
        "",
        8,
        "forwarded",
    ),
    ("VB", None, "improper_request", "Bán sim số đẹp giá rẻ, liên hệ ngay!!!", "", 10, "dismissed"),
]


def add_demo_decisions(authority: Authority, *, today: datetime.date) -> int:
    """Two formal decisions, recorded by the demo administrator: a reprimand last year (which
    does not cap this year's rating) and a warning this year (which does). Adds nothing if the
    authority already has decisions; returns how many were added."""
    from discipline.models import Decision

    if Decision.objects.filter(authority=authority).exists():
        return 0
    admin = User.objects.filter(username="admin", staff__authority=authority).first()
    if admin is None:
        return 0
    standing = Violation.objects.upheld().filter(unit__authority=authority)
    offender = standing.filter(type__code="alcohol", occurred_at__year=today.year - 1).first()
    # This year's standing violation, or (early in January) the latest one, decided today.
    others = standing.exclude(staff_id=getattr(offender, "staff_id", None))
    current = (
        others.filter(occurred_at__year=today.year).order_by("occurred_at", "pk").first()
        or others.order_by("-occurred_at", "-pk").first()
    )
    plan = []
    if offender is not None:
        occurred = timezone.localdate(offender.occurred_at)
        decided = min(occurred + datetime.timedelta(days=40), datetime.date(occurred.year, 12, 28))
        plan.append((offender, Decision.Form.REPRIMAND, "15/QĐ-UBND", decided))
    if current is not None:
        occurred = timezone.localdate(current.occurred_at)
        decided = today
        if occurred.year == today.year:
            decided = min(occurred + datetime.timedelta(days=20), today)
        plan.append((current, Decision.Form.WARNING, "07/QĐ-UBND", decided))
    count = 0
    for violation, form, number, decided in plan:
        with _as_of(timezone.make_aware(datetime.datetime.combine(decided, datetime.time(10)))):
            services.record_decision(
                staff=violation.staff,
                form=form,
                number=number,
                decided_on=decided,
                decided_by="Chủ tịch Ủy ban nhân dân huyện Vĩnh Hưng",
                signer_name="Nguyễn Văn Thành",
                signer_position="Chủ tịch UBND huyện",
                violations=[violation],
                notes="Theo đề nghị của Hội đồng kỷ luật.",
                by=admin,
            )
        count += 1
    return count


@contextlib.contextmanager
def _as_of(when: datetime.datetime):
    """Run services as if it were `when`: the demo's past happened in the past, so its times,
    deadlines and history dates fall where they would have."""
    with mock.patch.object(timezone, "now", return_value=when):
        yield
