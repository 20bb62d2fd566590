"""Percentiles and the figure tables every bench prints, so all scripts report alike."""

from __future__ import annotations

import math
from dataclasses import dataclass, field


def percentile(samples: list[float], q: float) -> float:
    """The q-th percentile (0..100) with linear interpolation between closest ranks."""
    if not samples:
        raise ValueError("percentile of no samples")
    if not 0 <= q <= 100:
        raise ValueError(f"percentile {q} outside 0..100")
    ordered = sorted(samples)
    rank = (len(ordered) - 1) * q / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def median(samples: list[float]) -> float:
    return percentile(samples, 50)


@dataclass
class Latency:
    """Latency samples in milliseconds."""

    samples: list[float] = field(default_factory=list)

    @property
    def n(self) -> int:
        return len(self.samples)

    @property
    def p50(self) -> float:
        return percentile(self.samples, 50)

    @property
    def p99(self) -> float:
        return percentile(self.samples, 99)

    @property
    def mean(self) -> float:
        return sum(self.samples) / len(self.samples)


@dataclass
class Figure:
    """One line of a summary: what was measured, its value and unit."""

    bench: str
    name: str
    value: float | None
    unit: str = "ms"
    note: str = ""

    def formatted(self) -> str:
        if self.value is None:
            return "-"
        if self.unit == "x":
            return f"{self.value:.2f}x"
        if self.unit == "" and float(self.value).is_integer():
            return str(int(self.value))  # a count
        return f"{self.value:.3f} {self.unit}" if self.value < 10 else f"{self.value:.1f} {self.unit}"


def table(rows: list[list[str]], header: list[str]) -> str:
    """A plain left-aligned text table."""
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(str(c).ljust(w) for c, w in zip(header, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    return "\n".join(lines)


def latency_table(sides: dict[str, Latency], baseline: str | None = None) -> str:
    """p50/p99/mean per side; with a baseline, a last row of ratios side/baseline for the other side."""
    rows = [[name, str(lat.n), f"{lat.p50:.3f}", f"{lat.p99:.3f}", f"{lat.mean:.3f}"] for name, lat in sides.items()]
    if baseline and len(sides) == 2:
        other = next(name for name in sides if name != baseline)
        a, b = sides[other], sides[baseline]
        ratios = [f"{a.p50 / b.p50:.2f}", f"{a.p99 / b.p99:.2f}", f"{a.mean / b.mean:.2f}"]
        rows.append([f"ratio {other}/{baseline}", "", *ratios])
    return table(rows, ["", "n", "p50 ms", "p99 ms", "mean ms"])


def figures_table(figures: list[Figure]) -> str:
    return table([[f.bench, f.name, f.formatted(), f.note] for f in figures], ["bench", "figure", "value", "note"])


def cli(run) -> None:
    """A bench script's entry point: `run(argv)` prints its figures; `--figures-json FILE` also saves them
    (how run_all.py collects them from each bench's own process)."""
    import json
    import sys
    from dataclasses import asdict

    argv = sys.argv[1:]
    out = None
    if "--figures-json" in argv:
        at = argv.index("--figures-json")
        out = argv[at + 1]
        del argv[at : at + 2]
    figures = run(argv)
    if out:
        with open(out, "w") as f:
            json.dump([asdict(fig) for fig in figures], f)
