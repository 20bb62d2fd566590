"""docs/SCALE.md's tables: each product at internet scale, from our measured figures, named assumptions,
AWS's public prices and default quotas. Prints markdown.

Measured inputs are read from a `bench/run_all.py --json` file (default docs/bench-figures.json, the run
behind docs/STATUS.md), by bench and figure name: a missing figure is an error, never a guess. Every other
input is an `Assumption` with its reason. Prices are us-east-1 / the United States edge, each with its page.

    .venv/bin/python bench/scale_plan.py [--bench docs/bench-figures.json] [--factor 10] [--update docs/SCALE.md]
"""

from __future__ import annotations

import argparse
import json
import math
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MONTH_S = 30 * 24 * 3600  # a 30-day month
GB = 1e9
TB = 1e12


@dataclass(frozen=True)
class Value:
    """One input: its value and where it comes from (a bench figure, an assumption, a price page, a quota)."""

    value: float
    unit: str
    source: str


def measured(figures: dict, bench: str, name: str, unit: str) -> Value:
    try:
        value = figures[bench][name]
    except KeyError:
        raise LookupError(f"no figure {name!r} of bench {bench!r}: run `make report` (it runs that bench)") from None
    if value is None:
        raise LookupError(f"figure {name!r} of bench {bench!r} has no value (the bench failed)")
    return Value(value, unit, f"measured: `{bench}` {name}")


def assumption(value: float, unit: str, why: str) -> Value:
    return Value(value, unit, f"assumption: {why}")


# Prices read on 2026-12-02 from the pages named (stored copies); us-east-1 or United States edge.
CF_TIERS = [(10 * TB, 0.085), (40 * TB, 0.080), (100 * TB, 0.060), (350 * TB, 0.040), (524 * TB, 0.030),
            (4000 * TB, 0.025), (None, 0.020)]  # fmt: skip
REST_TIERS = [(333e6, 3.50), (667e6, 2.80), (19e9, 2.38), (None, 1.51)]  # per million requests
PRICES = {
    "cf_gb": Value(0.085, "$/GB", "aws.amazon.com/cloudfront/pricing: data transfer out, US, first 10 TB "
                   "(tiers down to $0.020 over 5 PB)"),
    "cf_https": Value(0.0100, "$/10k", "aws.amazon.com/cloudfront/pricing: HTTPS requests, US (not in the stored "
                      "page text: check)"),
    "cf_free_gb": Value(1000, "GB", "aws.amazon.com/cloudfront/pricing: always-free 1 TB a month"),
    "cf_free_requests": Value(10e6, "requests", "aws.amazon.com/cloudfront/pricing: always-free 10 M a month"),
    "rest_million": Value(3.50, "$/M", "docs.aws.amazon.com whitepaper (API Gateway pricing): REST, first 333 M "
                          "(then $2.80, $2.38, $1.51)"),
    "rest_cache_hour": Value(0.020, "$/h", "API Gateway pricing: cache, 0.5 GB"),
    "lambda_gb_s": Value(0.0000133334, "$/GB-s", "aws.amazon.com/lambda/pricing: arm64"),
    "lambda_million": Value(0.20, "$/M", "aws.amazon.com/lambda/pricing: requests"),
    "ddb_wru_million": Value(0.625, "$/M", "DynamoDB on-demand, us-east-1, after the Nov 2024 cut"),
    "ddb_rru_million": Value(0.125, "$/M", "DynamoDB on-demand, us-east-1, after the Nov 2024 cut"),
    "kinesis_shard_hour": Value(0.015, "$/h", "aws.amazon.com/kinesis/data-streams/pricing: provisioned shard "
                                "(not in the stored page text: check)"),
    "kinesis_put_million": Value(0.014, "$/M", "Kinesis provisioned: PUT payload units of 25 KB (not in the "
                                 "stored page text: check)"),
    "ses_thousand": Value(0.10, "$/1k", "aws.amazon.com/ses/pricing: outbound email"),
    "cognito_mau": Value(0.0055, "$/MAU", "aws.amazon.com/cognito/pricing: Lite plan above 10,000 free MAU "
                         "(not in the stored page text: check)"),
}  # fmt: skip
QUOTAS = {
    "lambda_concurrency": Value(1000, "concurrent executions", "Lambda: per account and Region (adjustable)"),
    "lambda_scaling": Value(1000, "environments / 10 s", "Lambda: per function scaling rate"),
    "apigw_rps": Value(10_000, "requests/s", "API Gateway: per account and Region, burst 5,000 (adjustable)"),
    "cf_rps": Value(250_000, "requests/s", "CloudFront: per distribution (adjustable)"),
    "cf_gbps": Value(150, "Gbit/s", "CloudFront: data transfer rate per distribution (adjustable)"),
    "cf_object_gb": Value(50, "GB", "CloudFront: largest cacheable GET response"),
    "kinesis_shard_records": Value(1000, "records/s", "Kinesis: writes per shard (or 1 MB/s)"),
    "ses_sandbox_rate": Value(1, "emails/s", "SES: sandbox (200 a day); production varies by account"),
    # Our own templates' stage throttles (parameters with these defaults), met before any account quota.
    "todos_stage": Value(100, "requests/s", "services/todos/template.yaml: ThrottleRateLimit default"),
    "blog_stage": Value(100, "requests/s", "services/blog/template.yaml: ThrottleRateLimit default"),
    "views_stage": Value(1000, "requests/s", "services/blog/template.yaml: ViewsThrottleRateLimit default"),
}


