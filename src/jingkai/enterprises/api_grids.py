"""/api/grids: the grids a user may see, and each grid's enterprises (here, above the grids app, because it
lists enterprises)."""

from django.db.models import Count, Q
from ninja import Query, Router
from ninja.pagination import paginate

from jingkai.core.api import Pagination
from jingkai.core.bounds import PathText
from jingkai.core.scoping import get_visible_or_404
from jingkai.enterprises.api import enterprise_rows
from jingkai.enterprises.models import Enterprise
from jingkai.enterprises.schemas import EnterpriseFilters, EnterpriseItem
from jingkai.grids.models import Grid
from jingkai.grids.queries import current_grid_assignments
from jingkai.grids.schemas import GridItem

router = Router(tags=["grids"])


@router.get(
    "", response=list[GridItem], summary="List grids with their leaders, officers and enterprise counts"
)
@paginate(Pagination)
def list_grids(request):
    visible = Enterprise.objects.visible_to(request.user)
    grids = Grid.objects.visible_to(request.user).order_by("number")
    grids = grids.annotate(enterprise_count=Count("enterprises", filter=Q(enterprises__in=visible)))
    return grids.prefetch_related(current_grid_assignments())


@router.get("/{code}/enterprises", response=list[EnterpriseItem], summary="List a grid's enterprises")
@paginate(Pagination)
def grid_enterprises(request, code: PathText, filters: Query[EnterpriseFilters]):
    grid = get_visible_or_404(Grid.objects.all(), request.user, code__iexact=code)
    enterprises = Enterprise.objects.visible_to(request.user).filter(grid=grid)
    return enterprise_rows(enterprises, filters)
