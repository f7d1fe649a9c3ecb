"""Small test helpers shared across the suite."""

from django.db import connection
from django.test.utils import CaptureQueriesContext


def count_queries(client, url: str, *, status: int = 200) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return len(ctx.captured_queries)
