"""Background jobs: long work off the request, with a record the user sees (docs/development.md, "Jobs").

    from jingkai.core import jobs

    @jobs.job_task("enterprises.export", label=_("Export enterprises"))
    def export_enterprises(job, *, query: str):
        for done, row in enumerate(rows, start=1):
            ...
            job.progress(done, total=count, stage=_("Writing rows"))
        job.finish({"rows": count})          # or return a dict: the same

    job = jobs.enqueue(export_enterprises, user=request.user, args={"query": "..."}, total=count)
    return redirect(job)                     # /jobs/<id>/: the progress bar

The task runs through Django's tasks API (the django-tasks backport: settings.TASKS, the ORM database backend by
default, RQ on Redis for many workers). The backend carries only the job's id; the `Job` row (core.models) holds
the kind, owner, arguments, state, progress, result and error, so every server and worker sees the same.

A job function receives the Job and its `args` as keyword arguments. It

- takes ids, never records, and reads its rows again: a row deleted since (`ObjectDoesNotExist` escaping the
  function) ends the job as failed with a message saying so, never a crash loop;
- raises `JobFailed(message)` for an expected failure: the message (in Chinese, through gettext) is what the
  user reads; it is not retried automatically;
- may fail otherwise: the traceback goes to the log (logger "jingkai.jobs"), the user reads a general message,
  and the job is enqueued again while `attempts < max_attempts` (settings.JINGKAI_JOB_RETRIES);
- runs at most once per attempt: the worker takes the row with a conditional UPDATE (queued -> running), so a
  task enqueued twice, or taken by two workers, runs once.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ObjectDoesNotExist
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_tasks import task as django_task
from django_tasks.base import Task

from jingkai.core.models import JOB_KINDS, Job

logger = logging.getLogger("jingkai.jobs")

__all__ = ["Job", "JobFailed", "enqueue", "job_task", "register", "retry", "run", "label_of"]


class JobFailed(Exception):
    """An expected failure: the message is shown to the job's owner (translate it) and the job is not retried."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


@dataclass
class Kind:
    kind: str
    label: object
    fn: Callable | None = None
    task: Task | None = None
    retries: int | None = None  # None: settings.JINGKAI_JOB_RETRIES


_KINDS: dict[str, Kind] = {}


def register(kind: str, label) -> Kind:
    """Declare a kind of job and its label (a lazy translation). job_task() calls it."""
    entry = _KINDS.get(kind)
    if entry is None:
        entry = _KINDS[kind] = Kind(kind, label)
    else:
        entry.label = label
    JOB_KINDS[kind] = label
    return entry


# What a job's page calls the keys of a result (apps add theirs with result_label); other keys are shown as
# they are. "download", "sha256" and "expired" are not shown (the page offers the download itself).
RESULT_LABELS: dict[str, object] = {
    "rows": gettext_lazy("Rows"),
    "file_name": gettext_lazy("File"),
    "size": gettext_lazy("Size (bytes)"),
    "lines": gettext_lazy("Output"),
}
HIDDEN_RESULT_KEYS = {"download", "sha256", "expired"}


def result_label(key: str, label) -> None:
    RESULT_LABELS[key] = label


def result_rows(job: Job) -> list[tuple[str, object]]:
    """(label, value) of the result's keys a page shows; a list value is joined by line breaks."""
    rows = []
    for key, value in (job.result or {}).items():
        if key in HIDDEN_RESULT_KEYS:
            continue
        if isinstance(value, list):
            value = "\n".join(str(v) for v in value)
        rows.append((str(RESULT_LABELS.get(key, key)), value))
    return rows


def label_of(kind: str):
    return JOB_KINDS.get(kind, kind)


def kinds() -> dict[str, object]:
    """kind -> label of every registered kind (the list's filter)."""
    return dict(JOB_KINDS)


def job_task(kind: str, *, label=None, retries: int | None = None, **task_options):
    """Decorate `fn(job, **args)`: registers the kind and returns the django-tasks Task the worker runs.

    The Task takes one argument, the Job's id, and keeps the function's module and name, so the module
    attribute is what the backend imports by path. `task_options` go to django-tasks' @task (queue_name,
    priority)."""

    def wrap(fn: Callable) -> Task:
        entry = register(kind, label or kind)
        entry.fn = fn
        entry.retries = retries

        @functools.wraps(fn)
        def runner(job_id: int) -> None:
            run(job_id)

        runner.__wrapped__ = fn
        entry.task = django_task(**task_options)(runner)
        return entry.task

    return wrap


