from __future__ import annotations

from django.conf import settings
from django.db import connections, models, router
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from jingkai.core import ngrams, personal, pinyin
from jingkai.core.contributions import EnterpriseReach, declared
from jingkai.core.models import AuditedModel
from jingkai.core.money import Currency, format_money
from jingkai.core.scoping import ScopedQuerySet, scope_of
from jingkai.enterprises import industry
from jingkai.enterprises.choices import (
    COUNTRY_NAMES,
    CapitalChangeKind,
    EnterpriseStatus,
    HonourKind,
    HonourLevel,
    ListingMarket,
    Origin,
)

MONEY = {"max_digits": 18, "decimal_places": 2, "null": True, "blank": True}
# The columns core.pinyin.name_keys derives from an enterprise's name.
NAME_KEYS = ("name_sort", "name_pinyin", "name_initials")
# The columns the name search matches as substrings, whose bigrams EnterpriseNameGram holds (core/ngrams.py).
GRAM_FIELDS = ("name", "short_name", "english_name")


class LoadedRow:
    """Keeps the values a row was read with, so that a save can tell what it moved (enterprises/placement.py)
    without reading the row again: from_db stores the loader's (attnames, values) pair as it is."""

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._loaded_row = (field_names, values)
        return instance

    def refresh_from_db(self, *args, **kwargs):
        super().refresh_from_db(*args, **kwargs)
        self._loaded_row = (
            None,
            None,
        )  # read again before the next save (placement.read_unknown_before_save)


def _department_reach(scope) -> Q:
    """A department handler sees the enterprises other apps route to the department (EnterpriseReach)."""
    reach = Q(pk__in=[])
    for item in declared(EnterpriseReach):
        reach |= item.q(scope)
    return reach


def enterprise_scope(user) -> Q | None:
    """The Q over Enterprise that a user may see; None means everything, a Q matching nothing nothing."""
    return scope_of(user).rule(
        grid=lambda s: Q(grid_id__in=s.grid_ids),
        community=lambda s: Q(community_id__in=s.community_ids),
        department=_department_reach,
        enterprise=lambda s: Q(contacts__user=s.user),
    )


def visible_enterprise_ids(user) -> models.QuerySet | None:
    """The ids of the enterprises a user may see, as a subquery; None when every enterprise."""
    scope = enterprise_scope(user)
    # A subquery keeps the outer query free of joins that could duplicate rows.
    return None if scope is None else Enterprise.objects.filter(scope).values("pk")


class EnterpriseQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        ids = visible_enterprise_ids(user)
        return self if ids is None else self.filter(pk__in=ids)


class RelatedToEnterpriseQuerySet(ScopedQuerySet):
    """For rows that belong to one enterprise: visible exactly when that enterprise is."""

    def visible_to(self, user):
        ids = visible_enterprise_ids(user)
        return self if ids is None else self.filter(enterprise__in=ids)


class EnterpriseGroupQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        scope = enterprise_scope(user)
        return (
            self if scope is None else self.filter(pk__in=Enterprise.objects.filter(scope).values("group_id"))
        )


