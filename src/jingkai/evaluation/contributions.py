"""What the evaluation adds to other apps' pages and jobs (docs/development.md, Contributions): its menu entry
and the profile's 亩均评价 panel."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from jingkai.core.contributions import DemoChapter, NavEntry, Panel
from jingkai.evaluation import demo, views

CONTRIBUTIONS = [
    NavEntry(
        "evaluation:index",
        _("Per-mu evaluation"),
        permission="evaluation.can_view_evaluation",
        order=120,
        group="economy",
    ),
    Panel(
        "enterprise.aside",
        "evaluation",
        order=30,
        render=views.profile_panel,
        permission="evaluation.can_view_evaluation",
    ),
    DemoChapter(demo.load, after=("stats", "demands")),
]
