"""The investment stage gates: what a project must hold to be at a stage, as one declarative table.

Cumulative: being at a stage needs the fields of every gate up to it, plus each gate's conditional fields when
their condition holds for the project's values. One table, read by

- the service (services.clean_project_data: a create, an update or a stage move that lacks a field is refused,
  whether it comes from a form, the API or the importer),
- the stage form (forms.StageForm asks for what the target stage needs and the project does not hold yet),
- the importer (through the service, row by row),
- the demo and the stage log (the field that dates reaching a stage).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from jingkai.enterprises.choices import Origin
from jingkai.investment.choices import STAGE_ORDER, ProjectKind, Stage


@dataclass(frozen=True)
class Condition:
    """A field a gate requires only when `applies(values)`; `message` replaces the usual "required from …"."""

    field: str
    applies: Callable[[Mapping], bool]
    message: object = None
    asked_on_move: bool = True  # the stage form asks for it (else it is set on the project's own form)


@dataclass(frozen=True)
class Gate:
    stage: str
    fields: tuple[str, ...]
    date_field: str | None = None  # the field that dates reaching the stage (the stage log reads it)
    conditions: tuple[Condition, ...] = ()
    asked_on_move: bool = True  # False: the fields are the project's identity, entered when it is created


def _foreign(values: Mapping) -> bool:
    return (values.get("origin") or Origin.DOMESTIC) != Origin.DOMESTIC


def _capital_increase(values: Mapping) -> bool:
    return values.get("kind") == ProjectKind.INCREASE


GATES: tuple[Gate, ...] = (
    Gate(Stage.LEAD, ("name", "investor", "kind"), asked_on_move=False),
    Gate(Stage.NEGOTIATING, ("owner",)),
    Gate(
        Stage.SIGNED,
        ("contract_on", "total_investment"),
        date_field="contract_on",
        conditions=(Condition("contract_foreign_capital", _foreign),),
    ),
    Gate(
        Stage.APPROVED,
        ("approval_on", "approval_number"),
        date_field="approval_on",
        conditions=(
            Condition(
                "enterprise",
                _capital_increase,
                message=_("A capital increase needs the enterprise whose capital it increases."),
                asked_on_move=False,
            ),
        ),
    ),
    Gate(Stage.STARTED, ("started_on",), date_field="started_on"),
    Gate(Stage.PRODUCING, ("production_on",), date_field="production_on"),
    Gate(Stage.FULL, ("full_production_on",), date_field="full_production_on"),
)
GATE = {gate.stage: gate for gate in GATES}
STAGE_DATE_FIELD = {gate.stage: gate.date_field for gate in GATES if gate.date_field}
assert [gate.stage for gate in GATES] == STAGE_ORDER, "one gate per stage, in the stages' order"


def gates_up_to(stage: str) -> tuple[Gate, ...]:
    return GATES[: STAGE_ORDER.index(stage) + 1]


def own_fields(gate: Gate, values: Mapping, *, asked_only: bool = False) -> list[str]:
    """The gate's fields, then its conditional fields that apply to these values."""
    out = list(gate.fields) if gate.asked_on_move or not asked_only else []
    out += [c.field for c in gate.conditions if c.applies(values) and (c.asked_on_move or not asked_only)]
    return out


def required_fields(stage: str, values: Mapping, *, asked_only: bool = False) -> list[str]:
    """The fields a project with these values needs to be at a stage (those of every gate up to it)."""
    return [name for gate in gates_up_to(stage) for name in own_fields(gate, values, asked_only=asked_only)]


def missing(values: Mapping, stage: str) -> list[tuple[str, str]]:
    """(field, message) for every field the gates up to a stage require and the values lack."""
    out = []
    for gate in gates_up_to(stage):
        conditional = {c.field: c for c in gate.conditions if c.applies(values)}
        for name in [*gate.fields, *conditional]:
            if values.get(name) not in (None, ""):
                continue
            message = conditional[name].message if name in conditional else None
            out.append(
                (
                    name,
                    str(
                        message
                        or _("Required from the stage “%(stage)s” on.") % {"stage": Stage(gate.stage).label}
                    ),
                )
            )
    return out


def fields_asked_on_move(values: Mapping, stage: str, held: Callable[[str], bool]) -> list[str]:
    """What the stage form asks for when moving to a stage: the target gate's own fields, and those of earlier
    gates the project does not hold yet (`held(name)`)."""
    own = set(own_fields(GATE[stage], values, asked_only=True))
    return [name for name in required_fields(stage, values, asked_only=True) if name in own or not held(name)]


# Every field a stage move may set: the gates' fields, their conditional fields asked on a move, and the
# key-project date.
STAGE_VALUE_FIELDS = sorted(
    {name for gate in GATES for name in gate.fields}
    | {c.field for gate in GATES for c in gate.conditions if c.asked_on_move}
    | {"key_project_on"}
)
