"""Pages of long lists without counting whole tables.

A back-office list over a table of millions (the audit log, invoices, registrations) paid a
`COUNT(*)` of every matching row on each page. `CappedPaginator` counts at most `cap` + 1 rows,
without ordering, so the database stops as soon as it has seen that many: the count costs at
most `cap` index entries whatever the table's size. Past the cap, pages are numbered up to it and
the page says "more than"; a filter narrows the list."""

from functools import cached_property
from typing import Any

from django.core.paginator import Paginator
from django.db.models import QuerySet

COUNT_CAP = 10_000


class CappedPaginator(Paginator):
    def __init__(self, object_list: Any, per_page: int, *, cap: int | None = None, **kwargs: Any) -> None:
        super().__init__(object_list, per_page, **kwargs)
        self.cap = COUNT_CAP if cap is None else cap

    @cached_property
    def _counted(self) -> int:
        rows = self.object_list
        if isinstance(rows, QuerySet):
            return rows.order_by()[: self.cap + 1].count()
        return len(rows)

    @cached_property
    def count(self) -> int:
        return min(self._counted, self.cap)

    @property
    def more(self) -> bool:
        """More rows match than were counted: the count and the number of pages are lower bounds."""
        return self._counted > self.cap