class EnterpriseGroup(AuditedModel):
    """A group of related enterprises, e.g. the 尼得科 (Nidec) group of 17 in the zone."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    short_name = models.CharField(_("short name"), max_length=50, blank=True)
    origin_country = models.CharField(_("country of origin"), max_length=2, blank=True)
    description = models.TextField(_("description"), blank=True)
    history = HistoricalRecords()

    objects = EnterpriseGroupQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("enterprise group")
        verbose_name_plural = _("enterprise groups")

    def __str__(self) -> str:
        return self.short_name or self.name


class Enterprise(LoadedRow, AuditedModel):
    uscc = models.CharField(_("unified social credit code"), max_length=18, unique=True)
    uscc_override_reason = models.TextField(
        _("reason for accepting a failing code"),
        blank=True,
        help_text=_(
            "Only a zone administrator may accept a code that fails the check; the reason is recorded."
        ),
    )
    name = models.CharField(_("name"), max_length=200, unique=True)
    # Derived from the name on every save (save() below; bulk writers call pinyin.name_keys themselves):
    # the list sorts by name_sort, the search matches name_pinyin and name_initials (core/pinyin.py).
    # Sized for 200 characters of the longest syllable ("zhuang") and its separator.
    name_sort = models.CharField(
        _("pinyin sort key"), max_length=1400, blank=True, default="", editable=False
    )
    name_pinyin = models.CharField(_("pinyin"), max_length=1200, blank=True, default="", editable=False)
    name_initials = models.CharField(
        _("pinyin initials"), max_length=200, blank=True, default="", editable=False
    )
    short_name = models.CharField(_("short name"), max_length=50, blank=True)
    english_name = models.CharField(_("English name"), max_length=200, blank=True)
    founded_on = models.DateField(_("founded on"), null=True, blank=True)
    status = models.CharField(
        _("operating status"),
        max_length=20,
        choices=EnterpriseStatus.choices,
        default=EnterpriseStatus.OPERATING,
    )
    industry_code = models.CharField(_("industry code (GB/T 4754)"), max_length=5, blank=True, db_index=True)
    main_products = models.TextField(_("main products"), blank=True)
    origin = models.CharField(
        _("capital origin"), max_length=10, choices=Origin.choices, default=Origin.DOMESTIC
    )
    origin_country = models.CharField(_("investor country"), max_length=2, blank=True, db_index=True)
    registered_capital = models.DecimalField(_("registered capital"), **MONEY)
    registered_capital_currency = models.CharField(
        _("registered capital currency"), max_length=3, choices=Currency.choices, default=Currency.CNY
    )
    total_investment = models.DecimalField(_("total investment"), **MONEY)
    total_investment_currency = models.CharField(
        _("total investment currency"), max_length=3, choices=Currency.choices, default=Currency.CNY
    )
    land_area_mu = models.DecimalField(
        _("land area (mu)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    employees = models.PositiveIntegerField(_("employees"), null=True, blank=True)
    technical_staff = models.PositiveIntegerField(_("technical staff"), null=True, blank=True)
    listing_market = models.CharField(_("listing"), max_length=20, choices=ListingMarket.choices, blank=True)
    stock_code = models.CharField(_("stock code"), max_length=20, blank=True)
    listed_on = models.DateField(_("listed on"), null=True, blank=True)
    group = models.ForeignKey(
        EnterpriseGroup,
        verbose_name=pgettext_lazy("enterprise", "group"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
    )
    park = models.ForeignKey(
        "parks.Park",
        verbose_name=_("park"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="enterprises",
    )
    building = models.ForeignKey(
        "parks.Building",
        verbose_name=_("building"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="enterprises",
    )
    grid = models.ForeignKey(
        "grids.Grid",
        verbose_name=_("grid"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="enterprises",
    )
    community = models.ForeignKey(
        "grids.Community",
        verbose_name=_("community"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="enterprises",
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    # The pinyin keys follow the name: the change log records the name, not its readings.
    history = HistoricalRecords(excluded_fields=["updated_at", *NAME_KEYS])

    objects = EnterpriseQuerySet.as_manager()

    class Meta:
        # In pinyin order, as people look names up (长安 before 重庆); homophones by name.
        ordering = ["name_sort", "name"]
        verbose_name = _("enterprise")
        verbose_name_plural = _("enterprises")
        indexes = [
            models.Index(fields=["origin", "origin_country"]),
            models.Index(fields=["status", "name"]),
            # The list page sorts by these with the id as tiebreaker (EnterpriseFilterSet.SORTS): with the id
            # in the index a page of 50 is read in order, in either direction, instead of sorting the ties.
            models.Index(fields=["employees", "id"]),
            models.Index(fields=["founded_on", "id"]),
            models.Index(fields=["updated_at", "id"]),
            models.Index(fields=["name_sort", "id"], name="enterprise_name_sort_id"),
        ]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        # The searched names as loaded, so that a save which leaves them alone leaves their bigrams alone.
        instance._gram_texts = (
            tuple(instance.__dict__[f] for f in GRAM_FIELDS)
            if all(f in instance.__dict__ for f in GRAM_FIELDS)
            else None
        )
        return instance

    def save(self, *args, **kwargs):
        """Every save derives the pinyin keys from the name (forms, services, the admin, factories), and
        rewrites the name bigrams of the search (EnterpriseNameGram) when a searched name changed."""
        self.set_name_keys()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "name" in update_fields:
            kwargs["update_fields"] = {*update_fields, *NAME_KEYS}
        adding = self._state.adding
        super().save(*args, **kwargs)
        if update_fields is None or set(update_fields) & set(GRAM_FIELDS):
            texts = tuple(getattr(self, f) for f in GRAM_FIELDS)
            if adding or texts != getattr(self, "_gram_texts", None):
                write_name_grams({self.pk: texts}, replace=not adding, using=kwargs.get("using"))
            self._gram_texts = texts

    def set_name_keys(self) -> None:
        for field, value in pinyin.name_keys(self.name).items():
            setattr(self, field, value)

    def get_absolute_url(self) -> str:
        return reverse("enterprises:detail", args=[self.pk])

    @property
    def display_name(self) -> str:
        return self.short_name or self.name

    @property
    def origin_label(self) -> str:
        """日资 / 德资 / 内资 … as officials write it."""
        if self.origin == Origin.DOMESTIC:
            return "内资"
        if self.origin_country in COUNTRY_NAMES:
            return COUNTRY_NAMES[self.origin_country][1]
        return "港澳台资" if self.origin == Origin.HMT else "外资"

    @property
    def country_name(self) -> str:
        return COUNTRY_NAMES.get(self.origin_country, (self.origin_country, ""))[0]

    @property
    def industry_label(self) -> str:
        return industry.describe(self.industry_code)

    @property
    def is_industrial(self) -> bool:
        return industry.is_industrial(self.industry_code)

    @property
    def registered_capital_display(self) -> str:
        return format_money(self.registered_capital, self.registered_capital_currency, unit="万")

    @property
    def total_investment_display(self) -> str:
        return format_money(self.total_investment, self.total_investment_currency, unit="万")


class EnterpriseNameGram(models.Model):
    """A bigram of an enterprise's searched names (core/ngrams.py), derived data: Enterprise.save() rewrites an
    enterprise's rows when its names change, bulk writers call write_name_grams, migration 0005 filled the rows
    that existed. The unique (gram, enterprise) index is what a name search reads."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="+")
    gram = models.CharField(max_length=2)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["gram", "enterprise"], name="enterprise_name_gram_once"),
        ]
        verbose_name = _("name bigram")
        verbose_name_plural = _("name bigrams")

    def __str__(self) -> str:
        return self.gram


