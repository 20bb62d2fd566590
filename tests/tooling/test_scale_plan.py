"""bench/scale_plan.py's arithmetic, and docs/SCALE.md's tables being its output on the committed figures."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("scale_plan", ROOT / "bench" / "scale_plan.py")
plan = importlib.util.module_from_spec(_spec)
sys.modules.setdefault("scale_plan", plan)  # dataclasses look their module up there
_spec.loader.exec_module(plan)

FIGURES = {
    "load": {
        "GET cdn /posts/{slug} (page) body bytes": 6000.0,
        "GET cdn /posts/{slug} (page) CDN hit ratio": 99.0,
        "GET /todos body bytes": 4500.0,
        "GET /todos/{id} body bytes": 250.0,
    },
    "route_overhead": {"in-process p50": 4.3},
    "updates_offload": {"offload ratio": 99.9},
}


def test_tiers_charge_each_slice_at_its_own_price():
    tiers = [(10, 1.0), (40, 0.5), (None, 0.1)]
    assert plan.tiered(5, tiers) == 5
    assert plan.tiered(30, tiers) == 10 + 20 * 0.5
    assert plan.tiered(100, tiers) == 10 + 40 * 0.5 + 50 * 0.1
    assert plan.tiered(0, tiers) == 0


def test_cloudfront_cost_nets_the_free_tier_then_walks_the_tiers():
    assert plan.cdn_cost(10e6, 1000 * plan.GB) == 0  # all within the always-free tier
    fifteen_tb = plan.cdn_cost(10e6, 16 * plan.TB)  # 15 TB billable: 10 at 0.085, 5 at 0.080
    assert fifteen_tb == pytest.approx(10_000 * 0.085 + 5_000 * 0.080)
    assert plan.cdn_cost(20e6, 1000 * plan.GB) == pytest.approx(10e6 / 1e4 * 0.01)


def test_rest_api_price_drops_past_333_million():
    assert plan.rest_cost(1e6) == pytest.approx(3.50)
    assert plan.rest_cost(433e6) == pytest.approx(333 * 3.50 + 100 * 2.80)


def test_lambda_cost_is_gb_seconds_plus_requests():
    # 1 M invocations of 100 ms at 1,024 MB: 100,000 GB-s
    assert plan.lambda_cost(1e6, 100, 1024) == pytest.approx(100_000 * 0.0000133334 + 0.20)


def test_rates_and_concurrency():
    assert plan.per_second(plan.MONTH_S * 10, 3) == 30
    assert plan.concurrency(200, 50) == 10


def test_a_missing_measured_figure_is_an_error_not_a_guess():
    with pytest.raises(LookupError, match="run `make report`"):
        plan.measured({}, "load", "GET /todos body bytes", "B")
    with pytest.raises(LookupError, match="no value"):
        plan.measured({"load": {"x": None}}, "load", "x", "B")


def test_todos_volumes_follow_the_inputs():
    todos = plan.todos(FIGURES)
    layers = {name: value for name, value, _ in todos.layers}
    assert layers["API Gateway requests"] == 100_000 * 20 * 30
    assert layers["DynamoDB writes"] == 100_000 * 2 * 30
    # half the reads list (a 4,500 B page: 2 x 4 KB, eventually consistent = 1 RRU), half get one item (0.5 RRU)
    assert layers["DynamoDB reads"] == pytest.approx(27e6 * 1 + 27e6 * 0.5)
    grown = plan.todos(FIGURES, 10)
    assert dict((n, v) for n, v, _ in grown.layers)["API Gateway requests"] == 10 * layers["API Gateway requests"]


def test_view_counter_writes_do_not_grow_with_views():
    """aggregate-views writes one counter per post per batch window: the count follows the window, not views."""
    one, ten = plan.blog(FIGURES), plan.blog(FIGURES, 10)
    writes = {n: v for n, v, _ in one.layers}["DynamoDB writes (view counters)"]
    assert writes == {n: v for n, v, _ in ten.layers}["DynamoDB writes (view counters)"]
    assert {n: v for n, v, _ in ten.layers}["Kinesis records (views)"] == 200e6


def test_update_pack_bandwidth_against_the_distribution_quota():
    updates = plan.updates(FIGURES)
    gbps = next(v for n, v, _ in updates.limits if n.startswith("CloudFront Gbit/s"))
    assert gbps == pytest.approx(15e9 * 100_000 * 8 / 86400 / 1e9 * 2)
    assert "**over**" in plan.markdown(updates, plan.updates(FIGURES, 10))


def test_replace_tables_keeps_the_prose_around_the_markers():
    text = f"intro\n{plan.BEGIN}\nold\n{plan.END}\noutro\n"
    assert plan.replace_tables(text, "new") == f"intro\n{plan.BEGIN}\n\nnew\n\n{plan.END}\noutro\n"


def test_scale_md_tables_are_the_scripts_output_on_the_committed_figures():
    figures, doc = ROOT / "docs" / "bench-figures.json", ROOT / "docs" / "SCALE.md"
    if not (figures.exists() and doc.exists()):
        pytest.skip("docs/bench-figures.json or docs/SCALE.md is missing")
    tables = plan.document(plan.load_figures(figures))
    assert plan.replace_tables(doc.read_text(), tables) == doc.read_text(), "run `make report` to refresh them"
