"""Demands in Excel: import a hotline export (preview → commit, all or nothing); the list export is exports.py.

The headers are those of a 12345 / hotline work-order export (来电时间, 企业名称, 统一社会信用代码, 诉求类别,
诉求内容, 联系人, 联系电话, 工单编号); as in enterprises/importers.py they are a data format and are not
translated. An enterprise is found by its credit code, else by its exact name; a category by its name,
"parent/child" path or code. 工单编号 (the hotline's order number) may not be imported twice.
Every row lands in the pool as 已提交, channel 批量导入 (or 热线 when the sheet says so).
"""

from __future__ import annotations

import datetime as dt
import unicodedata

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jingkai.core import importing
from jingkai.core import uscc as uscc_rules
from jingkai.core.importing import (
    CREATE,
    CellError,
    Column,
    ImportRejected,
    ImportReport,
    PlannedRow,
    clean,
    fold,
    shown,
    text,
)
from jingkai.core.models import ImportBatch
from jingkai.core.xlsx import WorkbookBuilder
from jingkai.demands import services
from jingkai.demands.models import Channel, Demand, DemandCategory
from jingkai.demands.permissions import can_import
from jingkai.enterprises.models import Enterprise
from jingkai.enterprises.queries import by_uscc

KIND = "demands"


def _when(value):
    """来电时间: an Excel date or date-time, or text such as 2023-05-06 10:20 or 2023/5/6."""
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time(9))
    if isinstance(value, str):
        cleaned = (
            unicodedata.normalize("NFKC", clean(value))
            .strip()
            .replace("/", "-")
            .replace("年", "-")
            .replace("月", "-")
            .replace("日", "")
        )
        for fmt in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d"):
            try:
                return dt.datetime.strptime(cleaned, fmt)
            except ValueError:
                continue
    raise CellError(_("“%(value)s” is not a date and time (e.g. 2023-05-06 10:20)") % {"value": shown(value)})


COLUMNS = [
    Column(
        "submitted_at",
        "来电时间",
        _when,
        required=True,
        kind="text",
        width=18,
        aliases=("受理时间", "提交时间"),
    ),
    Column("enterprise_name", "企业名称", text(200), width=30),
    # Any length: the code is normalised and checked by core.uscc, which says what is wrong with it.
    Column("uscc", "统一社会信用代码", text(), width=22, aliases=("信用代码",)),
    Column("category", "诉求类别", text(100), required=True, width=14, aliases=("类别",)),
    Column("title", "诉求标题", text(200), width=24, aliases=("标题",)),
    Column("description", "诉求内容", text(), required=True, width=50, aliases=("内容", "来电内容")),
    Column("contact_name", "联系人", text(50), width=10, aliases=("来电人",)),
    Column("contact_phone", "联系电话", text(30), width=16, aliases=("来电号码",)),
    Column("source_ref", "工单编号", text(60), width=18, aliases=("工单号",)),
]


