"""The pages of background jobs (jingkai.core.jobs): my jobs, a job with its progress bar (refreshed by htmx
from /jobs/<id>/progress while it is queued or running), the owner's retry and the download of its file.

Everyone sees their own jobs; zone administrators see everyone's. Another user's job answers 404. Retrying
and downloading are the owner's alone (a zone administrator who is not the owner gets 403)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header, url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from jingkai.core import audit, export_jobs, jobs
from jingkai.core.filtersets import JobFilterSet
from jingkai.core.models import Job
from jingkai.core.xlsx import XLSX

PAGE_SIZE = 50


def _visible(request):
    return Job.objects.visible_to(request.user).select_related("user")


def _job(request, pk: int) -> Job:
    job = _visible(request).filter(pk=pk).first()
    if job is None:
        raise Http404
    return job


def _owner_only(request, job: Job) -> None:
    if job.user_id != request.user.pk:
        raise PermissionDenied(_("Only the person who started this job may do this."))


@login_required
@require_GET
def job_list(request):
    filterset = JobFilterSet(request.GET or None, _visible(request))
    rows = filterset.qs if filterset.is_bound and filterset.is_valid() else _visible(request)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "jobs/list.html",
        {"form": filterset.form, "page": page, "everyone": request.user.is_zone_admin},
    )


def _context(request, job: Job) -> dict:
    return {
        "job": job,
        "result_rows": jobs.result_rows(job) if job.state == Job.State.DONE else [],
        "is_owner": job.user_id == request.user.pk,
        "can_download": job.user_id == request.user.pk and export_jobs.file_of(job) is not None,
        "next_url": _next_url(request, job),
    }


def _next_url(request, job: Job) -> str:
    """Where the owner goes on once the job is done (an import's preview page): a path of this site only."""
    url = (job.result or {}).get("next_url") if job.state == Job.State.DONE else None
    if not url or job.user_id != request.user.pk:
        return ""
    return url if url_has_allowed_host_and_scheme(url, allowed_hosts=None) and url.startswith("/") else ""


@login_required
@require_GET
def job_detail(request, pk: int):
    job = _job(request, pk)
    return render(request, "jobs/detail.html", _context(request, job))


@login_required
@require_GET
def job_progress(request, pk: int):
    """The job's status card alone: the page polls it every second while the job is queued or running."""
    job = _job(request, pk)
    return render(request, "jobs/_status.html", _context(request, job))


@login_required
@require_POST
def job_retry(request, pk: int):
    job = _job(request, pk)
    _owner_only(request, job)
    if jobs.retry(job):
        messages.success(request, _("The job was started again."))
    else:
        messages.warning(request, _("Only a failed job can be retried."))
    return redirect(job)


@login_required
@require_GET
def job_download(request, pk: int):
    """The job's file, to its owner only, while it is kept; audited like every export (docs/security.md §3)."""
    job = _job(request, pk)
    _owner_only(request, job)
    path = export_jobs.file_of(job)
    if path is None:
        raise Http404(_("This file is no longer kept; run the export again."))
    file_name = job.result.get("file_name") or path.name
    rows = job.result.get("rows")
    audit.record(
        audit.Kind.EXPORT,
        request=request,
        target=job,
        summary=f"{file_name} ({rows})",
        path=job.args.get("path", request.path),
        file_name=file_name,
        filters=export_jobs.filters_of(job),
        rows=rows,
        sha256=job.result.get("sha256", ""),
        job=job.pk,
    )
    response = FileResponse(open(path, "rb"), content_type=XLSX)  # noqa: SIM115 (closed by Django)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=file_name)
    response["Cache-Control"] = "no-store"
    return response
