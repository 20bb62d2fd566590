"""Lighthouse on the blog through the local CDN: the home page and a post page of a localcloud on the root
template with the demo posts (scripts/seed_blog.py), run headless on Debian's chromium. Prints the
performance, accessibility, best-practices and SEO scores and LCP, CLS and TBT, each the median of `--runs`
runs per page (the pages alternate which goes first), against the goal of 95 or more in each category, and
per run the performance score, TBT and Lighthouse's benchmarkIndex (how fast it found this machine's CPU).

Lighthouse is the npm package pinned in tools/lighthouse (12.x: 13.x needs node 22). Without node, that
package or a chromium, the bench says what is missing and skips (exit 0, no figures measured).
"""

from __future__ import annotations

import argparse
import json
import os
import runpy
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import localcloud_up
import requests
from stats import Figure, cli, median, table

ROOT = Path(__file__).resolve().parent.parent
LIGHTHOUSE = ROOT / "tools" / "lighthouse" / "node_modules" / "lighthouse" / "cli" / "index.js"
INSTALL = "npm ci --prefix tools/lighthouse --ignore-scripts --no-audit --no-fund"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
METRICS = {"LCP ms": "largest-contentful-paint", "CLS": "cumulative-layout-shift", "TBT ms": "total-blocking-time"}
GOAL = 95
POST = "hello-myblog"  # one of the seeded posts
# headless without a sandbox (these machines run as root) and without a GPU
CHROME_FLAGS = "--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage"


def missing_tools(chrome: str) -> str | None:
    """Why Lighthouse cannot run here, or None."""
    if shutil.which("node") is None:
        return "node is not on PATH"
    if not LIGHTHOUSE.exists():
        return f"lighthouse is not installed (run `{INSTALL}`)"
    if not (Path(chrome).is_file() and os.access(chrome, os.X_OK)):
        return f"no chromium at {chrome} (apt-get install chromium, or set CHROME_PATH)"
    return None


def wait_for(url: str, timeout: float = 60) -> None:
    """Until the page is served (render-site writes it shortly after the seed publishes)."""
    deadline = time.monotonic() + timeout
    while requests.get(url, timeout=30).status_code != 200:
        if time.monotonic() > deadline:
            raise TimeoutError(f"{url} not served after {timeout:.0f} s")
        time.sleep(0.2)


def lighthouse(url: str, chrome: str, preset: str, out: Path) -> dict:
    """One Lighthouse run: the category scores (0-100) and the metrics, from its JSON report."""
    args = ["node", str(LIGHTHOUSE), url, "--quiet", "--output=json", f"--output-path={out}",
            f"--chrome-flags={CHROME_FLAGS}", f"--only-categories={','.join(CATEGORIES)}"]  # fmt: skip
    if preset != "mobile":
        args.append(f"--preset={preset}")
    done = subprocess.run(args, env={**os.environ, "CHROME_PATH": chrome}, capture_output=True, text=True,
                          timeout=300, check=False)  # fmt: skip
    if done.returncode != 0 or not out.exists():
        raise RuntimeError(f"lighthouse exited {done.returncode} on {url}:\n{done.stderr[-2000:]}")
    report = json.loads(out.read_text())
    if report.get("runtimeError"):
        raise RuntimeError(f"lighthouse on {url}: {report['runtimeError']}")
    scores = {name: report["categories"][name]["score"] * 100 for name in CATEGORIES}
    metrics = {label: report["audits"][audit]["numericValue"] for label, audit in METRICS.items()}
    failing = sorted(
        audit["id"] for audit in report["audits"].values()
        if audit.get("scoreDisplayMode") == "binary" and audit.get("score") == 0
    )  # fmt: skip
    # Lighthouse's CPU speed score for this machine: below 1000 it warns that the host CPU is slower than it
    # expects, which lowers the performance score (its mobile run multiplies CPU work by 4)
    benchmark = report.get("environment", {}).get("benchmarkIndex", 0)
    return {**scores, **metrics, "failing": failing, "benchmark": benchmark}


def skipped(reason: str) -> list[Figure]:
    print(f"blog_lighthouse: SKIPPED: {reason}")
    return [Figure("blog_lighthouse", "skipped", None, note=reason)]


def run(argv: list[str]) -> list[Figure]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="Lighthouse runs per page (the median is reported)")
    parser.add_argument("--preset", choices=["mobile", "desktop"], default="mobile",
                        help="Lighthouse's form factor and throttling (mobile is its default)")  # fmt: skip
    parser.add_argument("--reports", type=Path, help="keep each run's JSON report in this folder")
    args = parser.parse_args(argv)
    chrome = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
    reason = missing_tools(chrome)
    if reason:
        return skipped(reason)

    results: dict[str, list[dict]] = {"home": [], "post": []}
    with tempfile.TemporaryDirectory(prefix="bench-lighthouse-") as state:
        cloud = localcloud_up.start(Path(state), Path(state) / "log.txt")
        try:
            print(runpy.run_path(str(ROOT / "scripts" / "seed_blog.py"))["seed"](cloud.endpoints).splitlines()[0])
            cdn = cloud.endpoints["cdn"]["Blog/Cdn"]
            pages = {"home": f"{cdn}/", "post": f"{cdn}/posts/{POST}"}
            for url in pages.values():
                wait_for(url)
            reports = args.reports or Path(state)
            reports.mkdir(parents=True, exist_ok=True)
            for n in range(args.runs):
                order = list(pages) if n % 2 == 0 else list(reversed(pages))  # neither page always goes first
                for page in order:
                    results[page].append(lighthouse(pages[page], chrome, args.preset, reports / f"{page}-{n}.json"))
        finally:
            cloud.stop()

    labels = [*CATEGORIES, *METRICS]
    medians = {page: {label: median([r[label] for r in runs]) for label in labels} for page, runs in results.items()}
    rows = [[page, *(f"{m[c]:.0f}" for c in CATEGORIES), f"{m['LCP ms']:.0f}", f"{m['CLS']:.3f}",
             f"{m['TBT ms']:.0f}"] for page, m in medians.items()]  # fmt: skip
    print(f"\nLighthouse 12 ({args.preset}), median of {args.runs} run(s) per page, through the local CDN:")
    print(table(rows, ["page", *CATEGORIES, *METRICS]))
    missed = [f"{page} {c} {m[c]:.0f}" for page, m in medians.items() for c in CATEGORIES if m[c] < GOAL]
    print(f"goal >= {GOAL} in each category: " + (f"missed ({', '.join(missed)})" if missed else "met"))
    for page, runs in results.items():
        print(f"  {page}: performance per run {', '.join(f'{r["performance"]:.0f}' for r in runs)}; "
              f"TBT ms per run {', '.join(f'{r["TBT ms"]:.0f}' for r in runs)}; "
              f"benchmarkIndex per run {', '.join(f'{r["benchmark"]:.0f}' for r in runs)}")  # fmt: skip
        failing = sorted({audit for r in runs for audit in r["failing"]})
        if failing:
            print(f"  {page}: failing audits in some run: {', '.join(failing)}")
    figures = []
    for page, m in medians.items():
        figures += [Figure("blog_lighthouse", f"{page} {c}", m[c], "/100") for c in CATEGORIES]
        figures += [Figure("blog_lighthouse", f"{page} LCP", m["LCP ms"]), Figure("blog_lighthouse", f"{page} TBT",
                    m["TBT ms"]), Figure("blog_lighthouse", f"{page} CLS", m["CLS"], "")]  # fmt: skip
    return figures


if __name__ == "__main__":
    cli(run)
