"""The statistics office's 规上名录 for a year, as an import (issue 11 §6; RULES.md §2).

The sheet format
----------------
One row per enterprise: 统一社会信用代码 (required), 企业名称 (shown, not checked), a status column (入库 / 退库 or
规上 / 规下; blank, or no such column: the row is 规上, as a 名录 lists its enterprises) and optionally 营业收入（万元）.
The headers and the status words are a data format staff type against: constants here, not translated.

How it is applied
-----------------
The year is chosen at upload (kept on the batch). Each row is compared with the enterprise's status in the latest
earlier year (enterprises.roll.plan_roll): entering, leaving or unchanged, shown as to add / to update / unchanged
on the kernel's preview; an enterprise not in the file keeps its status of the year before (unchanged). When the file is the complete 名录 (an upload option) an enterprise that
was 规上 and is not in the file leaves 规上. The commit writes AnnualScale rows through enterprises.roll.commit_roll
(with history); an unknown or invalid credit code, or a code twice in the file, is a located error and nothing is
written.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jingkai.core import importing
from jingkai.core import uscc as uscc_rules
from jingkai.core.importing import (
    CREATE,
    UNCHANGED,
    UPDATE,
    Column,
    ImportReport,
    PlannedRow,
    choice,
    decimal,
    text,
)
from jingkai.core.models import ImportBatch
from jingkai.core.money import format_money
from jingkai.enterprises import roll
from jingkai.enterprises.forms import ScaleRollUploadForm
from jingkai.enterprises.permissions import can_run_scale_roll
from jingkai.enterprises.queries import by_uscc

KIND = "scale_roll"  # ImportBatch.kind

ABOVE_WORDS = ("入库", "新入库", "在库", "规上", "规模以上", "是")
BELOW_WORDS = ("退库", "出库", "规下", "规模以下", "否")
STATUS_WORDS = {**dict.fromkeys(ABOVE_WORDS, True), **dict.fromkeys(BELOW_WORDS, False)}

COLUMNS = (
    Column(
        "uscc",
        "统一社会信用代码",
        text(max_length=40),
        required=True,
        aliases=("信用代码", "社会信用代码", "统一代码"),
        width=22,
    ),
    Column("name", "企业名称", text(max_length=200), aliases=("单位名称", "单位详细名称", "名称"), width=30),
    Column(
        "above_size",
        "入库/退库",
        choice(STATUS_WORDS, ("入库", "退库", "规上", "规下")),
        blank=True,
        aliases=("规上/规下", "入库状态", "状态", "是否规上", "变动情况"),
        choices=("入库", "退库"),
    ),
    Column(
        "revenue",
        "营业收入（万元）",
        decimal(max_digits=18, decimal_places=2, scale=10000),
        aliases=("营业收入(万元)", "营业收入"),
        kind="number",
    ),
)

# PlannedRow.action of each move: the kernel's preview counts and lists them under these.
ACTIONS = {roll.ENTERING: CREATE, roll.LEAVING: UPDATE, roll.UNCHANGED: UNCHANGED}


class ScaleRollImporter(importing.Importer):
    kind = KIND
    namespace = "enterprises:scale_roll"
    columns = COLUMNS
    form_class = ScaleRollUploadForm
    may_import = staticmethod(can_run_scale_roll)

    title = gettext_lazy("规上名录 import")
    heading = gettext_lazy("Import the year's 规上名录")
    intro = gettext_lazy(
        "The statistics office's list of enterprises above designated size for one year. Each row is compared "
        "with the enterprise's status in the year before: entering, leaving or unchanged."
    )
    back = ("enterprises:scale_roll", gettext_lazy("The year's 规上 roll"))
    commit_label = gettext_lazy("Confirm the roll")
    count_labels = {
        CREATE: gettext_lazy("entering 规上"),
        UPDATE: gettext_lazy("leaving 规上"),
        UNCHANGED: gettext_lazy("unchanged"),
    }
    action_labels = {
        CREATE: gettext_lazy("Entering"),
        UPDATE: gettext_lazy("Leaving"),
        UNCHANGED: gettext_lazy("Unchanged"),
    }

    def upload_options(self, form) -> dict:
        year = form.cleaned_data.get("year") or roll.default_year()
        return {"year": year, "complete": bool(form.cleaned_data.get("complete"))}

    def instructions(self) -> list[str]:
        return [
            _("One row per enterprise, found by its credit code; the name is shown, not checked."),
            _(
                "Status column: 入库 or 规上 (above designated size), 退库 or 规下 (below); a blank cell is 规上."
            ),
            _("营业收入 in 万元 is optional; it is kept with the year's status."),
            _(
                "With “complete list” ticked, an enterprise above designated size before and not in the file leaves."
            ),
        ]

    def preview_lead(self, summary: dict) -> str:
        options = summary.get("options", {})
        return _("Year %(year)s") % {"year": options.get("year", "")}

    def plan(self, read, report: ImportReport, user) -> None:
        options = report.options
        year = int(options.get("year") or roll.default_year())
        found = by_uscc(row.values.get("uscc") for row in read.rows if row.values.get("uscc"))
        decisions: list[roll.Decision] = []
        seen: dict[int, int] = {}
        for row in read.rows:
            if "uscc" in row.failed or not row.values.get("uscc"):
                continue
            code = uscc_rules.normalize(str(row.values["uscc"]))
            enterprise = found.get(code)
            if enterprise is None:
                problem = uscc_rules.problem(code)
                report.errors.append(
                    row.error("uscc", problem or _("No enterprise with this credit code in the platform"))
                )
                continue
            if enterprise.pk in seen:
                report.errors.append(
                    row.error("uscc", _("Also in row %(row)d") % {"row": seen[enterprise.pk]})
                )
                continue
            seen[enterprise.pk] = row.number
            if row.failed:
                continue
            above = row.values.get("above_size", True)
            decisions.append(
                roll.Decision(enterprise.pk, True if above is None else above, row.values.get("revenue"), row)
            )
        if options.get("complete"):
            named = {d.enterprise_id for d in decisions} | set(seen)
            last = roll.statuses_before(year)
            decisions.extend(
                roll.Decision(enterprise_id, False)
                for enterprise_id, above in last.items()
                if above and enterprise_id not in named
            )
        plan = roll.plan_roll(year, decisions, source_name="import")
        for item in plan.items:
            row = item.where
            changes = []
            if item.move != roll.UNCHANGED or item.revenue is not None:
                changes.append(
                    {
                        "column": _("Status"),
                        "before": _status(item.before),
                        "after": _status(item.above_size),
                    }
                )
            if item.revenue is not None:
                changes.append(
                    {
                        "column": _("Operating revenue"),
                        "before": "",
                        "after": format_money(item.revenue, unit="万"),
                    }
                )
            report.rows.append(
                PlannedRow(
                    sheet=row.sheet if row else "",
                    row=row.number if row else 0,
                    action=ACTIONS[item.move],
                    key=item.enterprise.uscc,
                    label=item.enterprise.name,
                    changes=changes,
                    instance=item,
                    source=row,
                )
            )
        absent = sum(1 for item in plan.items if item.where is None and not item.carried)
        if absent:
            report.notices.append(
                _("%(n)d enterprise(s) above designated size before are not in the file and leave.")
                % {"n": absent}
            )
        carried = sum(1 for item in plan.items if item.carried)
        if carried:
            report.notices.append(
                _("%(n)d enterprise(s) not in the file keep their status of the year before.")
                % {"n": carried}
            )

    def apply(self, report: ImportReport, user, batch: ImportBatch) -> None:
        plan = roll.RollPlan(
            int(report.options.get("year") or roll.default_year()),
            "import",
            [row.instance for row in report.rows],
        )
        roll.commit_roll(plan, user)

    def committed_message(self, report: ImportReport) -> str:
        counts = report.counts
        return _("Roll committed: %(create)d entering, %(update)d leaving, %(unchanged)d unchanged.") % counts


def _status(above: bool | None) -> str:
    if above is None:
        return "—"
    return _("Above designated size") if above else _("Below designated size")
