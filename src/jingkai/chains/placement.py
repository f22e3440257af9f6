"""Chain memberships and the digital-economy flag, announced when they change (see enterprises/placement.py).

Events (core.contributions.announce), announced inside the saving transaction, whoever saves (the admin site's
chain page and its membership rows, a command, the demo):

- MEMBERSHIP_CHANGED: [{"enterprise": id, "chain": id}] for each membership added or removed (an edit that moves
  a row to another chain or enterprise is both);
- DIGITAL_FLAG_CHANGED: [chain id] when a chain's is_digital_economy flag changed.
"""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save, pre_save

from jingkai.core.contributions import announce
from jingkai.enterprises.placement import loaded_values, read_unknown_before_save, remember

MEMBERSHIP_CHANGED = "chains.membership_changed"
DIGITAL_FLAG_CHANGED = "chains.digital_flag_changed"

MEMBERSHIP_FIELDS = ("enterprise_id", "chain_id")
CHAIN_FIELDS = ("is_digital_economy",)


def _membership_before(sender, instance, raw=False, **kwargs):
    if not raw:
        read_unknown_before_save(instance, MEMBERSHIP_FIELDS)


def _membership_saved(sender, instance, created, raw=False, **kwargs):
    if raw:
        return
    old = None if created else loaded_values(instance, MEMBERSHIP_FIELDS)
    remember(instance, MEMBERSHIP_FIELDS)
    new = {"enterprise": instance.enterprise_id, "chain": instance.chain_id}
    if old is None:
        announce(MEMBERSHIP_CHANGED, [new])
    elif (old["enterprise_id"], old["chain_id"]) != (instance.enterprise_id, instance.chain_id):
        announce(MEMBERSHIP_CHANGED, [{"enterprise": old["enterprise_id"], "chain": old["chain_id"]}, new])


def _membership_deleted(sender, instance, **kwargs):
    announce(MEMBERSHIP_CHANGED, [{"enterprise": instance.enterprise_id, "chain": instance.chain_id}])


def _chain_before(sender, instance, raw=False, **kwargs):
    if not raw:
        read_unknown_before_save(instance, CHAIN_FIELDS)


def _chain_saved(sender, instance, created, raw=False, **kwargs):
    if raw:
        return
    old = None if created else loaded_values(instance, CHAIN_FIELDS)
    remember(instance, CHAIN_FIELDS)
    if old is not None and old["is_digital_economy"] != instance.is_digital_economy:
        announce(DIGITAL_FLAG_CHANGED, [instance.pk])


def connect() -> None:
    from jingkai.chains.models import Chain, ChainMembership

    pre_save.connect(_membership_before, sender=ChainMembership, dispatch_uid="placement-membership-before")
    post_save.connect(_membership_saved, sender=ChainMembership, dispatch_uid="placement-membership-saved")
    post_delete.connect(
        _membership_deleted, sender=ChainMembership, dispatch_uid="placement-membership-deleted"
    )
    pre_save.connect(_chain_before, sender=Chain, dispatch_uid="placement-chain-before")
    post_save.connect(_chain_saved, sender=Chain, dispatch_uid="placement-chain-saved")
