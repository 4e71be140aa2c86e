"""Queries built and compiled once per process, their values bound on each use.

Django builds a query (`filter`, `select_related`, `annotate`) and compiles it to SQL afresh
every time it runs: for the participant page's dozen small reads that costs several times
what running them does (a millisecond to build and compile a read of one participant's
assessments, a fifth of that to run it; bench/NOTES.md). A `Prepared` query is built once,
with stand-in values, and compiled; each call puts the caller's values where the stand-ins
were and runs the SQL, and the rows become model instances as the queryset would make them
(its `select_related`, annotations and `prefetch_related` included), or, from a
`values_list()`, as tuples.

    assessments_of = Prepared(lambda participant_id: Assessment.objects.filter(
        participant_id=participant_id))
    assessments_of(participant.pk)  # a list of Assessment

What `build` may do: filter, order, select, annotate and prefetch with the values it is
given, which are whole numbers, strings, dates, or lists of whole numbers (an `__in`; a list
of another length is compiled on its own). Its SQL must depend on those values alone: a value
read inside `build` (today's date, a setting) would be compiled in for good, so pass it in.
A stand-in that does not reach the SQL's parameters as it was given (a slice's bound, a
value that a lookup rewrites, such as `icontains`) is refused when the query is compiled.
Only PostgreSQL runs prepared queries; elsewhere (SQLite, the embedded default) the queryset
is built and run as usual.
"""

from __future__ import annotations

import itertools
import re
import weakref
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, Generic, TypeVar

from django.conf import settings
from django.core.exceptions import EmptyResultSet, ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Prefetch, QuerySet, prefetch_related_objects
from django.db.models.fields.reverse_related import ManyToOneRel
from django.db.models.query import ModelIterable, ValuesListIterable, get_related_populators
from django.db.models.sql.compiler import SQLCompiler

from accounts.windows import Windowed

R = TypeVar("R")  # a row: a model instance, or a tuple of values_list()

# Stand-ins no real value takes: whole numbers far beyond any id, and days a thousand years
# past (not a month's first day, so that a `replace(day=1)` in `build` is caught, not
# compiled in).
_NUMBER = 1_987_000_000


def _stand_in(position: int, value: Any) -> Any:
    if isinstance(value, bool):
        raise TypeError("A prepared query takes no booleans: build one query for each.")
    if isinstance(value, int):
        return _NUMBER + position * 1_000
    if isinstance(value, str):
        return f"\x1fprepared {position}\x1f"
    if isinstance(value, date):
        return date(1001 + position, 3, 17)
    if isinstance(value, list):
        return [_NUMBER + position * 1_000 + 1 + index for index in range(len(value))]
    raise TypeError(f"A prepared query takes no {type(value).__name__}.")


def _normal(value: Any) -> Any:
    """Lists, tuples and sets of ids as the `__in` lookup sees them: distinct, in order."""
    if isinstance(value, list | tuple | set | frozenset):
        return sorted(set(value))
    return value


@dataclass(frozen=True)
class _Plan:
    compiler: SQLCompiler
    sql: str
    params: tuple[Any, ...]
    # (position in params, argument, item of a list argument or -1)
    slots: tuple[tuple[int, int, int], ...]
    prefetch: tuple[Any, ...]
    tuples: bool  # values_list(): the rows themselves
    # The prefetches, each a prepared query of its own, when every one can be (`_Children`).
    children: tuple[_Children, ...] | None = None
    # What turns its rows into values and instances, worked out on the first call (the
    # fields' converters, the related populators): the same on every call after it.
    made: dict[Any, Any] = field(default_factory=dict, compare=False, repr=False)

    def bind(self, args: Sequence[Any]) -> list[Any]:
        params = list(self.params)
        for slot, argument, item in self.slots:
            params[slot] = args[argument] if item < 0 else args[argument][item]
        return params


