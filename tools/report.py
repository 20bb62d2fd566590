"""docs/STATUS.md from what the benches and checks printed: never a figure typed by hand.

Inputs, each optional: the JSON `bench/run_all.py --json` writes (every bench's command, date, exit code
and figures), the output of `make validate` and its exit code (sam validate, cfn-lint and checkov counts
are read from it), and a pytest junit XML (the last test run's counts). What is missing is said so in the
file. A figure whose note states a goal ("goal <= 1.5", "goal ≥ 99.9", "goal 1") gets a met/missed mark.

    python -m tools.report --bench B.json --validate-log V.txt --validate-exit 0 --junit J.xml --out docs/STATUS.md
"""

from __future__ import annotations

import argparse
import json
import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from pathlib import Path

GOAL = re.compile(r"goal\s*(<=|≤|>=|≥|=)?\s*(-?\d+(?:\.\d+)?)")
CHECKOV = re.compile(r"Passed checks: (\d+), Failed checks: (\d+), Skipped checks: (\d+)")
CFN_LINT = re.compile(r"^([EWI])\d{4} ", re.MULTILINE)
SAM_VALID = re.compile(r"is a valid SAM Template")


def formatted(value: float | None, unit: str) -> str:
    """As the bench summary prints it (bench/stats.py Figure.formatted)."""
    if value is None:
        return "-"
    if unit == "x":
        return f"{value:.2f}x"
    number = f"{value:.3f}" if abs(value) < 10 else f"{value:.1f}"
    if unit == "" and float(value).is_integer():
        number = f"{int(value)}"
    return f"{number} {unit}".rstrip()


def goal_mark(value: float | None, note: str) -> str:
    """ "met" or "missed" when the note states a numeric goal; "" otherwise."""
    found = GOAL.search(note or "")
    if value is None or not found:
        return ""
    op, target = found.group(1) or "=", float(found.group(2))
    ok = {"<=": value <= target, "≤": value <= target, ">=": value >= target, "≥": value >= target}.get(
        op, abs(value - target) < 1e-9
    )
    return "met" if ok else "**missed**"


def cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def bench_section(record: dict | None) -> list[str]:
    if record is None:
        return ["## Benchmarks", "", "No bench results were given: run `make report` (it runs `bench/run_all.py`).", ""]
    lines = ["## Benchmarks", "", f"`{record['command']}`, finished {record['finished']}; {record['machine']}.", ""]
    if record.get("not_run"):
        lines += [f"Not run in this report: {', '.join(record['not_run'])}.", ""]
    for run in record["runs"]:
        status = "ok" if run["exit_code"] == 0 else f"**failed (exit code {run['exit_code']})**"
        took = f"{run['date']}, {run['seconds']:.0f} s"
        if "load" in run:  # the 1-minute load average as it ended: other work on the machine skews figures
            took += f", load average {run['load']}"
        lines += [f"### {run['bench']}", "", f"`{run['command']}`: {took}, {status}.", ""]
        if run["figures"]:
            lines += ["| figure | value | note | goal |", "|---|---|---|---|"]
            for f in run["figures"]:
                value = formatted(f["value"], f.get("unit", "ms"))
                note = f.get("note", "")
                lines.append(f"| {cell(f['name'])} | {cell(value)} | {cell(note)} | {goal_mark(f['value'], note)} |")
            lines.append("")
        if run.get("output"):
            lines += ["Its output (the last lines):", "", "```", *run["output"], "```", ""]
    return lines


def junit_counts(path: Path) -> dict:
    root = ET.parse(path).getroot()  # noqa: S314 (pytest's own file on this machine)
    suites = [root] if root.tag == "testsuite" else list(root.iter("testsuite"))
    counts = {k: sum(int(s.get(k, 0)) for s in suites) for k in ("tests", "failures", "errors", "skipped")}
    counts["time"] = sum(float(s.get("time", 0)) for s in suites)
    counts["timestamp"] = suites[0].get("timestamp", "") if suites else ""
    return counts


