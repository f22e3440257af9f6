"""The scoping matrix, page by page: every persona sees exactly VISIBLE[persona] and gets 404 for the rest."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from jingkai.chains.models import Chain, ChainMembership, ChainRole
from tests.conftest import PERSONAS, VISIBLE

ENTERPRISES = ("above1", "above2", "below1", "below2")
DETAIL_LINK = re.compile(r'href="/enterprises/(\d+)/"')


def linked_enterprises(response) -> set[int]:
    return {int(pk) for pk in DETAIL_LINK.findall(response.content.decode())}


@pytest.mark.parametrize("persona", PERSONAS)
def test_list_shows_exactly_the_visible_enterprises(client, zone, persona):
    client.force_login(zone[persona])
    response = client.get(reverse("enterprises:list"))
    assert response.status_code == 200
    expected = {getattr(zone, key).pk for key in VISIBLE[persona]}
    assert linked_enterprises(response) == expected
    html = response.content.decode()
    for key in ENTERPRISES:
        assert (getattr(zone, key).name in html) == (key in VISIBLE[persona]), key


@pytest.mark.parametrize("persona", PERSONAS)
def test_detail_is_200_for_visible_and_404_for_the_rest(client, zone, persona):
    client.force_login(zone[persona])
    for key in ENTERPRISES:
        enterprise = getattr(zone, key)
        response = client.get(reverse("enterprises:detail", args=[enterprise.pk]))
        expected = 200 if key in VISIBLE[persona] else 404
        assert response.status_code == expected, (persona, key)
        if expected == 200:
            assert enterprise.uscc in response.content.decode()


@pytest.mark.parametrize("persona", PERSONAS)
def test_edit_page_is_404_for_enterprises_out_of_scope(client, zone, persona):
    client.force_login(zone[persona])
    for key in ENTERPRISES:
        if key in VISIBLE[persona]:
            continue
        enterprise = getattr(zone, key)
        assert client.get(reverse("enterprises:edit", args=[enterprise.pk])).status_code == 404
        response = client.post(reverse("enterprises:edit", args=[enterprise.pk]), {"name": "被改掉的名字"})
        assert response.status_code == 404
        enterprise.refresh_from_db()
        assert enterprise.name != "被改掉的名字"


@pytest.mark.parametrize(
    ("persona", "grid1", "grid2"),
    [
        ("zone_admin", 200, 200),
        ("grid_leader", 200, 404),
        ("grid_officer", 200, 404),
        ("outsider", 404, 200),
        ("community_officer", 404, 404),
        ("department", 404, 404),
        ("enterprise", 404, 404),
    ],
)
def test_grid_detail_scoping(client, zone, persona, grid1, grid2):
    client.force_login(zone[persona])
    assert client.get(reverse("grids:detail", args=[zone.grid1.code])).status_code == grid1
    assert client.get(reverse("grids:detail", args=[zone.grid2.code])).status_code == grid2


@pytest.mark.parametrize(
    ("persona", "community1", "community2"),
    [
        ("zone_admin", 200, 200),
        ("community_officer", 200, 404),
        ("grid_officer", 404, 404),
        ("outsider", 404, 404),
        ("department", 404, 404),
        ("enterprise", 404, 404),
    ],
)
def test_community_detail_scoping(client, zone, persona, community1, community2):
    client.force_login(zone[persona])
    assert (
        client.get(reverse("grids:community_detail", args=[zone.community1.code])).status_code == community1
    )
    assert (
        client.get(reverse("grids:community_detail", args=[zone.community2.code])).status_code == community2
    )


def test_grid_detail_lists_only_its_visible_enterprises(client, zone):
    client.force_login(zone["grid_officer"])
    response = client.get(reverse("grids:detail", args=[zone.grid1.code]))
    assert linked_enterprises(response) == {zone.above1.pk}


def test_grid_list_shows_only_the_users_grids(client, zone):
    client.force_login(zone["outsider"])
    html = client.get(reverse("grids:list")).content.decode()
    assert zone.grid2.name in html
    assert zone.grid1.name not in html


def test_community_list_shows_only_the_users_communities(client, zone):
    client.force_login(zone["community_officer"])
    html = client.get(reverse("grids:community_list")).content.decode()
    assert zone.community1.name in html
    assert zone.community2.name not in html


def test_chain_pages_show_only_visible_members(client, zone):
    chain = Chain.objects.create(code="machine-tools", name="高端机床")
    ChainMembership.objects.create(chain=chain, enterprise=zone.above1, role=ChainRole.LEADER)
    ChainMembership.objects.create(chain=chain, enterprise=zone.above2, role=ChainRole.SUPPLIER)

    client.force_login(zone["grid_officer"])
    response = client.get(reverse("chains:detail", args=[chain.code]))
    assert response.status_code == 200
    assert linked_enterprises(response) == {zone.above1.pk}
    # The member count on the list is counted among visible enterprises only.
    listing = client.get(reverse("chains:list")).content.decode()
    assert re.search(r'data-figure="members">1<', listing)

    client.force_login(zone["zone_admin"])
    assert linked_enterprises(client.get(reverse("chains:detail", args=[chain.code]))) == {
        zone.above1.pk,
        zone.above2.pk,
    }


def test_an_enterprise_contact_cannot_open_a_chain_it_is_not_in(client, zone):
    chain = Chain.objects.create(code="semiconductors", name="半导体")
    ChainMembership.objects.create(chain=chain, enterprise=zone.above2)
    client.force_login(zone["enterprise"])
    assert client.get(reverse("chains:detail", args=[chain.code])).status_code == 404


PAGES = [
    ("home", []),
    ("enterprises:list", []),
    ("enterprises:create", []),
    ("grids:list", []),
    ("grids:coverage", []),
    ("grids:community_list", []),
    ("chains:list", []),
]


@pytest.mark.parametrize(("name", "args"), PAGES)
def test_anonymous_users_are_sent_to_login(client, db, name, args):
    url = reverse(name, args=args)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"


def test_anonymous_users_are_sent_to_login_from_detail_pages(client, zone):
    urls = [
        reverse("enterprises:detail", args=[zone.above1.pk]),
        reverse("enterprises:edit", args=[zone.above1.pk]),
        reverse("grids:detail", args=[zone.grid1.code]),
        reverse("grids:community_detail", args=[zone.community1.code]),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
