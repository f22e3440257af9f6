"""One FilterSet for the enterprise list page, the API and the export (they cannot drift)."""

from __future__ import annotations

import datetime as dt

import django_filters as df
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jingkai.core import bounds, personal
from jingkai.core import uscc as uscc_rules
from jingkai.core.contributions import list_filter
from jingkai.core.db import NoIndex
from jingkai.core.filtersets import IntegerFilter
from jingkai.enterprises.choices import COUNTRY_NAMES, HonourKind, Origin
from jingkai.enterprises.models import AnnualScale, Contact, Enterprise, Honour
from jingkai.enterprises.queries import name_search_q, pinyin_q, reference_date
from jingkai.grids.models import Community, Grid
from jingkai.parks.models import Park

SCALE_CHOICES = [("above", _("Above designated size")), ("below", _("Below designated size"))]
ORIGIN_CHOICES = [(o.value, o.label) for o in Origin] + [
    (code, label) for code, (_n, label) in COUNTRY_NAMES.items()
]
# "name" sorts by the name's pinyin (core/pinyin.py: 阿里, 长安, 重庆, 津上), not by code point.
SORTS = {
    "name": "name_sort",
    "-name": "-name_sort",
    "founded_on": "founded_on",
    "-founded_on": "-founded_on",
    "employees": "employees",
    "-employees": "-employees",
    "uscc": "uscc",
    "-updated_at": "-updated_at",
}