def tiered(amount: float, tiers: list[tuple[float | None, float]]) -> float:
    """The cost of `amount` over volume tiers [(size of the tier or None for the rest, price per unit)]."""
    cost, left = 0.0, max(amount, 0.0)
    for size, price in tiers:
        step = left if size is None else min(left, size)
        cost += step * price
        left -= step
        if left <= 0:
            break
    return cost


def per_second(per_month: float, peak: float) -> float:
    """The peak rate of a monthly volume: its mean rate times the peak factor."""
    return per_month / MONTH_S * peak


def concurrency(rps: float, duration_ms: float) -> float:
    """Little's law: requests in flight at once."""
    return rps * duration_ms / 1000


def lambda_cost(invocations: float, duration_ms: float, memory_mb: float) -> float:
    gb_s = invocations * duration_ms / 1000 * memory_mb / 1024
    return gb_s * PRICES["lambda_gb_s"].value + invocations / 1e6 * PRICES["lambda_million"].value


def cdn_cost(requests: float, bytes_out: float) -> float:
    billable_gb = max(bytes_out / GB - PRICES["cf_free_gb"].value, 0)
    billable_requests = max(requests - PRICES["cf_free_requests"].value, 0)
    return (
        tiered(billable_gb * GB, [(s, p / GB) for s, p in CF_TIERS])
        + billable_requests / 1e4 * PRICES["cf_https"].value
    )


def rest_cost(requests: float) -> float:
    return tiered(requests, [(s, p / 1e6) for s, p in REST_TIERS])


@dataclass
class Plan:
    """One product's monthly volumes per layer, peak rates, quota use and cost lines."""

    name: str
    inputs: dict[str, Value]
    layers: list[tuple[str, float, str]]  # layer, monthly volume, unit
    limits: list[tuple[str, float, Value]]  # what meets the quota, its peak use, the quota
    costs: list[tuple[str, float]]  # line, $ a month

    @property
    def total(self) -> float:
        return sum(cost for _, cost in self.costs)


