import sqlite3

import psycopg
import pytest
from django.core.files.base import ContentFile
from django.db import connection

from discipline import services
from discipline.backup import backup, restore
from discipline.models import Evidence, Letter, Register, Violation
from tests import factories
from units.models import Staff, Unit

SQLITE = {"ENGINE": "django.db.backends.sqlite3"}


def test_sqlite_backup_restores_rows_and_media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    (tmp_path / "media" / "evidence").mkdir(parents=True)
    (tmp_path / "media" / "evidence" / "a.pdf").write_bytes(b"%PDF-1.4 x")
    live = tmp_path / "live.sqlite3"
    with sqlite3.connect(live) as db:
        db.execute("create table violation (id integer primary key, note text)")
        db.executemany("insert into violation (note) values (?)", [("một",), ("hai",)])
    written = backup(tmp_path / "backups", database={**SQLITE, "NAME": str(live)})
    assert [p.suffix for p in written] == [".sqlite3", ".gz"]
    # Disaster: the data and the files are gone.
    with sqlite3.connect(live) as db:
        db.execute("delete from violation")
    (tmp_path / "media" / "evidence" / "a.pdf").unlink()
    restore(written[0], database={**SQLITE, "NAME": str(live)})
    with sqlite3.connect(live) as db:
        assert db.execute("select count(*) from violation").fetchone()[0] == 2
    assert (tmp_path / "media" / "evidence" / "a.pdf").read_bytes() == b"%PDF-1.4 x"


TABLES = [
    "units_unit",
    "units_staff",
    "discipline_violation",
    "discipline_historicalviolation",
    "discipline_evidence",
    "auth_group_permissions",
]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL (DATABASE_URL)")
def test_postgres_dump_restores_into_a_scratch_database(
    serialized_rollback_db, tmp_path, settings, inspector, unit_a, chief, offence_a, unit_head_a
):
    # pg_dump sees only committed rows, hence a transactional test.
    settings.MEDIA_ROOT = tmp_path / "media"
    for _ in range(3):
        violation = factories.violation(factories.staff(unit_a), by=inspector)
        Evidence.objects.create(
            violation=violation,
            file=ContentFile(b"%PDF-1.4 y", name="y.pdf"),
            content_type="application/pdf",
            size=10,
            sha256="0" * 64,
            uploaded_by=inspector,
        )
    # Two letters issued before the backup (nos. 01 and 02), one draft waiting.
    for _ in range(2):
        services.issue_letter(
            letter=services.draft_letter(kind="reminder", violations=[offence_a], by=chief),
            by=chief,
        )
    waiting = services.draft_letter(kind="reminder", violations=[offence_a], by=chief)
    dump, _media = backup(tmp_path / "backups")
    db = connection.settings_dict
    scratch = f"{db['NAME']}_restore"
    params = {
        "host": db["HOST"] or "127.0.0.1",
        "port": db["PORT"] or 5432,
        "user": db["USER"],
        "password": db["PASSWORD"] or None,
    }
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
        admin.execute(f'drop database if exists "{scratch}"')
        admin.execute(f'create database "{scratch}"')
    try:
        restore(dump, database={**db, "NAME": scratch}, media_root=tmp_path / "restored")
        with psycopg.connect(dbname=scratch, **params) as restored:
            for table in TABLES:
                count = restored.execute(f"select count(*) from {table}").fetchone()[0]
                with connection.cursor() as cursor:
                    cursor.execute(f"select count(*) from {table}")
                    assert count == cursor.fetchone()[0], table
        assert Violation.objects.count() == 4 and Staff.objects.count() >= 3
        assert Unit.objects.filter(pk=unit_a.pk).exists()
        assert len(list((tmp_path / "restored" / "evidence").rglob("*.pdf"))) == 3
        # The register continues in the restored database: the waiting draft becomes no. 03.
        _issue_in(scratch, letter_pk=waiting.pk, by=chief)
        with psycopg.connect(dbname=scratch, **params) as restored:
            numbers = [
                row[0]
                for row in restored.execute(
                    "select number from discipline_letter where number is not null order by number"
                )
            ]
            (last,) = restored.execute("select last_number from discipline_register").fetchone()
        assert numbers == [1, 2, 3] and last == 3
        # The live database was not touched.
        assert Register.objects.get().last_number == 2
    finally:
        with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
            admin.execute(f'drop database if exists "{scratch}"')


def _issue_in(database_name: str, *, letter_pk: int, by) -> None:
    """Issue a letter through the real service against another database: the default
    connection is pointed at it for the call (safe here: a transactional test holds no open
    transaction)."""
    original = connection.settings_dict["NAME"]
    connection.close()
    connection.settings_dict["NAME"] = database_name
    try:
        services.issue_letter(letter=Letter.objects.get(pk=letter_pk), by=by)
    finally:
        connection.close()
        connection.settings_dict["NAME"] = original
