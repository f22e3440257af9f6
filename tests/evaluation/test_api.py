"""/api/evaluations and /api/enterprises/{id}/evaluation: paths, the scoping matrix for every persona (drafts and
published runs), the results' filters and 422s, running a year (zone administrators only)."""

from __future__ import annotations

import datetime as dt

import pytest

from jingkai.evaluation import services
from jingkai.evaluation.models import EvaluationResult, RunStatus
from tests.conftest import PERSONAS, VISIBLE
from tests.evaluation.conftest import YEAR

ENTERPRISES = ("above1", "above2", "below1", "below2")


def _sees_results(persona: str, published: bool) -> set[str]:
    """The zone's enterprises whose results the persona sees (VISIBLE, less what the evaluation withholds)."""
    if persona == "department" or (persona == "enterprise" and not published):
        return set()
    return VISIBLE[persona]


def _publish(z) -> None:
    z.run = services.publish(z.run, z["zone_admin"], days=5)


def test_paths_are_in_the_schema(api_as):
    paths = api_as("zone_admin").get("/api/openapi.json").json()["paths"]
    assert "get" in paths["/api/evaluations"]
    assert "get" in paths["/api/evaluations/{year}/results"]
    assert "post" in paths["/api/evaluations/{year}/run"]
    assert "get" in paths["/api/enterprises/{ident}/evaluation"]


@pytest.mark.parametrize("published", [False, True], ids=["draft", "published"])
@pytest.mark.parametrize("persona", PERSONAS)
def test_runs_results_and_explanations_follow_the_scoping_matrix(evaluated, api_as, persona, published):
    z = evaluated
    if published:
        _publish(z)
    client = api_as(persona)
    expected = _sees_results(persona, published)

    runs = client.get("/api/evaluations").json()
    sees_run = persona != "department" and (persona != "enterprise" or published)
    assert [r["year"] for r in runs["items"]] == ([YEAR] if sees_run else [])
    for run in runs["items"]:
        assert run["status"] == (RunStatus.PUBLISHED if published else RunStatus.DRAFT)
        # The zone's class counts are the staff's, not an enterprise contact's.
        assert (run["class_counts"] is None) == (persona == "enterprise")

    response = client.get(f"/api/evaluations/{YEAR}/results")
    if not sees_run:
        assert response.status_code == 404
    else:
        body = response.json()
        assert {item["enterprise"]["name"] for item in body["items"]} == {
            getattr(z, key).name for key in expected
        }
        assert body["count"] == len(expected)

    for key in ENTERPRISES:
        ent = getattr(z, key)
        response = client.get(f"/api/enterprises/{ent.pk}/evaluation")
        assert response.status_code == (200 if key in expected else 404), key
        if key in expected:
            assert response.json()["enterprise"]["id"] == ent.pk


def test_a_result_names_its_enterprise_class_and_indicators(evaluated, admin_api):
    z = evaluated
    body = admin_api.get(f"/api/evaluations/{YEAR}/results", {"population": "above"}).json()
    assert body["count"] == 2
    first = body["items"][0]
    stored = EvaluationResult.objects.get(run=z.run, enterprise=z.above1)
    assert first["enterprise"] == {"id": z.above1.pk, "name": z.above1.name, "uscc": z.above1.uscc}
    assert first["rank"] == 1 and first["class"] == stored.grade and first["next_class"] == stored.next_grade
    assert first["population"] == "above" and first["status"] == "classed" and first["reason"] == ""
    assert first["total"] == pytest.approx(stored.total)
    tax = first["indicators"][0]
    assert (tax["code"], tax["name"], tax["unit"]) == ("tax_per_mu", "亩均税收", "万元/亩")
    assert tax["value"] == 15.0 and tax["weight"] == 30 and tax["cap"] == 60  # 900 万元 / 60 亩
    # In the method's order (the stored JSON's key order is not kept by PostgreSQL's jsonb).
    order = [i.code for i in z.run.frozen_method().populations["above"].indicators]
    assert [i["code"] for i in first["indicators"]] == order and set(order) == set(stored.indicators)


def test_results_filter_by_class_grid_population_chain_and_name(evaluated, admin_api):
    z = evaluated
    url = f"/api/evaluations/{YEAR}/results"
    grade = EvaluationResult.objects.get(run=z.run, enterprise=z.above1).grade
    by_class = admin_api.get(url, {"class": grade}).json()
    assert by_class["count"] == EvaluationResult.objects.filter(run=z.run, grade=grade).count()
    assert all(item["class"] == grade for item in by_class["items"])
    by_grid = admin_api.get(url, {"grid": z.grid1.code}).json()
    assert [item["enterprise"]["id"] for item in by_grid["items"]] == [z.above1.pk]
    assert admin_api.get(url, {"population": "below"}).json()["count"] == 2
    assert admin_api.get(url, {"q": z.below2.name[:2]}).json()["count"] == 1
    assert admin_api.get(url, {"limit": 1}).json()["count"] == 4
    assert len(admin_api.get(url, {"limit": 1}).json()["items"]) == 1


