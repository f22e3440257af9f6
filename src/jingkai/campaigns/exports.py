"""The results workbook of a campaign and the data of its charts."""

from __future__ import annotations

from django.utils.translation import gettext as _

from jingkai.campaigns.forms_def import NUMERIC_TYPES
from jingkai.campaigns.results import Results
from jingkai.core.xlsx import WorkbookBuilder, XlsxColumn

BOOLEAN_LABELS = {"True": "是", "False": "否"}


def _choice_fields(form):
    return [f for f in form if f["type"] in ("choice", "boolean")]


def _options(field) -> list[str]:
    return field.get("choices", []) if field["type"] == "choice" else ["True", "False"]


def chart_data(results: Results) -> dict:
    """Answer rate per grid, and per choice field the distribution per grid (stacked bars)."""
    grids = [b.name for b in results.grids]
    return {
        "grids": grids,
        "rate": [b.rate or 0 for b in results.grids],
        "choices": [
            {
                "label": field["label"],
                "series": [
                    {
                        "name": BOOLEAN_LABELS.get(option, option),
                        "data": [b.choices.get(field["key"], {}).get(option, 0) for b in results.grids],
                    }
                    for option in _options(field)
                ],
            }
            for field in _choice_fields(results.form)
        ],
    }


def results_workbook(campaign, results: Results, targets) -> bytes:
    numeric = [f for f in results.form if f["type"] in NUMERIC_TYPES]
    choice_fields = _choice_fields(results.form)
    columns = [
        XlsxColumn(_("Grid"), "text", 16),
        XlsxColumn(_("Targets"), "integer", 10),
        XlsxColumn(_("Answered"), "integer", 10),
        XlsxColumn(_("Answer rate (%)"), "number", 12),
    ]
    columns += [XlsxColumn(_("Average: %(label)s") % {"label": f["label"]}, "number", 16) for f in numeric]
    for field in choice_fields:
        columns += [
            XlsxColumn(f"{field['label']}：{BOOLEAN_LABELS.get(o, o)}", "integer", 12)
            for o in _options(field)
        ]

    def line(bucket):
        row = [bucket.name, bucket.targets, bucket.answered, bucket.rate]
        row += [bucket.average(f["key"]) for f in numeric]
        for field in choice_fields:
            row += [bucket.choices.get(field["key"], {}).get(o, 0) for o in _options(field)]
        return row

    book = WorkbookBuilder()
    book.add_table(_("By grid"), columns, [*(line(b) for b in results.grids), line(results.total)])
    answer_columns = [
        XlsxColumn(_("Enterprise"), "text", 36),
        XlsxColumn(_("Unified social credit code"), "text", 22),
        XlsxColumn(_("Grid"), "text", 14),
        XlsxColumn(_("On-site guidance officer"), "text", 14),
        XlsxColumn(_("Answered by"), "text", 14),
        XlsxColumn(_("Answered at"), "date", 16),
    ]
    answer_columns += [
        XlsxColumn(f["label"], "number" if f["type"] in NUMERIC_TYPES else "text", 18) for f in results.form
    ]
    rows = targets.select_related("enterprise", "grid", "guide", "response__answered_by").order_by(
        "grid__number", "enterprise__name_sort"
    )

    def answers():
        for t in rows:
            response = getattr(t, "response", None)
            values = response.answers if response else {}
            yield [
                t.enterprise.name,
                t.enterprise.uscc,
                t.grid.name if t.grid else "",
                str(t.guide) if t.guide else "",
                str(response.answered_by) if response else "",
                response.answered_at if response else None,
                *(
                    BOOLEAN_LABELS.get(str(values.get(f["key"])), values.get(f["key"]))
                    if f["type"] == "boolean"
                    else values.get(f["key"])
                    for f in results.form
                ),
            ]

    book.add_table(_("Answers"), answer_columns, answers())
    return book.to_bytes()
