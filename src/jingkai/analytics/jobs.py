"""The analytics app's background jobs (docs/development.md, "Jobs"): the incremental rollup refresh."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jingkai.core import jobs

REFRESH_KIND = "analytics.refresh"


@jobs.job_task(REFRESH_KIND, label=gettext_lazy("Refresh the economic-operation figures"), retries=2)
def refresh_rollups(job, *, changes: list[dict]):
    """Recompute the rollup rows these changes touched (engine.refresh_changes; idempotent: the rows are deleted
    and computed again from the monthly rows as they are now, so running it twice gives the same table)."""
    from jingkai.analytics import engine

    job.progress(0, total=1, stage=_("Recomputing the figures"))
    engine.refresh_changes(changes)
    job.progress(1, total=1, stage=_("Recomputing the figures"))
    return {"changes": len(changes)}
