"""The monthly statistics workbook as an import (core.importing.Importer): upload with its options (a saved
column mapping, a period), preview, commit all-or-nothing.

Reading is reader.py's (columnar, Polars); this module checks a delivery against the registry, derives the
figures it lacks (services.derive, one query for the previous month) and classifies the rows; the write is
services.write_reports (a constant number of statements). ADR 0009.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from decimal import Decimal

import polars as pl
from django.core.exceptions import ValidationError
from django.db.models import Max
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jingkai.core import importing
from jingkai.core import uscc as uscc_rules
from jingkai.core.importing import CREATE, UNCHANGED, UPDATE, ImportReport, RowError
from jingkai.core.models import ImportBatch
from jingkai.enterprises.models import AnnualScale, Enterprise
from jingkai.stats.forms import StatsImportForm
from jingkai.stats.measures import MEASURE_LIST, measure
from jingkai.stats.models import MonthlyReport, StatsTemplate
from jingkai.stats.permissions import can_import
from jingkai.stats.reader import GROWTH, LAST, UNIT_SCALES, Delivery, read_delivery
from jingkai.stats.services import (
    WRITE_COLUMNS,
    derive,
    period_label,
    previous_cumulative,
    refresh_analytics,
    write_reports,
)

KIND = "stats.monthly"
SAMPLE_ROWS = 200  # planned rows kept in the batch summary for the preview page


@dataclass
class StatsReport(ImportReport):
    """core.importing's report, with the delivery held as columns rather than one PlannedRow per row."""

    delivery: Delivery | None = field(default=None, repr=False)
    frame: pl.DataFrame | None = field(default=None, repr=False)  # ready to write (enterprise_id, period …)
    period: dt.date | None = None
    unit_label: str = ""
    created: int = 0
    replaced: int = 0
    flagged: int = 0
    replaced_ids: list[int] = field(default_factory=list, repr=False)

    @property
    def counts(self) -> dict[str, int]:
        counts = {
            importing.CREATE: self.created,
            importing.UPDATE: self.replaced,
            importing.UNCHANGED: 0,
            "rows": self.created + self.replaced,
            "flagged": self.flagged,
        }
        counts["error_rows"] = len({(e.sheet, e.row) for e in self.errors if e.row is not None})
        counts["errors"] = len(self.errors)
        return counts

    def to_summary(self) -> dict:
        summary = super().to_summary()
        summary["period"] = self.period.isoformat() if self.period else None
        summary["unit"] = self.unit_label
        summary["unmapped"] = list(self.delivery.unmapped) if self.delivery else []
        summary["sheets"] = self.delivery.sheet_periods if self.delivery else []
        summary["hidden_sheets"] = list(self.delivery.hidden_sheets) if self.delivery else []
        summary["replaces_period"] = self.replaced > 0
        summary["options"] = self.options
        return summary


def template_named(name: str | None) -> StatsTemplate | None:
    if not name:
        return None
    return StatsTemplate.objects.filter(name=name).first()


