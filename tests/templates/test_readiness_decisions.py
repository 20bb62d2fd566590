"""Every switched-off check is a written decision, and every function is built for the architecture it runs on.

checkov passes a resource it is told to skip, and cfn-lint one whose template ignores a rule; neither asks
why. Here each skip (`Metadata.checkov.skip`) names its check and says why in its `comment`, each cfn-lint
`ignore_checks` has a YAML comment beside it, and nothing is switched off anywhere else (a config file or a
command-line flag would hide a check from every template at once).

Two hardening checks are decided resource by resource, whatever checkov covers: CKV_AWS_115 (a function's
reserved concurrency) and CKV_AWS_119 (a table's customer-managed key). checkov judges 119 on
AWS::DynamoDB::Table only, so a global table's key would go undecided without this test.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path

import pytest

from tests.templates.cfn import ALL_TEMPLATES, ROOT, STACK_TEMPLATES, load_template

FUNCTIONS = ("AWS::Serverless::Function", "AWS::Lambda::Function")
TABLES = ("AWS::DynamoDB::Table", "AWS::DynamoDB::GlobalTable")
CHECK_ID = re.compile(r"CKV2?_AWS_\d+")
MIN_REASON_WORDS = 4


def label(relative: str) -> str:
    return Path(relative).parent.name or "root"


each_template = pytest.mark.parametrize("relative", ALL_TEMPLATES, ids=label)
each_stack = pytest.mark.parametrize("relative", STACK_TEMPLATES, ids=label)


@cache
def template(relative: str) -> dict:
    """Loaded once per run (the tests only read it)."""
    return load_template(relative)


def resources(relative: str) -> dict[str, dict]:
    return template(relative).get("Resources") or {}


def checkov_skips(resource: dict) -> dict[str, str]:
    """Check id -> the reason written beside it."""
    skips = ((resource.get("Metadata") or {}).get("checkov") or {}).get("skip") or []
    return {skip.get("id", ""): skip.get("comment", "") for skip in skips}


def has_reason(text: str) -> bool:
    return len(str(text).split()) >= MIN_REASON_WORDS


@each_template
def test_every_checkov_skip_names_its_check_and_says_why(relative):
    bad = []
    for name, resource in resources(relative).items():
        skips = ((resource.get("Metadata") or {}).get("checkov") or {}).get("skip") or []
        ids = [skip.get("id", "") for skip in skips]
        bad += [f"{name}: {skip}" for skip in skips if not CHECK_ID.fullmatch(skip.get("id", ""))]
        bad += [f"{name} {skip['id']}: no reason" for skip in skips if not has_reason(skip.get("comment", ""))]
        bad += [f"{name}: {i} skipped twice" for i in set(ids) if ids.count(i) > 1]
    assert bad == [], f"{relative}: {bad}"


def ignore_lines(text: str) -> Iterator[tuple[int, str, str]]:
    """(line number, the ignore_checks line, the comment above or beside it) for each ignore in a template."""
    lines = text.splitlines()
    for number, line in enumerate(lines):
        if not re.match(r"\s*ignore_checks\s*:", line):
            continue
        beside = line.partition(" #")[2]
        above, i = [], number - 1
        while i >= 0 and lines[i].strip().startswith("#"):
            above.insert(0, lines[i].strip().lstrip("#"))
            i -= 1
        yield number + 1, line.strip(), " ".join([*above, beside]).strip()


@each_template
def test_every_cfn_lint_ignore_has_its_reason_beside_it(relative):
    text = (ROOT / relative).read_text()
    unexplained = [f"line {n}: {line}" for n, line, reason in ignore_lines(text) if not has_reason(reason)]
    assert unexplained == [], f"{relative}: an ignore without a comment above or beside it: {unexplained}"


def test_the_reason_finder_sees_comments_above_and_beside():
    text = (
        "a:\n  # the inputs default to empty and are used\n  # only under their conditions\n  ignore_checks: [W1030]\n"
    )
    ((_, _, reason),) = ignore_lines(text)
    assert reason == "the inputs default to empty and are used  only under their conditions"
    ((_, _, reason),) = ignore_lines("  ignore_checks: [E9103]  # Lambda@Edge logs in each edge region\n")
    assert has_reason(reason)
    ((_, _, reason),) = ignore_lines("x: 1\n  ignore_checks: [W1030]\n")
    assert not has_reason(reason)


SWITCHES = re.compile(r"--(skip-check|ignore-checks|skip-framework|soft-fail)\b|\bsoft_fail\b")


def test_no_check_is_switched_off_outside_the_templates():
    configs = [p.name for p in ROOT.iterdir() if re.fullmatch(r"\.(cfnlintrc|checkov)(\.ya?ml|\.json)?", p.name)]
    assert configs == [], f"a config file switches checks off for every template: {configs}"
    places = [ROOT / "Makefile", *(ROOT / ".github" / "workflows").glob("*.yml")]
    flagged = [
        f"{p.relative_to(ROOT)}: {line.strip()}"
        for p in places
        for line in p.read_text().splitlines()
        if SWITCHES.search(line)
    ]
    assert flagged == []


def function_globals(relative: str) -> dict:
    return (template(relative).get("Globals") or {}).get("Function") or {}


def undecided(relative: str, types: tuple[str, ...], check: str, settled: Callable[[dict], bool]) -> list[str]:
    """Resources of these types that neither settle the check themselves nor skip it with a reason."""
    return [
        name
        for name, resource in resources(relative).items()
        if resource["Type"] in types
        and not settled(resource)
        and not has_reason(checkov_skips(resource).get(check, ""))
    ]


@each_stack
def test_every_function_decides_its_reserved_concurrency(relative):
    """CKV_AWS_115: a reserved concurrency, or a skip saying why not."""
    defaults = function_globals(relative)

    def reserved(resource: dict) -> bool:
        return "ReservedConcurrentExecutions" in {**defaults, **(resource.get("Properties") or {})}

    assert undecided(relative, FUNCTIONS, "CKV_AWS_115", reserved) == [], (
        f"{relative}: set ReservedConcurrentExecutions or skip CKV_AWS_115 with a reason"
    )


def customer_key(resource: dict) -> bool:
    props = resource.get("Properties") or {}
    specs = [props.get("SSESpecification") or {}] + [
        (replica or {}).get("SSESpecification") or {}
        for replica in props.get("Replicas") or []
        if isinstance(replica, dict)
    ]
    return any("KMSMasterKeyId" in spec for spec in specs)


@each_stack
def test_every_table_decides_its_encryption_key(relative):
    """CKV_AWS_119, for global tables too: a customer-managed key, or a skip saying why the AWS key will do."""
    assert undecided(relative, TABLES, "CKV_AWS_119", customer_key) == [], (
        f"{relative}: give a KMSMasterKeyId or skip CKV_AWS_119 with a reason"
    )


def edge_functions(template: dict) -> set[str]:
    """Functions a CloudFront distribution runs as Lambda@Edge (named in its LambdaFunctionAssociations)."""

    def refs(value) -> Iterator[str]:
        if isinstance(value, dict):
            for key, inner in value.items():
                if key == "Ref" and isinstance(inner, str):
                    yield inner.split(".")[0]
                elif key == "Fn::GetAtt":
                    yield (inner[0] if isinstance(inner, list) else str(inner)).split(".")[0]
                else:
                    yield from refs(inner)
        elif isinstance(value, list):
            for inner in value:
                yield from refs(inner)

    def associations(value) -> Iterator:
        if isinstance(value, dict):
            for key, inner in value.items():
                yield from [inner] if key == "LambdaFunctionAssociations" else associations(inner)
        elif isinstance(value, list):
            for inner in value:
                yield from associations(inner)

    return {name for found in associations(template.get("Resources") or {}) for name in refs(found)}


@each_stack
def test_every_function_is_python313_on_arm64_and_lambda_at_edge_on_x86_64(relative):
    edge = edge_functions(template(relative))
    wrong = []
    for name, resource in resources(relative).items():
        if resource["Type"] != "AWS::Serverless::Function":
            continue
        props = {**function_globals(relative), **(resource.get("Properties") or {})}
        expected = ["x86_64"] if name in edge else ["arm64"]
        if props.get("Architectures") != expected or props.get("Runtime") != "python3.13":
            wrong.append(f"{name}: {props.get('Runtime')} {props.get('Architectures')}, expected python3.13 {expected}")
    assert wrong == [], f"{relative}: {wrong}"


def test_the_edge_finder_sees_the_blog_preview_guard():
    assert edge_functions(load_template("services/blog/template.yaml")) == {"PreviewGuardFunction"}