def _compile(queryset: QuerySet[Any], args: Sequence[Any]) -> _Plan:
    iterable = queryset._iterable_class
    related = queryset._known_related_objects  # type: ignore[attr-defined]
    if iterable not in (ModelIterable, ValuesListIterable) or related:
        raise ImproperlyConfigured(
            "A prepared query reads model instances or values_list() tuples from a plain "
            "queryset (not values(), flat or named lists, nor a related manager's: filter by "
            "the id instead)."
        )
    compiler = queryset.query.get_compiler(using=queryset.db)
    sql, params = compiler.as_sql()
    wanted: dict[Any, tuple[int, int]] = {}
    for argument, value in enumerate(args):
        if isinstance(value, list):
            for item, each in enumerate(value):
                wanted[each] = (argument, item)
        else:
            wanted[value] = (argument, -1)
    slots = []
    found = set()
    for slot, param in enumerate(params):
        if isinstance(param, bool) or not isinstance(param, int | str | date):
            continue
        where = wanted.get(param)
        if where is not None:
            slots.append((slot, *where))
            found.add(param)
    if found != set(wanted):
        raise ImproperlyConfigured(
            "A prepared query's value did not reach its SQL as given (a slice, or a lookup "
            f"that rewrites it): {sql}"
        )
    lookups = queryset._prefetch_related_lookups  # type: ignore[attr-defined]
    children = [_children(queryset, lookup) for lookup in lookups]
    return _Plan(
        compiler,
        sql,
        tuple(params),
        tuple(slots),
        lookups,
        iterable is ValuesListIterable,
        None if None in children else tuple(c for c in children if c is not None),
    )


@dataclass(frozen=True)
class _Children:
    """A `Prefetch` of the rows pointing at each object (a reverse foreign key, such as a
    participant's `risk_flags`) into a list attribute, read by a prepared query of its own:
    `prefetch_related_objects` builds and compiles its query on every call."""

    hops: tuple[str, ...]  # forward relations to the parent, loaded by select_related
    to_attr: str
    field: Any  # the children's foreign key to the parent
    rows: Prepared[Any]

    def fill(self, objects: list[Any]) -> None:
        parents = objects
        for hop in self.hops:
            parents = [getattr(parent, hop) for parent in parents]
            parents = [parent for parent in parents if parent is not None]
        if not parents:
            return
        by_parent = {parent.pk: parent for parent in parents}
        found: defaultdict[Any, list[Any]] = defaultdict(list)
        attname = self.field.attname
        for child in self.rows(list(by_parent)):
            parent_id = getattr(child, attname)
            found[parent_id].append(child)
            # As Django's prefetch does: the child knows its parent without a query.
            self.field.set_cached_value(child, by_parent[parent_id])
        for parent in parents:
            setattr(parent, self.to_attr, found.get(parent.pk, []))


def _children(queryset: QuerySet[Any], lookup: Any) -> _Children | None:
    """The lookup as `_Children` when it is one (a `Prefetch` with `to_attr` of a reverse
    foreign key, reached through relations the query already selects); None otherwise."""
    if not isinstance(lookup, Prefetch) or not lookup.to_attr or lookup.queryset is None:
        return None
    *hops, last = lookup.prefetch_through.split("__")
    model = queryset.model
    selected = queryset.query.select_related
    for hop in hops:
        field = model._meta.get_field(hop)
        if not (field.many_to_one or field.one_to_one) or field.auto_created:
            return None
        if not isinstance(selected, dict) or hop not in selected:
            return None
        selected = selected[hop]
        model = field.related_model
    relation = model._meta.get_field(last)
    if not isinstance(relation, ManyToOneRel) or relation.one_to_one:
        return None
    children = lookup.queryset
    name = relation.field.name
    return _Children(
        tuple(hops),
        lookup.to_attr,
        relation.field,
        Prepared(lambda ids: children.filter(**{f"{name}__in": ids})),
    )


