"""Province-scale data for benchmarks (`manage.py seed_scale`): one Authority, its units and
staff, three years of visits, rolls, violations, evidence rows and issued letters.

Everything is generated inside PostgreSQL (INSERT … SELECT over generate_series, small tables
through COPY), so a million violations take about a minute. The rows are plausible, not real:
people are "Cán bộ 000123", evidence rows point at no file. History rows are written only for
the violations of the benchmarked unit (the violation page shows them as its timeline).
"""

import time
from dataclasses import dataclass

from django.db import connection, transaction

# The seeded Authority's name marks a database as holding seeded data only.
SEED_AUTHORITY = "Ủy ban nhân dân tỉnh Mẫu (dữ liệu quy mô)"
USERNAME_PREFIX = "scale-"
# The unit whose roll the benchmark opens: exactly this many staff when there are enough.
BENCH_UNIT_ID = 3
BENCH_UNIT_STAFF = 200

# Tables replaced by a seed. Catalogues seeded by migrations (violation types, checklist items,
# escalation rules, groups, permissions) are kept.
SEEDED_TABLES = [
    "units_authority",
    "units_unit",
    "units_staff",
    "units_historicalunit",
    "units_historicalstaff",
    "units_notification",
    "units_task",
    "units_historicaltask",
    "units_diaryentry",
    "inspections_visit",
    "inspections_visit_team",
    "inspections_historicalvisit",
    "inspections_rollentry",
    "inspections_historicalrollentry",
    "inspections_checklistanswer",
    "inspections_historicalchecklistanswer",
    "inspections_feedback",
    "discipline_violation",
    "discipline_violationtally",
    "discipline_violationmonthtally",
    "discipline_violationduetally",
    "discipline_violationstaffyeartally",
    "discipline_violationstaffyeartotal",
    "discipline_historicalviolation",
    "discipline_evidence",
    "discipline_register",
    "discipline_letter",
    "discipline_letter_addressees",
    "discipline_letter_violations",
    "discipline_historicalletter",
    "discipline_historicalletter_addressees",
    "discipline_historicalletter_violations",
    "discipline_letterreport",
    "discipline_reportattachment",
    "auth_user",
    "auth_user_groups",
    "auth_user_user_permissions",
    "django_session",
    "django_admin_log",
    "axes_accessattempt",
    "axes_accessfailurelog",
    "axes_accesslog",
    "otp_totp_totpdevice",
]


EXPLICIT_ID_TABLES = [
    "units_authority",
    "units_unit",
    "units_staff",
    "auth_user",
    "inspections_visit",
    "discipline_letter",
]


class SeedRefused(Exception):
    pass


@dataclass
class Scale:
    units: int = 150
    staff: int = 30_000
    violations: int = 1_000_000
    visits: int = 20_000
    letters: int = 5_000
    roll_size: int = 25
    inspectors: int = 10
    years: int = 3
    seed: float = 0.42