def tests_section(junit: Path | None) -> list[str]:
    lines = ["### Tests", ""]
    if junit is None or not junit.exists():
        where = f" ({junit})" if junit else ""
        return [*lines, f"No junit XML{where}: `make test` (or `make unit`) writes one; none was found.", ""]
    c = junit_counts(junit)
    passed = c["tests"] - c["failures"] - c["errors"] - c["skipped"]
    lines += [
        f"The last pytest run that wrote `{junit}` (started {c['timestamp'] or 'at an unknown time'}, "
        f"{c['time']:.0f} s): `make unit`.",
        "",
        "| tests | passed | failed | errors | skipped |",
        "|---|---|---|---|---|",
        f"| {c['tests']} | {passed} | {c['failures']} | {c['errors']} | {c['skipped']} |",
        "",
    ]
    return lines


def validate_counts(text: str) -> dict:
    checkov = [tuple(int(n) for n in m) for m in CHECKOV.findall(text)]
    kinds = CFN_LINT.findall(text)
    return {
        "sam_valid": len(SAM_VALID.findall(text)),
        "cfn_lint_errors": kinds.count("E"),
        "cfn_lint_warnings": kinds.count("W"),
        "checkov_ran": bool(checkov),
        "checkov_passed": sum(c[0] for c in checkov),
        "checkov_failed": sum(c[1] for c in checkov),
        "checkov_skipped": sum(c[2] for c in checkov),
    }


def validate_section(log: Path | None, exit_code: int | None, date: str) -> list[str]:
    lines = ["### Deploy-readiness (`make validate`)", ""]
    if log is None or not log.exists():
        return [*lines, "`make validate` was not run for this report.", ""]
    c = validate_counts(log.read_text(errors="replace"))
    status = "passed" if exit_code == 0 else f"**failed (exit code {exit_code})**"
    checkov = (
        f"{c['checkov_passed']} passed, {c['checkov_failed']} failed, {c['checkov_skipped']} skipped (with reasons)"
        if c["checkov_ran"]
        else "did not run (make validate stopped before it)"
    )
    return [
        *lines,
        f"`make validate`: {date}, {status}.",
        "",
        "| check | result |",
        "|---|---|",
        f"| sam validate --lint | {c['sam_valid']} templates valid |",
        f"| cfn-lint (with tools/cfn_rules) | {c['cfn_lint_errors']} errors, {c['cfn_lint_warnings']} warnings |",
        f"| checkov | {checkov} |",
        "",
    ]


def render(
    bench: dict | None,
    *,
    validate_log: Path | None = None,
    validate_exit: int | None = None,
    validate_date: str = "",
    junit: Path | None = None,
    generated: str | None = None,
) -> str:
    generated = generated or datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "# Status",
        "",
        f"Generated by `make report` on {generated} from the benches' and checks' own output "
        "(`python -m tools.report`); do not edit it by hand. The benches measure localcloud on this machine, "
        "not AWS: read a figure with the machine and load average it states. What each bench does: "
        "`bench/README.md`.",
        "",
        "## Checks",
        "",
        *tests_section(junit),
        *validate_section(validate_log, validate_exit, validate_date),
        *bench_section(bench),
    ]
    return "\n".join(lines).rstrip() + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bench", type=Path, help="bench/run_all.py --json output")
    parser.add_argument("--validate-log", type=Path, help="what `make validate` printed")
    parser.add_argument("--validate-exit", type=int, help="its exit code")
    parser.add_argument("--junit", type=Path, help="a pytest junit XML")
    parser.add_argument("--out", type=Path, default=Path("docs/STATUS.md"))
    args = parser.parse_args(argv)
    bench = json.loads(args.bench.read_text()) if args.bench and args.bench.exists() else None
    date = ""
    if args.validate_log and args.validate_log.exists():
        date = datetime.fromtimestamp(args.validate_log.stat().st_mtime, UTC).strftime("%Y-%m-%d %H:%M UTC")
    text = render(bench, validate_log=args.validate_log, validate_exit=args.validate_exit, validate_date=date,
                  junit=args.junit)  # fmt: skip
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
