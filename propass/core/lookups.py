"""`field__any=AnyOf(values)`: membership in a long list of values as one array parameter on
PostgreSQL (`= ANY(%s)`), where `__in` builds, resolves and adapts one placeholder and parameter
per value (thousands for the audit entries of a business with thousands of products); a plain
IN list elsewhere. The values are wrapped so that the ORM passes them through untouched: they
must already be what the column stores (text for text columns)."""

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db.models import Field, Lookup


class Values:
    """The values of an `__any` lookup, as the column stores them."""

    def __init__(self, values: Iterable[Any]) -> None:
        self.values = list(values)


@Field.register_lookup
class AnyOf(Lookup):
    lookup_name = "any"
    prepare_rhs = False

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, Any]:  # type: ignore[override]
        lhs, lhs_params = self.process_lhs(compiler, connection)
        values = self.rhs.values if isinstance(self.rhs, Values) else list(self.rhs)
        if not values:
            raise EmptyResultSet
        if connection.vendor == "postgresql":
            return f"{lhs} = ANY(%s)", [*lhs_params, values]
        return f"{lhs} IN ({', '.join(['%s'] * len(values))})", [*lhs_params, *values]