class DemandImporter(importing.Importer):
    """A hotline batch: every row a new demand in the pool (已提交), never the same work order twice."""

    may_import = staticmethod(can_import)

    kind = KIND
    namespace = "demands"
    columns = COLUMNS
    denied = gettext_lazy("Only a zone administrator may import demands.")
    title = gettext_lazy("Import demands")
    intro = gettext_lazy(
        "Upload a hotline export (.xlsx). The first row with these headers is read; a preview lists every row and "
        "every error before anything is written, and a file with any error writes nothing."
    )
    back = ("demands:list", gettext_lazy("Demands"))
    links = (("demands:import_template", gettext_lazy("Download the template")),)
    submit_label = gettext_lazy("Preview")
    key_label = gettext_lazy("Work order")
    label_label = gettext_lazy("Enterprise")
    template_file_name = gettext_lazy("Demand import template")

    def plan(self, read, report: ImportReport, user) -> None:
        visible = Enterprise.objects.visible_to(user)
        by_code = by_uscc((r.values.get("uscc") for r in read.rows), visible)
        names = {r.values.get("enterprise_name") for r in read.rows} - {None, ""}
        by_name = {e.name: e for e in visible.filter(name__in=names)}
        categories: dict[str, DemandCategory] = {}
        for category in DemandCategory.objects.active().select_related("parent"):
            for key in (category.code, category.name, str(category)):
                categories.setdefault(fold(key), category)
            if category.parent_id:
                categories[fold(f"{category.parent.name}/{category.name}")] = category
        refs = {r.values.get("source_ref") for r in read.rows} - {None, ""}
        known_refs = set(Demand.objects.filter(source_ref__in=refs).values_list("source_ref", flat=True))
        seen_refs: dict[str, tuple[str, int]] = {}
        for row in read.rows:
            values = row.values
            if row.failed:
                continue
            enterprise = None
            if values.get("uscc"):
                enterprise = by_code.get(uscc_rules.normalize(values["uscc"]))
                if enterprise is None:
                    reason = uscc_rules.problem(values["uscc"]) or _(
                        "No enterprise in the platform has this code"
                    )
                    report.errors.append(row.error("uscc", reason))
                    continue
            elif values.get("enterprise_name"):
                enterprise = by_name.get(values["enterprise_name"])
                if enterprise is None:
                    report.errors.append(
                        row.error("enterprise_name", _("No enterprise in the platform has this name"))
                    )
                    continue
            else:
                report.errors.append(
                    row.error("enterprise_name", _("Give the enterprise's name or credit code"))
                )
                continue
            category = categories.get(fold(values.get("category") or ""))
            if category is None:
                report.errors.append(row.error("category", _("Unknown demand category")))
                continue
            ref = values.get("source_ref") or ""
            if ref:
                if ref in known_refs:
                    report.errors.append(row.error("source_ref", _("This work order was already imported")))
                    continue
                if ref in seen_refs:
                    sheet, number = seen_refs[ref]
                    report.errors.append(
                        row.error("source_ref", _("Same work order as row %(row)d") % {"row": number})
                        if sheet == row.sheet
                        else row.error(
                            "source_ref",
                            _("Same work order as sheet “%(sheet)s” row %(row)d")
                            % {"sheet": sheet, "row": number},
                        )
                    )
                    continue
                seen_refs[ref] = (row.sheet, row.number)
            submitted = values["submitted_at"]
            if timezone.is_naive(submitted):
                submitted = timezone.make_aware(submitted)
            if submitted > timezone.now():
                report.errors.append(row.error("submitted_at", _("This time is in the future")))
                continue
            report.rows.append(
                PlannedRow(
                    sheet=row.sheet,
                    row=row.number,
                    action=CREATE,
                    key=ref or f"{row.number}",
                    label=f"{enterprise.name} · {category}",
                    data={
                        "enterprise": enterprise,
                        "category": category,
                        "description": values["description"],
                        "title": values.get("title") or "",
                        "contact_name": values.get("contact_name") or "",
                        "contact_phone": values.get("contact_phone") or "",
                        "source_ref": ref,
                        "submitted_at": submitted,
                    },
                    source=row,
                )
            )

    def apply(self, report: ImportReport, user, batch: ImportBatch) -> None:
        errors = []
        for plan in report.rows:
            try:
                services.submit_demand(actor=user, channel=Channel.IMPORT, notify_admins=False, **plan.data)
            except ValidationError as exc:
                errors.extend(plan.source.errors_from(exc))
        if errors:
            raise ImportRejected(errors)

    def template_workbook(self, user) -> bytes:
        builder = WorkbookBuilder()
        builder.add_table(_("Demands"), [c.xlsx() for c in COLUMNS], [])
        return builder.to_bytes()

    def committed_message(self, report: ImportReport) -> str:
        return _("Imported %(n)d demands.") % {"n": report.counts["create"]}