class StatsImporter(importing.Importer):
    """One delivery of the statistics office: one period, every enterprise's month and cumulative figures."""

    may_import = staticmethod(can_import)

    kind = KIND
    namespace = "stats"
    form_class = StatsImportForm
    denied = gettext_lazy("Only a zone administrator may import statistics.")
    title = gettext_lazy("Statistics import")
    heading = gettext_lazy("Import the monthly statistics workbook")
    upload_note = gettext_lazy(
        "Nothing is written at this step: the next page shows every error, and asks you to confirm."
    )
    links = (
        ("stats:templates", gettext_lazy("Column mapping templates")),
        ("enterprises:scale_roll", gettext_lazy("Yearly roll of above-size enterprises")),
    )
    headers_label = gettext_lazy("Measures:")
    count_labels = {
        CREATE: gettext_lazy("new monthly rows"),
        UPDATE: gettext_lazy("rows replaced (kept as history)"),
        UNCHANGED: gettext_lazy("unchanged"),
    }
    extra_counts = (("flagged", gettext_lazy("rows flagged")),)
    action_labels = {**importing.Importer.action_labels, UPDATE: gettext_lazy("Replace")}
    rows_note = gettext_lazy("first 200")

    # --- options: a saved column mapping and a period, chosen at upload --------------------------------

    def upload_options(self, form) -> dict:
        template, period = form.cleaned_data["template"], form.cleaned_data["period"]
        return {
            "template": template.name if template else "",
            "period": period.replace(day=1).isoformat() if isinstance(period, dt.date) else "",
        }

    def prepare_options(self, options: dict) -> dict:
        """The template is kept as a copy of its mapping and unit taken at upload: renaming, editing or deleting
        it between preview and commit cannot change how the file is read (a unit read as 元 instead of 万元
        would be 10,000 times wrong)."""
        prepared = {"template": options.get("template") or "", "period": options.get("period") or ""}
        if prepared["template"]:
            chosen = template_named(prepared["template"])
            if chosen is None:
                raise ValidationError(
                    {"template": [_("No template named “%(name)s”") % {"name": prepared["template"]}]}
                )
            prepared.update(template=chosen.name, mapping=chosen.mapping, unit_scale=chosen.unit_scale)
        return prepared

    # --- reading and checking -------------------------------------------------------------------------

    def read(self, content: bytes, file_name: str, options: dict) -> Delivery:
        chosen = bool(options.get("template"))
        return read_delivery(
            content,
            file_name=file_name,
            mapping=(options.get("mapping") or {}) if chosen else None,
            unit_scale=(options.get("unit_scale") or 0) if chosen else 0,
            period=dt.date.fromisoformat(options["period"]) if options.get("period") else None,
        )

    def start_report(self, delivery: Delivery) -> StatsReport:
        return StatsReport(
            errors=list(delivery.errors),
            notices=list(delivery.notices),
            sheet_order=[layout.sheet for layout in delivery.layouts],
            header_rows={(layout.sheet, row) for layout in delivery.layouts for row in layout.header_rows},
            delivery=delivery,
            period=delivery.period,
            unit_label=delivery.unit_label,
        )

    def plan(self, delivery: Delivery, report: StatsReport, user) -> None:
        if delivery.frame is None:
            return
        frame = delivery.frame.filter(pl.col("uscc").is_not_null())
        known = Enterprise.objects.values_list("uscc", "pk", "name")
        registry = pl.DataFrame(
            list(known),
            schema={"uscc": pl.String, "enterprise_id": pl.Int64, "registered_name": pl.String},
            orient="row",
        )
        frame = frame.join(registry, on="uscc", how="left")
        # A code in the registry is accepted as it is (the registry checked it, or a zone administrator recorded
        # why a failing code is in real use); only the others are checked here, one by one, with core.uscc.
        layouts = {layout.sheet: layout for layout in delivery.layouts}
        for sheet, row_number, code in (
            frame.filter(pl.col("enterprise_id").is_null()).select(["sheet", "row", "uscc"]).iter_rows()
        ):
            header, letter = layouts[sheet].locate("uscc")
            reason = uscc_rules.problem(code) or _(
                "No enterprise with the credit code %(code)s is in the registry; add it first"
            ) % {"code": code}
            report.errors.append(RowError(sheet, row_number, header, letter, reason))
        if not report.ok or delivery.period is None:
            return

        period = delivery.period
        _check_totals(report, delivery)
        _notice_not_above(report, frame, period)
        _check_last_year(report, delivery, period)
        previous = previous_cumulative(period) if period.month > 1 else None
        tolerance = float(max((layout.unit_scale for layout in delivery.layouts), default=1) or 1)
        derived = derive(frame.drop("registered_name"), previous, period.month, tolerance=tolerance)
        existing = set(MonthlyReport.objects.filter(period=period).values_list("enterprise_id", flat=True))
        derived = derived.with_columns(
            pl.lit(period).alias("period"),
            pl.col("enterprise_id").is_in(list(existing)).alias("_replaces"),
        )
        report.replaced_ids = derived.filter(pl.col("_replaces"))["enterprise_id"].to_list()
        report.replaced = len(report.replaced_ids)
        report.created = derived.height - report.replaced
        flagged = derived.filter(pl.col("issues") != "[]")
        report.flagged = flagged.height
        if report.flagged:
            report.notices.append(
                _(
                    "%(count)s rows have figures that do not add up (cumulative ≠ previous cumulative + month) or "
                    "could not be derived; they are imported and flagged"
                )
                % {"count": number_format(report.flagged)}
            )
        if report.replaced:
            report.notices.append(
                _(
                    "%(period)s has been imported before: confirming replaces the figures of %(count)s "
                    "enterprises (revision %(revision)s of the period; the replaced figures are kept as history)"
                )
                % {
                    "period": period_label(period),
                    "count": number_format(report.replaced),
                    "revision": number_format(_next_revision(period)),
                }
            )
        absent = len(existing - set(derived["enterprise_id"].to_list()))
        if absent:
            report.notices.append(
                _(
                    "%(count)s enterprises reported for %(period)s before are not in this workbook; their figures "
                    "stay as they are"
                )
                % {"count": number_format(absent), "period": period_label(period)}
            )
        for sheet, row_number, code, name, replaces, issues in (
            derived.head(SAMPLE_ROWS)
            .select(["sheet", "row", "uscc", "name", "_replaces", "issues"])
            .iter_rows()
        ):
            report.rows.append(
                importing.PlannedRow(
                    sheet=sheet,
                    row=row_number,
                    action=importing.UPDATE if replaces else importing.CREATE,
                    key=code,
                    label=name or "",
                    changes=[{"column": issue, "before": "", "after": ""} for issue in json.loads(issues)],
                )
            )
        report.frame = derived.select(WRITE_COLUMNS)

    def apply(self, report: StatsReport, user, batch: ImportBatch) -> None:
        write_reports(report.frame, batch=batch, user=user, replaced={report.period: report.replaced_ids})
        refresh_analytics([report.period], report.frame["enterprise_id"].to_list())

    # --- what the pages show --------------------------------------------------------------------------

    def instructions(self) -> list[str]:
        return [
            _(
                "The title row names the period, e.g. “2023年1-6月规上工业企业主要指标”; the units row says 单位：万元, "
                "千元 or 元."
            ),
            _(
                "The header may take two rows: a measure over 本月 / 1-N月 / 上年同期 / 增长%. Headers are matched as "
                "whole terms (工业销售产值 is not 工业总产值); last year's figures and growth are checked, not stored."
            ),
            _(
                "Every visible sheet is read and states its period; sheets of different periods are refused. Hidden "
                "sheets, notes and signature lines are not read, and the preview lists them. .xlsx and .xls both work."
            ),
            _(
                "One row per enterprise, identified by its unified social credit code (any case or spacing). 合计, "
                "blank and note rows are skipped; the 合计 row is checked against the rows."
            ),
            _(
                "When only the month or only the cumulative figure is given, the other is derived from the previous "
                "month; figures that do not add up are flagged."
            ),
            _(
                "Importing a period again, even the same file, replaces its figures once you confirm; the preview "
                "says so first, and the replaced figures are kept as history."
            ),
        ]

    def headers(self) -> list[str]:
        return [str(m.label) for m in MEASURE_LIST]

    def preview_lead(self, summary: dict) -> str:
        if not summary.get("period"):
            return ""
        period = period_label(dt.date.fromisoformat(summary["period"]))
        return _("Period: %(period)s · amounts in %(unit)s") % {
            "period": period,
            "unit": summary.get("unit", ""),
        }

    def committed_message(self, report: StatsReport) -> str:
        return _(
            "Imported %(period)s: %(create)d rows added, %(update)d replaced (the replaced figures are kept as "
            "history)."
        ) % {"period": period_label(report.period), **report.counts}


