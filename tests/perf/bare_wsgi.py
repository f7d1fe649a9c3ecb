"""The floor under gunicorn: a bare WSGI app that runs the violation list's query through
psycopg and renders the rows as an f-string table. No framework, no session, no template."""

import os

import psycopg

SQL = os.environ.get("BENCH_FLOOR_SQL", "SELECT 1")
PARAMS = [p for p in os.environ.get("BENCH_FLOOR_PARAMS", "").split("|") if p]
_connection = None


def application(environ, start_response):
    global _connection
    if _connection is None or _connection.closed:
        _connection = psycopg.connect(os.environ["BENCH_DSN"], autocommit=True)
    with _connection.cursor() as cursor:
        cursor.execute(SQL, PARAMS)
        rows = cursor.fetchall()
    cells = "".join(
        "<tr>" + "".join(f"<td>{value}</td>" for value in row) + "</tr>" for row in rows
    )
    body = f"<!doctype html><table>{cells}</table>".encode()
    start_response(
        "200 OK", [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(body)))]
    )
    return [body]
