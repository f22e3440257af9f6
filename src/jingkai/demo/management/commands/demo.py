"""jingkai demo: a fresh database holding the demo zone, its six logins, and a running server.

    jingkai demo [--db PATH] [--no-serve] [--port N] [--scale N] [--seed N] [--force] [--fresh]

The database is chosen before Django starts (jingkai.demo.cli.prepare_demo_environment): --db, else an
existing JINGKAI_DATABASE_URL, else var/demo.sqlite3. A SQLite file the demo loaded before with the same code
(a fingerprint of the package's modules, the seed and --scale, kept in <file>.demo.json) is kept with everything
done in it since; otherwise, or with --fresh, it is loaded afresh (a server database always is). A database
holding users the demo did not create is refused unless --force is given.
"""

from __future__ import annotations

import time
import unicodedata
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command, get_commands
from django.core.management.base import CommandError
from django.db import connection, connections
from django.test.utils import override_settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jingkai.accounts.demo import DEMO_TOTP_SECRET
from jingkai.core.commands import JingkaiCommand
from jingkai.core.models import Role, User
from jingkai.demo import extensions
from jingkai.demo.generator import (
    DEFAULT_SEED,
    DEMO_EMAIL_DOMAIN,
    DEMO_PASSWORD,
    DEMO_USERNAMES,
    generate_scale,
    load_demo,
)
from jingkai.enterprises.models import Enterprise
from jingkai.grids.models import Community, Grid


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


def _is_file_sqlite(settings_dict: dict) -> bool:
    name = str(settings_dict.get("NAME") or "")
    return (
        settings_dict["ENGINE"].endswith("sqlite3")
        and name not in ("", ":memory:")
        and "mode=memory" not in name
    )


def describe_database(settings_dict: dict) -> str:
    """Where the data goes, without the password."""
    if settings_dict["ENGINE"].endswith("sqlite3"):
        return str(settings_dict["NAME"])
    user = settings_dict.get("USER") or ""
    host = settings_dict.get("HOST") or "localhost"
    port = f":{settings_dict['PORT']}" if settings_dict.get("PORT") else ""
    return f"postgresql://{user + '@' if user else ''}{host}{port}/{settings_dict['NAME']}"