@pytest.mark.parametrize(
    ("params", "name"),
    [({"class": "Z"}, "class"), ({"population": "x"}, "population"), ({"grid": "NOPE"}, "grid")],
)
def test_a_bad_filter_is_a_422_naming_it(evaluated, admin_api, params, name):
    response = admin_api.get(f"/api/evaluations/{YEAR}/results", params)
    assert response.status_code == 422
    assert [item["loc"] for item in response.json()["detail"]] == [["query", name]]


def test_an_unknown_year_is_a_404(evaluated, admin_api):
    assert admin_api.get("/api/evaluations/2019/results").status_code == 404
    assert (
        admin_api.get(f"/api/enterprises/{evaluated.above1.pk}/evaluation", {"year": 2019}).status_code == 404
    )


def test_the_explanation_has_every_indicator_and_what_reaches_the_next_class(evaluated, api_as):
    z = evaluated
    body = api_as("grid_officer").get(f"/api/enterprises/{z.above2.pk}/evaluation", {"year": YEAR})
    assert body.status_code == 404  # above2 is in G02
    body = api_as("outsider").get(f"/api/enterprises/{z.above2.pk}/evaluation", {"year": YEAR}).json()
    stored = EvaluationResult.objects.get(run=z.run, enterprise=z.above2)
    assert body["year"] == YEAR and body["run_status"] == "draft" and body["revision"] == 1
    assert body["class"] == stored.grade and body["next_class"] == stored.next_grade
    assert body["population_label"] == "规上工业企业" and body["rank"] == 2
    order = [i.code for i in z.run.frozen_method().populations["above"].indicators]
    assert [i["code"] for i in body["indicators"]] == order and set(order) == set(stored.indicators)
    assert {a["code"] for a in body["adjustments"]} >= {"high_tech", "safety_accident"}
    to_next = {row["code"]: row["amount"] for row in body["to_next"]}
    for code, figures in stored.indicators.items():
        if figures["to_next"]:
            assert to_next[code] == pytest.approx(figures["to_next"])
    assert len(to_next) == sum(1 for f in stored.indicators.values() if f["to_next"])
    # The enterprise's id or its USCC.
    by_uscc = api_as("outsider").get(f"/api/enterprises/{z.above2.uscc}/evaluation").json()
    assert by_uscc["enterprise"]["id"] == z.above2.pk


def test_an_enterprise_contact_sees_its_own_result_once_published(evaluated, api_as):
    z = evaluated
    client = api_as("enterprise")
    assert client.get(f"/api/enterprises/{z.above1.pk}/evaluation").status_code == 404
    services.publish(z.run, z["zone_admin"], days=5)
    body = client.get(f"/api/enterprises/{z.above1.pk}/evaluation").json()
    assert body["run_status"] == "published" and body["objections_open"] is True
    results = client.get(f"/api/evaluations/{YEAR}/results").json()
    assert [item["enterprise"]["id"] for item in results["items"]] == [z.above1.pk]


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_a_zone_admin_runs_a_year(evaluation_zone, api_as, persona):
    response = api_as(persona).post(f"/api/evaluations/{YEAR}/run")
    if persona == "zone_admin":
        assert response.status_code == 200
        body = response.json()
        assert body["year"] == YEAR and body["status"] == "draft" and body["revision"] == 1
        assert body["method_version"].startswith("pinghu-2022@1:")
        assert sum(body["class_counts"]["above"].values()) == 2
        assert EvaluationResult.objects.filter(run__year=YEAR).count() == 4
    else:
        assert response.status_code == 403
        assert not EvaluationResult.objects.exists()


def test_running_anonymously_is_a_401(evaluation_zone, api_as):
    assert api_as("anonymous").post(f"/api/evaluations/{YEAR}/run").status_code == 401


def test_running_a_published_year_adds_a_revision_and_a_final_one_is_refused(evaluated, admin_api):
    z = evaluated
    services.publish(z.run, z["zone_admin"], days=5, today=dt.date(2023, 3, 1))
    body = admin_api.post(f"/api/evaluations/{YEAR}/run").json()
    assert body["status"] == "published" and body["revision"] == 2
    z.run.refresh_from_db()
    services.finalise(z.run, z["zone_admin"])
    response = admin_api.post(f"/api/evaluations/{YEAR}/run")
    assert response.status_code == 422 and response.json()["detail"][0]["loc"] == ["body"]


def test_running_a_year_without_a_method_is_a_422(evaluation_zone, admin_api):
    response = admin_api.post("/api/evaluations/2030/run")
    assert response.status_code == 422


def test_a_page_of_results_costs_a_fixed_number_of_queries(
    evaluated, admin_api, django_assert_max_num_queries
):
    url = f"/api/evaluations/{YEAR}/results"
    admin_api.get(url)  # the token's first use
    with django_assert_max_num_queries(8):
        assert admin_api.get(url, {"class": "B", "grid": evaluated.grid1.code}).status_code == 200
    with django_assert_max_num_queries(8):
        assert admin_api.get(url).json()["count"] == 4