def _kind_of(kind_or_task) -> Kind:
    if isinstance(kind_or_task, str):
        name = kind_or_task
    else:
        name = next((k.kind for k in _KINDS.values() if k.task is kind_or_task), None)
        if name is None:
            raise ImproperlyConfigured(f"{kind_or_task!r} is not a task made by jobs.job_task")
    entry = _KINDS.get(name)
    if entry is None or entry.task is None:
        raise ImproperlyConfigured(f"No job kind {name!r} (declare it with @jobs.job_task)")
    return entry


def _check_args(args: dict) -> dict:
    """Ids and small values only: JSON scalars, and lists or dicts of them."""

    def plain(value) -> bool:
        if value is None or isinstance(value, bool | int | float | str):
            return True
        if isinstance(value, list | tuple):
            return all(plain(v) for v in value)
        if isinstance(value, dict):
            return all(isinstance(k, str) and plain(v) for k, v in value.items())
        return False

    if not isinstance(args, dict) or not plain(args):
        raise TypeError(f"job args must be JSON of ids and small values, not {args!r}")
    return {key: list(v) if isinstance(v, tuple) else v for key, v in args.items()}


def enqueue(kind_or_task, *, user, args: dict, total: int | None = None) -> Job:
    """The one way to start a job: the Job row now, the task on commit (a worker never sees a job that is not
    committed; a rolled-back request enqueues nothing). Returns the Job (its page is job.get_absolute_url())."""
    entry = _kind_of(kind_or_task)
    retries = settings.JINGKAI_JOB_RETRIES if entry.retries is None else entry.retries
    job = Job.objects.create(
        kind=entry.kind,
        user=user if user is not None and user.is_authenticated else None,
        args=_check_args(args),
        total=total,
        max_attempts=1 + max(0, retries),
    )
    if settings.JINGKAI_JOBS_INLINE:
        # Tests and debugging: the job runs now, in this process and transaction, through the same run() a
        # worker calls (claim, progress, outcome); the caller finds it done or failed.
        run(job.pk)
        job.refresh_from_db()
        return job
    transaction.on_commit(functools.partial(_send, job.pk))
    return job


def _send(job_id: int) -> None:
    """Hand the job to the tasks backend; if the backend refuses (Redis down), the job fails with that reason."""
    job = Job.objects.filter(pk=job_id).first()
    if job is None:
        return
    try:
        result = _kind_of(job.kind).task.enqueue(job_id)
    except Exception:
        logger.exception("job %s (%s) could not be enqueued", job_id, job.kind)
        _fail(
            job_id, _("The job could not be handed to a worker; try again later or tell the administrator.")
        )
        return
    Job.objects.filter(pk=job_id).update(task_id=str(result.id)[:64])


def retry(job: Job) -> bool:
    """Start a failed job again (its owner's button): a new attempt with the same arguments. False if the job
    is not failed (any more)."""
    count = Job.objects.filter(pk=job.pk, state=Job.State.FAILED).update(
        state=Job.State.QUEUED,
        error="",
        done=0,
        stage="",
        result={},
        started_at=None,
        finished_at=None,
        updated_at=timezone.now(),
        max_attempts=F("attempts") + 1,
    )
    if count:
        transaction.on_commit(functools.partial(_send, job.pk))
    return bool(count)


def claim(job_id: int) -> Job | None:
    """Take a queued job for this worker (queued -> running, one conditional UPDATE): the Job, or None when
    another worker took it, it already ran, or it was deleted."""
    now = timezone.now()
    taken = Job.objects.filter(pk=job_id, state=Job.State.QUEUED).update(
        state=Job.State.RUNNING, started_at=now, updated_at=now, attempts=F("attempts") + 1
    )
    if not taken:
        return None
    return Job.objects.filter(pk=job_id).first()


def _fail(job_id: int, message) -> None:
    now = timezone.now()
    Job.objects.filter(pk=job_id).exclude(state=Job.State.DONE).update(
        state=Job.State.FAILED, error=str(message), finished_at=now, updated_at=now
    )


