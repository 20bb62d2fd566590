"""The corpus of public SAM apps: each app under apps/ is kept unchanged; their own tests are not ours.

Each test class drives one app (`APP = "<folder>"`, optional `PARAMS` and `STACK` as `sam deploy
--parameter-overrides … --stack-name …` would pass them) on its own localcloud, started once for the
class. After the run, the terminal summary counts the apps that work and names each one that does not,
with the reason."""

from __future__ import annotations

import pytest

from tests.corpus.support import start_app

collect_ignore_glob = ["apps/*"]


@pytest.fixture(scope="session")
def _stopping():
    """Apps asked to stop and still shutting down; reaped once, at the end of the session."""
    clouds: list = []
    yield clouds
    for cloud in clouds:
        cloud.stop()


@pytest.fixture(scope="class")
def app(request, tmp_path_factory, _stopping):
    name = request.cls.APP
    params, stack = getattr(request.cls, "PARAMS", None), getattr(request.cls, "STACK", None)
    cloud = start_app(name, tmp_path_factory.mktemp(name), params, stack)
    yield cloud
    cloud.stop_soon()
    _stopping.append(cloud)


def pytest_collection_modifyitems(config, items):
    """Slow drives (minutes of real waiting) run only when asked: `pytest -m slow tests/corpus`."""
    if "slow" in (config.getoption("markexpr") or ""):
        return
    for item in items:
        if item.get_closest_marker("slow") and getattr(item.cls, "APP", None):
            item.add_marker(pytest.mark.skip(reason="slow: run with `pytest -m slow tests/corpus`"))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    name = getattr(item.cls, "APP", None)
    if name is None:
        return
    if report.when == "call" or (report.when == "setup" and not report.passed):
        # carried on the report, so that the count is whole when xdist workers run the apps
        report.user_properties.append(("corpus", [name, *_classify(report)]))


def _classify(report) -> tuple[str, str]:
    if hasattr(report, "wasxfail"):
        return ("xfail", report.wasxfail) if report.skipped else ("passed", "")  # a non-strict XPASS
    if report.skipped:
        reason = str(report.longrepr[-1]) if isinstance(report.longrepr, (tuple, list)) else "skipped"
        return ("slow", reason) if "slow:" in reason else ("skipped", reason)
    if report.failed and str(report.longrepr).startswith("[XPASS(strict)]"):
        return "failed", f"{report.longrepr} (it works now: drop the xfail mark)"
    if report.failed:
        message = getattr(report.longrepr, "reprcrash", None)
        return "failed", (message.message.splitlines()[0] if message else "failed")[:160]
    return "passed", ""
