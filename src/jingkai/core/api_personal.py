"""POST /api/personal/reveal: one personal-data field of one object in full, with a reason, audited
(docs/security.md §4). Answers elsewhere hold the masked value."""

from ninja import Field, Router, Schema

from jingkai.core import personal
from jingkai.core.reveal import reveal as reveal_one

router = Router(tags=["personal data"])


class RevealIn(Schema):
    object: str = Field(
        description='The model, e.g. "enterprises.contact", "demands.demand", "core.user"', max_length=60
    )
    id: int = Field(ge=1, le=2**63 - 1)
    field: str = Field(description='e.g. "phone", "contact_phone"', max_length=60)
    reason: str = Field(description="Why the full value is needed; kept in the audit log", max_length=200)


class RevealOut(Schema):
    object: str
    id: int
    field: str
    value: str
    masked: str


@router.post(
    "/reveal",
    response={200: RevealOut},
    summary="Reveal one personal-data value (audited)",
    openapi_extra={
        "responses": {
            403: {"description": "Not allowed"},
            404: {"description": "Not found"},
            422: {"description": "No reason"},
        }
    },
)
def reveal(request, payload: RevealIn):
    obj, value = reveal_one(request, payload.object, payload.id, payload.field, payload.reason)
    kind = obj._meta.get_field(payload.field).kind
    return RevealOut(
        object=obj._meta.label_lower,
        id=obj.pk,
        field=payload.field,
        value=value,
        masked=personal.mask(value, kind),
    )
