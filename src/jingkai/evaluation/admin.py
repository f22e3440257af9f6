"""The evaluation in the admin site: methods, inputs, runs and objections are read here and written through the
app's pages and services (validation, sources, the workflow); the policy table may be edited here too."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from jingkai.core.admin import ReadOnlyMixin, ZoneModelAdmin
from jingkai.evaluation.models import (
    EvaluationInput,
    EvaluationMethod,
    EvaluationRun,
    Objection,
    PolicyMeasure,
)


@admin.register(EvaluationMethod)
class EvaluationMethodAdmin(ReadOnlyMixin, SimpleHistoryAdmin):
    list_display = ("year", "code", "version", "name")
    list_filter = ("year",)
    readonly_fields = ("digest",)


@admin.register(EvaluationInput)
class EvaluationInputAdmin(ReadOnlyMixin, SimpleHistoryAdmin):
    list_display = (
        "enterprise",
        "year",
        "population",
        "tax",
        "value_added",
        "land_own_mu",
        "land_override_mu",
    )
    list_filter = ("year", "population")
    search_fields = ("enterprise__name", "enterprise__uscc")
    raw_id_fields = ("enterprise",)


@admin.register(EvaluationRun)
class EvaluationRunAdmin(ReadOnlyMixin, SimpleHistoryAdmin):
    list_display = ("year", "status", "revision", "method_version", "objection_deadline")
    readonly_fields = ("method_definition", "method_version", "summary", "revision")


@admin.register(Objection)
class ObjectionAdmin(ReadOnlyMixin, SimpleHistoryAdmin):
    list_display = ("run", "enterprise", "demand", "deadline")
    raw_id_fields = ("enterprise", "demand")


@admin.register(PolicyMeasure)
class PolicyMeasureAdmin(ZoneModelAdmin):
    list_display = ("year", "grade", "item", "measure")
    list_filter = ("year", "grade", "item")
