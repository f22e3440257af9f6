"""Pydantic schemas of the grid API."""

from ninja import Field, Schema

from jingkai.grids.models import AssignmentRole


def _names(obj, role: str) -> list[str]:
    # `current_assignments` is prefetched by the handler: today's assignments with their users.
    return [str(assignment.user) for assignment in obj.current_assignments if assignment.role == role]


class GridItem(Schema):
    id: int
    code: str
    name: str
    number: int
    description: str
    is_active: bool
    leaders: list[str] = Field(description="Zone leaders linked to the grid today (区领导联系挂钩)")
    officers: list[str] = Field(description="Grid officers assigned today")
    enterprise_count: int = Field(description="Enterprises in the grid that the caller may see")

    @staticmethod
    def resolve_leaders(obj):
        return _names(obj, AssignmentRole.LEADER)

    @staticmethod
    def resolve_officers(obj):
        return _names(obj, AssignmentRole.OFFICER)
