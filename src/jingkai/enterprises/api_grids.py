"""/api/grids: the grids a user may see, and each grid's enterprises (here, above the grids app, because it
lists enterprises)."""

from django.db.models import Count, Q
from ninja import Query, Router

from jingkai.core.scoping import get_visible_or_404
from jingkai.enterprises.api import enterprise_page
from jingkai.enterprises.models import Enterprise
from jingkai.enterprises.schemas import EnterpriseFilters, EnterprisePage, Page
from jingkai.grids.models import Grid
from jingkai.grids.queries import current_grid_assignments
from jingkai.grids.schemas import GridPage

router = Router(tags=["grids"])


@router.get("", response=GridPage, summary="List grids with their leaders, officers and enterprise counts")
def list_grids(request, page: Query[Page]):
    visible = Enterprise.objects.visible_to(request.user)
    grids = Grid.objects.visible_to(request.user).order_by("number")
    count = grids.count()
    grids = grids.annotate(enterprise_count=Count("enterprises", filter=Q(enterprises__in=visible)))
    grids = grids.prefetch_related(current_grid_assignments())
    return {"items": list(grids[page.offset : page.offset + page.limit]), "count": count}


@router.get("/{code}/enterprises", response=EnterprisePage, summary="List a grid's enterprises")
def grid_enterprises(request, code: str, filters: Query[EnterpriseFilters], page: Query[Page]):
    grid = get_visible_or_404(Grid.objects.all(), request.user, code__iexact=code)
    enterprises = Enterprise.objects.visible_to(request.user).filter(grid=grid)
    return enterprise_page(enterprises, filters, page)