def holds_foreign_data() -> bool:
    """True when the database holds rows this command did not make (and would destroy)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT EXISTS (SELECT 1 FROM units_authority WHERE name <> %s)", [SEED_AUTHORITY]
        )
        if cursor.fetchone()[0]:
            return True
        cursor.execute(
            "SELECT EXISTS (SELECT 1 FROM auth_user WHERE username NOT LIKE %s)",
            [USERNAME_PREFIX + "%"],
        )
        return cursor.fetchone()[0]


def unit_sizes(scale: Scale) -> list[int]:
    """Staff per unit: the benchmarked unit gets exactly BENCH_UNIT_STAFF (if there are that
    many), the others share the rest unevenly (a province has small communes and big ones)."""
    sizes = [0] * scale.units
    bench = BENCH_UNIT_ID - 1
    remaining = scale.staff
    if scale.units > bench:
        sizes[bench] = min(BENCH_UNIT_STAFF, remaining)
        remaining -= sizes[bench]
    others = [i for i in range(scale.units) if i != bench]
    weights = [1 + (i * 7) % 5 for i in others]
    total = sum(weights)
    for i, weight in zip(others, weights, strict=True):
        sizes[i] = remaining * weight // total
    # What the integer division left goes to the first units.
    leftover = scale.staff - sum(sizes)
    for i in others[:leftover]:
        sizes[i] += 1
    return sizes


def seed(scale: Scale, *, log=print) -> dict[str, int]:
    """Replace the seeded tables' contents with `scale`'s data. Returns row counts."""
    if connection.vendor != "postgresql":
        raise SeedRefused("seed_scale needs PostgreSQL (set DATABASE_URL).")
    started = time.perf_counter()

    def step(label: str, sql: str, params=None) -> None:
        begun = time.perf_counter()
        cursor.execute(sql, params)
        log(f"  {label:<40} {time.perf_counter() - begun:6.1f} s")

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL synchronous_commit = off")
        cursor.execute("SELECT setseed(%s)", [scale.seed])
        # Checks deferred by the caller's transaction (a test's fixtures) must run before
        # TRUNCATE; ours are deferred again, to run once at commit.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        step(
            "emptying tables",
            f"TRUNCATE {', '.join(SEEDED_TABLES)} RESTART IDENTITY CASCADE",
        )
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        _seed_organisation(cursor, scale, step)
        _seed_visits(cursor, scale, step)
        _seed_violations(cursor, scale, step)
        _seed_letters(cursor, scale, step)
        cursor.execute("DROP TABLE seed_unit, seed_user")
        # Rows given explicit ids: move their sequences past them.
        for table in EXPLICIT_ID_TABLES:
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT coalesce(max(id), 0) + 1 FROM {table}), false)"
            )
    with connection.cursor() as cursor:
        begun = time.perf_counter()
        # Statistics for the planner, and the visibility map that lets index-only scans skip
        # the table: a freshly loaded table has none.
        # (Inside a caller's transaction, e.g. a test, VACUUM cannot run: ANALYZE only.)
        command = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"
        for table in SEEDED_TABLES:
            cursor.execute(f"{command} {table}")
        log(f"  {'vacuum analyze':<40} {time.perf_counter() - begun:6.1f} s")
        counts = {}
        for table in (
            "units_unit",
            "units_staff",
            "auth_user",
            "inspections_visit",
            "inspections_rollentry",
            "discipline_violation",
            "discipline_evidence",
            "discipline_historicalviolation",
            "discipline_letter",
        ):
            cursor.execute(f"SELECT count(*) FROM {table}")
            counts[table] = cursor.fetchone()[0]
    counts["seconds"] = round(time.perf_counter() - started, 1)
    return counts


def _seed_organisation(cursor, scale: Scale, step) -> None:
    cursor.execute(
        "INSERT INTO units_authority (id, name, parent_body, issuing_body, abbreviation, "
        "place_name, chairman_title, morning_start, morning_end, afternoon_start, afternoon_end, "
        "grace_minutes, response_working_days) VALUES (1, %s, '', %s, 'UBND', 'Mẫu', "
        "'CHỦ TỊCH', '07:00', '11:30', '13:30', '17:00', 5, 5)",
        [SEED_AUTHORITY, "ỦY BAN NHÂN DÂN\nTỈNH MẪU"],
    )
    sizes = unit_sizes(scale)
    first_staff = []
    next_id = 1
    for size in sizes:
        first_staff.append(next_id)
        next_id += size
    units = []
    for index in range(scale.units):
        unit_id = index + 1
        if unit_id == 1:
            name, code, kind = "Văn phòng UBND tỉnh", "VP", "agency"
        elif unit_id == 2:
            name, code, kind = "Sở Nội vụ", "NV", "agency"
        elif unit_id == BENCH_UNIT_ID:
            name, code, kind = "UBND phường Trung Tâm", "TT", "commune"
        elif unit_id % 3:
            name, code, kind = f"UBND xã số {unit_id:03d}", f"X{unit_id:03d}", "commune"
        else:
            name, code, kind = f"Sở ngành số {unit_id:03d}", f"S{unit_id:03d}", "agency"
        units.append((unit_id, name, code, kind, f"seed{unit_id:07d}"))
    with cursor.copy(
        "COPY units_unit (id, name, code, kind, is_active, authority_id, feedback_token) FROM STDIN"
    ) as copy:
        for unit_id, name, code, kind, token in units:
            copy.write_row((unit_id, name, code, kind, True, 1, token))
    # A temporary map from a unit to its staff id range: violations and rolls pick from it.
    cursor.execute(
        "CREATE TEMPORARY TABLE seed_unit (unit_id bigint PRIMARY KEY, first_staff bigint, "
        "size int) ON COMMIT DROP"
    )
    with cursor.copy("COPY seed_unit FROM STDIN") as copy:
        for index, size in enumerate(sizes):
            copy.write_row((index + 1, first_staff[index], size))

    categories = ["civil_servant"] * 6 + ["cadre"] * 2 + ["public_employee", "contract"]
    with cursor.copy(
        "COPY units_staff (id, full_name, position, category, badge_number, is_active, "
        "authority_id, unit_id, assigns_tasks) FROM STDIN"
    ) as copy:
        staff_id = 1
        for index, size in enumerate(sizes):
            for member in range(size):
                position = "Chủ tịch UBND" if member == 0 else "Chuyên viên"
                if index == 0 and member == 0:
                    position = "Chánh Văn phòng"
                elif index == 1 and member == 0:
                    position = "Giám đốc Sở"
                copy.write_row(
                    (
                        staff_id,
                        f"Cán bộ {staff_id:06d}",
                        position,
                        categories[staff_id % len(categories)],
                        f"T{staff_id:06d}",
                        True,
                        1,
                        index + 1,
                        False,
                    )
                )
                staff_id += 1
    cursor.execute(
        "UPDATE units_unit u SET head_id = s.first_staff FROM seed_unit s "
        "WHERE s.unit_id = u.id AND s.size > 0"
    )

    # Logins: an administrator, the office chief and a leader (office), inspectors (Home
    # Affairs), and each unit's head. Unusable passwords: the benchmark logs in by session.
    users = []  # (user id, username, staff id, group, is_staff)
    user_id = 1
    office, home_affairs = first_staff[0], first_staff[1]
    for offset, (username, group) in enumerate(
        [("admin", "administrators"), ("chief", "office_chief"), ("leader", "leaders")]
    ):
        if offset < sizes[0]:
            users.append((user_id, username, office + offset, group, True))
            user_id += 1
    for number in range(min(scale.inspectors, sizes[1])):
        users.append((user_id, f"inspector{number + 1}", home_affairs + number, "inspectors", True))
        user_id += 1
    for index in range(2, scale.units):
        if sizes[index]:
            users.append((user_id, f"head{index + 1}", first_staff[index], "unit_heads", True))
            user_id += 1
    with cursor.copy(
        "COPY auth_user (id, password, is_superuser, username, first_name, last_name, email, "
        "is_staff, is_active, date_joined) FROM STDIN"
    ) as copy:
        for uid, username, _staff, _group, is_staff in users:
            copy.write_row(
                (
                    uid,
                    "!seed",
                    False,
                    USERNAME_PREFIX + username,
                    "",
                    "",
                    "",
                    is_staff,
                    True,
                    "2024-01-01T00:00:00+07:00",
                )
            )
    cursor.execute(
        "CREATE TEMPORARY TABLE seed_user (user_id int, staff_id bigint, grp text) ON COMMIT DROP"
    )
    with cursor.copy("COPY seed_user FROM STDIN") as copy:
        for uid, _username, staff_id, group, _is_staff in users:
            copy.write_row((uid, staff_id, group))
    cursor.execute(
        "UPDATE units_staff s SET user_id = u.user_id FROM seed_user u WHERE u.staff_id = s.id"
    )
    cursor.execute(
        "INSERT INTO auth_user_groups (user_id, group_id) SELECT u.user_id, g.id "
        "FROM seed_user u JOIN auth_group g ON g.name = u.grp"
    )
    step("authority, units, staff, logins", "SELECT 1")


def _seed_visits(cursor, scale: Scale, step) -> None:
    # Spread over the years; past visits finished (a few cancelled), the next weeks planned,
    # and the benchmarked unit's latest visit running today (its roll is editable).
    step(
        "visits",
        """
        INSERT INTO inspections_visit (id, kind, planned_date, started_at, finished_at, status,
            summary, cancel_reason, created_at, created_by_id, lead_inspector_id, unit_id,
            unit_representative)
        SELECT g, (ARRAY['regular','unannounced','thematic'])[1 + (g %% 3)],
            d.day, d.started, d.finished, d.status, '', d.reason, d.day - 7 + time '08:00',
            i.user_id, i.staff_id, 1 + (g * 7919) %% %(units)s, ''
        FROM generate_series(1, %(visits)s) g
        CROSS JOIN LATERAL (
            SELECT day, status,
                CASE WHEN status IN ('finished','in_progress')
                     THEN (day + time '08:00') AT TIME ZONE 'Asia/Ho_Chi_Minh' END AS started,
                CASE WHEN status = 'finished' THEN (day + time '10:30') AT TIME ZONE 'Asia/Ho_Chi_Minh' END AS finished,
                CASE WHEN status = 'cancelled' THEN 'Đơn vị có lịch họp đột xuất' ELSE '' END
                    AS reason
            FROM (
                SELECT (current_date - (%(days)s * (%(visits)s - g) / %(visits)s)::int + 14)
                    AS day
            ) p
            CROSS JOIN LATERAL (
                SELECT CASE WHEN day > current_date THEN 'planned'
                            WHEN g %% 20 = 0 THEN 'cancelled'
                            ELSE 'finished' END AS status
            ) s
        ) d
        CROSS JOIN LATERAL (
            SELECT user_id, staff_id FROM seed_user WHERE grp = 'inspectors'
            ORDER BY user_id OFFSET g %% greatest(1, %(inspectors)s) LIMIT 1
        ) i
        """,
        {
            "visits": scale.visits,
            "units": scale.units,
            "days": 365 * scale.years,
            "inspectors": min(scale.inspectors, 10),
        },
    )
    cursor.execute(
        """
        UPDATE inspections_visit SET status = 'in_progress', planned_date = current_date,
            started_at = (current_date + time '08:00') AT TIME ZONE 'Asia/Ho_Chi_Minh', finished_at = NULL
        WHERE id = (SELECT max(id) FROM inspections_visit
                    WHERE unit_id = %s AND planned_date <= current_date)
        """,
        [BENCH_UNIT_ID],
    )
    # The roll: a sample of the unit's people (those the team checked), everyone on the
    # benchmarked unit's visits.
    step(
        "roll entries",
        """
        INSERT INTO inspections_rollentry (presence, arrived_at, badge_worn, dress_proper,
            alcohol_suspected, note, updated_at, staff_id, visit_id)
        SELECT p.presence,
            CASE WHEN p.presence = 'late' THEN v.started_at + interval '25 minutes' END,
            p.r2 > 0.04, p.r2 < 0.97, v.status = 'finished' AND p.r2 BETWEEN 0.5 AND 0.502, '',
            coalesce(v.finished_at, v.started_at),
            u.first_staff + ((v.id * 31 + k) %% u.size), v.id
        FROM inspections_visit v
        JOIN seed_unit u ON u.unit_id = v.unit_id AND u.size > 0
        CROSS JOIN LATERAL generate_series(
            0, CASE WHEN v.unit_id = %(bench)s THEN u.size ELSE least(u.size, %(roll)s) END - 1
        ) k
        CROSS JOIN LATERAL (
            -- Mentioning k makes the planner draw new numbers for every row.
            SELECT random() + 0 * k AS r1, random() + 0 * k AS r2
        ) r
        CROSS JOIN LATERAL (
            SELECT CASE WHEN r.r1 < 0.86 THEN 'present' WHEN r.r1 < 0.92 THEN 'late'
                        WHEN r.r1 < 0.95 THEN 'absent_on_duty' WHEN r.r1 < 0.97 THEN 'on_leave'
                        ELSE 'absent_without_reason' END AS presence, r.r2
        ) p
        WHERE v.status IN ('finished', 'in_progress')
        """,
        {"bench": BENCH_UNIT_ID, "roll": scale.roll_size},
    )
    step(
        "checklist answers",
        """
        INSERT INTO inspections_checklistanswer (answer, note, updated_at, visit_id, item_id)
        SELECT CASE WHEN v.status = 'finished' THEN
                    (ARRAY['yes','yes','yes','no'])[1 + ((v.id + i.id) % 4)]
               ELSE 'not_checked' END,
            '', coalesce(v.finished_at, v.started_at), v.id, i.id
        FROM inspections_visit v CROSS JOIN inspections_checklistitem i
        WHERE v.status IN ('finished', 'in_progress') AND i.is_active
        """,
    )


# Status spread of the whole register: most cases are long over.
STATUS_CASE = """
    CASE WHEN r3 < 0.03 THEN 'recorded' WHEN r3 < 0.08 THEN 'notified'
         WHEN r3 < 0.28 THEN 'acknowledged' WHEN r3 < 0.30 THEN 'disputed'
         WHEN r3 < 0.35 THEN 'upheld' WHEN r3 < 0.38 THEN 'dismissed'
         WHEN r3 < 0.95 THEN 'closed' ELSE 'voided' END