def options(template: StatsTemplate | None = None, period: dt.date | None = None) -> dict:
    """The batch options for a template (its mapping copied) and a period, as the upload keeps them."""
    chosen = {"template": "", "period": period.isoformat() if period else ""}
    if template is not None:
        chosen.update(template=template.name, mapping=template.mapping, unit_scale=template.unit_scale)
    return chosen


def record_upload(file_name: str, content: bytes, user, *, template: str = "", period: dt.date | None = None):
    """Upload with a template chosen by name (a ValidationError on `template` if there is none) and a period."""
    return StatsImporter().record_upload(
        file_name, content, user, {"template": template, "period": period.isoformat() if period else ""}
    )


def _next_revision(period: dt.date) -> int:
    """The revision a new import of the period would be: one more than the highest stored."""
    highest = MonthlyReport.objects.filter(period=period).aggregate(top=Max("revision"))["top"]
    return (highest or 0) + 1


def _check_totals(report: StatsReport, delivery: Delivery) -> None:
    """A 合计 row that does not match its sheet's rows is worth a look (a notice, not an error).

    The totals were scaled to base units with their sheet's rows (reader._read_sheet)."""
    layouts = {layout.sheet: layout for layout in delivery.layouts}
    for sheet, row_number, values in delivery.totals:
        rows = delivery.frame.filter(pl.col("sheet") == sheet)
        for key, stated in values.items():
            if stated is None or key not in rows.columns:
                continue
            scale = layouts[sheet].scale_of(key)
            money = not key.startswith(("energy", "employees"))
            actual = float(rows[key].sum() or 0)
            if abs(actual - stated) > max(scale if money else 1, abs(stated) * 5e-4):
                report.notices.append(
                    _("Sheet “%(sheet)s” row %(row)d (合计): %(column)s is %(stated)s but the rows add up to %(actual)s")
                    % {"sheet": sheet, "row": row_number, "column": key, "stated": number_format(round(stated, 2), 2),
                       "actual": number_format(round(actual, 2), 2)}
                )  # fmt: skip


