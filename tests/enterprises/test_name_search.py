"""The name search served by name bigrams (issue 13 §5): the same results as the plain LIKE of every name, for
any term and any persona; the bigrams follow every write; the database reads the bigram index."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jingkai.core import ngrams
from jingkai.enterprises import queries, services
from jingkai.enterprises.filtersets import EnterpriseFilterSet
from jingkai.enterprises.models import Enterprise, EnterpriseNameGram, rebuild_name_grams
from tests import factories as f
from tests.conftest import PERSONAS

# Few distinct characters, so that random terms often occur in random names; Latin letters in both cases,
# digits, full-width letters and digits, LIKE's wildcards and an escape, brackets and a space.
HAN = "科技精密机床有限公司电子华恒"
LATIN = "abcABCxyzXYZ"
OTHER = "019０１９ＡＢａｂ%_\\（）() ·"
ALPHABET = HAN + LATIN + OTHER
text = st.text(alphabet=ALPHABET, min_size=0, max_size=14)


class Rollback(Exception):
    pass


def found(user, term: str, *, like_only: bool) -> list[int]:
    saved = queries.NAME_LIKE_ONLY
    queries.NAME_LIKE_ONLY = like_only
    try:
        qs = EnterpriseFilterSet({"q": term}, queryset=Enterprise.objects.visible_to(user)).qs
        return list(qs.values_list("pk", flat=True))
    finally:
        queries.NAME_LIKE_ONLY = saved


def test_bigrams_fold_case_and_keep_positions():
    assert ngrams.fold("abＡｂ科") == "ABＡＢ科"
    assert ngrams.fold("straße") == "STRAßE"  # ß has no one-character upper case: kept, length kept
    assert ngrams.bigrams("科技有限") == {"科技", "技有", "有限"}
    assert ngrams.bigrams("科") == set()
    assert ngrams.text_bigrams("ab", "", "cd") == {"AB", "CD"}  # never across two columns
    assert ngrams.term_bigrams("科") == []
    assert ngrams.term_bigrams("精密机床精密") == ["精密", "密机", "机床", "床精"]


@pytest.mark.django_db
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    rows=st.lists(st.tuples(text.filter(lambda s: s.strip()), text, text), min_size=1, max_size=8),
    picks=st.lists(
        st.tuples(st.integers(0, 7), st.integers(0, 2), st.integers(0, 20), st.integers(1, 6)),
        min_size=1,
        max_size=6,
    ),
    free=st.lists(st.text(alphabet=ALPHABET, min_size=1, max_size=6), max_size=3),
)
def test_same_results_as_the_plain_like_for_every_persona(zone, rows, picks, free):
    """Random names, short and English names; terms cut from them (1–6 characters) and random terms: every
    persona finds exactly what the plain LIKE finds, among only the enterprises it may see."""
    places = [{"grid": zone.grid1}, {"grid": zone.grid2}, {"community": zone.community1}, {}]
    try:
        with transaction.atomic():
            made = []
            for i, (name, short, english) in enumerate(rows):
                made.append(
                    f.EnterpriseFactory(
                        name=f"{name}#{i}", short_name=short[:50], english_name=english, **places[i % 4]
                    )
                )
            terms = list(free)
            for index, column, start, length in picks:
                ent = made[index % len(made)]
                source = (ent.name, ent.short_name, ent.english_name)[column] or ent.name
                start %= len(source)
                terms.append(source[start : start + length])
            for term in terms:
                if not term.strip():
                    continue
                for persona in PERSONAS:
                    user = zone[persona]
                    assert found(user, term, like_only=False) == found(user, term, like_only=True), (
                        persona,
                        term,
                    )
                # A term cut from a visible name finds it (the comparison above is not between two empty lists).
                admin_hits = set(found(zone["zone_admin"], term, like_only=False))
                for ent in made:
                    plain = term.strip()
                    if plain in ent.name:
                        assert ent.pk in admin_hits, (term, ent.name)
            raise Rollback
    except Rollback:
        pass


def search(client, term: str) -> str:
    return client.get("/enterprises/", {"q": term}).content.decode()


@pytest.mark.django_db
def test_bigrams_follow_creates_edits_and_deletes(zone):
    admin = zone["zone_admin"]
    ent = services.create_enterprise(
        {"uscc": f.next_uscc(), "name": "平湖华恒科技有限公司", "short_name": "华恒科技"}, admin
    )
    assert set(EnterpriseNameGram.objects.filter(enterprise=ent).values_list("gram", flat=True)) == (
        ngrams.text_bigrams("平湖华恒科技有限公司", "华恒科技", "")
    )
    assert found(admin, "恒科", like_only=False) == [ent.pk]
    services.update_enterprise(ent, {"name": "嘉兴瑞盛精密有限公司", "short_name": "瑞盛"}, admin)
    assert found(admin, "恒科", like_only=False) == []
    assert found(admin, "瑞盛精密", like_only=False) == [ent.pk]
    assert set(EnterpriseNameGram.objects.filter(enterprise=ent).values_list("gram", flat=True)) == (
        ngrams.text_bigrams("嘉兴瑞盛精密有限公司", "瑞盛", "")
    )
    # A save that leaves the names alone writes no bigrams.
    ent = Enterprise.objects.get(pk=ent.pk)
    ent.employees = 12
    with CaptureQueriesContext(connection) as captured:
        ent.save()
    assert not any("enterprisenamegram" in q["sql"].lower() for q in captured.captured_queries)
    ent.delete()
    assert not EnterpriseNameGram.objects.filter(enterprise_id=ent.pk).exists()


@pytest.mark.django_db
def test_rebuild_and_the_migrations_backfill(zone):
    expected = set(EnterpriseNameGram.objects.values_list("enterprise_id", "gram"))
    assert len(expected) > 20
    EnterpriseNameGram.objects.all().delete()
    migration = importlib.import_module("jingkai.enterprises.migrations.0005_name_search_index")

    class Editor:
        pass

    editor = Editor()
    editor.connection = connection
    migration.fill(apps, editor)
    assert set(EnterpriseNameGram.objects.values_list("enterprise_id", "gram")) == expected
    assert rebuild_name_grams() == len(expected)
    assert set(EnterpriseNameGram.objects.values_list("enterprise_id", "gram")) == expected


@pytest.mark.django_db
def test_the_list_search_costs_at_most_one_more_query(zone, client):
    client.force_login(zone["zone_admin"])
    search(client, "精密")
    with CaptureQueriesContext(connection) as plain:
        client.get("/enterprises/")
    with CaptureQueriesContext(connection) as searched:
        body = search(client, "精密机床")
    assert "甲精密机床有限公司" in body and "乙汽车电子有限公司" not in body
    assert len(searched) == len(plain) + 1  # the counts of the term's bigrams, to narrow by the rarest
    with CaptureQueriesContext(connection) as two:
        search(client, "精密")
    # One bigram: nothing to count, except on PostgreSQL, which narrows only by a bigram few names hold
    # (queries.narrow_at_most) and so counts it.
    assert len(two) == len(plain) + (connection.vendor == "postgresql")


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's plan")
def test_sqlite_reads_the_bigram_index(zone):
    qs = EnterpriseFilterSet({"q": "科技"}, queryset=Enterprise.objects.all()).qs
    with connection.cursor() as cursor:
        sql, params = qs.query.sql_with_params()
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        plan = " ".join(str(row[-1]) for row in cursor.fetchall())
    assert "enterprisenamegram" in plan and "(gram=?)" in plan, plan


@pytest.mark.django_db
def test_a_term_in_nearly_every_name_is_read_in_one_pass(zone, monkeypatch):
    monkeypatch.setattr(queries, "narrow_at_most", lambda: 3)  # 有限 and 公司 are in all four names
    qs = EnterpriseFilterSet({"q": "有限公司"}, queryset=Enterprise.objects.all()).qs
    assert "enterprisenamegram" not in str(qs.query).lower()
    assert qs.count() == 4
    qs = EnterpriseFilterSet({"q": "精密机床"}, queryset=Enterprise.objects.all()).qs
    assert "enterprisenamegram" in str(qs.query).lower() and qs.count() == 1


@pytest.mark.django_db
def test_postgresql_is_driven_from_the_bigrams(zone):
    """PostgreSQL gets `id = ANY(ARRAY(subquery))` (core.db.InSubquery), which it runs from the bigram index;
    written IN it hash-joined a scan of every enterprise. SQLite keeps the IN, which it already drives that way."""
    qs = EnterpriseFilterSet({"q": "科技"}, queryset=Enterprise.objects.all()).qs
    sql = str(qs.query)
    assert ("= ANY(ARRAY(SELECT" in sql) == (connection.vendor == "postgresql")
    assert list(qs.values_list("name", flat=True)) == []
    qs = EnterpriseFilterSet({"q": "精密"}, queryset=Enterprise.objects.all()).qs
    assert list(qs.values_list("name", flat=True)) == ["甲精密机床有限公司"]