class Command(JingkaiCommand):
    requires_system_checks = []  # migrate and load work while the URL tree is still being built

    help = gettext_lazy(
        "Load the demo zone (or keep the one loaded before by the same code), print the demo logins and serve it."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--db", help=gettext_lazy("SQLite file for the demo (default var/demo.sqlite3 in the checkout)")
        )
        parser.add_argument("--no-serve", action="store_true", help=gettext_lazy("load the data and exit"))
        parser.add_argument(
            "--no-worker",
            action="store_true",
            help=gettext_lazy("serve without the background-job worker (one runs elsewhere)"),
        )
        parser.add_argument("--port", type=int, default=8000, help=gettext_lazy("TCP port (default 8000)"))
        parser.add_argument(
            "--scale",
            type=int,
            default=0,
            help=gettext_lazy("add this many synthetic enterprises for load tests"),
        )
        parser.add_argument(
            "--seed", type=int, default=DEFAULT_SEED, help=gettext_lazy("random seed of the generated data")
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help=gettext_lazy("wipe the database even if the demo did not create it"),
        )
        parser.add_argument(
            "--fresh",
            action="store_true",
            help=gettext_lazy("load the demo afresh even if the database already holds this demo"),
        )

    def handle(self, *args, db, no_serve, port, scale, seed, force, fresh=False, no_worker=False, **options):
        self.no_worker = no_worker
        if not 0 < port < 65536:
            raise CommandError(_("The port must be between 1 and 65535."))
        if scale < 0:
            raise CommandError(_("--scale must not be negative."))
        settings_dict = connections["default"].settings_dict
        database = describe_database(settings_dict)
        if db and (
            not settings_dict["ENGINE"].endswith("sqlite3")
            or Path(settings_dict["NAME"]).resolve() != Path(db).expanduser().resolve()
        ):
            # --db is applied before Django starts, which only the jingkai console script does.
            raise CommandError(
                _(
                    "--db names %(path)s but the database in use is %(database)s; run it as `jingkai demo --db PATH`."
                )
                % {"path": db, "database": database}
            )
        started = time.perf_counter()
        self.stdout.write(_("Demo database: %(database)s") % {"database": database})

        fingerprint = demo_fingerprint(seed, scale)
        stamp = read_stamp(settings_dict)
        if stamp is not None and not fresh and not force:
            if stamp.get("fingerprint") == fingerprint and not self._holds_other_data(settings_dict):
                self._keep(stamp, port, started, no_serve, settings_dict)
                return
            if stamp.get("fingerprint") != fingerprint:
                self.stdout.write(
                    _("The demo code changed since this database was loaded on %(day)s: loading it afresh.")
                    % {"day": stamp.get("loaded_on", "?")}
                )
        self._reset(settings_dict, database, force)
        step = time.perf_counter()
        call_command("migrate", interactive=False, verbosity=0)
        self._step(_("Applied the migrations"), step)
        if not _is_file_sqlite(settings_dict):
            # A server database cannot be deleted like a file: empty every table instead.
            step = time.perf_counter()
            call_command("flush", interactive=False, verbosity=0)
            cache.clear()  # the shared cache (a table flush leaves alone, or Redis) held the previous demo's pages
            self._step(_("Emptied the database"), step)

        # The load rebuilds the rollups itself as it goes (analytics' demo chapter): no refresh job for the worker.
        with override_settings(JINGKAI_ROLLUP_REFRESH_JOBS=False):
            load_demo(seed=seed, stdout=self.stdout)
            if scale:
                generate_scale(scale, seed=seed, stdout=self.stdout)
                extensions.scale_all(scale, seed, stdout=self.stdout)
        # Fresh statistics after a bulk load, so the query planner judges the new tables by their size;
        # on PostgreSQL VACUUM also sets the visibility map that index-only scans need (measured: list p95
        # 169 ms before, 101 ms after, at 100,000 enterprises). VACUUM cannot run inside a transaction; the
        # command runs in autocommit.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
        write_stamp(settings_dict, fingerprint)
        self._print_logins(port, started)
        self._serve_or_say(no_serve, port, settings_dict)

    def _keep(self, stamp: dict, port: int, started: float, no_serve: bool, settings_dict: dict) -> None:
        """The database already holds this demo: keep it, and what the user did in it."""
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write(
            _(
                "Kept the demo database loaded on %(day)s, with everything done in it since; "
                "`jingkai demo --fresh` loads it afresh."
            )
            % {"day": stamp.get("loaded_on", "?")}
        )
        self._print_logins(port, started)
        self._serve_or_say(no_serve, port, settings_dict)

    def _serve_or_say(self, no_serve: bool, port: int, settings_dict: dict) -> None:
        if no_serve:
            self.stdout.write(
                _(
                    "Not serving (--no-serve). To serve this database: "
                    "JINGKAI_DATABASE_URL=%(url)s jingkai serve --port %(port)d"
                )
                % {"url": self._url_hint(settings_dict), "port": port}
            )
            return
        connections.close_all()
        if "serve" in get_commands():
            serve_in_a_fresh_process(port, no_worker=getattr(self, "no_worker", False))
        else:  # the gunicorn command ships with the ops tooling; Django's server is the fallback
            call_command("runserver", f"127.0.0.1:{port}", use_reloader=False)

    def _step(self, label: str, since: float) -> None:
        self.stdout.write(
            _("%(step)s in %(seconds).1f s") % {"step": label, "seconds": time.perf_counter() - since}
        )

    def _reset(self, settings_dict: dict, database: str, force: bool) -> None:
        if not force and self._holds_other_data(settings_dict):
            raise CommandError(
                _(
                    "The database %(database)s holds users the demo did not create; it was left untouched. "
                    "Use another database, or pass --force to wipe it."
                )
                % {"database": database}
            )
        if _is_file_sqlite(settings_dict):
            # Closing first: SQLite must not keep a handle on a file that is about to disappear.
            connections.close_all()
            path = Path(settings_dict["NAME"])
            for suffix in ("", "-wal", "-shm", "-journal", ".demo.json"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
            path.parent.mkdir(parents=True, exist_ok=True)

    def _holds_other_data(self, settings_dict: dict) -> bool:
        if _is_file_sqlite(settings_dict) and not Path(settings_dict["NAME"]).exists():
            return False
        connection = connections["default"]
        with connection.cursor() as cursor:
            tables = connection.introspection.table_names(cursor)
        if User._meta.db_table not in tables:
            return False
        return User.objects.exclude(email__endswith=f"@{DEMO_EMAIL_DOMAIN}").exists()

    @staticmethod
    def _url_hint(settings_dict: dict) -> str:
        if settings_dict["ENGINE"].endswith("sqlite3"):
            return "sqlite:///" + str(Path(settings_dict["NAME"]).resolve())
        return describe_database(settings_dict)

    def _sees(self, user: User) -> str:
        count = Enterprise.objects.visible_to(user).count()
        if user.role == Role.SYSTEM_ADMIN:
            return _("user accounts, in the admin site at /admin/; no zone data")
        if user.role == Role.SECURITY_ADMIN:
            return _("users' roles at /security/roles/; no zone data")
        if user.role == Role.AUDIT_ADMIN:
            return _("the audit log at /audit/, nothing else")
        if user.role == Role.ZONE_ADMIN:
            return _("everything: all %(count)d enterprises, and the admin site at /admin/") % {
                "count": count
            }
        if user.role in (Role.GRID_LEADER, Role.GRID_OFFICER):
            area = ", ".join(Grid.objects.visible_to(user).values_list("name", flat=True))
            return _("%(area)s: %(count)d enterprises") % {"area": area, "count": count}
        if user.role == Role.COMMUNITY_OFFICER:
            area = ", ".join(Community.objects.visible_to(user).values_list("name", flat=True))
            return _("%(area)s: %(count)d enterprises") % {"area": area, "count": count}
        if user.role == Role.DEPARTMENT and user.department and user.department.handles_investment:
            from jingkai.investment.models import Project

            return _("the investment project ledger: all %(count)d projects") % {
                "count": Project.objects.visible_to(user).count()
            }
        if user.role == Role.DEPARTMENT:
            return _("demands routed to %(department)s and their enterprises") % {
                "department": user.department
            }
        own = Enterprise.objects.visible_to(user).first()
        return _("its own enterprise: %(name)s") % {"name": own.name if own else "-"}

    def _print_logins(self, port: int, started: float) -> None:
        url = f"http://127.0.0.1:{port}/"
        users = {
            u.username: u
            for u in User.objects.filter(username__in=DEMO_USERNAMES).select_related("department")
        }
        rows = [(name, users[name].get_role_display(), self._sees(users[name])) for name in DEMO_USERNAMES]
        name_width = max(_width(r[0]) for r in rows) + 2
        role_width = max(_width(str(r[1])) for r in rows) + 2
        rule = "-" * 78
        lines = [
            "",
            rule,
            _("The %(zone)s demo is ready: %(url)s") % {"zone": settings.JINGKAI_ZONE_NAME, "url": url},
            _("Sign in with one of these logins; each has the password %(password)s")
            % {"password": DEMO_PASSWORD},
            "",
            "  " + _pad(_("Login"), name_width) + _pad(_("Role"), role_width) + _("Sees"),
        ]
        lines += ["  " + _pad(n, name_width) + _pad(str(r), role_width) + s for n, r, s in rows]
        lines += [
            "",
            _(
                "Administrators also enter a one-time code: add the demo secret %(secret)s to an authenticator "
                "app, or run `python -m jingkai.accounts.demo` for the current code."
            )
            % {"secret": DEMO_TOTP_SECRET},
        ]
        lines += [
            "",
            _("Ready in %(seconds).1f s") % {"seconds": time.perf_counter() - started},
            rule,
        ]
        self.stdout.write("\n".join(lines))


def serve_in_a_fresh_process(port: int, no_worker: bool = False) -> None:
    """Replace this process by `jingkai serve` (same environment, so the same database), which starts the
    background-job worker beside it unless `no_worker`.

    Loading the demo runs Polars, which starts its thread pool; gunicorn forks its workers from this process,
    and a forked child inherits the pool's locks but not its threads, so the first parallel Polars call in a
    worker (a statistics import's preview) waited forever. A fresh interpreter forks workers with no pool.
    """
    import os
    import sys

    sys.stdout.flush()
    sys.stderr.flush()
    command = [sys.executable, "-m", "jingkai", "serve", "--port", str(port)]
    os.execv(sys.executable, [*command, "--no-worker"] if no_worker else command)


# --- Keeping the demo between runs (issue 11 §1) ---------------------------------------------------------


def demo_fingerprint(seed: int, scale: int) -> str:
    """What the demo database was built from: the code (every module of the package) and the options.

    A kept database is served again only when this is unchanged; any code change may have changed the data
    the demo writes or the schema it needs, so it is loaded afresh (and the command says so).
    """
    import hashlib

    root = Path(__file__).resolve().parents[3]  # src/jingkai
    digest = hashlib.sha256(f"{seed}:{scale}".encode())
    for path in sorted(root.rglob("*.py")):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _stamp_path(settings_dict: dict) -> Path | None:
    """Beside a SQLite file; a server database (PostgreSQL) is always loaded afresh."""
    if not _is_file_sqlite(settings_dict):
        return None
    return Path(f"{settings_dict['NAME']}.demo.json")


def read_stamp(settings_dict: dict) -> dict | None:
    import json

    path = _stamp_path(settings_dict)
    if path is None or not path.exists() or not Path(settings_dict["NAME"]).exists():
        return None
    try:
        return json.loads(path.read_text())
    except ValueError:
        return None


def write_stamp(settings_dict: dict, fingerprint: str) -> None:
    import json

    from django.utils import timezone

    path = _stamp_path(settings_dict)
    if path is not None:
        path.write_text(
            json.dumps({"fingerprint": fingerprint, "loaded_on": timezone.localdate().isoformat()}) + "\n"
        )