def _converted(plan: _Plan, rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """The rows' values as the queryset gives them (its fields' converters applied)."""
    compiler = plan.compiler
    if compiler.has_extra_select:
        rows = [row[: compiler.col_count] for row in rows]
    converters = plan.made.get("converters")
    if converters is None:
        select = compiler.select[: compiler.col_count]
        converters = plan.made["converters"] = compiler.get_converters(
            [column[0] for column in select]
        )
    if converters:
        rows = [tuple(row) for row in compiler.apply_converters(rows, converters)]
    return rows


def _instances(plan: _Plan, rows: list[tuple[Any, ...]], db: str) -> list[Any]:
    """The rows as model instances, as `ModelIterable` makes them."""
    made = plan.made.get(("instances", db))
    if made is None:
        compiler = plan.compiler
        select, klass_info, annotation_col_map = (
            compiler.select,
            compiler.klass_info,
            compiler.annotation_col_map,
        )
        assert klass_info is not None
        select_fields = klass_info["select_fields"]
        start, end = select_fields[0], select_fields[-1] + 1
        made = plan.made[("instances", db)] = (
            klass_info["model"],
            start,
            end,
            [column[0].target.attname for column in select[start:end]],
            # Django 5.2 takes three arguments; the type stubs are of a later release.
            get_related_populators(klass_info, select, db),  # type: ignore[call-arg]
            list((annotation_col_map or {}).items()),
        )
    model_cls, start, end, init_list, populators, annotations = made
    objects = []
    for row in rows:
        obj = model_cls.from_db(db, init_list, row[start:end])
        for populator in populators:
            populator.populate(row, obj)
        for name, position in annotations:
            setattr(obj, name, row[position])
        objects.append(obj)
    return objects


# Server-side prepared statements (PREPARE once per database connection, then EXECUTE):
# PostgreSQL then plans a statement once, not on every run, which for a page's small reads
# cost as much as running them (bench/NOTES.md). Off with DATABASE_SERVER_PREPARED=false,
# for a pooler that hands a client's statements to other server connections.
_SERVER_TYPES: tuple[tuple[type, str], ...] = (
    (bool, "boolean"),
    (int, "bigint"),
    (str, "text"),
    (datetime, "timestamptz"),
    (date, "date"),
    (Decimal, "numeric"),
    (float, "double precision"),
    (timedelta, "interval"),
)
_statement_numbers = itertools.count(1)
# Per raw database connection, its statements' names: prepared (True), or given up (False).
_prepared_on: weakref.WeakKeyDictionary[Any, dict[str, bool]] = weakref.WeakKeyDictionary()


def _server_type(value: Any) -> str | None:
    for kind, name in _SERVER_TYPES:
        if isinstance(value, kind):
            return name
    return None


def _server_statement(plan: _Plan, sliced: bool, params: list[Any]) -> tuple[str, str] | None:
    """The plan's statement's name and its PREPARE (its LIMIT and OFFSET with it when
    `sliced`), made on the first call; None where it cannot be prepared (a value of a type it
    does not name): its SQL is then sent as it is."""
    key = ("statement", sliced)
    made: Any = plan.made.get(key)
    if made is None:
        types = [_server_type(value) for value in params]
        text = plan.sql + (" LIMIT %s OFFSET %s" if sliced else "")
        if None in types or "$" in text:
            made = plan.made[key] = False
        else:
            numbers = iter(range(1, len(params) + 1))
            body = re.sub(
                r"%([s%])", lambda m: "%" if m.group(1) == "%" else f"${next(numbers)}", text
            )
            name = f"links_prepared_{next(_statement_numbers)}"
            declared = f" ({', '.join(t for t in types if t)})" if params else ""
            made = plan.made[key] = (name, f"PREPARE {name}{declared} AS {body}")
    return made or None


def _execute(
    plan: _Plan, sliced: bool, sql: str, params: list[Any], connection: Any, cursor: Any
) -> None:
    """Run the plan's SQL: as an EXECUTE of its statement prepared on the server, the first
    time on a connection sent with its PREPARE in one round trip (one statement to Django,
    so a page's query count is the same whichever connection it runs on)."""
    statement = (
        _server_statement(plan, sliced, params) if settings.DATABASE_SERVER_PREPARED else None
    )
    if statement is None:
        cursor.execute(sql, params)
        return
    name, prepare = statement
    raw = connection.connection
    on_connection = _prepared_on.get(raw)
    if on_connection is None:
        on_connection = _prepared_on[raw] = {}
    state = on_connection.get(name)
    if state is False:
        cursor.execute(sql, params)  # its PREPARE failed here once: not tried again
        return
    execute = f"EXECUTE {name}" + (f" ({', '.join(['%s'] * len(params))})" if params else "")
    if state is None:
        try:
            if params:
                cursor.execute(prepare.replace("%", "%%") + "; " + execute, params)
            else:
                cursor.execute(f"{prepare}; {execute}")
        except Exception:
            # Whether the PREPARE took is not known: the plain SQL from now on, here.
            on_connection[name] = False
            raise
        on_connection[name] = True
        return
    cursor.execute(execute, params or None)


class Prepared(Generic[R]):
    """`build(*values)`'s rows, from SQL compiled once per process (module docstring)."""

    def __init__(self, build: Callable[..., QuerySet[Any, R]]):
        self.build = build
        self._plans: dict[tuple[Any, ...], _Plan] = {}
        self._plain = False  # the database is not PostgreSQL: build and run as usual

    def __call__(self, *values: Any) -> list[R]:
        return self._run(values, None)

    def slice(self, start: int, stop: int, *values: Any) -> list[R]:
        """The rows from `start` to `stop` of `build(*values)` (which must be ordered): its
        SQL with a LIMIT and an OFFSET as values, so that every page runs the same SQL."""
        if start < 0 or stop < start:
            raise ValueError("A prepared slice goes forwards from a row that exists.")
        return self._run(values, (start, stop))

    def _run(self, values: Sequence[Any], bounds: tuple[int, int] | None) -> list[R]:
        args = [_normal(value) for value in values]
        if self._plain:
            return self._built(args, bounds)
        key = tuple(len(a) if isinstance(a, list) else type(a) for a in args)
        plan = self._plans.get(key)
        if plan is None:
            if any(isinstance(a, list) and not a for a in args):
                # An empty `__in`: Django answers without SQL.
                return self._built(args, bounds)
            stand_ins = [_stand_in(position, a) for position, a in enumerate(args)]
            queryset = self.build(*stand_ins)
            if connections[queryset.db].vendor != "postgresql":
                self._plain = True
                return self._built(args, bounds)
            try:
                plan = _compile(queryset, stand_ins)
            except EmptyResultSet:
                return self._built(args, bounds)
            self._plans[key] = plan
        db = plan.compiler.using or DEFAULT_DB_ALIAS
        sql, params = plan.sql, plan.bind(args)
        if bounds is not None:
            query = plan.compiler.query
            ordered = query.order_by or (query.default_ordering and query.get_meta().ordering)
            if query.combinator or query.is_sliced or not ordered:
                raise ImproperlyConfigured("A prepared slice is of one ordered, unsliced query.")
            sql += " LIMIT %s OFFSET %s"
            params += [bounds[1] - bounds[0], bounds[0]]
        connection = connections[db]
        with connection.cursor() as cursor:
            _execute(plan, bounds is not None, sql, params, connection, cursor)
            rows = cursor.fetchall()
        rows = _converted(plan, rows)
        if plan.tuples:
            # values_list(): the queryset's rows are these tuples.
            return rows  # type: ignore[return-value]
        objects = _instances(plan, rows, db)
        if plan.prefetch and objects:
            if plan.children is None:
                prefetch_related_objects(objects, *plan.prefetch)
            else:
                for children in plan.children:
                    children.fill(objects)
        return objects

    def _built(self, args: list[Any], bounds: tuple[int, int] | None) -> list[R]:
        queryset = self.build(*args)
        if bounds is not None:
            queryset = queryset[bounds[0] : bounds[1]]
        return list(queryset)


class PreparedPages(Windowed[Any]):
    """A prepared query's rows as a paginator reads them: how many there are (counted
    apart), and each page by `Prepared.slice` with the same values, so that every page of a
    list runs the same SQL. `flat`: each row's first value, as `values_list(flat=True)`."""

    def __init__(
        self, prepared: Prepared[Any], values: Sequence[Any], count: int, *, flat: bool = False
    ):
        self._prepared, self._values, self._count, self._flat = prepared, values, count, flat

    def __len__(self) -> int:
        return self._count

    def _window(self, start: int, stop: int) -> list[Any]:
        stop = min(stop, self._count)
        if stop <= start:
            return []
        rows = self._prepared.slice(start, stop, *self._values)
        return [row[0] for row in rows] if self._flat else rows
