"""The dependency map: each component of the monorepo, the paths it owns and what it consumes and exposes.

Services declare themselves in `services/<name>/service.yaml` (tests/tooling checks each declaration against
its template), and API clients in `clients/<language>/client.yaml` (named `<language>-client`: tested, never
deployed; they consume the APIs they call and the SSM outputs they read). Three components have no
declaration file and are described here:

- `shared`, the layers stack (layers/template.yaml) every service mounts and reads the ARN of from SSM;
- `localcloud`, the local runtime every service's integration tests run on (tested, never deployed);
- `root`, the wiring every component depends on (root template, config, Makefile, pins, CI): a change
  there tests and deploys everything. The pipelines deploy each component alone, never the root stack
  (an env is deployed one way, see the README), so `root` itself deploys nothing.

A component depends on another when it consumes something the other exposes (an SSM output, a topic, an API)
or mounts its layer. What a change affects is the closure of dependents, so a change to identity reaches
todos and whatever consumes todos in turn.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import yaml

KINDS = ("ssm", "topics", "apis")


@dataclass(frozen=True)
class Component:
    name: str
    paths: tuple[str, ...]  # path prefixes this component owns ("services/todos/")
    tests: tuple[str, ...]  # what `make test SERVICE=name` runs
    deploy: str | None  # what `make deploy SERVICE=...` takes ("todos", "shared"), or None: never deployed
    layers: tuple[str, ...] = ()
    consumes: frozenset[str] = frozenset()  # "ssm:identity/UserPoolArn", "topics:blog/BlogEvents"
    exposes: frozenset[str] = frozenset()
    tested_with_everything: bool = False  # every service's tests exercise it (localcloud)

    def owns(self, path: str) -> bool:
        return any(path == p.rstrip("/") or path.startswith(p) for p in self.paths)


BUILT_IN = (
    Component(
        name="shared",
        paths=("layers/", "tests/common/"),
        tests=("tests/common",),
        deploy="shared",
        exposes=frozenset({"ssm:shared/LayerArn"}),
    ),
    Component(
        name="localcloud",
        paths=(
            "localcloud/",
            "tests/localcloud/",
            "tests/edge/",
            "tests/faults/",
            "tests/support/",
            "tests/corpus/",
            "bench/",
        ),
        tests=("tests/localcloud", "tests/edge", "tests/faults", "tests/corpus"),
        deploy=None,
        tested_with_everything=True,
    ),
    Component(
        name="root",
        paths=(
            "template.yaml",
            "samconfig.toml",
            "Makefile",
            "pyproject.toml",
            "requirements/",
            "scripts/",
            "tools/",
            "tests/conftest.py",
            "tests/tooling/",
            "tests/apis/",
            ".ci/",
            ".github/",
        ),
        tests=("tests/tooling", "tests/apis"),
        deploy=None,
    ),
)


class MapError(ValueError):
    """A service.yaml that cannot be read, or that names something nobody exposes."""


def _declared(path: Path, name: str, *, deploy: str | None, paths: tuple[str, ...]) -> Component:
    """The component a service.yaml or client.yaml declares; `name` is what its folder says it must be."""
    try:
        data = yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError as exc:
        raise MapError(f"{path}: not YAML: {exc}") from exc
    if data.get("name") != name:
        raise MapError(f"{path}: name must be {name!r}, after the folder's name")

    def declared(section: str) -> frozenset[str]:
        block = data.get(section) or {}
        unknown = set(block) - set(KINDS)
        if unknown:
            raise MapError(f"{path}: {section} has unknown kinds {sorted(unknown)}; use {', '.join(KINDS)}")
        return frozenset(f"{kind}:{item}" for kind in KINDS for item in block.get(kind) or ())

    return Component(
        name=name,
        paths=tuple(data.get("paths") or paths),
        tests=tuple(data.get("tests") or (f"tests/{name}",)),
        deploy=deploy,
        layers=tuple(data.get("layers") or ()),
        consumes=declared("consumes"),
        exposes=declared("exposes"),
    )


def _service(path: Path) -> Component:
    name = path.parent.name
    return _declared(path, name, deploy=name, paths=(f"services/{name}/",))


def _client(path: Path) -> Component:
    return _declared(path, f"{path.parent.name}-client", deploy=None, paths=(f"{path.parent.as_posix()}/",))


@dataclass(frozen=True)
class ServiceMap:
    components: tuple[Component, ...]

    @classmethod
    def load(cls, root: Path | str = ".") -> ServiceMap:
        services = tuple(_service(p) for p in sorted(Path(root).glob("services/*/service.yaml")))
        clients = tuple(_client(p) for p in sorted(Path(root).glob("clients/*/client.yaml")))
        found = cls(BUILT_IN + services + clients)
        found.check()
        return found

    def __getitem__(self, name: str) -> Component:
        for component in self.components:
            if component.name == name:
                return component
        raise KeyError(f"no component {name!r}; choose one of: {', '.join(self.names())}")

    def names(self) -> list[str]:
        return [c.name for c in self.components]

    def check(self) -> None:
        exposed = {item for c in self.components for item in c.exposes}
        for component in self.components:
            missing = sorted(component.consumes - exposed)
            if missing:
                raise MapError(f"{component.name} consumes what no component exposes: {', '.join(missing)}")
            for layer in component.layers:
                self[layer]

    def dependencies(self, component: Component) -> set[str]:
        """The components `component` consumes from directly (the root and localcloud apart)."""
        found = set(component.layers)
        for other in self.components:
            if other is not component and component.consumes & other.exposes:
                found.add(other.name)
        return found

    def owners(self, path: str) -> set[str]:
        return {c.name for c in self.components if c.owns(path)}

    def affected(self, changed_paths: Iterable[str], *, for_tests: bool = True) -> set[str]:
        """Every component a change to these paths can break: their owners and the owners' dependents.

        For tests, a change to a component every service is tested on (localcloud) reaches every service;
        for deploys it does not, since nothing of it ships.
        """
        reached = set().union(set(), *(self.owners(p) for p in changed_paths))
        if "root" in reached:
            return set(self.names())
        if for_tests and any(self[name].tested_with_everything for name in reached):
            reached |= {c.name for c in self.components if c.deploy is not None and c.name != "shared"}
        frontier = set(reached)
        while frontier:
            frontier = {c.name for c in self.components if c.name not in reached and self.dependencies(c) & frontier}
            reached |= frontier
        return reached

    def plan(self, changed_paths: Iterable[str]) -> dict[str, list[str]]:
        """What CI must test (component names) and deploy (make deployables) for these changed paths."""
        paths = list(changed_paths)
        tests = self.affected(paths)
        deploys = {self[name].deploy for name in self.affected(paths, for_tests=False)} - {None}
        order = self.names()
        return {
            "test": sorted(tests, key=order.index),
            "deploy": sorted(deploys, key=lambda d: (d != "shared", d)),
        }


def main(argv: list[str] | None = None) -> int:
    """`python -m tools.services tests NAME` prints NAME's test paths; `graph` prints who consumes whom."""
    import argparse
    import sys

    parser = argparse.ArgumentParser(prog="python -m tools.services")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("tests", help="the test paths of one component").add_argument("name")
    sub.add_parser("graph", help="each component and what it depends on")
    args = parser.parse_args(argv)
    try:
        services = ServiceMap.load()
        if args.command == "tests":
            print(" ".join(services[args.name].tests))
        else:
            for component in services.components:
                print(f"{component.name}: {' '.join(sorted(services.dependencies(component))) or '-'}")
    except (MapError, KeyError) as exc:
        print(f"services: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
