from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from jingkai.core.models import AuditedModel
from jingkai.core.scoping import ScopedQuerySet, scope_of


class ParkQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        # Parks are public zone geography: every signed-in user may see their names.
        return self.none() if scope_of(user).nothing else self


class Park(AuditedModel):
    class Kind(models.TextChoices):
        COUNTRY = "country", _("Country-themed industrial park")
        PLATFORM = "platform", _("Industrial platform")
        INCUBATOR = "incubator", _("Incubator")
        ENCLAVE = "enclave", _("Enclave park")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    status = models.CharField(_("construction status"), max_length=100, blank=True)
    description = models.TextField(_("description"), blank=True)
    history = HistoricalRecords()

    objects = ParkQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("park")
        verbose_name_plural = _("parks")

    def __str__(self) -> str:
        return self.name


class Building(AuditedModel):
    park = models.ForeignKey(Park, verbose_name=_("park"), on_delete=models.PROTECT, related_name="buildings")
    name = models.CharField(_("name"), max_length=100)
    floor_area_m2 = models.DecimalField(
        _("floor area (m²)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["park", "name"]
        constraints = [models.UniqueConstraint(fields=["park", "name"], name="building_unique_in_park")]
        verbose_name = _("building")
        verbose_name_plural = _("buildings")

    def __str__(self) -> str:
        return f"{self.park.name} {self.name}"
