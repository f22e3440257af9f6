"""What an app adds to the pages and jobs that compose every app, declared in one place.

Each app that shows up outside its own pages lists what it adds in `<app>/contributions.py`:

    CONTRIBUTIONS = [
        NavEntry("demands:list", _("Demands"), order=70),
        Sweeper(sweep.run, order=10),
        DemoChapter(demo.load, after=("visits",)),
        ...
    ]

The shell (home, navigation, sweep runner), the demo and the kernel's slot tag loop over what is declared, so
a lower layer never names a higher one (docs/development.md, "Contributions"). Declarations are read once,
on first use, from every installed app in INSTALLED_APPS order; a contributions module imports only its own
app and lower layers.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from importlib import import_module
from typing import Any, TypeVar

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy

T = TypeVar("T")


@dataclass(frozen=True)
class NavEntry:
    """A link of the navigation bar. `area` "main": the sections (the longest match is highlighted); "tools":
    the links after them (administration, API docs, notifications)."""

    url_name: str
    label: Any  # a lazy translation
    permission: str | None = (
        None  # a registered predicate's name (core.permissions); None: every signed-in user
    )
    area: str = "main"
    order: int = 100
    badge_url_name: str | None = None  # an htmx fragment loaded into the link (the unread count)
    group: str = ""  # a menu of the bar ("registry", "service", "economy"; the shell names them); "": a link


@dataclass(frozen=True)
class HomeCard:
    """A figure card of the home page. `context(request)` returns the card template's context, or None to leave
    the card out. Cards are computed in `order`; one that shares a figure with another reads it through a
    request-cached query of the app that owns it, so no figure is counted twice."""

    name: str
    template: str  # rendered with the context as `card`
    context: Callable[[Any], dict | None]
    order: int = 100
    permission: str | None = None
    area: str = "cards"  # "cards": the row of figures; "wide": below it, the page's width (charts)
    draws_charts: bool = False  # the card holds a charts.js box: the page loads ECharts


@dataclass(frozen=True)
class TodoItem:
    """A line of the home page's to-do list: what waits for the user today, counted over the rows they may see
    (`visible_to`), linking to the list that shows those rows through filters the list already accepts.

    `count(request)` returns the number, or None to leave the line out (it does not concern the user);
    `url(request)` the link; `note(request)` an optional line of detail (a period, a deadline, a target);
    `rows(request)` optional sub-lines, each {"label", "url", "hint", "status"} (the most urgent rows).
    `roles` names the roles (core.models.Role values, "zone_admin" for zone administrators) the line is for
    (empty: every role `permission` allows). Each callable costs a fixed number of queries whatever the rows."""

    name: str
    label: Any  # a lazy translation
    count: Callable[[Any], int | None]
    url: Callable[[Any], str]
    permission: str | None = None
    roles: tuple[str, ...] = ()
    order: int = 100
    note: Callable[[Any], str | None] | None = None
    rows: Callable[[Any], list[dict]] | None = None


@dataclass(frozen=True)
class Panel:
    """A part of another app's page, shown in a named slot: `{% slot "enterprise.main" enterprise %}`.

    Either `url_name` (loaded by htmx after the page, reversed with the object's pk) or `render(context, obj)`
    (rendered in the page's request, returning HTML) is given. Slots in use: "enterprise.main",
    "enterprise.aside", "enterprise.aside-lower" (the enterprise profile), "grid.actions" (a grid's page),
    "visits.actions" (the visit log's buttons; the object is None).
    """

    slot: str
    name: str
    order: int = 100
    url_name: str | None = None
    render: Callable[[Any, Any], str] | None = None
    permission: str | None = None

    def __post_init__(self):
        if (self.url_name is None) == (self.render is None):
            raise ImproperlyConfigured(
                f"Panel {self.name!r}: give either url_name or render, not both or neither"
            )


@dataclass(frozen=True)
class Sweeper:
    """Periodic work run by `jingkai sweep`: `run(now, stdout=None) -> dict[str, int]`, idempotent and
    set-based. `name` keys its counts in the sweep's result (default: the function's dotted path)."""

    run: Callable[..., dict | None]
    order: int = 100
    name: str = ""

    def __post_init__(self):
        if not self.name:
            object.__setattr__(self, "name", f"{self.run.__module__}.{self.run.__name__}")


@dataclass(frozen=True)
class DemoChapter:
    """An app's part of the demo zone: `load(seed, stdout=None) -> dict` after the registry is written, and
    optionally `scale(n, seed, stdout=None)` after `--scale N`. `after` names the apps (labels) whose chapters
    it reads; chapters run in INSTALLED_APPS order as far as `after` allows."""

    load: Callable[..., dict | None]
    scale: Callable[..., Any] | None = None
    after: tuple[str, ...] = ()


@dataclass(frozen=True)
class ScopeFacet:
    """A part of a user's scope that a registry app resolves (core.scoping.Scope): e.g. "grid_ids", the grids a
    user is assigned to today, as a subquery. `resolve(user)` is called at most once per request."""

    name: str
    resolve: Callable[[Any], Any]


@dataclass(frozen=True)
class EnterpriseReach:
    """Enterprises a department handler may open because of another app's rows: `q(scope)` is a Q over
    Enterprise (demands: those of demands routed to the department; investment: those of the ledger)."""

    q: Callable[[Any], Any]


@dataclass(frozen=True)
class HistorySource:
    """Rows of another app kept with an enterprise whose history the profile's change log shows.
    `model` is the app label and model name ("<app>.<Model>"); `describe(record, names)` names one
    historical record for the log, reading only its own columns and `names` (related names looked up in bulk,
    keyed (model, field, pk))."""

    model: str
    describe: Callable[[Any, dict], str]
    names_for: tuple[str, ...] = ()  # foreign keys whose objects `describe` names (looked up in bulk)


@dataclass(frozen=True)
class ListFilter:
    """A filter of another app's list, keyed by the list's name and the filter's parameter: the list declares
    the parameter (and so its API contract); the app that owns the data says what it means.
    `choices(user)` lists (value, label) pairs the user may pick; `apply(queryset, value)` filters."""

    list_name: str  # e.g. "enterprises"
    param: str  # e.g. "chain"
    choices: Callable[[Any], list[tuple[str, str]]]
    apply: Callable[[Any, str], Any]


@dataclass(frozen=True)
class Listener:
    """A call another app makes after something happened in it (e.g. "stats.periods_changed" after an import
    committed): `handler(*args)` runs in declaration order when the app calls `announce(event, *args)`."""

    event: str
    handler: Callable[..., Any]


@dataclass(frozen=True)
class Declared:
    app: str  # the declaring app's label
    item: Any
    index: tuple[int, int] = field(compare=False, default=(0, 0))  # (app position, position in its list)


@functools.cache
def _all() -> tuple[Declared, ...]:
    found: list[Declared] = []
    for position, config in enumerate(apps.get_app_configs()):
        name = f"{config.name}.contributions"
        try:
            module = import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:
                continue
            raise
        for i, item in enumerate(getattr(module, "CONTRIBUTIONS", ())):
            found.append(Declared(config.label, item, (position, i)))
    return tuple(found)


def declarations(kind: type[T]) -> list[Declared]:
    """Every declaration of a kind, with its app, in INSTALLED_APPS order then list order."""
    return [d for d in _all() if isinstance(d.item, kind)]


def declared(kind: type[T]) -> list[T]:
    """Every declared item of a kind, sorted by its `order` when it has one (ties: INSTALLED_APPS order)."""
    items = declarations(kind)
    return [d.item for d in sorted(items, key=lambda d: (getattr(d.item, "order", 0), d.index))]


def reset() -> None:
    """Forget what was read (tests that declare contributions of their own)."""
    _all.cache_clear()


def announce(event: str, *args) -> None:
    """Call every Listener declared for an event, in declaration order."""
    for listener in declared(Listener):
        if listener.event == event:
            listener.handler(*args)


def list_filter(list_name: str, param: str) -> ListFilter | None:
    for item in declared(ListFilter):
        if item.list_name == list_name and item.param == param:
            return item
    return None


def ordered_chapters() -> list[Declared]:
    """Demo chapters in INSTALLED_APPS order, each after the apps it names in `after`."""
    chapters = declarations(DemoChapter)
    by_app = {d.app: d for d in chapters}
    done: list[Declared] = []
    seen: set[str] = set()

    def visit(declared_item: Declared, path: Iterable[str]) -> None:
        if declared_item.app in seen:
            return
        if declared_item.app in path:
            raise ImproperlyConfigured(
                f"Demo chapters wait for each other: {' → '.join([*path, declared_item.app])}"
            )
        for label in declared_item.item.after:
            if label not in by_app:
                raise ImproperlyConfigured(
                    f"The {declared_item.app} demo chapter waits for {label!r}, which has none"
                )
            visit(by_app[label], [*path, declared_item.app])
        seen.add(declared_item.app)
        done.append(declared_item)

    for chapter in chapters:
        visit(chapter, [])
    return done


def render_in(context, template_name: str, data: dict) -> str:
    """Render a Panel's or HomeCard's template as an inclusion tag does: in a new context layered on the page's
    (so no context processor runs again and no query is repeated), keeping the page's CSRF token."""
    template = context.template.engine.get_template(template_name)
    new_context = context.new(data)
    csrf_token = context.get("csrf_token")
    if csrf_token is not None:
        new_context["csrf_token"] = csrf_token
    return template.render(new_context)


# --- the kernel's own -----------------------------------------------------------------------------------


def purge_audit_log(now, stdout=None) -> dict[str, int]:
    """The audit log's retention (jingkai.core.audit.purge), run by the sweep."""
    from jingkai.core import audit

    return audit.purge(now, stdout=stdout)


def sweep_jobs(now, stdout=None) -> dict[str, int]:
    """Background jobs (jingkai.core.export_jobs.sweep): expired export files, jobs whose worker died."""
    from jingkai.core import export_jobs

    return export_jobs.sweep(now, stdout=stdout)


# The kernel declares through the same mechanism as the apps (core is in INSTALLED_APPS, and this is its
# contributions module): the purge runs before the e-mails (1000).
CONTRIBUTIONS = [
    Sweeper(purge_audit_log, order=900, name="audit"),
    Sweeper(sweep_jobs, order=910, name="jobs"),
    # 三员分立: the audit and the security administrator's pages.
    NavEntry("audit:log", gettext_lazy("Audit log"), permission="core.is_audit_admin", order=5),
    NavEntry("security:roles", gettext_lazy("Roles"), permission="core.is_security_admin", order=5),
]
