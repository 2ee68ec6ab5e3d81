"""Reads whose SQL the ORM builds once per process, for the few queries every resident page runs.

Django builds a query's SQL afresh on every evaluation: it resolves the filters, lists every column of every
table in select_related and quotes each name. For the reads each resident page makes (who is logged in, and
their doses and reservations: three queries) that was about 1.1 ms of CPU against 0.15 ms for the database to
answer them (bench/README.md, round 6), a quarter of a page. A `PreparedRead` lets the ORM build the SQL once,
from an ordinary QuerySet whose parameters are stand-ins, then runs that SQL with each call's values and turns
the rows into model instances the way Django's own iterator does (its converters, `Model.from_db`, its
select_related populators). The instances are the ORM's: the same fields, the same related objects cached.

Only for queries whose shape never changes (the same filters every time, only the values differ), and only
values that are plain parameters in the SQL (ids, strings): the stand-in must appear exactly once per
parameter, which is checked when the SQL is built. A query through the connection's cursor is logged and
counted like any other (the tests pin the pages' query counts).

`PreparedRows` does the same for values() queries whose filters come and go (the calendar's and the times'
reads in availability.py): one SQL per shape, with int, date and datetime parameters."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

from django.core.exceptions import EmptyResultSet
from django.db import connections, router
from django.db.models import QuerySet
from django.db.models.query import ModelIterable, ValuesIterable, get_related_populators

# Stand-ins for the parameters while the SQL is built: values no real query carries.
STAND_INS = (-7_919_311, -7_919_313, -7_919_317)


class _Built:
    """One query's SQL and what turns its rows into instances, for one database."""

    def __init__(self, queryset: QuerySet, alias: str, names: tuple[str, ...]):
        if queryset._prefetch_related_lookups or queryset._iterable_class is not ModelIterable:
            raise ValueError("a prepared read makes model instances, without prefetch_related")
        compiler = queryset.query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        params = list(params)
        self.positions = {}
        for name, stand_in in zip(names, STAND_INS, strict=False):
            # A text column's lookup turns the number into text: compare as text (no real value is either).
            found = [i for i, value in enumerate(params) if str(value) == str(stand_in)]
            if len(found) != 1:
                raise ValueError(f"the parameter {name!r} must appear once in the SQL, not {len(found)} times")
            self.positions[name] = found[0]
        if compiler.annotation_col_map:  # Django's iterator sets them on each instance; this one would not
            raise ValueError("a prepared read makes plain model instances, without annotations")
        self.sql, self.params = sql, params
        self.klass_info = compiler.klass_info
        select = compiler.select
        self.model = self.klass_info["model"]
        fields = self.klass_info["select_fields"]
        self.start, self.end = fields[0], fields[-1] + 1
        self.init_list = [column[0].target.attname for column in select[self.start:self.end]]
        self.converters = list(compiler.get_converters([column[0] for column in select[:compiler.col_count]]).items())
        self.populators = get_related_populators(self.klass_info, select, alias)
        self.alias = alias

    def run(self, values: dict) -> list:
        params = list(self.params)
        for name, position in self.positions.items():
            params[position] = values[name]
        connection = connections[self.alias]  # this thread's: converters are given the connection they run on
        with connection.cursor() as cursor:
            cursor.execute(self.sql, params)
            rows = cursor.fetchall()
        out = []
        for row in rows:
            if self.converters:
                row = list(row)
                for position, (functions, expression) in self.converters:
                    value = row[position]
                    for function in functions:
                        value = function(value, expression, connection)
                    row[position] = value
            obj = self.model.from_db(self.alias, self.init_list, row[self.start:self.end])
            for populator in self.populators:
                populator.populate(row, obj)
            out.append(obj)
        return out


class PreparedRead:
    """`build(**stand_ins)` returns the QuerySet of `model`; `read(**values)` runs its SQL with the values and
    returns a list of instances. Built on first use per database alias, kept for the life of the process."""

    def __init__(self, model, build: Callable[..., QuerySet], *names: str):
        if len(names) > len(STAND_INS):
            raise ValueError("too many parameters")
        self.model, self.build, self.names = model, build, names
        self._built: dict[str, _Built] = {}
        self._lock = threading.Lock()

    def read(self, **values) -> list:
        alias = router.db_for_read(self.model)
        built = self._built.get(alias)
        if built is None:
            with self._lock:  # gthread workers: one thread builds, the others wait for it
                built = self._built.get(alias)
                if built is None:
                    queryset = self.build(**dict(zip(self.names, STAND_INS, strict=False)))
                    built = self._built[alias] = _Built(queryset, alias, self.names)
        return built.run(values)


# --- values() queries of a few shapes: the availability reads -------------------------------------------------


