"""The evaluation's pages (issue 14 §5): the years and their steps, the run page, the results list, the
explanation with objections and the profile panel, the migration matrix, the leaders, the policy table and the
method editor's preview; each persona sees only what it may, with a number of queries that does not grow with
the rows."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from jingkai.chains.models import Chain, ChainMembership
from jingkai.core.contributions import NavEntry, Panel, declared
from jingkai.evaluation import services
from jingkai.evaluation.models import (
    EvaluationInput,
    EvaluationMethod,
    EvaluationRun,
    Objection,
    PolicyMeasure,
    RunStatus,
)
from tests import factories as f
from tests.conftest import PERSONAS, VISIBLE
from tests.evaluation.conftest import INPUTS, YEAR

ZONE_STAFF = {"zone_admin", "grid_leader", "grid_officer", "community_officer", "outsider"}


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def run_url(name: str, *args) -> str:
    return reverse(f"evaluation:{name}", args=[YEAR, *args])


def published(zone):
    zone.run = services.publish(zone.run, zone["zone_admin"], days=5)
    return zone


# --- contributions -------------------------------------------------------------------------------------


def test_menu_entry_and_profile_panel_are_declared():
    entry = next(e for e in declared(NavEntry) if e.url_name == "evaluation:index")
    assert entry.group == "economy" and entry.permission == "evaluation.can_view_evaluation"
    assert str(entry.label) == "Per-mu evaluation" or entry.label  # the msgid (Chinese comes from i18n)
    assert any(p.name == "evaluation" and p.slot == "enterprise.aside" for p in declared(Panel))


# --- index and steps -----------------------------------------------------------------------------------


def test_index_lists_the_year_and_offers_the_steps_to_the_zone_admin(evaluated):
    body = client_for(evaluated["zone_admin"]).get(reverse("evaluation:index")).content.decode()
    assert 'data-year="2022"' in body and 'data-run-status="draft"' in body
    for action in ("import", "assemble", "run", "publish"):
        assert f'data-action="{action}"' in body
    assert reverse("evaluation:import") in body


@pytest.mark.parametrize("persona", PERSONAS)
def test_index_by_persona(evaluated, persona):
    response = client_for(evaluated[persona]).get(reverse("evaluation:index"))
    if persona == "department":
        assert response.status_code == 403
        return
    assert response.status_code == 200
    body = response.content.decode()
    assert ('data-action="run"' in body) == (persona == "zone_admin")
    if persona == "enterprise":  # a draft: nothing to see yet
        assert 'data-year="2022"' not in body


def test_steps_publish_and_finalise(evaluated):
    admin = client_for(evaluated["zone_admin"])
    response = admin.post(run_url("action"), {"action": "publish", "days": "3"})
    assert response.status_code == 302
    run = EvaluationRun.objects.get(year=YEAR)
    assert run.status == RunStatus.PUBLISHED and run.objection_deadline is not None
    admin.post(run_url("action"), {"action": "finalise"})
    assert EvaluationRun.objects.get(year=YEAR).status == RunStatus.FINAL
    # A final run is not run again: the refusal is a message, not an error page.
    response = admin.post(run_url("action"), {"action": "run"}, follow=True)
    assert response.status_code == 200 and EvaluationRun.objects.get(year=YEAR).revision == 1


def test_steps_run_assemble_and_set_up_the_next_year(evaluation_zone):
    admin = client_for(evaluation_zone["zone_admin"])
    assert admin.post(run_url("action"), {"action": "run"}).status_code == 302
    assert EvaluationRun.objects.get(year=YEAR).results.count() == 4
    admin.post(reverse("evaluation:action", args=[YEAR + 1]), {"action": "setup"})
    method = EvaluationMethod.objects.get(year=YEAR + 1)
    assert method.method().year == YEAR + 1
    response = admin.post(reverse("evaluation:action", args=[YEAR + 1]), {"action": "assemble"})
    assert response.status_code == 302
    response = admin.post(reverse("evaluation:new_year"), {"year": YEAR + 2})
    assert response.status_code == 302 and EvaluationMethod.objects.filter(year=YEAR + 2).exists()


@pytest.mark.parametrize("persona", sorted(set(PERSONAS) - {"zone_admin"}))
def test_only_the_zone_admin_takes_the_steps(evaluated, persona):
    response = client_for(evaluated[persona]).post(run_url("action"), {"action": "publish", "days": "5"})
    assert response.status_code == 403
    assert EvaluationRun.objects.get(year=YEAR).status == RunStatus.DRAFT


# --- the run page and the results list -----------------------------------------------------------------


def _grid_and_chain(zone):
    park = f.ParkFactory()
    zone.above1.park = park
    zone.above1.save()
    chain = Chain.objects.create(code="machine-tools", name="数控机床")
    ChainMembership.objects.create(chain=chain, enterprise=zone.above1)
    ChainMembership.objects.create(chain=chain, enterprise=zone.above2)
    return park, chain


def _chart(response, name):
    body = response.content.decode()
    start = body.index(f'id="{name}-data"')
    start = body.index(">", start) + 1
    return json.loads(body[start : body.index("</script>", start)])


def test_run_page_counts_and_charts(evaluated):
    _grid_and_chain(evaluated)
    response = client_for(evaluated["zone_admin"]).get(run_url("run"))
    assert response.status_code == 200
    body = response.content.decode()
    assert evaluated.run.method_version in body
    populations = {p["code"]: p for p in response.context["populations"]}
    assert populations["above"]["total"] == 2 and populations["below"]["total"] == 2
    histogram = _chart(response, "histogram")
    assert sum(sum(s["data"]) for s in histogram["choices"][0]["series"]) == 4
    chains = _chart(response, "chain")
    assert "数控机床" in chains["grids"]
    assert sum(sum(s["data"]) for s in chains["choices"][0]["series"]) >= 2
    grids = _chart(response, "grid")
    assert evaluated.grid1.name in grids["grids"]
    for name in ("histogram", "chain", "grid", "park"):
        assert f'data-chart-data="{name}-data"' in body


@pytest.mark.parametrize("persona", PERSONAS)
def test_run_page_scoping(evaluated, persona):
    response = client_for(evaluated[persona]).get(run_url("run"))
    if persona not in ZONE_STAFF:
        assert response.status_code == 403
        return
    assert response.status_code == 200
    total = sum(p["total"] for p in response.context["populations"])
    assert total == len(VISIBLE[persona])


@pytest.mark.parametrize("persona", PERSONAS)
def test_results_list_scoping(evaluated, persona):
    response = client_for(evaluated[persona]).get(run_url("results"))
    if persona not in ZONE_STAFF:
        assert response.status_code == 403
        return
    shown = {r.enterprise_id for r in response.context["page"]}
    expected = {getattr(evaluated, key).pk for key in VISIBLE[persona]}
    assert shown == expected
    hidden = {getattr(evaluated, key) for key in INPUTS} - {getattr(evaluated, k) for k in VISIBLE[persona]}
    body = response.content.decode()
    assert not any(e.name in body for e in hidden)


def test_results_filters(evaluated):
    park, chain = _grid_and_chain(evaluated)
    admin = client_for(evaluated["zone_admin"])

    def ids(**params):
        response = admin.get(run_url("results"), params)
        assert response.status_code == 200
        return {r.enterprise_id for r in response.context["page"]}

    z = evaluated
    assert ids(population="above") == {z.above1.pk, z.above2.pk}
    assert ids(grid=z.grid1.code) == {z.above1.pk}
    assert ids(chain=chain.code) == {z.above1.pk, z.above2.pk}
    assert ids(park=park.code) == {z.above1.pk}
    assert ids(q="丙小微") == {z.below1.pk}
    grades = {r.grade for r in z.run.current_results()}
    grade = sorted(g for g in grades if g)[0]
    assert ids(**{"class": grade}) == {r.enterprise_id for r in z.run.current_results() if r.grade == grade}
    # An invalid value is named on the form and ignored.
    response = admin.get(run_url("results"), {"class": "Z"})
    assert response.status_code == 200 and response.context["form"].errors.get("class")


def test_results_export(evaluated):
    pytest.importorskip("jingkai.evaluation.exports")
    admin = client_for(evaluated["zone_admin"])
    response = admin.get(reverse("evaluation:results_export", args=[YEAR]), {"population": "above"})
    assert response.status_code == 200
    assert admin.get(reverse("evaluation:results_export", args=[YEAR]), {"class": "Z"}).status_code == 400


# --- query counts --------------------------------------------------------------------------------------


def _add_enterprises(zone, n: int, start: int = 0):
    chain = Chain.objects.get_or_create(code="chain-q", defaults={"name": "链"})[0]
    park = f.ParkFactory() if start == 0 else None
    for i in range(start, start + n):
        ent = f.EnterpriseFactory(grid=zone.grid1, park=park, founded_on=None)
        ChainMembership.objects.create(chain=chain, enterprise=ent)
        values = {k: Decimal(v) for k, v in INPUTS["above1"].items()}
        values["tax"] *= 1 + Decimal(i) / 10  # spread the per-mu figures, so the totals differ
        values["value_added"] *= 1 + Decimal(i % 7) / 5
        EvaluationInput.objects.create(
            enterprise=ent, year=YEAR, population="above", industry="C3421", founded_year=2010, **values
        )


PAGES = ["run", "results", "migration", "leaders"]


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_query_counts_do_not_grow_with_the_rows(zone):
    from jingkai.evaluation.methods import SHIPPED

    admin = zone["zone_admin"]
    services.save_method(SHIPPED["pinghu-2022"], admin)
    _add_enterprises(zone, 2)
    run = services.run(YEAR, admin)
    assert run.current_results().count() == 2
    client = client_for(admin)
    first = next(iter(run.current_results())).enterprise_id
    urls = [run_url(name) for name in PAGES] + [run_url("enterprise", first), reverse("evaluation:index")]
    small = [_count(client, url) for url in urls]
    _add_enterprises(zone, 18, start=2)
    run = services.run(YEAR, admin)
    assert run.current_results().count() == 20
    large = [_count(client, url) for url in urls]
    assert large == small, dict(zip(urls, zip(small, large, strict=True), strict=True))


# --- the explanation, objections and the profile panel -------------------------------------------------


def test_explanation_shows_every_indicator_and_the_way_to_the_next_class(evaluated):
    z = evaluated
    result = z.run.current_results().get(enterprise=z.above2)
    response = client_for(z["zone_admin"]).get(run_url("enterprise", z.above2.pk))
    assert response.status_code == 200
    body = response.content.decode()
    codes = [i.code for i in z.run.frozen_method().populations["above"].indicators]
    for code in codes:
        assert f'data-indicator="{code}"' in body
    assert f'data-figure="grade">{result.grade}<' in body
    wanted = [code for code, v in result.indicators.items() if v["to_next"] is not None and v["to_next"] > 0]
    if result.next_grade:
        assert len(response.context["to_next"]) == len(wanted)
        assert body.count("data-to-next-item") == len(wanted)


@pytest.mark.parametrize("persona", PERSONAS)
def test_explanation_scoping_draft(evaluated, persona):
    client = client_for(evaluated[persona])
    for key in INPUTS:
        response = client.get(run_url("enterprise", getattr(evaluated, key).pk))
        if persona == "department":
            assert response.status_code == 403
        elif persona != "enterprise" and key in VISIBLE[persona]:
            assert response.status_code == 200
        else:  # an enterprise contact sees nothing of a draft
            assert response.status_code == 404


def test_the_contact_sees_its_own_once_published_and_objects(evaluated):
    z = published(evaluated)
    client = client_for(z["enterprise"])
    assert client.get(run_url("enterprise", z.above2.pk)).status_code == 404
    response = client.get(run_url("enterprise", z.above1.pk))
    assert response.status_code == 200 and 'data-form="objection"' in response.content.decode()
    index = client.get(reverse("evaluation:index")).content.decode()
    assert run_url("enterprise", z.above1.pk) in index
    response = client.post(run_url("enterprise", z.above1.pk), {"text": "用地面积应扣除出租部分。"})
    assert response.status_code == 302
    objection = Objection.objects.get(enterprise=z.above1)
    body = client.get(run_url("enterprise", z.above1.pk)).content.decode()
    assert reverse("demands:detail", args=[objection.demand_id]) in body
    # An empty objection is refused on the form.
    response = client.post(run_url("enterprise", z.above1.pk), {"text": "  "})
    assert response.status_code == 200 and Objection.objects.count() == 1


def test_no_objection_form_on_a_draft_or_for_an_outsider(evaluated):
    z = evaluated
    body = client_for(z["zone_admin"]).get(run_url("enterprise", z.above1.pk)).content.decode()
    assert 'data-form="objection"' not in body
    assert (
        client_for(z["zone_admin"]).post(run_url("enterprise", z.above1.pk), {"text": "x"}).status_code == 403
    )


@pytest.mark.parametrize("persona", PERSONAS)
def test_profile_panel(evaluated, persona):
    published(evaluated)
    user = evaluated[persona]
    for key in VISIBLE[persona]:
        body = client_for(user).get(getattr(evaluated, key).get_absolute_url()).content.decode()
        assert 'id="enterprise-evaluation"' in body
        assert run_url("enterprise", getattr(evaluated, key).pk) in body


# --- migration, leaders, policies ----------------------------------------------------------------------


def test_migration_matrix_and_a_cell(evaluated):
    z = evaluated
    admin = z["zone_admin"]
    services.copy_method(z.method, YEAR - 1, admin)
    for row in EvaluationInput.objects.filter(year=YEAR):
        row.pk, row.year = None, YEAR - 1
        row.save()
    services.run(YEAR - 1, admin)
    response = client_for(admin).get(run_url("migration"))
    assert response.status_code == 200
    matrix = response.context["matrix"]
    assert sum(row["total"] for row in matrix) == 4
    # The same inputs: every enterprise stays in its class (the diagonal).
    for row in matrix:
        for cell in row["cells"]:
            if cell["key"] != row["key"]:
                assert cell["n"] == 0
    grade = z.run.current_results().get(enterprise=z.above1).grade or "-"
    response = client_for(admin).get(run_url("migration"), {"from": grade, "to": grade})
    assert z.above1.pk in {r.enterprise_id for r in response.context["cell"]["rows"]}
    # A grid officer's matrix counts only the grid's enterprise.
    response = client_for(z["grid_officer"]).get(run_url("migration"))
    assert sum(row["total"] for row in response.context["matrix"]) == 1


def test_leaders(evaluated):
    _park, chain = _grid_and_chain(evaluated)
    response = client_for(evaluated["zone_admin"]).get(run_url("leaders"))
    assert response.status_code == 200
    above = next(p for p in response.context["populations"] if p["code"] == "above")
    assert [r["rank"] for r in above["overall"]] == sorted(r["rank"] for r in above["overall"])
    assert dict(above["chains"])[chain.name][0]["rank"] == above["overall"][0]["rank"]


@pytest.mark.parametrize("persona", PERSONAS)
def test_zone_pages_scoping(evaluated, persona):
    client = client_for(evaluated[persona])
    for name in ("migration", "leaders"):
        response = client.get(run_url(name))
        assert response.status_code == (200 if persona in ZONE_STAFF else 403)
        if response.status_code == 200:
            hidden = set(INPUTS) - VISIBLE[persona]
            body = response.content.decode()
            assert not any(getattr(evaluated, key).name in body for key in hidden)


def test_policy_table(evaluated):
    admin = client_for(evaluated["zone_admin"])
    response = admin.get(run_url("policies"))
    assert response.status_code == 200 and 'data-grade="A"' in response.content.decode()
    response = admin.post(
        run_url("policies"), {"cell-electricity-D": "加价0.1元/千瓦时", "cell-land-A": "优先保障"}
    )
    assert response.status_code == 302
    assert set(PolicyMeasure.objects.values_list("item", "grade")) == {("electricity", "D"), ("land", "A")}
    admin.post(run_url("policies"), {"cell-electricity-D": "加价0.1元/千瓦时", "cell-land-A": ""})
    assert set(PolicyMeasure.objects.values_list("item", "grade")) == {("electricity", "D")}
    officer = client_for(evaluated["grid_officer"])
    assert "加价0.1元/千瓦时" in officer.get(run_url("policies")).content.decode()
    assert officer.post(run_url("policies"), {"cell-land-A": "x"}).status_code == 403
    assert client_for(evaluated["department"]).get(run_url("policies")).status_code == 403


# --- the method editor ---------------------------------------------------------------------------------


def _edited_json(method, weight_from="tax_per_mu", weight_to="va_per_mu", delta=10):
    data = method.method().to_dict()
    for ind in data["populations"]["above"]["indicators"]:
        if ind["code"] == weight_from:
            ind["weight"] -= delta
        if ind["code"] == weight_to:
            ind["weight"] += delta
    return json.dumps(data, ensure_ascii=False)


def test_method_page_shows_the_method(evaluated):
    url = reverse("evaluation:method", args=[evaluated.method.pk])
    body = client_for(evaluated["zone_admin"]).get(url).content.decode()
    assert 'data-indicator="tax_per_mu"' in body and "data-class-rule" in body and 'name="text"' in body
    officer = client_for(evaluated["grid_officer"])
    assert 'name="text"' not in officer.get(url).content.decode()
    assert officer.post(url, {"text": "{}", "action": "save"}).status_code == 403
    assert client_for(evaluated["enterprise"]).get(url).status_code == 403


def test_method_preview_saves_nothing(evaluated):
    url = reverse("evaluation:method", args=[evaluated.method.pk])
    before = EvaluationMethod.objects.count(), evaluated.method.digest
    response = client_for(evaluated["zone_admin"]).post(
        url, {"text": _edited_json(evaluated.method), "action": "preview"}
    )
    assert response.status_code == 200
    preview = response.context["preview"]
    assert preview["errors"] == []
    for key in ("before", "after"):
        counts = {p["code"]: p for p in preview[key]}
        assert sum(counts["above"]["classes"]) + counts["above"]["not_classed"] == 2
    assert 'data-preview="after"' in response.content.decode()
    evaluated.method.refresh_from_db()
    assert (EvaluationMethod.objects.count(), evaluated.method.digest) == before


def test_method_errors_are_located_and_save_stores(evaluated):
    url = reverse("evaluation:method", args=[evaluated.method.pk])
    admin = client_for(evaluated["zone_admin"])
    bad = _edited_json(evaluated.method, delta=0).replace('"weight": 30', '"weight": 35', 1)
    response = admin.post(url, {"text": bad, "action": "save"})
    assert response.status_code == 200
    assert any("populations.above" in e and "100" in e for e in response.context["errors"])
    response = admin.post(url, {"text": "{not json", "action": "preview"})
    assert any(e.startswith("line 1") for e in response.context["errors"])
    response = admin.post(
        url, {"text": _edited_json(evaluated.method), "action": "save", "reason": "权重调整"}
    )
    assert response.status_code == 302
    evaluated.method.refresh_from_db()
    weights = {i.code: i.weight for i in evaluated.method.method().populations["above"].indicators}
    assert weights["tax_per_mu"] == 20 and weights["va_per_mu"] == 30


def test_explanation_names_what_reaches_the_next_class(zone):
    from jingkai.evaluation.methods import SHIPPED

    admin = zone["zone_admin"]
    services.save_method(SHIPPED["pinghu-2022"], admin)
    _add_enterprises(zone, 20)
    run = services.run(YEAR, admin)
    result = next(
        r
        for r in run.current_results().order_by("rank")
        if r.next_grade and any((v["to_next"] or 0) > 0 for v in r.indicators.values())
    )
    response = client_for(admin).get(run_url("enterprise", result.enterprise_id))
    body = response.content.decode()
    method = run.frozen_method().populations["above"]
    reachable = [i for i in method.indicators if (result.indicators[i.code]["to_next"] or 0) > 0]
    assert body.count("data-to-next-item") == len(reachable)
    first = response.context["to_next"][0]
    assert first["name"] == reachable[0].name and first["unit"] == reachable[0].unit
    assert f"{first['name']} +{first['amount']}{first['unit']}" in body


def test_the_explanation_lists_the_figures_and_a_zone_admin_corrects_one(client, evaluated):
    """The figures behind a result with their sources; a correction needs its reason, is history, is kept by
    assembling again, and a run again applies it (a draft is replaced in place)."""
    from decimal import Decimal

    from jingkai.evaluation.models import EvaluationInput

    z = evaluated
    url = reverse("evaluation:enterprise", args=[YEAR, z.above1.pk])
    client.force_login(z["zone_admin"])
    html = client.get(url).content.decode()
    assert (
        'data-input="tax"' in html and 'data-input="land_mu"' in html and 'data-form="correct-input"' in html
    )
    correct = reverse("evaluation:correct", args=[YEAR, z.above1.pk])
    client.post(correct, {"field": "land_leased_out_mu", "value": "10", "reason": ""})
    row = EvaluationInput.objects.get(enterprise=z.above1, year=YEAR)
    assert row.land_leased_out_mu is None  # no reason: refused
    client.post(correct, {"field": "land_leased_out_mu", "value": "10", "reason": "出租给关联企业10亩"})
    row.refresh_from_db()
    assert row.land_leased_out_mu == Decimal(10) and row.land_mu == Decimal(50)
    assert row.sources["land_leased_out_mu"] == "manual"
    assert row.history.first().history_change_reason == "出租给关联企业10亩"
    services.assemble_inputs(YEAR, z["zone_admin"])
    row.refresh_from_db()
    assert row.land_leased_out_mu == Decimal(10)
    rerun = services.run(YEAR, z["zone_admin"])
    result = rerun.current_results().get(enterprise=z.above1)
    assert result.indicators["tax_per_mu"]["value"] == 900 / 50
    # The override of the land used needs its own reason.
    client.post(correct, {"field": "land_override_mu", "value": "45", "reason": "核实"})
    row.refresh_from_db()
    assert row.land_override_mu is None
    client.force_login(z["grid_leader"])
    assert 'data-form="correct-input"' not in client.get(url).content.decode()
    assert client.post(correct, {"field": "tax", "value": "1", "reason": "x"}).status_code == 403