def _notice_not_above(report: StatsReport, frame: pl.DataFrame, period: dt.date) -> None:
    above = set(
        AnnualScale.objects.filter(year=period.year, above_size=True).values_list("enterprise_id", flat=True)
    )
    if not above:
        return
    outside = frame.filter(~pl.col("enterprise_id").is_in(list(above)))
    if outside.height:
        names = "、".join(str(n) for n in outside["registered_name"].head(10).to_list())
        report.notices.append(
            _("%(count)s enterprises are not 规上 in %(year)d in the registry: %(names)s")
            % {"count": number_format(outside.height), "year": period.year, "names": names}
        )


MAX_CHECK_NOTICES = 10  # differences listed one by one; the rest are counted


def _check_last_year(report: StatsReport, delivery: Delivery, period: dt.date) -> None:
    """上年同期 and 增长% columns are read and compared, never stored: last year's figure against the one
    stored for the same period a year earlier, the stated growth against the growth the figures give. A
    difference is a notice with both numbers."""
    checks = delivery.checks
    if checks is None or checks.is_empty():
        return
    last_period = period.replace(year=period.year - 1)
    codes = [code for code in checks["uscc"].to_list() if code]
    stored: dict[str, dict] = {
        row["enterprise__uscc"]: row
        for row in MonthlyReport.objects.filter(period=last_period, enterprise__uscc__in=codes).values(
            "enterprise__uscc", *[f for m in MEASURE_LIST for f in m.fields]
        )
    }
    layouts = {layout.sheet: layout for layout in delivery.layouts}
    lines: list[str] = []
    compared = 0
    for record in checks.iter_rows(named=True):
        layout = layouts[record["sheet"]]
        where = _("Sheet “%(sheet)s” row %(row)d (%(name)s)") % {
            "sheet": record["sheet"],
            "row": record["row"],
            "name": record["name"] or record["uscc"] or "",
        }
        before = stored.get(record["uscc"] or "")
        for key in layout.checks:
            kind, value_field = key.split(":", 1)
            stated = record.get(key)
            if stated is None:
                continue
            unit = _measure_unit(value_field)
            if kind == LAST:
                if before is None or before.get(value_field) is None:
                    continue
                compared += 1
                known = float(before[value_field])
                if abs(known - stated) > max(layout.scale_of(value_field) / 2, 0.005):
                    lines.append(
                        _("%(where)s: %(header)s is %(stated)s in the file, but %(known)s is stored for %(period)s")
                        % {"where": where, "header": layout.headers[key],
                           "stated": _amount(stated, unit, layout, value_field),
                           "known": _amount(known, unit, layout, value_field),
                           "period": period_label(last_period)}
                    )  # fmt: skip
            elif kind == GROWTH:
                this_year = record.get(value_field)
                last_key = f"{LAST}:{value_field}"
                last = record.get(last_key)
                if last is None and before is not None and before.get(value_field) is not None:
                    last = float(before[value_field])
                if this_year is None or not last:
                    continue
                compared += 1
                computed = (this_year - last) / abs(last) * 100
                if abs(computed - stated) > 0.15:
                    lines.append(
                        _("%(where)s: %(header)s is %(stated)s%% in the file, but the figures give %(computed)s%%")
                        % {"where": where, "header": layout.headers[key],
                           "stated": number_format(round(stated, 1), 1),
                           "computed": number_format(round(computed, 1), 1)}
                    )  # fmt: skip
    if lines:
        shown_lines = lines[:MAX_CHECK_NOTICES]
        report.notices.extend(shown_lines)
        if len(lines) > MAX_CHECK_NOTICES:
            report.notices.append(
                _("… and %(count)s more differences in last year's figures or growth")
                % {"count": number_format(len(lines) - MAX_CHECK_NOTICES)}
            )
    elif not compared:
        report.notices.append(
            _(
                "Last year's figures and growth columns are read but not stored; nothing is stored for %(period)s "
                "to check them against"
            )
            % {"period": period_label(last_period)}
        )


def _measure_unit(value_field: str):
    return measure(value_field.rsplit("_", 1)[0])


def _amount(value: float, unit, layout, value_field: str) -> str:
    """A figure in the sheet's own unit, as the file writes it (万元 …)."""
    if unit.is_money:
        scale = layout.scale_of(value_field)
        label = next((k for k, v in UNIT_SCALES.items() if v == scale), "元")
        return f"{_plain(value / scale)}{label}"
    return _plain(value)


def _plain(value: float) -> str:
    """A figure as officials write it: no thousands separators, no trailing zeros (25000, 1234.5)."""
    text = f"{Decimal(str(round(value, 6))):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