def run(job_id: int) -> None:
    """What the worker runs for a job (the Task's function): claim, call, record the outcome. Never raises for
    the job's own failure, so the tasks backend does not retry behind the job's back."""
    job = claim(job_id)
    if job is None:
        logger.info("job %s: not queued (already taken, done or deleted): nothing to do", job_id)
        return
    with translation.override(settings.LANGUAGE_CODE):
        entry = _KINDS.get(job.kind)
        if entry is None or entry.fn is None:
            _fail(job_id, _("This kind of job (%(kind)s) is no longer known.") % {"kind": job.kind})
            return
        try:
            outcome = entry.fn(job, **job.args)
        except JobFailed as exc:
            logger.info("job %s (%s) failed: %s", job_id, job.kind, exc)
            _fail(job_id, exc.message)
        except ObjectDoesNotExist:
            logger.info("job %s (%s): a row it works on was deleted", job_id, job.kind, exc_info=True)
            _fail(job_id, _("A record this job works on has been deleted since it was started."))
        except Exception:
            logger.exception(
                "job %s (%s) failed (attempt %s of %s)", job_id, job.kind, job.attempts, job.max_attempts
            )
            if job.attempts < job.max_attempts:
                Job.objects.filter(pk=job_id, state=Job.State.RUNNING).update(
                    state=Job.State.QUEUED, updated_at=timezone.now()
                )
                transaction.on_commit(functools.partial(_send, job_id))
            else:
                _fail(
                    job_id,
                    _(
                        "The job failed because of an unexpected error. The administrator can find the details in the log."
                    ),
                )
        else:
            if isinstance(outcome, dict):
                job.finish(outcome)
            else:
                Job.objects.filter(pk=job_id, state=Job.State.RUNNING).update(
                    state=Job.State.DONE, finished_at=timezone.now(), updated_at=timezone.now()
                )


def fail_stale(now=None) -> int:
    """Running jobs whose progress has not moved for JINGKAI_JOB_STALE_MINUTES lost their worker: failed (the
    owner may retry). For the sweep."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(minutes=settings.JINGKAI_JOB_STALE_MINUTES)
    with translation.override(settings.LANGUAGE_CODE):
        message = _("The worker running this job stopped before it finished; retry it.")
    return Job.objects.filter(state=Job.State.RUNNING, updated_at__lt=cutoff).update(
        state=Job.State.FAILED, error=message, finished_at=now, updated_at=now
    )


# --- a check of the workers ---------------------------------------------------------------------------------

PING_KIND = "core.ping"


@job_task(PING_KIND, label=gettext_lazy("Worker check"), retries=0)
def ping_job(job):
    """Does nothing and finishes: an operator's check that workers take jobs (benchmarks/jobs.py times the
    backends with it, so the figure is the queue's own cost, not a job's work)."""
    return {"worker": "ok"}


# --- the schedule: the sweep, run by the worker ------------------------------------------------------------

SWEEP_KIND = "core.sweep"


@job_task(SWEEP_KIND, label=gettext_lazy("Periodic sweep"), retries=0)
def sweep_job(job):
    """`jingkai sweep`, as a job (the worker enqueues it every JINGKAI_SWEEP_EVERY_MINUTES)."""
    import io

    from django.core.management import call_command, get_commands

    if "sweep" not in get_commands():
        raise JobFailed(_("No sweep command is installed."))
    out = io.StringIO()
    call_command("sweep", stdout=out)
    lines = [line for line in out.getvalue().splitlines() if line.strip()]
    return {"lines": lines[-50:]}


def schedule_sweep(now=None) -> Job | None:
    """Enqueue the sweep if none was enqueued in the last JINGKAI_SWEEP_EVERY_MINUTES (whichever worker asks
    first; the others find it): the new job, or None."""
    from jingkai.core import locks

    minutes = settings.JINGKAI_SWEEP_EVERY_MINUTES
    if not minutes:
        return None
    now = now or timezone.now()
    with locks.exclusive("sweep-schedule") as held:
        if not held:
            return None
        recent = Job.objects.filter(kind=SWEEP_KIND, created_at__gt=now - dt.timedelta(minutes=minutes))
        if recent.exists():
            return None
        return enqueue(sweep_job, user=None, args={})