def blog(fig: dict, factor: float = 1) -> Plan:
    i = {
        "readers": assumption(1e6 * factor, "readers/month", "the brief: 1 M readers a month"),
        "pages": assumption(20, "pages/reader", "the brief: 20 pages each"),
        "page_bytes": measured(fig, "load", "GET cdn /posts/{slug} (page) body bytes", "B"),
        "hit": measured(fig, "load", "GET cdn /posts/{slug} (page) CDN hit ratio", "%"),
        "hit_real": assumption(90, "%", "a real catalogue has a long tail; the bench's few hot pages hit always"),
        "assets": assumption(0.3, "requests/page", "css, beacon.js, icon: immutable, mostly in the browser cache"),
        "asset_bytes": assumption(8000, "B", "site.css + beacon.js + icon.svg, compressed"),
        "api_reads": assumption(0.05, "requests/page", "SDK and subscriber reads of /api/posts"),
        "api_hit": assumption(80, "%", "s-maxage=60 on public API reads (blog/handlers/rest.py)"),
        "batch_s": Value(5, "s", "template: ViewsBatchWindowSeconds default 5 (aggregate-views)"),
        "views_ms": assumption(200, "ms", "one aggregate-views batch (one update per post), 512 MB"),
        "posts_per_batch": assumption(20, "posts", "distinct posts read in one 5 s batch"),
        "api_ms": measured(fig, "route_overhead", "in-process p50", "ms"),
        "subscribers": assumption(50_000 * factor, "subscribers", "5 % of monthly readers subscribe"),
        "new_posts": assumption(8, "posts/month", "two a week"),
        "peak": assumption(3, "x mean", "the busiest hour against the month's mean"),
    }
    views = i["readers"].value * i["pages"].value
    html_misses = views * (1 - i["hit_real"].value / 100)
    assets = views * i["assets"].value
    api = views * i["api_reads"].value
    api_origin = api * (1 - i["api_hit"].value / 100)
    cdn_requests = views + assets + api + views  # pages, assets, API reads, the view beacon's POST
    cdn_bytes = views * i["page_bytes"].value + assets * i["asset_bytes"].value + api * 2000
    batches = MONTH_S / i["batch_s"].value  # one shard: one batch per window while views flow
    emails = i["subscribers"].value * i["new_posts"].value + i["subscribers"].value * 0.1  # + welcomes
    view_rps = per_second(views, i["peak"].value)
    shards = max(1, math.ceil(view_rps / QUOTAS["kinesis_shard_records"].value))
    lambdas = api_origin + batches * shards + i["new_posts"].value * 3  # API, views, outbox/render
    api_ms = math.ceil(
        i["api_ms"].value * 1769 / 512
    )  # billed per ms; Lambda's CPU is proportional to memory: 1,769 MB = 1 vCPU
    layers = [
        ("CDN requests (pages, assets, API, view beacons)", cdn_requests, "requests"),
        ("CDN bytes out", cdn_bytes / GB, "GB"),
        ("S3 GETs (page misses)", html_misses, "requests"),
        ("API Gateway (view beacons + API misses)", views + api_origin, "requests"),
        ("Kinesis records (views)", views, "records"),
        ("Lambda invocations", lambdas, "invocations"),
        ("DynamoDB writes (view counters)", batches * shards * i["posts_per_batch"].value, "WRU"),
        ("DynamoDB reads (API misses)", api_origin, "RRU"),
        ("SES sends", emails, "emails"),
    ]
    limits = [
        ("API Gateway RPS (beacons)", per_second(views + api_origin, i["peak"].value), QUOTAS["apigw_rps"]),
        ("views route stage throttle", view_rps, QUOTAS["views_stage"]),
        ("posts API stage throttle (CDN misses)", per_second(api_origin, i["peak"].value), QUOTAS["blog_stage"]),
        ("Kinesis records/s on 1 shard", view_rps, QUOTAS["kinesis_shard_records"]),
        ("CloudFront RPS", per_second(cdn_requests, i["peak"].value), QUOTAS["cf_rps"]),
        ("Lambda concurrency (API)", concurrency(per_second(api_origin, i["peak"].value), api_ms),
         QUOTAS["lambda_concurrency"]),
        ("SES rate if one post's emails go out in 1 h", i["subscribers"].value / 3600, QUOTAS["ses_sandbox_rate"]),
    ]  # fmt: skip
    costs = [
        ("CloudFront (bytes, HTTPS requests)", cdn_cost(cdn_requests, cdn_bytes)),
        ("API Gateway REST", rest_cost(views + api_origin)),
        ("Kinesis (shard-hours, PUT units)", shards * 720 * PRICES["kinesis_shard_hour"].value
         + views / 1e6 * PRICES["kinesis_put_million"].value),
        ("Lambda", lambda_cost(api_origin, api_ms, 512) + lambda_cost(batches * shards, i["views_ms"].value, 512)),
        ("DynamoDB on-demand", batches * shards * i["posts_per_batch"].value / 1e6 * PRICES["ddb_wru_million"].value
         + api_origin * 0.5 / 1e6 * PRICES["ddb_rru_million"].value),
        ("S3 GETs ($0.0004 per 1,000, assumption: S3 Standard list price)", html_misses / 1000 * 0.0004),
        ("SES", emails / 1000 * PRICES["ses_thousand"].value),
    ]  # fmt: skip
    return Plan("MyBlog", i, layers, limits, costs)


