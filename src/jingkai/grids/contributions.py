"""What the grids app adds elsewhere: the parts of a user's scope it resolves (core.scoping.Scope)."""

from jingkai.core.contributions import ScopeFacet
from jingkai.grids.models import community_ids_for, grid_ids_for

CONTRIBUTIONS = [
    ScopeFacet("grid_ids", grid_ids_for),
    ScopeFacet("community_ids", community_ids_for),
]
