"""Paginators for big tables.

EstimatedCountPaginator answers the admin's "how many rows" from PostgreSQL's planner (whose
row estimate for a plain table is pg_class.reltuples) once a table is big: an exact COUNT(*)
over a million rows costs more than the page itself. Below `threshold` rows the count is
exact (and costs the one query it always did). Deep pages fetch the page's ids first (an index-only scan skips the earlier
rows without reading them) and then only those rows."""

from django.core.paginator import Paginator
from django.db import connections
from django.utils.functional import cached_property


def planner_rows(queryset) -> int | None:
    """PostgreSQL's estimate of how many rows `queryset` returns (None elsewhere)."""
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        return None
    sql, params = queryset.order_by().query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        import json

        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


class EstimatedCountPaginator(Paginator):
    threshold = 50_000
    # From this row on, a page is fetched as ids first, then rows.
    deep_from = 1_000

    @cached_property
    def count(self) -> int:
        queryset = self.object_list
        if not hasattr(queryset, "query"):
            return super().count
        # Counted up to the threshold, in the list's order: the database walks the index that
        # serves the page and stops there. Only a big table costs a second query (EXPLAIN).
        counted = queryset[: self.threshold].count()
        if counted < self.threshold:
            return counted
        return max(planner_rows(queryset) or 0, counted)

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        queryset = self.object_list
        if bottom < self.deep_from or not hasattr(queryset, "query"):
            return super().page(number)
        top = bottom + self.per_page
        ids = list(queryset.values_list("pk", flat=True)[bottom:top])
        rows = {row.pk: row for row in queryset.filter(pk__in=ids)}
        return self._get_page([rows[pk] for pk in ids if pk in rows], number, self)
