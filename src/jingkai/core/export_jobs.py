"""List exports above a row threshold become jobs, for every export at once (docs/development.md, "Jobs").

Every list export ends in `core.xlsx.export_response`. During a request this middleware sets a row limit
(JINGKAI_EXPORT_JOB_ROWS): an export of at most that many rows is answered at once, as before; one of more
stops at the first row beyond it (`ExportTooLarge`, after reading at most the limit) and the middleware
enqueues an export job instead, redirecting to the job's page.

The job runs the same export view again, as its owner, for the same path and query string: the view builds
its FilterSet over `visible_to(owner)` and checks its permissions exactly as in the request, so the file holds
what the owner's own export would, no more. Inside the job `export_response` streams the rows to a file under
MEDIA_ROOT/exports/ (xlsxwriter's constant-memory mode; the views iterate their querysets in chunks), kept
JINGKAI_EXPORT_KEEP_DAYS days: the sweep deletes it then. The owner downloads it at /jobs/<id>/download,
audited like every export (core.audit EXPORT, with the filters, the rows and the SHA-256).

The job's arguments are the URL name of the view, the path and the query string (ids and filters, no rows).
The registry of exports is the URL configuration itself: every list export's URL name says "export"
(`enterprises:export`, `visits:not_visited_export` …), so no app needs code of its own to get the job path;
the job refuses a path that resolves to another view or to a view whose name does not say so.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.urls import Resolver404, resolve
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jingkai.core import jobs
from jingkai.core.models import Job
from jingkai.core.xlsx import (
    EXPORT_ROW_LIMIT,
    EXPORT_TARGET,
    ExportFileResponse,
    ExportTarget,
    ExportTooLarge,
)

logger = logging.getLogger("jingkai.jobs")

KIND = "core.export"


def is_export_view(view_name: str) -> bool:
    """The views a job may run again: those whose URL name says they export."""
    return "export" in view_name.rsplit(":", 1)[-1]


def export_dir() -> Path:
    return Path(settings.MEDIA_ROOT) / "exports"


class ExportJobMiddleware:
    """Sets the row limit of list exports for the request; an export above it becomes a job."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = EXPORT_ROW_LIMIT.set(settings.JINGKAI_EXPORT_JOB_ROWS)
        try:
            return self.get_response(request)
        finally:
            EXPORT_ROW_LIMIT.reset(token)

    def process_exception(self, request, exception):
        if not isinstance(exception, ExportTooLarge) or not request.user.is_authenticated:
            return None
        match = request.resolver_match
        url_name = match.view_name if match else ""
        query = request.GET.copy()
        query.pop("page", None)
        job = jobs.enqueue(
            export_job,
            user=request.user,
            args={"view": url_name, "path": request.path, "query": query.urlencode()},
        )
        messages.info(
            request,
            _(
                "The export has more than %(limit)d rows: it is being prepared in the background. "
                'You can leave this page and download it from "My jobs" when it is ready.'
            )
            % {"limit": settings.JINGKAI_EXPORT_JOB_ROWS},
        )
        return HttpResponseRedirect(job.get_absolute_url())


def _request_as(user, path: str, query: str):
    from django.contrib.sessions.backends.base import SessionBase
    from django.test import RequestFactory

    request = RequestFactory().get(path + ("?" + query if query else ""))
    request.user = user
    request.session = SessionBase()
    request._dont_enforce_csrf_checks = True
    return request


@jobs.job_task(KIND, label=gettext_lazy("Export to Excel"), retries=1)
def export_job(job, *, view: str, path: str, query: str = ""):
    """Run the export view again as the job's owner, streaming its workbook to a file."""
    owner = job.user
    if owner is None or not owner.is_active:
        raise jobs.JobFailed(_("The owner of this export can no longer sign in."))
    try:
        match = resolve(path)
    except Resolver404:
        raise jobs.JobFailed(_("This export no longer exists.")) from None
    if match.view_name != view or not is_export_view(view):
        raise jobs.JobFailed(_("This export no longer exists."))
    directory = export_dir()
    directory.mkdir(parents=True, exist_ok=True)
    file = directory / f"{job.pk}-{secrets.token_hex(8)}.xlsx"
    target = ExportTarget(path=str(file), job=job)
    request = _request_as(owner, path, query)
    request.resolver_match = match
    limit_token = EXPORT_ROW_LIMIT.set(None)
    target_token = EXPORT_TARGET.set(target)
    try:
        response = match.func(request, *match.args, **match.kwargs)
    except (PermissionDenied, Http404):
        file.unlink(missing_ok=True)
        raise jobs.JobFailed(_("You may no longer export these rows.")) from None
    except BaseException:
        file.unlink(missing_ok=True)
        raise
    finally:
        EXPORT_TARGET.reset(target_token)
        EXPORT_ROW_LIMIT.reset(limit_token)
    if not isinstance(response, ExportFileResponse):
        file.unlink(missing_ok=True)
        if response.status_code == 400:
            raise jobs.JobFailed(_("The filters of this export are not valid any more."))
        if response.status_code in (403, 404):
            raise jobs.JobFailed(_("You may no longer export these rows."))
        raise jobs.JobFailed(_("This export did not produce a workbook."))
    digest = hashlib.sha256()
    with open(file, "rb") as stream:
        for chunk in iter(lambda: stream.read(1 << 20), b""):
            digest.update(chunk)
    job.file = str(file.relative_to(Path(settings.MEDIA_ROOT)))
    job.expires_at = timezone.now() + dt.timedelta(days=settings.JINGKAI_EXPORT_KEEP_DAYS)
    job.finish(
        {
            "rows": target.rows,
            "file_name": response.file_name,
            "size": file.stat().st_size,
            "sha256": digest.hexdigest(),
            "download": True,
        }
    )


def file_of(job: Job) -> Path | None:
    """The job's file if it is still kept, else None."""
    if not job.file or (job.expires_at and job.expires_at <= timezone.now()):
        return None
    path = (Path(settings.MEDIA_ROOT) / job.file).resolve()
    if export_dir().resolve() not in path.parents or not path.is_file():
        return None
    return path


def filters_of(job: Job) -> dict:
    from django.http import QueryDict

    query = QueryDict(job.args.get("query", ""))
    return {key: values if len(values) > 1 else values[0] for key, values in query.lists()}


def expire(now=None) -> int:
    """The sweep: delete the files of export jobs past their keeping time, and say so on the job."""
    now = now or timezone.now()
    count = 0
    for job in Job.objects.filter(expires_at__lte=now).exclude(file=""):
        path = Path(settings.MEDIA_ROOT) / job.file
        if export_dir().resolve() in path.resolve().parents:
            path.unlink(missing_ok=True)
        job.result = {**job.result, "download": False, "expired": True}
        Job.objects.filter(pk=job.pk).update(file="", result=job.result)
        count += 1
    return count


def sweep(now, stdout=None) -> dict[str, int]:
    """The kernel's part of `jingkai sweep` (a Sweeper in core.contributions): expired export files, and jobs
    whose worker died."""
    return {
        "expired_exports": expire(now),
        "stale_jobs": jobs.fail_stale(now),
        "task_results_pruned": prune_task_results(now),
    }


def prune_task_results(now, days: int = 14) -> int:
    """The database backend's finished task rows older than `days` (the Job rows keep what users see)."""
    if not settings.TASKS["default"]["BACKEND"].startswith("django_tasks_db"):
        return 0
    from django_tasks_db.models import DBTaskResult

    cutoff = now - dt.timedelta(days=days)
    deleted, _ = DBTaskResult.objects.finished().filter(finished_at__lt=cutoff).delete()
    return deleted