def todos(fig: dict, factor: float = 1) -> Plan:
    i = {
        "dau": assumption(100_000 * factor, "daily users", "the brief: 100 k daily users"),
        "reads": assumption(18, "reads/user/day", "9 of 10 requests are reads, as in bench/load.py's mix"),
        "writes": assumption(2, "writes/user/day", "1 of 10"),
        "list_share": assumption(50, "%", "reads that list (GET /todos) rather than GET /todos/{id}"),
        "list_bytes": measured(fig, "load", "GET /todos body bytes", "B"),
        "item_bytes": measured(fig, "load", "GET /todos/{id} body bytes", "B"),
        "api_ms": measured(fig, "route_overhead", "in-process p50", "ms"),
        "mau": assumption(3, "MAU per DAU", "monthly actives over daily actives"),
        "peak": assumption(3, "x mean", "the busiest hour against the month's mean"),
        "cache": assumption(0, "%", "EnableApiCache off (the default): per-user data, read-your-writes"),
    }
    reads = i["dau"].value * i["reads"].value * 30
    writes = i["dau"].value * i["writes"].value * 30
    lists = reads * i["list_share"].value / 100
    gets = reads - lists
    origin_reads = reads * (1 - i["cache"].value / 100)
    list_rru = math.ceil(i["list_bytes"].value / 4096) * 0.5  # a Query page, eventually consistent
    rru = (lists * list_rru + gets * 0.5) * (1 - i["cache"].value / 100)
    wru = writes * 1  # items under 1 KB: POST a PutItem, PATCH an UpdateItem
    api_ms = math.ceil(i["api_ms"].value * 1769 / 512)  # billed per ms, CPU in proportion to memory
    invocations = origin_reads + writes
    peak_rps = per_second(reads + writes, i["peak"].value)
    mau = i["dau"].value * i["mau"].value
    layers = [
        ("API Gateway requests", reads + writes, "requests"),
        ("API cache hits", reads - origin_reads, "requests"),
        ("Lambda invocations", invocations, "invocations"),
        ("DynamoDB reads", rru, "RRU"),
        ("DynamoDB writes", wru, "WRU"),
        ("Cognito monthly active users", mau, "MAU"),
        ("API bytes out", (lists * i["list_bytes"].value + gets * i["item_bytes"].value) / GB, "GB"),
        ("SES sends (sign-up codes, assumption: 5 % of MAU sign up a month)", mau * 0.05, "emails"),
    ]
    limits = [
        ("API Gateway RPS", peak_rps, QUOTAS["apigw_rps"]),
        ("todos stage throttle", peak_rps, QUOTAS["todos_stage"]),
        ("Lambda concurrency", concurrency(per_second(invocations, i["peak"].value), api_ms),
         QUOTAS["lambda_concurrency"]),
        ("SES rate (sign-up codes at the peak)", per_second(mau * 0.05, i["peak"].value), QUOTAS["ses_sandbox_rate"]),
    ]  # fmt: skip
    costs = [
        ("API Gateway REST", rest_cost(reads + writes)),
        ("Lambda", lambda_cost(invocations, api_ms, 512)),
        ("DynamoDB on-demand", rru / 1e6 * PRICES["ddb_rru_million"].value
         + wru / 1e6 * PRICES["ddb_wru_million"].value),
        ("Cognito", max(mau - 10_000, 0) * PRICES["cognito_mau"].value),
        ("API Gateway data out ($0.09/GB, assumption: EC2-style internet egress)",
         (lists * i["list_bytes"].value + gets * i["item_bytes"].value) / GB * 0.09),
        ("SES", mau * 0.05 / 1000 * PRICES["ses_thousand"].value),
    ]  # fmt: skip
    return Plan("MyTodoList", i, layers, limits, costs)


