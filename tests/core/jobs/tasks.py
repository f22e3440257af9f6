"""Job kinds of the tests (module level, so the tasks backend imports them by path like any app's)."""

from jingkai.core import jobs
from jingkai.core.models import Department

CALLS: list[tuple[int, dict]] = []


@jobs.job_task("tests.count", label="数数")
def count_rows(job, *, n: int, fail_times: int = 0):
    CALLS.append((job.pk, {"n": n}))
    if job.attempts <= fail_times:
        raise RuntimeError("boom (expected by the test)")
    for done in range(1, n + 1):
        job.progress(done, total=n, stage="counting")
    return {"counted": n}


@jobs.job_task("tests.refuse", label="拒绝")
def refuse(job, *, message: str = "文件格式不对"):
    raise jobs.JobFailed(message)


@jobs.job_task("tests.department", label="部门")
def read_department(job, *, department_id: int):
    department = Department.objects.get(pk=department_id)
    job.finish({"name": department.name})
