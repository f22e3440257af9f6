from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

# The app's choices live in choices.py; they are imported here for the fields and for callers of models.
from jingkai.chains.choices import (  # noqa: F401
    ChainRole,
)
from jingkai.core.models import AuditedModel
from jingkai.core.scoping import ScopedQuerySet, everything, scope_of
from jingkai.enterprises.models import LoadedRow, RelatedToEnterpriseQuerySet


class ChainQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        """Chains are zone configuration: all staff see them; an enterprise contact sees its own chains.

        Members are always fetched through Enterprise.visible_to, so a chain page never shows an
        enterprise the user may not see.
        """
        return self.scoped(
            scope_of(user).rule(
                grid=everything,
                community=everything,
                department=everything,
                enterprise=lambda s: Q(
                    pk__in=ChainMembership.objects.filter(enterprise__contacts__user=s.user).values(
                        "chain_id"
                    )
                ),
            )
        )


class Chain(LoadedRow, AuditedModel):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100, unique=True)
    description = models.TextField(_("description"), blank=True)
    is_digital_economy = models.BooleanField(_("digital-economy matrix"), default=False)
    history = HistoricalRecords()

    objects = ChainQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("industry chain")
        verbose_name_plural = _("industry chains")

    def __str__(self) -> str:
        return self.name


class ChainMembership(LoadedRow, AuditedModel):
    chain = models.ForeignKey(
        Chain, verbose_name=_("chain"), on_delete=models.CASCADE, related_name="memberships"
    )
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        verbose_name=_("enterprise"),
        on_delete=models.CASCADE,
        related_name="chain_memberships",
    )
    role = models.CharField(_("role"), max_length=10, choices=ChainRole.choices, default=ChainRole.MEMBER)
    note = models.CharField(_("note"), max_length=200, blank=True)
    history = HistoricalRecords()

    objects = RelatedToEnterpriseQuerySet.as_manager()

    class Meta:
        ordering = ["chain", "role", "enterprise__name_sort"]
        constraints = [models.UniqueConstraint(fields=["chain", "enterprise"], name="chain_membership_once")]
        verbose_name = _("chain membership")
        verbose_name_plural = _("chain memberships")

    def __str__(self) -> str:
        return f"{self.chain} {self.enterprise} {self.get_role_display()}"