def write_name_grams(rows: dict[int, tuple[str, ...]], *, replace: bool, using: str | None = None) -> int:
    """Store the bigrams of {enterprise id: (name, short name, English name)}; replace=True first removes the
    rows those enterprises had. A constant number of statements per 500 enterprises; returns the rows written."""
    alias = using or router.db_for_write(EnterpriseNameGram)
    connection = connections[alias]
    table = connection.ops.quote_name(EnterpriseNameGram._meta.db_table)
    ids = list(rows)
    written = 0
    with connection.cursor() as cursor:
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            if replace:
                EnterpriseNameGram.objects.using(alias).filter(enterprise_id__in=chunk).delete()
            values = [(pk, gram) for pk in chunk for gram in sorted(ngrams.text_bigrams(*rows[pk]))]
            if not values:
                continue
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {table} (enterprise_id, gram) FROM STDIN") as copy:
                    for row in values:
                        copy.write_row(row)
            else:
                cursor.executemany(f"INSERT INTO {table} (enterprise_id, gram) VALUES (%s, %s)", values)
            written += len(values)
    return written


def rebuild_name_grams(queryset=None, *, using: str | None = None) -> int:
    """Rewrite the name bigrams of the enterprises in queryset (default: all), e.g. after a bulk insert that
    bypassed Enterprise.save(); returns the rows written."""
    queryset = Enterprise.objects.all() if queryset is None else queryset
    if using:
        queryset = queryset.using(using)
    # Read first: SQLite does not isolate a running read from writes on the same connection.
    rows = {pk: tuple(texts) for pk, *texts in queryset.order_by("pk").values_list("pk", *GRAM_FIELDS)}
    return write_name_grams(rows, replace=True, using=using)


