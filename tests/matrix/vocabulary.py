"""The words the expected-status table is written in: rows, references to the zone's rows, and compact defaults.

A row names one URL pattern (a page by its URL name, an API operation by its OpenAPI path, an admin area by its
model) with the ids to fill it with and, per HTTP method, what every persona gets:

    Page("enterprises:detail", pk=Z.above1, GET=ABOVE1)
    Api("/api/enterprises/{ident}", ident=Z.above1, GET=ABOVE1, PATCH=scoped(GRID1, SEES_ABOVE1), body={...})

An expectation is a dict persona -> status built by `allow()` or one of the named defaults below; the anonymous
caller's status follows from the surface (pages redirect to the login page, the API answers 401, the admin site
redirects to its own login) unless the expectation names `anonymous`. A status may be `Bug(...)`: the row is then
an xfail(strict=True) with the reason, asserting the status the app should give.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tests.matrix.zone import MATRIX_PERSONAS, SEES

SIGNED_IN = frozenset(p for p in MATRIX_PERSONAS if p != "anonymous")
# 三员分立 (issue 12): the system, security and audit administrators see no zone data. jingkai.core.separation
# refuses them every page and API operation outside the kernel's own (403), the admin site keeps the system
# administrator to the user pages (403 elsewhere) and sends the other two to its login page. `allow()` gives them
# that unless they are in `who` or named; `same()`, `PUBLIC` and `SIGNED_IN_200` are about the zone's users.
SYSTEM = frozenset({"system_admin", "security_admin", "audit_admin"})
ZONE_SIGNED_IN = SIGNED_IN - SYSTEM

# Persona groups. The rows a URL is filled with belong to grid G01 (enterprise above1) unless a row says otherwise.
ADMIN = frozenset({"zone_admin"})
INVESTMENT = frozenset({"investment"})  # 招商 staff: a handler of a department that handles_investment
DEPARTMENTS = frozenset({"department", "investment"})  # department handlers, 招商 staff among them
CONTACT = frozenset({"enterprise"})  # the contact of above1
STAFF = ZONE_SIGNED_IN - CONTACT  # every zone role but enterprise contacts
# Staff bound to grids or communities.
AREA_STAFF = frozenset({"grid_leader", "grid_officer", "community_officer", "outsider"})
# Who see grid G01 itself and its staff's work (its page, its dashboard, a visit there).
GRID1 = frozenset({"zone_admin", "grid_leader", "grid_officer"})
SEES_ABOVE1 = frozenset(p for p, seen in SEES.items() if "above1" in seen)  # see the enterprise above1
ECONOMY = ADMIN | DEPARTMENTS | {"grid_leader", "grid_officer", "outsider"}  # analytics.engine.may_use

# What the anonymous caller gets on each surface when the expectation does not say.
LOGIN = "login"  # 302 to the login page (settings.LOGIN_URL) with ?next=
ADMIN_LOGIN = "admin-login"  # 302 to the admin site's login page


@dataclass(frozen=True)
class Bug:
    """A status that looks wrong today: the test asserts `should` and is an xfail(strict=True) until fixed."""

    should: int | str
    today: int | str
    reason: str


def allow(who, status: int = 200, *, others: int = 403, **persona_status) -> dict:
    """`who` (a persona group) get `status`; every other signed-in persona gets `others`; keywords override."""
    unknown = set(persona_status) - set(MATRIX_PERSONAS)
    assert not unknown, f"unknown personas {unknown}"
    result = {p: (status if p in who else others) for p in SIGNED_IN}
    for p in SYSTEM - set(who):
        result[p] = (403 if p == "system_admin" else ADMIN_LOGIN) if others == ADMIN_LOGIN else 403
    result.update(persona_status)
    return result


def same(status: int, **persona_status) -> dict:
    """Every signed-in zone persona gets `status` (e.g. a URL that is not found for anyone); the three 三员
    personas are refused (403) unless named."""
    return allow(ZONE_SIGNED_IN, status, **persona_status)


def scoped(may, sees, status: int = 200, **persona_status) -> dict:
    """An object-scoped URL: `may` get `status`; who see the object but may not do this get 403; the rest 404."""
    overrides = {p: 403 for p in sees if p not in may} | persona_status
    return allow(may, status, others=404, **overrides)


# The defaults most rows are written with.
PUBLIC = allow(ZONE_SIGNED_IN, anonymous=200)  # no sign-in needed (the 三员 personas: refused)
SIGNED_IN_200 = allow(
    ZONE_SIGNED_IN
)  # any signed-in zone persona (lists: what each gets is scoped, tested per app)
ADMIN_ONLY = allow(ADMIN)  # zone administrators; everyone else 403
NOT_ALLOWED = same(405)  # a POST-only URL asked with GET (sign-in is checked first: anonymous -> login)
ABOVE1 = allow(SEES_ABOVE1, others=404)  # a row of above1 whoever sees above1 reads; 404 for the rest
OF_GRID1 = allow(GRID1, others=404)  # a row of grid G01 (its page, dashboard): G01's staff; 404 for the rest


class Ref:
    """Z.above1 -> the pk of the matrix zone's row "above1"; Z.grid1.code -> its code. Resolved per request."""

    def __init__(self, name: str, path: tuple[str, ...] = ()):
        self._name, self._path = name, path

    def __getattr__(self, attr: str) -> Ref:
        if attr.startswith("__"):
            raise AttributeError(attr)
        return Ref(self._name, (*self._path, attr))

    def resolve(self, zone):
        value = zone.objects[self._name]
        for attr in self._path:
            value = getattr(value, attr)
        return getattr(value, "pk", value)

    def __repr__(self) -> str:
        return ".".join(("Z", self._name, *self._path))


class _Z:
    def __getattr__(self, name: str) -> Ref:
        if name.startswith("__"):
            raise AttributeError(name)
        return Ref(name)


Z = _Z()

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


@dataclass
class Row:
    """One URL pattern, its ids, and per method the expected status of every persona."""

    target: str  # URL name (pages), OpenAPI path (API), app_label.model (admin)
    kwargs: dict = field(default_factory=dict)
    methods: dict = field(default_factory=dict)  # "GET" -> {persona: status}
    query: dict = field(default_factory=dict)  # query string of the GET (e.g. a required parameter)
    body: object = (
        None  # writes: a JSON body (dict, Refs resolved); a callable(zone) -> dict for a multipart form
    )
    variant: str = ""  # a second row for the same pattern, filled with another object

    def __init__(self, target: str, *, query=None, body=None, variant: str = "", **kwargs):
        self.target, self.query, self.body, self.variant = target, query or {}, body, variant
        self.methods = {k: dict(kwargs.pop(k)) for k in list(kwargs) if k in METHODS}  # defaults are shared
        self.kwargs = kwargs
        assert self.methods, f"{target}: no method expected"
        for method, expected in self.methods.items():
            missing = SIGNED_IN - set(expected)
            assert not missing, f"{self.key(method)}: no status for {sorted(missing)}"
            expected.setdefault("anonymous", self.anonymous_default)

    anonymous_default = LOGIN

    def key(self, method: str) -> str:
        suffix = f"[{self.variant}]" if self.variant else ""
        return f"{method} {self.target}{suffix}"


class Page(Row):
    surface = "page"
    anonymous_default = LOGIN


class Api(Row):
    surface = "api"
    anonymous_default = 401


class Admin(Row):
    """One admin area (a registered model): its changelist, GET."""

    surface = "admin"
    anonymous_default = ADMIN_LOGIN
