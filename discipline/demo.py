"""The demo district: directive 455/UBND-NV's Vĩnh Hưng district as of 2018, with fictional
people and a few months of visits and violations ending today. Used by `loaddemo` and tests."""

import datetime
import random

from django.contrib.auth.models import Group, User
from django.db import transaction
from django.utils import timezone

from discipline import selectors, services
from discipline.models import Letter, Violation, ViolationType
from inspections.models import RollEntry, Visit
from inspections.services import plan_visit
from units.calendar import add_working_days, is_working_day
from units.models import Authority, Staff, Unit
from units.roles import Role
from units.services import save_tracked

DEMO_AUTHORITY_NAME = "Ủy ban nhân dân huyện Vĩnh Hưng"
DEMO_PASSWORD = "kycuong-demo"
DEMO_USERS = {
    "admin": "Administrator (Văn phòng HĐND và UBND)",
    "inspector": "Inspector (Phòng Nội vụ)",
    "unithead": "Unit head: Chủ tịch UBND xã Khánh Hưng",
    "chief": "Office chief: Chánh Văn phòng HĐND và UBND",
    "leader": "Leader: Chủ tịch UBND huyện",
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
    if Authority.objects.filter(name=DEMO_AUTHORITY_NAME).exists():
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
        letters = self._letters()
        return (
            f"{len(self.units)} units, {Staff.objects.filter(authority=self.authority).count()} "
            f"staff, {visits} visits, {violations} violations, {letters} letters"
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
        ]
        for username, staff, role, superuser in accounts:
            user = User.objects.create_user(
                username,
                password=DEMO_PASSWORD,
                # Vietnamese names read family name first: keep the whole name in one field.
                first_name=staff.full_name,
                email=f"{username}@vinhhung.example",
                is_staff=True,
                is_superuser=superuser,
            )
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
        inspector = self.users["inspector"]
        lead = inspector.staff
        types = {t.code: t for t in ViolationType.objects.all()}
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
            visit.status = Visit.Status.IN_PROGRESS
            visit.started_at = start
            visit._history_date = start
            save_tracked(
                visit, by=inspector, reason="started", update_fields=["status", "started_at"]
            )
            violations += self._roll(visit, start, morning, types, inspector)
            visit.status = Visit.Status.FINISHED
            visit.finished_at = start + datetime.timedelta(minutes=50)
            visit.summary = "Kiểm tra việc chấp hành thời gian làm việc, đeo thẻ, trang phục."
            visit._history_date = visit.finished_at
            save_tracked(
                visit,
                by=inspector,
                reason="finished",
                update_fields=["status", "finished_at", "summary"],
            )
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

    def _roll(self, visit, start, morning, types, inspector) -> int:
        count = 0
        for staff in self.staff_by_unit[visit.unit.code]:
            if not staff.is_active:
                continue
            entry = RollEntry(visit=visit, staff=staff)
            findings = []
            roll = self.rng.random()
            if roll < 0.10 and morning:
                entry.presence = RollEntry.Presence.LATE
                entry.arrived_at = start + datetime.timedelta(minutes=self.rng.randint(10, 40))
                findings.append(("late_early", entry.arrived_at))
            elif roll < 0.12:
                entry.presence = RollEntry.Presence.ABSENT_WITHOUT_REASON
                findings.append(("absent", start))
            elif roll < 0.17:
                entry.presence = RollEntry.Presence.ABSENT_ON_DUTY
            elif roll < 0.20:
                entry.presence = RollEntry.Presence.ON_LEAVE
            if entry.presence in (RollEntry.Presence.PRESENT, RollEntry.Presence.LATE):
                if self.rng.random() < 0.07:
                    entry.badge_worn = False
                    findings.append(("no_badge", start))
                if self.rng.random() < 0.02:
                    entry.dress_proper = False
                    findings.append(("improper_dress", start))
                if not morning and self.rng.random() < 0.04:
                    entry.alcohol_suspected = True
                    entry.note = "Có mùi rượu bia sau giờ nghỉ trưa."
                    findings.append(("alcohol", start))
            entry.save()
            for code, when in findings:
                services.record_violation(
                    staff=staff,
                    type=types[code],
                    occurred_at=when,
                    by=inspector,
                    source=Violation.Source.VISIT,
                    visit=visit,
                    roll_entry=entry,
                    description=entry.note,
                )
                count += 1
        return count

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
        ]:
            day = self.today - datetime.timedelta(days=days_ago)
            staff = self.rng.choice(self.staff_by_unit[unit_code][3:])
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
        inspector = self.users["inspector"]
        # The unit head answers; without a login of their own, the demo's data-entry account.
        head_user = getattr(violation.unit.head, "user", None) or self.keeper
        status = Violation.Status
        when = violation.occurred_at + datetime.timedelta(hours=2)
        violation.status = status.NOTIFIED
        violation.notified_at = when
        violation.response_due = add_working_days(
            timezone.localdate(when), self.authority.response_working_days
        )
        self._move(
            violation, inspector, "notified", when, ["status", "notified_at", "response_due"]
        )
        if outcome == "notified":
            return
        when += datetime.timedelta(days=2)
        if outcome == "voided":
            violation.status = status.VOIDED
            violation.void_reason = "Ghi nhận nhầm người; đã xác minh lại với đơn vị."
            violation.voided_at = when
            self._move(violation, inspector, "voided", when, ["status", "void_reason", "voided_at"])
            return
        if outcome in ("disputed", "upheld", "dismissed", "closed_upheld"):
            violation.status = status.DISPUTED
            violation.explanation = "Đồng chí có giấy mời họp tại xã bên cạnh, đã báo miệng."
            violation.answered_at = when
            self._move(
                violation, head_user, "disputed", when, ["status", "explanation", "answered_at"]
            )
            if outcome == "disputed":
                return
            when += datetime.timedelta(days=3)
            upheld = outcome != "dismissed"
            violation.status = status.UPHELD if upheld else status.DISMISSED
            violation.ruling_reason = (
                "Không có văn bản cử đi công tác."
                if upheld
                else "Đơn vị cung cấp giấy mời họp hợp lệ."
            )
            violation.ruled_at = when
            self._move(
                violation,
                inspector,
                "upheld" if upheld else "dismissed",
                when,
                ["status", "ruling_reason", "ruled_at"],
            )
            if outcome != "closed_upheld":
                return
        else:
            violation.status = status.ACKNOWLEDGED
            violation.corrective_action = "Đã nhắc nhở, yêu cầu viết bản kiểm điểm."
            violation.answered_at = when
            self._move(
                violation,
                head_user,
                "acknowledged",
                when,
                ["status", "corrective_action", "answered_at"],
            )
            if outcome != "closed":
                return
        when += datetime.timedelta(days=5)
        violation.status = status.CLOSED
        violation.closed_at = when
        self._move(violation, inspector, "closed", when, ["status", "closed_at"])

    def _move(self, violation, by, reason, when, fields) -> None:
        violation._history_date = when
        save_tracked(violation, by=by, reason=reason, update_fields=fields)

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
        # This year: one draft from a current proposal (not Khánh Hưng's: the tour drafts that).
        for proposal in selectors.letter_proposals(chief):
            if proposal.unit != self.units["KH"] and proposal.state == "new":
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
