"""What the terminal summary adds: the corpus count `make test` prints (which public SAM apps work, and why
the others do not), and a loud note when the Swagger UI browser test could not run.

The top conftest (tests/conftest.py) calls these from its hooks, because xdist's controller, which writes
the terminal summary, loads no conftest below it; each worker tags its corpus reports in
tests/corpus/conftest.py."""

from __future__ import annotations

_OUTCOMES: dict[str, list[tuple[str, str]]] = {}  # app -> [(outcome, reason)] of its tests


def record(report) -> None:
    """Counted where the terminal summary is written: in the one process, or in xdist's controller."""
    for key, value in report.user_properties:
        if key == "corpus":
            name, outcome, reason = value
            _OUTCOMES.setdefault(name, []).append((outcome, reason))


def write_corpus_count(terminalreporter) -> None:
    if not _OUTCOMES:
        return
    working = [name for name, results in _OUTCOMES.items() if all(o in ("passed", "slow") for o, _ in results)]
    terminalreporter.section("corpus")
    terminalreporter.write_line(f"corpus: {len(working)}/{len(_OUTCOMES)} public SAM apps work")
    slow = sum(o == "slow" for results in _OUTCOMES.values() for o, _ in results)
    if slow:
        terminalreporter.write_line(f"  ({slow} slow tests not run: pytest -m slow tests/corpus)")
    for name in sorted(set(_OUTCOMES) - set(working)):
        bad = [(o, r) for o, r in _OUTCOMES[name] if o not in ("passed", "slow")]
        kinds = sorted({o for o, _ in bad})
        reasons = "; ".join(dict.fromkeys(r for _, r in bad))
        terminalreporter.write_line(f"  {name}: {'/'.join(kinds)}: {reasons}")


BROWSER_SKIP_MARK = "chromium is not installed"


def write_browser_note(terminalreporter) -> None:
    """A loud note when the Swagger UI browser test could not run (chromium missing)."""
    skipped = terminalreporter.stats.get("skipped", [])
    if any(BROWSER_SKIP_MARK in str(getattr(report, "longrepr", "")) for report in skipped):
        terminalreporter.write_sep("!", "THE SWAGGER UI BROWSER TEST DID NOT RUN", red=True, bold=True)
        terminalreporter.write_line(
            "chromium could not be found at /usr/bin/chromium. Install it with `make browser-deps` "
            "(apt-get install chromium chromium-driver) and run tests/localcloud/test_console_browser.py.",
            red=True,
        )