"""

VIOLATION_COLUMNS = """
    occurred_at, source, description, status, recorded_at, notified_at, response_due,
    explanation, corrective_action, answered_at, ruling_reason, ruled_at, closed_at,
    void_reason, voided_at, recorded_by_id, roll_entry_id, staff_id, unit_id, visit_id,
    type_id, feedback_id, task_id, overdue_notice_sent_at, handling_extended
"""

# From a row with occurred_at, status, source, roll_entry_id, staff_id, unit_id, visit_id,
# type_id and recorded_by_id: the remaining columns, consistent with the status.
VIOLATION_SELECT = """
    SELECT occurred_at, source, 'Phát hiện trong kiểm tra công vụ', status,
        occurred_at + interval '1 hour',
        CASE WHEN status <> 'recorded' THEN least(occurred_at + interval '1 day', now()) END,
        CASE WHEN status <> 'recorded'
             THEN (least(occurred_at + interval '1 day', now()) + interval '7 days')::date END,
        CASE WHEN status IN ('disputed','upheld','dismissed')
             THEN 'Đơn vị giải trình lý do khách quan' ELSE '' END,
        CASE WHEN status IN ('acknowledged','closed')
             THEN 'Đã nhắc nhở, yêu cầu kiểm điểm' ELSE '' END,
        CASE WHEN status IN ('acknowledged','disputed','upheld','dismissed','closed')
             THEN least(occurred_at + interval '3 days', now()) END,
        CASE WHEN status IN ('upheld','dismissed') THEN 'Xem xét giải trình của đơn vị'
             ELSE '' END,
        CASE WHEN status IN ('upheld','dismissed')
             THEN least(occurred_at + interval '6 days', now()) END,
        CASE WHEN status = 'closed' THEN least(occurred_at + interval '10 days', now()) END,
        CASE WHEN status = 'voided' THEN 'Ghi nhận nhầm người' ELSE '' END,
        CASE WHEN status = 'voided' THEN least(occurred_at + interval '2 days', now()) END,
        recorded_by_id, roll_entry_id, staff_id, unit_id, visit_id, type_id, NULL, NULL,
        NULL, false
