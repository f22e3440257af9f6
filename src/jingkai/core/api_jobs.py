"""/api/jobs: the caller's background jobs (zone administrators: everyone's), as on /jobs/."""

from django.http import Http404
from ninja import Query, Router
from ninja.pagination import paginate

from jingkai.core.api import Pagination, filtered
from jingkai.core.bounds import Id
from jingkai.core.filtersets import JobFilterSet
from jingkai.core.models import Job
from jingkai.core.schemas import JobFilters, JobOut

router = Router(tags=["jobs"])


def _visible(request):
    return Job.objects.visible_to(request.user).select_related("user")


@router.get("", response=list[JobOut], summary="List my background jobs, newest first")
@paginate(Pagination)
def list_jobs(request, filters: Query[JobFilters]):
    data = {key: value for key, value in filters.dict().items() if value is not None}
    return filtered(JobFilterSet(data or None, _visible(request)))


@router.get(
    "/{job_id}",
    response=JobOut,
    summary="One background job: state, progress, result or error",
    openapi_extra={"responses": {404: {"description": "Not found"}}},
)
def get_job(request, job_id: Id):
    job = _visible(request).filter(pk=job_id).first()
    if job is None:
        raise Http404
    return job