class EnterpriseFilterSet(df.FilterSet):
    q = df.CharFilter(method="filter_q", label=_("Name or code"))
    grid = df.CharFilter(method="filter_grid", label=_("Grid"))
    community = df.CharFilter(method="filter_community", label=_("Community"))
    chain = df.CharFilter(method="filter_chain", label=_("Chain"))
    scale = df.ChoiceFilter(choices=SCALE_CHOICES, method="filter_scale", label=_("Scale"))
    year = IntegerFilter(
        method="filter_noop", min_value=bounds.YEAR_MIN, max_value=bounds.YEAR_MAX, label=_("Year")
    )
    origin = df.ChoiceFilter(choices=ORIGIN_CHOICES, method="filter_origin", label=_("Capital origin"))
    industry = df.CharFilter(method="filter_industry", label=_("Industry"))
    honour = df.ChoiceFilter(choices=HonourKind.choices, method="filter_honour", label=_("Honour"))
    # Holds a certificate (honour) valid today that expires within this many days (the home page's to-do).
    honour_expiring = IntegerFilter(
        method="filter_honour_expiring",
        min_value=0,
        max_value=3660,
        label=_("Certificate expiring within (days)"),
    )
    park = df.CharFilter(method="filter_park", label=_("Park"))
    group = IntegerFilter(field_name="group_id", label=_("Group"))
    status = df.CharFilter(field_name="status", label=_("Status"))
    sort = df.ChoiceFilter(choices=[(k, k) for k in SORTS], method="filter_noop", label=_("Sort"))

    class Meta:
        model = Enterprise
        fields: list[str] = []

    @property
    def qs(self):
        qs = super().qs
        sort = self.form.cleaned_data.get("sort") if self.form.is_valid() else None
        order = SORTS.get(sort or "name", SORTS["name"])
        # The tiebreaker runs the same way as the sort, so one index walk serves both (an opposite
        # tiebreaker made SQLite sort every tied row: most enterprises share a staff count).
        return qs.order_by(order, "-pk" if order.startswith("-") else "pk")

    # The scale filter reads `year`; other filters ignore it.
    def filter_noop(self, queryset, name, value):
        return queryset

    def scale_year(self) -> int:
        year = self.form.cleaned_data.get("year") if self.form.is_valid() else None
        if year:
            return int(year)
        latest = AnnualScale.objects.order_by("-year").values_list("year", flat=True).first()
        return latest or timezone.localdate().year

    def filter_q(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        code = uscc_rules.normalize(value)
        # Each way of matching reads its own index: the name bigrams (queries.name_search_q), the credit code's
        # prefix index (migration 0005), a contact's blind phone index. Written as one `id IN (… UNION ALL …)`,
        # not as an OR of conditions, so that neither database falls back to reading every enterprise.
        names = name_search_q(value)
        by_name = Enterprise.objects.filter(names).order_by().values("pk")
        others = []
        if len(code) >= 4:
            by_code = Q(uscc__startswith=code) if len(code) < 18 else Q(uscc=code)
            others.append(Enterprise.objects.filter(by_code).order_by().values("pk"))
        if len(personal.normalise(value)) >= 7:
            # A contact's exact phone, through its blind index (docs/security.md §4).
            by_phone = Contact.objects.filter(phone_index=personal.blind_index(value))
            others.append(by_phone.order_by().values("enterprise_id"))
        cond = Q(pk__in=by_name.union(*others, all=True)) if others else names
        # A term of Latin letters is also looked for in the pinyin keys (no index: a LIKE of every key).
        return queryset.filter(cond | pinyin_q(value))

    @staticmethod
    def _by_code(model, value):
        value = value.strip()
        cond = Q(code__iexact=value) | Q(name=value)
        if (pk := bounds.as_id(value)) is not None:
            cond |= Q(pk=pk)
        return model.objects.filter(cond).values("pk")

    def filter_grid(self, queryset, name, value):
        if value == "none":
            return queryset.filter(grid__isnull=True)
        return queryset.filter(grid__in=self._by_code(Grid, value))

    def filter_community(self, queryset, name, value):
        if value == "none":
            return queryset.filter(community__isnull=True)
        return queryset.filter(community__in=self._by_code(Community, value))

    def filter_park(self, queryset, name, value):
        return queryset.filter(park__in=self._by_code(Park, value))

    def filter_chain(self, queryset, name, value):
        # Chains sit above enterprises: the chains app says what the parameter means (its ListFilter).
        contributed = list_filter("enterprises", "chain")
        return queryset if contributed is None else contributed.apply(queryset, value)

    def filter_scale(self, queryset, name, value):
        # `id IN (...)` (SQLite: `+id`, see NoIndex) over the covering (year, above_size, enterprise) index. The unary plus is SQLite's
        # documented way to keep a term from driving the plan: without it SQLite fetched every above-size
        # enterprise and sorted them all before taking one page (186 ms against 44 ms at 100,000 enterprises,
        # benchmarks/pages.py); PostgreSQL plans the same either way. A correlated EXISTS was slower overall.
        above = AnnualScale.objects.filter(year=self.scale_year(), above_size=True).values("enterprise_id")
        queryset = queryset.alias(scale_id=NoIndex("pk"))
        return (
            queryset.filter(scale_id__in=above) if value == "above" else queryset.exclude(scale_id__in=above)
        )

    def filter_origin(self, queryset, name, value):
        if value in Origin.values:
            return queryset.filter(origin=value)
        return queryset.filter(origin_country=value)

    def filter_industry(self, queryset, name, value):
        value = value.strip().upper()
        if not value:
            return queryset
        if value[0].isdigit():  # a division/group/class without its section letter
            return queryset.filter(industry_code__regex=rf"^[A-T]{value}")
        return queryset.filter(industry_code__startswith=value)

    def filter_honour(self, queryset, name, value):
        # Valid on the same footing as the scale filter: at the end of the chosen (or latest) data year.
        on = reference_date(self.scale_year())
        valid = Honour.objects.filter(kind=value, certified_on__lte=on).filter(
            Q(expires_on__isnull=True) | Q(expires_on__gte=on)
        )
        return queryset.filter(pk__in=valid.values("enterprise_id"))

    def filter_honour_expiring(self, queryset, name, value):
        return queryset.filter(pk__in=expiring_honours(timezone.localdate(), value).values("enterprise_id"))


def expiring_honours(today: dt.date, days: int):
    """Honours valid today that expire within `days` days (the list filter and the home page's count)."""
    return Honour.objects.filter(
        certified_on__lte=today, expires_on__gte=today, expires_on__lte=today + dt.timedelta(days=days)
    )
