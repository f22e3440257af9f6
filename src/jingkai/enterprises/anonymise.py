"""Anonymisation of a departed contact (docs/security.md §4, PIPL art. 47): by a security administrator, audited.

The contact's name, phone and e-mail are replaced in the contact row and in every one of its history rows; a
portal account linked to it is anonymised the same way and deactivated; the apps above announce-listen to
`CONTACT_ANONYMISED` (demands: the demands that carry the same name or phone). The position and the enterprise
stay, so the record still says "the former 总经理 of X".
"""

from __future__ import annotations

from django.db import transaction

from jingkai.core import audit
from jingkai.core.contributions import announce
from jingkai.core.models import User
from jingkai.enterprises.models import Contact

ANONYMOUS_NAME = "（已匿名）"
# announce(CONTACT_ANONYMISED, enterprise_id, name, phone_index) -> each listener anonymises its own copies.
CONTACT_ANONYMISED = "enterprises.contact_anonymised"


def _anonymise_user(user: User) -> int:
    user.full_name = ANONYMOUS_NAME
    user.first_name = user.last_name = ""
    user.phone = ""
    user.email = ""
    user.is_active = False
    user.save()
    return User.history.filter(id=user.pk).update(
        full_name=ANONYMOUS_NAME, first_name="", last_name="", phone="", phone_index="", email=""
    )


@transaction.atomic
def anonymise_contact(contact: Contact, *, request, reason: str) -> dict[str, int]:
    contact = Contact.objects.select_for_update(of=("self",)).select_related("user").get(pk=contact.pk)
    name, phone_index = contact.name, contact.phone_index
    counts = {"contact_history": 0, "user_history": 0}
    contact.name = ANONYMOUS_NAME
    contact.phone = ""
    contact.email = ""
    contact.save()
    counts["contact_history"] = Contact.history.filter(id=contact.pk).update(
        name=ANONYMOUS_NAME, phone="", phone_index="", email=""
    )
    if contact.user is not None:
        counts["user_history"] = _anonymise_user(contact.user)
    announce(CONTACT_ANONYMISED, contact.enterprise_id, name, phone_index, counts)
    audit.record(
        audit.Kind.ANONYMISED,
        request=request,
        target=contact,
        summary=f"contact {contact.pk} of enterprise {contact.enterprise_id}",
        reason=reason,
        **counts,
    )
    return counts
