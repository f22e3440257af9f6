from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from jingkai.core.models import AuditedModel, Role
from jingkai.core.scoping import ScopedQuerySet, can_see_anything
from jingkai.enterprises.models import RelatedToEnterpriseQuerySet


class ChainQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        """Chains are zone configuration: all staff see them; an enterprise contact sees its own chains.

        Members are always fetched through Enterprise.visible_to, so a chain page never shows an
        enterprise the user may not see.
        """
        if not can_see_anything(user):
            return self.none()
        if user.role == Role.ENTERPRISE and not user.is_zone_admin:
            return self.filter(memberships__enterprise__contacts__user=user).distinct()
        return self


class Chain(AuditedModel):
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


class ChainRole(models.TextChoices):
    LEADER = "leader", _("Chain leader")
    SUPPLIER = "supplier", _("Supporting supplier")
    MEMBER = "member", _("Member")


class ChainMembership(AuditedModel):
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
        ordering = ["chain", "role", "enterprise__name"]
        constraints = [models.UniqueConstraint(fields=["chain", "enterprise"], name="chain_membership_once")]
        verbose_name = _("chain membership")
        verbose_name_plural = _("chain memberships")

    def __str__(self) -> str:
        return f"{self.chain} {self.enterprise} {self.get_role_display()}"
