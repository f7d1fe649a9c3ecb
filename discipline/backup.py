"""Backups that restore: the database (pg_dump custom format, or SQLite's online backup) and
the uploaded files (a tar.gz of MEDIA_ROOT), written side by side with one timestamp."""

import datetime
import os
import shutil
import sqlite3
import subprocess
import tarfile
from pathlib import Path

from django.conf import settings
from django.db import connection


def _pg_env(db: dict) -> dict:
    env = {**os.environ}
    for key, var in [
        ("HOST", "PGHOST"),
        ("PORT", "PGPORT"),
        ("USER", "PGUSER"),
        ("PASSWORD", "PGPASSWORD"),
    ]:
        if db.get(key):
            env[var] = str(db[key])
    return env


def database_settings() -> dict:
    return connection.settings_dict


def backup(
    directory: Path, *, database: dict | None = None, now: datetime.datetime | None = None
) -> list[Path]:
    """Write a database dump and a media archive into `directory`; return their paths."""
    directory.mkdir(parents=True, exist_ok=True)
    stamp = (now or datetime.datetime.now()).strftime("%Y%m%d-%H%M%S")
    db = database or database_settings()
    written = []
    if db["ENGINE"] == "django.db.backends.postgresql":
        target = directory / f"kycuong-{stamp}.dump"
        subprocess.run(
            [
                "pg_dump",
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                f"--file={target}",
                db["NAME"],
            ],
            env=_pg_env(db),
            check=True,
        )
    elif db["ENGINE"] == "django.db.backends.sqlite3":
        target = directory / f"kycuong-{stamp}.sqlite3"
        source = sqlite3.connect(db["NAME"])
        copy = sqlite3.connect(target)
        with copy:
            source.backup(copy)  # consistent even while the app writes
        copy.close()
        source.close()
    else:
        raise RuntimeError(f"No backup method for {db['ENGINE']}")
    written.append(target)
    media = Path(settings.MEDIA_ROOT)
    archive = directory / f"kycuong-{stamp}-media.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        if media.exists():
            tar.add(media, arcname="media")
    written.append(archive)
    return written


def restore(dump: Path, *, database: dict | None = None, media_root: Path | None = None) -> None:
    """Restore a dump written by backup() into `database` (default: the configured one), and
    the media archive beside it, if any, into `media_root` (default: MEDIA_ROOT)."""
    db = database or database_settings()
    if dump.suffix == ".dump":
        if db["ENGINE"] != "django.db.backends.postgresql":
            raise RuntimeError("A .dump file restores into PostgreSQL only.")
        subprocess.run(
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                f"--dbname={db['NAME']}",
                str(dump),
            ],
            env=_pg_env(db),
            check=True,
        )
    elif dump.suffix == ".sqlite3":
        if db["ENGINE"] != "django.db.backends.sqlite3":
            raise RuntimeError("A .sqlite3 file restores into SQLite only.")
        connection.close()
        source = sqlite3.connect(dump)
        target = sqlite3.connect(db["NAME"])
        with target:
            source.backup(target)
        target.close()
        source.close()
    else:
        raise RuntimeError(f"Unknown backup file {dump}")
    archive = dump.with_name(dump.name.rsplit(".", 1)[0] + "-media.tar.gz")
    if archive.exists():
        media = Path(media_root or settings.MEDIA_ROOT)
        staging = media.with_name(media.name + ".restoring")
        shutil.rmtree(staging, ignore_errors=True)
        with tarfile.open(archive, "r:gz") as tar:
            tar.extractall(staging, filter="data")
        extracted = staging / "media"
        if media.exists():
            shutil.rmtree(media)
        if extracted.exists():
            extracted.rename(media)
        shutil.rmtree(staging, ignore_errors=True)