"""


def _drop_secondary_indexes(cursor, table: str) -> list[str]:
    """Drop `table`'s indexes that back no constraint (the primary key and unique constraints
    stay) and return the statements that build them again, exactly as they were defined."""
    cursor.execute(
        """
        SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
        FROM pg_index i
        WHERE i.indrelid = %s::regclass
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
        ORDER BY 1
        """,
        [table],
    )
    indexes = cursor.fetchall()
    for name, _definition in indexes:
        cursor.execute(f"DROP INDEX {name}")
    return [definition for _name, definition in indexes]


def _seed_violations(cursor, scale: Scale, step) -> None:
    cursor.execute("SELECT id, code FROM discipline_violationtype ORDER BY id")
    types = dict((code, pk) for pk, code in cursor.fetchall())
    # Lateness is the commonest breach by far; alcohol the rarest.
    weighted = (
        ["late_early"] * 8
        + ["absent"] * 3
        + ["private_business"] * 2
        + ["gathering"]
        + ["alcohol"]
        + ["no_badge"] * 3
        + ["improper_dress"] * 2
        + ["attitude"] * 2
        + ["slow_task"] * 2
        + ["irresponsibility"]
    )
    type_ids = [types[code] for code in weighted if code in types]
    # The tally triggers would update a few hot rows a million times: off while loading,
    # and the tally is counted once at the end.
    cursor.execute("ALTER TABLE discipline_violation DISABLE TRIGGER USER")
    # Nineteen indexes kept up row by row make the million-row insert several times slower than
    # the insert plus building each index once afterwards (on a small server: 142 s vs 36 s).
    rebuild = _drop_secondary_indexes(cursor, "discipline_violation")
    # From the rolls of finished visits: each late or absent person is one violation.
    step(
        "violations from visits",
        f"""
        INSERT INTO discipline_violation ({VIOLATION_COLUMNS})
        {VIOLATION_SELECT}
        FROM (
            SELECT coalesce(r.arrived_at, v.started_at) AS occurred_at, 'visit' AS source,
                {STATUS_CASE} AS status, r.id AS roll_entry_id, r.staff_id,
                v.unit_id, v.id AS visit_id,
                CASE WHEN r.presence = 'late' THEN %(late)s ELSE %(absent)s END AS type_id,
                v.created_by_id AS recorded_by_id
            FROM (SELECT *, random() AS r3 FROM inspections_rollentry
                  WHERE presence IN ('late', 'absent_without_reason')) r
            JOIN inspections_visit v ON v.id = r.visit_id AND v.status = 'finished'
            LIMIT %(limit)s
        ) x
        """,
        {"late": types["late_early"], "absent": types["absent"], "limit": scale.violations},
    )
    cursor.execute("SELECT count(*) FROM discipline_violation")
    remaining = scale.violations - cursor.fetchone()[0]
    cursor.execute("SELECT count(*), min(id) FROM units_staff")
    staff_count, staff_first = cursor.fetchone()
    step(
        "other violations",
        f"""
        INSERT INTO discipline_violation ({VIOLATION_COLUMNS})
        {VIOLATION_SELECT}
        FROM (
            SELECT now() - r2 * interval '%(days)s days' AS occurred_at,
                CASE WHEN r4 < 0.3 THEN 'self_report' ELSE 'other' END AS source,
                {STATUS_CASE} AS status, NULL::bigint AS roll_entry_id, s.id AS staff_id,
                s.unit_id, NULL::bigint AS visit_id,
                (%(types)s::bigint[])[1 + floor(r4 * %(type_count)s)::int] AS type_id,
                i.user_id AS recorded_by_id
            FROM (
                SELECT g, random() AS r1, random() AS r2, random() AS r3, random() AS r4
                FROM generate_series(1, %(remaining)s) g
            ) g
            JOIN units_staff s ON s.id = %(first)s + floor(g.r1 * %(staff)s)::bigint
            JOIN (SELECT row_number() OVER (ORDER BY user_id) - 1 AS n, user_id
                  FROM seed_user WHERE grp = 'inspectors') i
              ON i.n = g.g %% greatest(1, (SELECT count(*) FROM seed_user
                                          WHERE grp = 'inspectors'))
        ) x
        """,
        {
            "days": 365 * scale.years,
            "types": type_ids,
            "type_count": len(type_ids),
            "remaining": max(remaining, 0),
            "first": staff_first,
            "staff": staff_count,
        },
    )
    # CREATE INDEX and ALTER TABLE refuse while checks on the table's rows are pending: run
    # them now.
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
    step("violation indexes, built once", ";\n".join(rebuild))
    # The planner has no statistics for the rows just loaded; the steps below join on them.
    cursor.execute("ANALYZE discipline_violation")
    cursor.execute("ALTER TABLE discipline_violation ENABLE TRIGGER USER")
    # The per-person totals follow the year tally by a trigger a row: summed once instead.
    # (Checks stay immediate until it is back on: ALTER TABLE refuses pending trigger events.)
    cursor.execute("ALTER TABLE discipline_violationstaffyeartally DISABLE TRIGGER USER")
    step(
        "violation tally",
        "INSERT INTO discipline_violationtally (unit_id, status, count) "
        "SELECT unit_id, status, count(*) FROM discipline_violation GROUP BY unit_id, status",
    )
    tallies = ("monthly violation tally", "answer due tally", "per-person year tally")
    for label, sql in zip(tallies, _month_tally_fill(), strict=True):
        step(label, sql)
    cursor.execute("ALTER TABLE discipline_violationstaffyeartally ENABLE TRIGGER USER")
    cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    step("per-person year totals", _migration("0016_staff_year_totals").FILL_SQL)
    step(
        "evidence rows (one violation in ten)",
        """
        INSERT INTO discipline_evidence (file, original_name, content_type, size, sha256,
            uploaded_at, roll_entry_id, uploaded_by_id, visit_id, violation_id)
        SELECT 'evidence/seed/' || id || '.jpg', 'anh-' || id || '.jpg', 'image/jpeg',
            150000 + id % 90000, md5(id::text) || md5(id::text || 'x'),
            recorded_at, roll_entry_id, recorded_by_id, visit_id, id
        FROM discipline_violation WHERE id % 10 = 0
        """,
    )
    # The timeline of the benchmarked unit's violations: recorded, notified, then the step
    # that brought it to its status.
    history_columns = """
        id, occurred_at, source, description, status, notified_at, response_due, explanation,
        corrective_action, answered_at, ruling_reason, ruled_at, closed_at, void_reason,
        voided_at, history_date, history_change_reason, history_type, history_user_id,
        recorded_by_id, roll_entry_id, staff_id, unit_id, visit_id, type_id, feedback_id,
        task_id, overdue_notice_sent_at, handling_extended
    """
    step(
        "history of the benchmarked unit",
        f"""
        INSERT INTO discipline_historicalviolation ({history_columns})
        SELECT id, occurred_at, source, description, 'recorded', NULL::timestamptz,
            NULL::date, '', '', NULL::timestamptz, '', NULL::timestamptz, NULL::timestamptz, '',
            NULL::timestamptz, recorded_at, 'recorded', '+', recorded_by_id,
            recorded_by_id, roll_entry_id, staff_id, unit_id, visit_id, type_id, NULL::bigint,
            NULL::bigint, NULL::timestamptz, false
        FROM discipline_violation WHERE unit_id = %(bench)s
        UNION ALL
        SELECT id, occurred_at, source, description, 'notified', notified_at, response_due,
            '', '', NULL::timestamptz, '', NULL::timestamptz, NULL::timestamptz, '',
            NULL::timestamptz, notified_at, 'notified', '~',
            recorded_by_id, recorded_by_id, roll_entry_id, staff_id, unit_id, visit_id,
            type_id, NULL, NULL, NULL, false
        FROM discipline_violation WHERE unit_id = %(bench)s AND notified_at IS NOT NULL
        UNION ALL
        SELECT id, occurred_at, source, description, status, notified_at, response_due,
            explanation, corrective_action, answered_at, ruling_reason, ruled_at, closed_at,
            void_reason, voided_at,
            coalesce(closed_at, voided_at, ruled_at, answered_at), status, '~',
            recorded_by_id, recorded_by_id, roll_entry_id, staff_id, unit_id, visit_id,
            type_id, NULL, NULL, NULL, false
        FROM discipline_violation
        WHERE unit_id = %(bench)s AND status NOT IN ('recorded', 'notified')
        """,
        {"bench": BENCH_UNIT_ID},
    )


def _seed_letters(cursor, scale: Scale, step) -> None:
    # Issued letters spread evenly over the years, numbered 01, 02, … per year in date order,
    # so each year's register ends at its last number.
    step(
        "registers and letters",
        """
        WITH spread AS (
            SELECT g, (current_date - (%(days)s::bigint * (%(letters)s - g) / %(letters)s)::int)
                AS issued_on
            FROM generate_series(1, %(letters)s) g
        ), numbered AS (
            SELECT g, issued_on, extract(year FROM issued_on)::int AS year,
                row_number() OVER (PARTITION BY extract(year FROM issued_on) ORDER BY g)
                    AS number
            FROM spread
        ), registers AS (
            INSERT INTO discipline_register (year, last_number, authority_id)
            SELECT year, max(number), 1 FROM numbered GROUP BY year
            RETURNING id, year
        )
        INSERT INTO discipline_letter (id, kind, status, subject, recipients, body, copy_to,
            response_due, signature_titles, signer_name, number, symbol, issued_on, issued_at,
            created_at, answered_at, closed_at, authority_id, closed_by_id, created_by_id,
            drafting_unit_id, issued_by_id, rule_id, signer_id, register_id)
        SELECT n.g, (ARRAY['reminder','rectification','self_review'])[1 + n.g %% 3],
            CASE WHEN n.issued_on > current_date - 20 THEN 'issued'
                 WHEN n.g %% 4 = 0 THEN 'answered' ELSE 'closed' END,
            'chấn chỉnh kỷ luật, kỷ cương hành chính',
            'Chủ tịch UBND ' || a.name,
            'Qua kiểm tra công vụ, một số cán bộ của đơn vị vi phạm kỷ luật lao động.' || chr(10)
                || 'Đề nghị đơn vị chấn chỉnh và báo cáo kết quả./.',
            'Như trên;' || chr(10) || 'Lưu: VT, VP.',
            n.issued_on + 14, 'TL. CHỦ TỊCH' || chr(10) || 'CHÁNH VĂN PHÒNG',
            s.full_name, n.number, 'UBND-VP', n.issued_on, n.issued_on + time '09:00',
            n.issued_on - 2 + time '09:00',
            CASE WHEN n.issued_on <= current_date - 20 THEN n.issued_on + 10 + time '15:00' END,
            CASE WHEN n.issued_on <= current_date - 20 AND n.g %% 4 <> 0
                 THEN n.issued_on + 15 + time '15:00' END,
            1,
            CASE WHEN n.issued_on <= current_date - 20 AND n.g %% 4 <> 0 THEN c.user_id END,
            c.user_id, 1, c.user_id, NULL, s.id, r.id
        FROM numbered n
        JOIN registers r ON r.year = n.year
        JOIN units_unit a ON a.id = 3 + n.g %% greatest(1, %(units)s - 2)
        CROSS JOIN (SELECT user_id FROM seed_user WHERE grp = 'office_chief') c
        JOIN units_staff s ON s.id = (SELECT head_id FROM units_unit WHERE id = 1)
        """,
        {"days": 365 * scale.years, "letters": scale.letters, "units": scale.units},
    )
    cursor.execute(
        "INSERT INTO discipline_letter_addressees (letter_id, unit_id) "
        "SELECT l.id, u.id FROM discipline_letter l "
        "JOIN units_unit u ON l.recipients = 'Chủ tịch UBND ' || u.name"
    )
    step(
        "letters' violations",
        """
        INSERT INTO discipline_letter_violations (letter_id, violation_id)
        SELECT a.letter_id, v.id
        FROM discipline_letter_addressees a
        JOIN discipline_letter l ON l.id = a.letter_id
        CROSS JOIN LATERAL (
            SELECT id FROM discipline_violation
            WHERE unit_id = a.unit_id AND occurred_at < l.issued_on
              AND status IN ('acknowledged', 'upheld', 'closed')
            ORDER BY occurred_at DESC LIMIT 3
        ) v
        """,
    )


def _migration(name: str):
    import importlib

    return importlib.import_module(f"discipline.migrations.{name}")


def _month_tally_fill() -> list[str]:
    """The INSERT … SELECT of migration 0015 that count the three tallies once."""
    return _migration("0015_coarser_tallies").fill_sql("postgresql")
