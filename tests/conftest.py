"""Personas and a small zone shared by every test.

The zone: grids G01 and G02, communities C01 and C02; one enterprise of each kind:
  above1 (规上, grid G01, contact = persona `enterprise`), above2 (规上, grid G02),
  below1 (规下, community C01), below2 (规下, community C02).
Personas: zone_admin, grid_leader (G01), grid_officer (G01), community_officer (C01),
department (经济发展局), enterprise (contact of above1), and outsider (grid officer of G02).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client

from jingkai.core.models import ApiToken, Role
from jingkai.demo.generator import DEFAULT_SEED, load_demo
from jingkai.grids.models import AssignmentRole
from tests import factories as f

# Playwright's sync API runs an event loop in the test thread; the ORM calls made by fixtures there
# are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# Every zone creates eight users with passwords; the production hasher would spend seconds per test.
# (Set before any hashing happens, so Django's hasher cache never holds the slow one.)
settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# Tests sign in with force_login (or with the demo's password in a browser) and enter no one-time code: the second
# factor is off for them, module-scoped zones included. Tests marked `otp` (tests/security/test_identity_otp*.py)
# run with it required, as it is by default (docs/security.md §2).
settings.JINGKAI_OTP_REQUIRED = False
# The rollup refresh runs in the test's own process once its transaction commits, as before it became a job;
# tests/analytics/test_refresh_job.py runs it as the job it is in production.
settings.JINGKAI_ROLLUP_REFRESH_JOBS = False
# A job a page starts (an import's check and commit, a large export) runs at once in the test's process, through
# the same jobs.run() a worker calls; tests/core/jobs (conftest there) and the browser tests against a served demo
# go through the queue and a worker.
settings.JINGKAI_JOBS_INLINE = True

# Static files (issue 13): the served application names them by their hash (whitenoise's manifest storage), which
# needs `collectstatic` first and a manifest; tests render pages without collecting (and live servers serve from
# the app folders), so they keep the same storage without the manifest. The hashed names are tested served for
# real (tests/core/test_scale_out_served.py, which runs `jingkai serve`).
settings.STORAGES = {
    **settings.STORAGES,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}


def _is_transactional(item) -> bool:
    marker = item.get_closest_marker("django_db")
    return bool(
        {"transactional_db", "live_server"} & set(getattr(item, "fixturenames", ()))
        or (marker is not None and marker.kwargs.get("transaction"))
    )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """A transactional test (a live server, transaction=True) ends with a flush, which also empties what data
    migrations put in (the default demand categories): once its fixtures are torn down (the flush among them), put
    it back, so the tests a worker runs next (pytest-xdist sends files in any order) find the database as the
    migrations left it."""
    result = yield
    if _is_transactional(item):
        from pytest_django.plugin import blocking_manager_key

        from jingkai.demands.defaults import ensure_defaults
        from jingkai.demands.models import DemandCategory, DemandPolicy

        with item.config.stash[blocking_manager_key].unblock():
            ensure_defaults(DemandCategory, DemandPolicy)
    return result


@pytest.fixture(autouse=True)
def _second_factor_when_marked(request):
    if request.node.get_closest_marker("otp") is None:
        yield
        return
    settings.JINGKAI_OTP_REQUIRED = True
    try:
        yield
    finally:
        settings.JINGKAI_OTP_REQUIRED = False


# --- browser tests: pytest-playwright's fixtures (`page`, `context`, `browser`) on Debian's Chromium -----
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args, pytestconfig):
    """Launch /usr/bin/chromium (never a browser downloaded by `playwright install`).

    Without it a browser test is skipped on a developer's machine and fails under CI=true, where
    skipping would let the suite pass without its end-to-end checks.
    """
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing: install Debian's chromium package to run the browser tests"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    headed = pytestconfig.getoption("--headed")
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": CHROMIUM_ARGS if headed else ["--headless", *CHROMIUM_ARGS],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "zh-CN", "viewport": {"width": 1366, "height": 900}}


@pytest.fixture
def context(context):
    context.set_default_timeout(15_000)
    return context


@dataclass
class Zone:
    grid1: object
    grid2: object
    community1: object
    community2: object
    above1: object
    above2: object
    below1: object
    below2: object
    users: dict

    def __getitem__(self, persona: str):
        return self.users[persona]


@pytest.fixture
def zone(db) -> Zone:
    return build_zone()


def build_zone() -> Zone:
    """The zone above, written to the database (the `zone` fixture per test; tests/matrix once per module)."""
    grid1, grid2 = f.GridFactory(), f.GridFactory()
    community1, community2 = f.CommunityFactory(), f.CommunityFactory()
    dept = f.DepartmentFactory(code="econ", name="经济发展局")
    users = {
        "zone_admin": f.UserFactory(username="zone_admin", role=Role.ZONE_ADMIN),
        "grid_leader": f.UserFactory(username="grid_leader", role=Role.GRID_LEADER),
        "grid_officer": f.UserFactory(username="grid_officer", role=Role.GRID_OFFICER),
        "community_officer": f.UserFactory(username="community_officer", role=Role.COMMUNITY_OFFICER),
        "department": f.UserFactory(username="department", role=Role.DEPARTMENT, department=dept),
        "enterprise": f.UserFactory(username="enterprise", role=Role.ENTERPRISE),
        "outsider": f.UserFactory(username="outsider", role=Role.GRID_OFFICER),
    }
    f.GridAssignmentFactory(grid=grid1, user=users["grid_leader"], role=AssignmentRole.LEADER)
    f.GridAssignmentFactory(grid=grid1, user=users["grid_officer"], role=AssignmentRole.OFFICER)
    f.GridAssignmentFactory(grid=grid2, user=users["outsider"], role=AssignmentRole.OFFICER)
    f.GridAssignmentFactory(grid=grid2, user=f.UserFactory(role=Role.GRID_LEADER), role=AssignmentRole.LEADER)
    f.CommunityAssignmentFactory(community=community1, user=users["community_officer"])
    f.CommunityAssignmentFactory(community=community2)
    above1 = f.EnterpriseFactory(name="甲精密机床有限公司", grid=grid1)
    above2 = f.EnterpriseFactory(name="乙汽车电子有限公司", grid=grid2)
    below1 = f.EnterpriseFactory(name="丙小微制造有限公司", community=community1)
    below2 = f.EnterpriseFactory(name="丁小微制造有限公司", community=community2)
    for ent in (above1, above2):
        f.AnnualScaleFactory(enterprise=ent, year=2022, above_size=True)
    for ent in (below1, below2):
        f.AnnualScaleFactory(enterprise=ent, year=2022, above_size=False, revenue=5_000_000)
    f.ContactFactory(enterprise=above1, user=users["enterprise"])
    return Zone(grid1, grid2, community1, community2, above1, above2, below1, below2, users)


PERSONAS = [
    "zone_admin",
    "grid_leader",
    "grid_officer",
    "community_officer",
    "department",
    "enterprise",
    "outsider",
]

# Which of the zone's enterprises each persona may see (the scoping matrix every surface must obey).
VISIBLE = {
    "zone_admin": {"above1", "above2", "below1", "below2"},
    "grid_leader": {"above1"},
    "grid_officer": {"above1"},
    "community_officer": {"below1"},
    "department": set(),
    "enterprise": {"above1"},
    "outsider": {"above2"},
}


def api_client(user=None, *, session: bool = False, **client_kwargs) -> Client:
    """A Django test client for the API as `user`: a bearer token (default) or a signed-in session.

    None is the anonymous caller. Token clients are what scripts use; session clients are the browser's way (ninja
    checks CSRF on unsafe methods for those, which Django's test client waives unless enforce_csrf_checks=True).
    """
    if user is None:
        return Client(**client_kwargs)
    if session:
        client = Client(**client_kwargs)
        client.force_login(user)
        return client
    _token, raw = ApiToken.issue(user)
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}", **client_kwargs)


@pytest.fixture
def api_as(request):
    """api_as("grid_officer") -> a client of the API as that persona of the `zone` fixture, with a bearer token.

    api_as(persona, session=True) signs in a browser session instead; api_as(user) takes any User (a demo login, a
    user made in the test); api_as("anonymous") or api_as(None) sends no credentials. Extra keyword arguments go to
    Django's Client (e.g. enforce_csrf_checks=True). Personas are looked up when called, so personas a folder adds
    to the zone (tests/investment's "investment") work too. The zone is only built when a persona name is used.
    """

    def make(who, *, session: bool = False, **client_kwargs) -> Client:
        if who is None or who == "anonymous":
            user = None
        elif isinstance(who, str):
            user = request.getfixturevalue("zone")[who]
        else:
            user = who
        return api_client(user, session=session, **client_kwargs)

    return make


@pytest.fixture
def admin_api(api_as):
    return api_as("zone_admin")


# The demo zone, loaded once per test module inside a transaction that is rolled back afterwards: tests use
# the `db` fixture as usual (each runs in a savepoint inside the module's transaction), so the zone is shared by
# the module's tests and never leaks into other modules.
@pytest.fixture(scope="module")
def demo_zone(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield load_demo(seed=DEFAULT_SEED)
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
