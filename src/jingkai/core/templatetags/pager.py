"""`{% load pager %}`: the page numbers templates/includes/pager.html shows."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def elided_pages(page):
    """Page numbers around the current page, with the first and last two, gaps as the paginator's ELLIPSIS."""
    return page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)
