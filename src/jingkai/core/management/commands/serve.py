"""jingkai serve: the production-style server (gunicorn) in one command.

gunicorn runs in-process through its BaseApplication API, so `jingkai serve` needs no separate
configuration file and works the same from `make demo`, a systemd unit or a container.
"""

from __future__ import annotations

import os
import subprocess
import sys

from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connections
from django.db.migrations.executor import MigrationExecutor
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from gunicorn.app.base import BaseApplication
from gunicorn.http import wsgi as gunicorn_wsgi

from jingkai.core.commands import JingkaiCommand


class JingkaiApplication(BaseApplication):
    # Settings that only newer gunicorn releases know; older ones run without them.
    OPTIONAL = {"control_socket_disable"}

    def __init__(self, options: dict):
        self.options = options
        super().__init__()

    def load_config(self):
        for key, value in self.options.items():
            if key in self.OPTIONAL and key not in self.cfg.settings:
                continue
            self.cfg.set(key, value)

    def load(self):
        # Loaded in each worker, after the fork, so no database connection is shared between processes; the
        # application is the one settings.WSGI_APPLICATION names (as Django's runserver finds it).
        from django.core.servers.basehttp import get_internal_wsgi_application

        return get_internal_wsgi_application()


def drop_server_banner() -> None:
    """No `Server: gunicorn` header (docs/security.md §5): it only tells a scanner what to try.

    gunicorn writes the header itself, in `Response.default_headers`, before any header of the application, so a
    WSGI wrapper cannot remove it; the method is wrapped here, in the master process, and the forked workers
    inherit it. (Its own error pages, for a request it cannot parse, name no server.)
    """
    original = gunicorn_wsgi.Response.default_headers
    if getattr(original, "drops_server_banner", False):
        return

    def default_headers(self):
        return [line for line in original(self) if not line.lower().startswith("server:")]

    default_headers.drops_server_banner = True
    gunicorn_wsgi.Response.default_headers = default_headers


def pending_migrations() -> int:
    connection = connections["default"]
    executor = MigrationExecutor(connection)
    return len(executor.migration_plan(executor.loader.graph.leaf_nodes()))


class Command(JingkaiCommand):
    help = gettext_lazy("Serve Jingkai with gunicorn (static files by whitenoise).")

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8000, help=gettext_lazy("TCP port (default 8000)"))
        parser.add_argument(
            "--host", default="127.0.0.1", help=gettext_lazy("address to listen on (default 127.0.0.1)")
        )
        parser.add_argument(
            "--workers", type=int, default=2, help=gettext_lazy("worker processes (default 2)")
        )
        parser.add_argument(
            "--threads", type=int, default=4, help=gettext_lazy("threads per worker (default 4)")
        )
        parser.add_argument(
            "--timeout",
            type=int,
            default=60,
            help=gettext_lazy("seconds before a silent worker is restarted"),
        )
        parser.add_argument(
            "--access-log", action="store_true", help=gettext_lazy("log every request to standard output")
        )
        parser.add_argument(
            "--no-worker",
            action="store_true",
            help=gettext_lazy("do not start a background-job worker beside the server (one runs elsewhere)"),
        )
        parser.add_argument(
            "--no-collectstatic",
            action="store_true",
            help=gettext_lazy("skip collectstatic (the files are already collected)"),
        )

    def handle(
        self,
        *args,
        port,
        host,
        workers,
        threads,
        timeout,
        access_log,
        no_collectstatic,
        no_worker=False,
        **options,
    ):
        if not 0 < port < 65536:
            raise CommandError(_("The port must be between 1 and 65535."))
        if workers < 1 or threads < 1:
            raise CommandError(_("Workers and threads must be at least 1."))
        if not no_collectstatic:
            # whitenoise then serves the pre-compressed copies from STATIC_ROOT instead of the app folders.
            call_command("collectstatic", interactive=False, verbosity=0)
        pending = pending_migrations()
        if pending:
            self.stderr.write(
                _("Warning: database migrations not applied: %(count)d; run `jingkai migrate`.")
                % {"count": pending}
            )
        # The workers are forked from this process: close what the checks above opened.
        connections.close_all()
        bind = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
        self.stdout.write(
            _(
                "Jingkai at http://%(bind)s/ (%(workers)d workers × %(threads)d threads); press Ctrl+C to stop."
            )
            % {"bind": bind, "workers": workers, "threads": threads}
        )
        self.stdout.flush()
        options = {
            "bind": bind,
            "workers": workers,
            "worker_class": "gthread",
            "threads": threads,
            "timeout": timeout,
            "graceful_timeout": 20,
            "keepalive": 5,
            "proc_name": "jingkai",
            "errorlog": "-",
            "loglevel": "info",
            "accesslog": "-" if access_log else None,
            # Requests and headers are capped so one client cannot hold a worker with a huge upload.
            "limit_request_line": 8190,
            # gunicorn's control socket sits at one path per user ($HOME/.gunicorn/gunicorn.ctl): a second server
            # (a benchmark beside the demo) would take it over. Nothing here uses it.
            "control_socket_disable": True,
        }
        drop_server_banner()
        job_worker = None if no_worker else start_job_worker(self.stdout)
        try:
            JingkaiApplication(options).run()
        finally:
            stop_job_worker(job_worker)


def start_job_worker(stdout=None) -> subprocess.Popen | None:
    """One `jingkai worker` beside the server (docs/operations.md, "Background jobs"): a child process that
    stops with the server, and stops itself if the server dies without stopping it."""
    from django.conf import settings

    if not settings.TASKS["default"]["BACKEND"].startswith(("django_tasks_db", "django_tasks_rq")):
        return None  # the immediate backend runs jobs in the request
    command = [sys.executable, "-m", "jingkai", "worker", "--parent-pid", str(os.getpid())]
    process = subprocess.Popen(command, start_new_session=False)
    if stdout is not None:
        stdout.write(_("Background-job worker started (process %(pid)d).") % {"pid": process.pid})
        stdout.flush()
    return process


def stop_job_worker(process: subprocess.Popen | None, wait: float = 20) -> None:
    if process is None or process.poll() is not None:
        return
    process.terminate()  # the worker finishes the job it runs, then exits
    try:
        process.wait(wait)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(5)