def updates(fig: dict, factor: float = 1) -> Plan:
    i = {
        "size": assumption(15, "GB", "the brief: a 15 GB update pack"),
        "downloads": assumption(100_000 * factor, "downloads/day", "the brief: 100 k in a day"),
        "offload": measured(fig, "updates_offload", "offload ratio", "%"),
        "recs": assumption(13, "regional edge caches", "each fetches once per TTL without Origin Shield"),
        "peak": assumption(2, "x mean", "the busiest hour of the release day against the day's mean"),
    }
    bytes_out = i["size"].value * GB * i["downloads"].value
    gbps = bytes_out * 8 / 86400 / 1e9 * i["peak"].value
    origin_fetches = i["recs"].value
    layers = [
        ("CDN requests (one GET per download, as the bench)", i["downloads"].value, "requests"),
        ("CDN bytes out", bytes_out / GB, "GB"),
        ("origin fetches (bench: one per object per TTL per cache)", origin_fetches, "requests"),
        ("origin bytes", origin_fetches * i["size"].value, "GB"),
        ("Lambda, DynamoDB, SES", 0, "none in this stack"),
    ]
    limits = [
        ("CloudFront Gbit/s at the peak", gbps, QUOTAS["cf_gbps"]),
        ("CloudFront RPS at the peak", i["downloads"].value / 86400 * i["peak"].value, QUOTAS["cf_rps"]),
        ("pack size against the largest cacheable object", i["size"].value, QUOTAS["cf_object_gb"]),
    ]
    costs = [("CloudFront (bytes, HTTPS requests)", cdn_cost(i["downloads"].value, bytes_out))]
    return Plan("Update pack (one release day)", i, layers, limits, costs)


def fmt(value: float) -> str:
    if value == 0:
        return "0"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:,.2f}" if abs(value) >= 1 else f"{value:.3g}"


def markdown(plan: Plan, grown: Plan) -> str:
    out = [f"### {plan.name}", "", "| input | value | source |", "|---|---|---|"]
    out += [f"| {k} | {fmt(v.value)} {v.unit} | {v.source} |" for k, v in plan.inputs.items()]
    out += ["", "| layer | a month | x10 |", "|---|---|---|"]
    out += [
        f"| {n} | {fmt(v)} {u} | {fmt(g)} |" for (n, v, u), (_, g, _) in zip(plan.layers, grown.layers, strict=True)
    ]
    out += ["", "| limit met | at the peak | use | x10 | use x10 | default quota |", "|---|---|---|---|---|---|"]
    for (n, v, q), (_, g, _) in zip(plan.limits, grown.limits, strict=True):
        uses = [f"{x / q.value:.1%}" + (" **over**" if x > q.value else "") for x in (v, g)]
        out.append(f"| {n} | {fmt(v)} | {uses[0]} | {fmt(g)} | {uses[1]} | {fmt(q.value)} {q.unit} ({q.source}) |")
    out += ["", "| cost line | $ a month | x10 |", "|---|---|---|"]
    out += [f"| {n} | {fmt(c)} | {fmt(g)} |" for (n, c), (_, g) in zip(plan.costs, grown.costs, strict=True)]
    out += [f"| **total** | **{fmt(plan.total)}** | **{fmt(grown.total)}** |", ""]
    return "\n".join(out)


def load_figures(path: Path) -> dict:
    record = json.loads(path.read_text())
    figures: dict[str, dict[str, float]] = {}
    for run in record["runs"]:  # keyed by the script's name, which run_all.py records
        for f in run["figures"]:
            figures.setdefault(run["bench"], {})[f["name"]] = f["value"]
    return figures


def document(figures: dict, factor: float = 10) -> str:
    plans = [(make(figures), make(figures, factor)) for make in (blog, todos, updates)]
    prices = ["| price | value | source |", "|---|---|---|"]
    prices += [f"| {k} | {v.value:g} {v.unit} | {v.source} |" for k, v in PRICES.items()]
    prices.append("| CloudFront tiers | " + ", ".join(f"{p}" for _, p in CF_TIERS) + " $/GB | 10 TB, 40 TB, 100 TB, "
                  "350 TB, 524 TB, 4 PB, then the rest |")  # fmt: skip
    return "\n".join([*prices, "", *(markdown(p, g) for p, g in plans)])


BEGIN, END = "<!-- tables from bench/scale_plan.py: begin -->", "<!-- tables from bench/scale_plan.py: end -->"


def replace_tables(text: str, tables: str) -> str:
    """`text` with what lies between the BEGIN and END markers replaced by `tables`."""
    start, end = text.index(BEGIN) + len(BEGIN), text.index(END)
    return text[:start] + "\n\n" + tables.strip() + "\n\n" + text[end:]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bench", type=Path, default=ROOT / "docs" / "bench-figures.json")
    parser.add_argument("--factor", type=float, default=10, help="the growth the second column shows")
    parser.add_argument("--update", type=Path, help="write the tables between the markers of this file instead")
    args = parser.parse_args(argv)
    tables = document(load_figures(args.bench), args.factor)
    if args.update:
        args.update.write_text(replace_tables(args.update.read_text(), tables))
        print(f"updated {args.update}")
    else:
        print(tables)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
