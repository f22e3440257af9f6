#!/usr/bin/env python3
"""Evaluation service benchmark (issue 14 §8): the end-to-end time of a demo-zone run through the services.

    .venv/bin/python benchmarks/evaluation_service.py [--reuse] [--runs 3] [--seed 2013] [--synthetic 100000]

What it does:
1. builds the plain demo (`jingkai demo --no-serve`, the evaluation chapter included) into
   var/bench-evaluation-demo.sqlite3, or into the database named by JINGKAI_DATABASE_URL when that is set; --reuse
   keeps an existing one;
2. in this process, as the demo's zone_admin, each repetition inside a transaction rolled back afterwards (so the
   database is the same for every one):
   - **refresh 2023**: ``services.assemble_inputs(2023)`` over the demo's rows (statistics re-read, imported figures
     kept) and ``services.run(2023)`` (the draft's results replaced);
   - **a new year, 2024**: ``services.assemble_inputs(2024)`` creating every industrial enterprise's row from the
     December statistics, the registry and the honours; the annual import's figures written by the demo's stand-in
     (``evaluation.demo.write_inputs``, not timed: an import is its own step); ``services.run(2024)`` with the
     2023 method copied for the year: the engine on the inputs, the frozen method, the summary and every result row
     stored;
3. with --synthetic N (once, rolled back): adds N synthetic enterprises to the demo (``generate_scale``, not timed),
   gives each an input row for the latest 规上 year (plausible figures, bulk-inserted as an import would, not timed)
   and times ``services.run`` for that year over those rows: reading the inputs, the engine, the summary
   and every result row stored;
4. prints, per step, the best and median of --runs repetitions, the rows and the queries, and writes
   benchmarks/out/evaluation_service-<time>.json.

There is no target in the issue; it is measured so that the jobs runner (a run is a job once it lands) knows what a
zone's run costs. The machine has 2 cores shared with other work: single runs are rough.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import pages  # noqa: E402  (benchmarks/pages.py: building the demo database)

ROOT = pages.ROOT
OUT = pages.OUT


def _timed(step, queries: list, fn):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        result = fn()
        seconds = time.perf_counter() - started
    queries.append((step, len(captured)))
    return seconds, result


def _synthetic(n: int, seed: int, admin, method, times: dict, queries: list) -> dict:
    import random
    from decimal import Decimal

    from jingkai.demo.generator import generate_scale
    from jingkai.enterprises.models import AnnualScale
    from jingkai.evaluation import services
    from jingkai.evaluation.models import EvaluationInput

    started = time.perf_counter()
    generate_scale(n, seed=seed)
    year = AnnualScale.objects.order_by("-year").values_list("year", flat=True).first()
    added = list(
        AnnualScale.objects.filter(year=year)
        .order_by("-enterprise_id")
        .values_list("enterprise_id", "above_size")[:n]
    )
    rng = random.Random(seed)
    inputs = []
    for enterprise_id, above in added:
        land = rng.uniform(8, 200) if above else rng.uniform(2, 30)
        output = land * rng.uniform(400, 1100) if above else land * rng.uniform(20, 80)
        inputs.append(
            EvaluationInput(
                enterprise_id=enterprise_id, year=year, population="above" if above else "below",
                industry="C3421", founded_year=2010, land_own_mu=Decimal(f"{land:.2f}"),
                output=Decimal(f"{output:.2f}"), revenue=Decimal(f"{output * 1.02:.2f}"),
                tax=Decimal(f"{output * rng.uniform(0.01, 0.04):.2f}"),
                value_added=Decimal(f"{output * rng.uniform(0.18, 0.32):.2f}"),
                energy_tce=Decimal(f"{output * rng.uniform(0.02, 0.08):.2f}"),
                electricity=Decimal(f"{output * rng.uniform(0.01, 0.05):.2f}"),
                emissions=Decimal(f"{output * rng.uniform(0.00005, 0.0005):.4f}") if above else None,
                employees=Decimal(max(5, int(output / rng.uniform(60, 200)))),
                rd=Decimal(f"{output * rng.uniform(0.01, 0.04):.2f}"),
            )
        )  # fmt: skip
    EvaluationInput.objects.bulk_create(inputs, batch_size=5000)
    print(
        f"synthetic: {n} enterprises and their {year} inputs prepared in {time.perf_counter() - started:.1f} s"
    )
    copy = services.copy_method(method, year, admin)
    total = EvaluationInput.objects.filter(year=year).count()
    seconds, run = _timed(f"run {year} synthetic", queries, lambda: services.run(year, admin, method=copy))
    times.setdefault(f"run {year} synthetic ({total} enterprises)", []).append(seconds)
    return {f"{year} synthetic inputs": total, f"{year} synthetic results": run.current_results().count()}


def measure(runs: int, seed: int, synthetic: int = 0) -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jingkai.settings")
    import django

    django.setup()
    from django.db import transaction

    from jingkai.core.models import User
    from jingkai.evaluation import demo, services
    from jingkai.evaluation.models import EvaluationInput, EvaluationMethod, EvaluationResult

    admin = User.objects.get(username="zone_admin")
    method_2023 = EvaluationMethod.objects.filter(year=2023).order_by("-version").first()
    if method_2023 is None:
        raise SystemExit("the demo database has no 2023 method: build it again without --reuse")
    times: dict[str, list[float]] = {}
    rows: dict[str, int] = {}
    queries: list = []

    def add(step: str, seconds: float) -> None:
        times.setdefault(step, []).append(seconds)

    for _ in range(runs):
        with transaction.atomic():
            seconds, counts = _timed("assemble 2023", queries, lambda: services.assemble_inputs(2023, admin))
            add("assemble 2023", seconds)
            seconds, run = _timed("run 2023", queries, lambda: services.run(2023, admin))
            add("run 2023", seconds)
            add("2023 end to end", times["assemble 2023"][-1] + seconds)
            rows["2023 inputs"] = counts["enterprises"]
            rows["2023 results"] = run.current_results().count()

            copy = services.copy_method(method_2023, 2024, admin)
            seconds, counts = _timed("assemble 2024", queries, lambda: services.assemble_inputs(2024, admin))
            add("assemble 2024 (new rows)", seconds)
            demo.write_inputs(seed, admin, years=(2024,))
            seconds, run = _timed(
                "run 2024", queries, lambda copy=copy: services.run(2024, admin, method=copy)
            )
            add("run 2024 (new run)", seconds)
            add("2024 end to end", times["assemble 2024 (new rows)"][-1] + seconds)
            rows["2024 inputs"] = EvaluationInput.objects.filter(year=2024).count()
            rows["2024 results"] = EvaluationResult.objects.filter(run=run).count()
            transaction.set_rollback(True)
    if synthetic:
        with transaction.atomic():
            rows.update(_synthetic(synthetic, seed, admin, method_2023, times, queries))
            transaction.set_rollback(True)
    query_counts = {}
    for step, count in queries:
        query_counts.setdefault(step, count)
    return {
        "times": {
            step: {"best": min(values), "median": statistics.median(values), "runs": len(values)}
            for step, values in times.items()
        },
        "rows": rows,
        "queries": query_counts,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="repetitions (each rolled back)")
    parser.add_argument(
        "--seed", type=int, default=2013, help="the demo's seed (the stand-in import's figures)"
    )
    parser.add_argument("--reuse", action="store_true", help="reuse a demo database built by an earlier run")
    parser.add_argument(
        "--synthetic", type=int, default=0, help="also time a run over N synthetic enterprises"
    )
    args = parser.parse_args()

    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env.setdefault("JINGKAI_DEBUG", "false")
    path = None if os.environ.get("JINGKAI_DATABASE_URL") else ROOT / "var" / "bench-evaluation-demo.sqlite3"
    url = os.environ.get("JINGKAI_DATABASE_URL") or pages.sqlite_url(path)
    print(f"load: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}")
    build_seconds = pages.build(url, path, None, args.reuse, env)
    os.environ["JINGKAI_DATABASE_URL"] = url
    figures = measure(args.runs, args.seed, args.synthetic)

    print(f"\ndemo zone ({url}), {args.runs} runs, each rolled back")
    print(f"{'step':28} {'best s':>8} {'median s':>9} {'queries':>8}")
    for step, t in figures["times"].items():
        count = figures["queries"].get(step.split(" (")[0], "")
        print(f"{step:28} {t['best']:8.3f} {t['median']:9.3f} {count!s:>8}")
    print("rows: " + ", ".join(f"{k} {v}" for k, v in figures["rows"].items()))

    OUT.mkdir(parents=True, exist_ok=True)
    out = OUT / f"evaluation_service-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(
        json.dumps({"database": url, "build_seconds": build_seconds, **figures}, indent=2, ensure_ascii=False)
    )
    print(f"wrote {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