def _stand_in(value, k: int):
    """The k-th stand-in for a parameter of value's kind: no real query carries a date in 1901 or these ids."""
    if isinstance(value, datetime):
        return datetime(1901, 1, 1, tzinfo=UTC) + timedelta(minutes=k + 1)
    if isinstance(value, date):
        return date(1901, 1, 1) + timedelta(days=k + 1)
    if isinstance(value, int) and not isinstance(value, bool):
        return -7_919_000 - k
    raise TypeError(f"a prepared query's parameter is an int, a date or an aware datetime, not {value!r}")


def _adapt(value, connection):
    """A parameter as the ORM hands it to the database driver (a DateField's or DateTimeField's lookup)."""
    if isinstance(value, datetime):
        return connection.ops.adapt_datetimefield_value(value)
    if isinstance(value, date):
        return connection.ops.adapt_datefield_value(value)
    return value


class _BuiltRows:
    """One values() query's SQL for one shape and database: where each parameter goes, and its columns."""

    def __init__(self, queryset: QuerySet, alias: str, stand_ins: dict[tuple, object]):
        self.alias = alias
        connection = connections[alias]
        self.empty = False
        try:
            compiler = queryset.query.get_compiler(using=alias)
            sql, params = compiler.as_sql()
        except EmptyResultSet:  # an IN list with no ids: no row, without asking the database
            self.empty = True
            return
        if queryset._iterable_class is not ValuesIterable:
            raise ValueError("prepared rows are a values() query's dicts")
        params = list(params)
        self.positions: dict[tuple, list[int]] = {}
        for slot, stand_in in stand_ins.items():
            adapted = _adapt(stand_in, connection)
            found = [i for i, value in enumerate(params) if type(value) is type(adapted) and value == adapted]
            if not found:
                raise ValueError(f"the parameter {slot[0]!r} is not in the SQL")
            self.positions[slot] = found
        query = queryset.query
        self.names = list(query.selected) if query.selected else [
            *query.extra_select, *query.values_select, *query.annotation_select]
        self.col_count = compiler.col_count
        self.converters = list(compiler.get_converters([s[0] for s in compiler.select[:compiler.col_count]]).items())
        self.sql, self.params = sql, params

    def run(self, values: dict[tuple, object]) -> list[dict]:
        if self.empty:
            return []
        connection = connections[self.alias]
        params = list(self.params)
        for slot, positions in self.positions.items():
            value = _adapt(values[slot], connection)
            for position in positions:
                params[position] = value
        with connection.cursor() as cursor:
            cursor.execute(self.sql, params)
            rows = cursor.fetchall()
        names, out = self.names, []
        for row in rows:
            row = list(row[:self.col_count])
            for position, (functions, expression) in self.converters:
                value = row[position]
                for function in functions:
                    value = function(value, expression, connection)
                row[position] = value
            out.append(dict(zip(names, row, strict=True)))
        return out


class PreparedRows:
    """A values() query whose SQL the ORM builds once per shape, for reads whose filters come and go.

    `build(*shape, **params)` returns the QuerySet; `rows(*shape, **params)` returns its rows, as dicts, the way
    `values()` gives them. The shape is what decides the SQL's form (a dose number that becomes a bit mask, say);
    the parameters are its values: ints, dates, aware datetimes, or tuples of them for an IN list. A parameter
    left out (None) is part of the shape too, as is the length of each tuple. A parameter may appear more than
    once in the SQL (`now` twice, say); every place gets its value, adapted for the database as the ORM would."""

    def __init__(self, model, build: Callable[..., QuerySet]):
        self.model, self.build = model, build
        self._built: dict[tuple, _BuiltRows] = {}
        self._lock = threading.Lock()

    def rows(self, *shape, **params) -> list[dict]:
        params = {name: tuple(value) if isinstance(value, list) else value
                  for name, value in params.items() if value is not None}
        flat = {}  # (name, index): value; index None for a single value
        for name, value in params.items():
            if isinstance(value, tuple):
                flat.update({(name, i): item for i, item in enumerate(value)})
            else:
                flat[(name, None)] = value
        alias = router.db_for_read(self.model)
        lengths = tuple(sorted((name, len(v) if isinstance(v, tuple) else -1) for name, v in params.items()))
        key = (alias, shape, lengths)
        built = self._built.get(key)
        if built is None:
            with self._lock:
                built = self._built.get(key)
                if built is None:
                    stand_ins = {slot: _stand_in(value, k) for k, (slot, value) in enumerate(flat.items())}
                    given = {name: tuple(stand_ins[(name, i)] for i in range(len(value))) if isinstance(value, tuple)
                             else stand_ins[(name, None)] for name, value in params.items()}
                    built = self._built[key] = _BuiltRows(self.build(*shape, **given), alias, stand_ins)
        return built.run(flat)