class AnnualScale(LoadedRow, AuditedModel):
    """规上/规下 status of one enterprise in one year (RULES.md §2: ≥ 2,000万元 营业收入, per year)."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="annual_scales")
    year = models.PositiveSmallIntegerField(_("year"))
    above_size = models.BooleanField(_("above designated size"))
    revenue = models.DecimalField(_("operating revenue (yuan)"), **MONEY)
    history = HistoricalRecords()

    objects = RelatedToEnterpriseQuerySet.as_manager()

    class Meta:
        ordering = ["enterprise_id", "year"]
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "year"], name="annual_scale_once_per_year")
        ]
        # Covering index: the 规上/规下 filter reads (year, above_size) -> enterprise_id from the index alone.
        indexes = [models.Index(fields=["year", "above_size", "enterprise"])]
        verbose_name = _("annual scale status")
        verbose_name_plural = _("annual scale status")

    def __str__(self) -> str:
        return f"{self.enterprise} {self.year} {'规上' if self.above_size else '规下'}"


class Contact(AuditedModel):
    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(_("full name"), max_length=50)
    title = models.CharField(_("position"), max_length=50, blank=True)
    phone = personal.EncryptedCharField(_("phone"), max_length=30, blank=True)
    phone_index = personal.BlindIndexField(source="phone")
    email = models.EmailField(_("email"), blank=True)
    is_primary = models.BooleanField(_("primary contact"), default=False)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("portal account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="enterprise_contact",
    )
    history = HistoricalRecords()

    objects = RelatedToEnterpriseQuerySet.as_manager()

    class Meta:
        ordering = ["enterprise_id", "-is_primary", "name"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")

    def __str__(self) -> str:
        return f"{self.name}（{self.enterprise.display_name}）"


# docs/security.md §4: the phone is sealed (EncryptedCharField); who may reveal it: enterprises.permissions.
personal.classify(
    Contact,
    "name",
    personal=True,
    kind=personal.NAME,
    reason="shown to those who work with the enterprise; anonymised on departure",
)
personal.classify(
    Contact,
    "email",
    personal=True,
    kind=personal.EMAIL,
    reason="shown only to zone staff (API: staff only); anonymised on departure",
)
personal.classify(Contact, "is_primary", personal=False, reason="a flag (the primary contact), about no one")
personal.revealable(
    Contact,
    may="enterprises.can_reveal_contact",
    visible=lambda user: Contact.objects.visible_to(user),
    own=lambda user, contact: contact.user_id is not None and contact.user_id == user.pk,
)


class Honour(AuditedModel):
    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="honours")
    kind = models.CharField(_("kind"), max_length=20, choices=HonourKind.choices)
    level = models.CharField(_("level"), max_length=20, choices=HonourLevel.choices)
    title = models.CharField(_("honour name"), max_length=200, blank=True)
    certificate_no = models.CharField(_("certificate number"), max_length=60, blank=True)
    certified_on = models.DateField(_("certified on"))
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    issuer = models.CharField(_("issuer"), max_length=100, blank=True)
    history = HistoricalRecords()

    objects = RelatedToEnterpriseQuerySet.as_manager()

    class Meta:
        ordering = ["enterprise_id", "-certified_on"]
        indexes = [models.Index(fields=["kind", "certified_on", "expires_on"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_on__isnull=True) | Q(expires_on__gt=models.F("certified_on")),
                name="honour_expires_after_certified",
            )
        ]
        verbose_name = _("honour")
        verbose_name_plural = _("honours")

    def __str__(self) -> str:
        return self.title or f"{self.get_level_display()}{self.get_kind_display()}"

    def is_valid_on(self, day) -> bool:
        return self.certified_on <= day and (self.expires_on is None or day <= self.expires_on)


class CapitalChange(AuditedModel):
    """A dated change of registered capital and total investment (设立, 增资 …)."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="capital_changes")
    changed_on = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=20, choices=CapitalChangeKind.choices)
    currency = models.CharField(_("currency"), max_length=3, choices=Currency.choices)
    registered_capital_before = models.DecimalField(_("registered capital before"), **MONEY)
    registered_capital_after = models.DecimalField(_("registered capital after"), **MONEY)
    total_investment_before = models.DecimalField(_("total investment before"), **MONEY)
    total_investment_after = models.DecimalField(_("total investment after"), **MONEY)
    note = models.CharField(_("note"), max_length=300, blank=True)
    history = HistoricalRecords()

    objects = RelatedToEnterpriseQuerySet.as_manager()

    class Meta:
        ordering = ["enterprise_id", "changed_on", "pk"]
        verbose_name = _("capital change")
        verbose_name_plural = _("capital changes")

    def __str__(self) -> str:
        return f"{self.enterprise} {self.changed_on} {self.get_kind_display()}"
