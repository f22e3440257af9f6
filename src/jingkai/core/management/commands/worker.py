"""jingkai worker: run background jobs (jingkai.core.jobs), and the sweep on its schedule.

    jingkai worker [--interval SECONDS] [--batch] [--max-tasks N] [--no-sweep] [--queue NAME[,NAME]]

With the database backend (the default) this is django-tasks-db's worker; with JINGKAI_TASKS_BACKEND=rq it is
django-rq's `rqworker` on JINGKAI_REDIS_URL. Run as many as the load needs, on one server or several: a job
is taken by one worker only (core.jobs.claim). Every JINGKAI_SWEEP_EVERY_MINUTES the worker enqueues the sweep
(`jingkai sweep`) unless another worker did in that time; cron may run `jingkai sweep` instead (0 turns the
schedule off).
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import threading
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import close_old_connections, connections
from django.utils.crypto import get_random_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jingkai.core.commands import JingkaiCommand

logger = logging.getLogger("jingkai.jobs")

SCHEDULE_CHECK_SECONDS = 60


def backend_kind() -> str:
    backend = settings.TASKS["default"]["BACKEND"]
    if backend.startswith("django_tasks_db"):
        return "database"
    if backend.startswith("django_tasks_rq"):
        return "rq"
    return "other"


class Scheduler(threading.Thread):
    """Enqueues the sweep when it is due (core.jobs.schedule_sweep), checking every minute."""

    def __init__(self, every: float = SCHEDULE_CHECK_SECONDS):
        super().__init__(name="jingkai-schedule", daemon=True)
        self.every = every
        self.stopped = threading.Event()

    def run(self):
        from jingkai.core import jobs

        while not self.stopped.is_set():
            try:
                close_old_connections()
                job = jobs.schedule_sweep()
                if job is not None:
                    logger.info("scheduled the sweep: job %s", job.pk)
            except Exception:
                logger.exception("could not schedule the sweep")
            finally:
                connections.close_all()
            self.stopped.wait(self.every)


class ParentWatch(threading.Thread):
    """Stops this worker (as Ctrl+C would: after the job it runs) when the server that started it is gone."""

    def __init__(self, parent_pid: int, every: float = 2.0):
        super().__init__(name="jingkai-parent-watch", daemon=True)
        self.parent_pid = parent_pid
        self.every = every

    def run(self):
        while os.getppid() == self.parent_pid:
            time.sleep(self.every)
        logger.warning("the server that started this worker is gone: stopping")
        os.kill(os.getpid(), signal.SIGTERM)


class Command(JingkaiCommand):
    help = gettext_lazy("Run background jobs (and the periodic sweep on its schedule).")

    def add_arguments(self, parser):
        parser.add_argument(
            "--interval",
            type=float,
            default=1.0,
            help=gettext_lazy("seconds between two looks for work when idle (default 1)"),
        )
        parser.add_argument(
            "--batch", action="store_true", help=gettext_lazy("run the jobs waiting now, then exit")
        )
        parser.add_argument(
            "--max-tasks", type=int, default=None, help=gettext_lazy("exit after this many jobs")
        )
        parser.add_argument(
            "--no-sweep", action="store_true", help=gettext_lazy("do not schedule the sweep (cron runs it)")
        )
        parser.add_argument(
            "--queue", default="default", help=gettext_lazy("queues to take jobs from, comma-separated")
        )
        parser.add_argument("--worker-id", default="", help=gettext_lazy("a unique name of this worker"))
        # `jingkai serve` starts its worker with its own pid: the worker stops if the server goes away.
        parser.add_argument("--parent-pid", type=int, default=None, help=argparse.SUPPRESS)

    def handle(
        self, *args, interval, batch, max_tasks, no_sweep, queue, worker_id, parent_pid=None, **options
    ):
        if interval < 0:
            raise CommandError(_("--interval must not be negative."))
        if max_tasks is not None and max_tasks < 1:
            raise CommandError(_("--max-tasks must be at least 1."))
        kind = backend_kind()
        verbosity = options.get("verbosity", 1)
        if not batch and not no_sweep and settings.JINGKAI_SWEEP_EVERY_MINUTES:
            Scheduler().start()
        if parent_pid:
            ParentWatch(parent_pid).start()
        worker_id = worker_id or get_random_string(24)
        self.stdout.write(
            _("Jingkai worker %(id)s (%(backend)s backend, queues %(queues)s); press Ctrl+C to stop.")
            % {"id": worker_id, "backend": kind, "queues": queue}
        )
        self.stdout.flush()
        if kind == "database":
            db_options = {
                "queue_name": queue,
                "interval": interval,
                "batch": batch,
                "reload": False,
                "startup_delay": not batch,
                "worker_id": worker_id,
                "verbosity": verbosity,
            }
            if max_tasks is not None:
                db_options["max_tasks"] = max_tasks
            call_command("db_worker", **db_options)
        elif kind == "rq":
            rq_args = queue.split(",")
            # django-tasks-rq runs its tasks through its own RQ job class.
            rq_options = {
                "burst": batch,
                "name": worker_id,
                "verbosity": verbosity,
                "job_class": "django_tasks_rq.Job",
            }
            if max_tasks is not None:
                rq_options["max_jobs"] = max_tasks
            call_command("rqworker", *rq_args, **rq_options)
        else:
            raise CommandError(
                _("The tasks backend %(backend)s runs jobs without a worker.")
                % {"backend": settings.TASKS["default"]["BACKEND"]}
            )
