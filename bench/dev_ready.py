"""`make dev` time to ready: from spawning `python -m localcloud up` on the root template until
`endpoints.json` exists and the gateway answers. The first start has an empty state dir; the demo seed
then adds a user and to-dos, and the restarts after it load that saved state, as a developer's next
`make dev` does. Prints each run and the medians."""

from __future__ import annotations

import argparse
import runpy
import tempfile
from pathlib import Path

import localcloud_up
from stats import Figure, cli, median, table

NAME = "make dev time to ready"
SEED = localcloud_up.ROOT / "scripts" / "seed_demo.py"


def run(argv: list[str] | None = None) -> list[Figure]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="restarts with saved state to measure (default 3)")
    parser.add_argument("--template", type=Path, default=localcloud_up.ROOT / "template.yaml")
    args = parser.parse_args(argv)

    state = Path(tempfile.mkdtemp(prefix="bench-dev-ready-")) / "state"
    rows, to_file, to_ready, cpu = [], [], [], []
    first = localcloud_up.start(state, state.parent / "up-0.log", template=args.template)
    seeded = SEED.exists() and args.template.name == "template.yaml"
    if seeded:
        runpy.run_path(str(SEED))["seed"](first.endpoints)
    first.stop()
    rows.append(
        [
            "first (empty state)",
            f"{first.seconds_to_endpoints:.2f}",
            f"{first.seconds_to_ready:.2f}",
            f"{first.cpu_to_endpoints:.2f}",
        ]
    )
    print(f"first start: ready in {first.seconds_to_ready:.2f} s", flush=True)
    cloud = first
    for i in range(args.runs):
        cloud = localcloud_up.start(state, state.parent / f"up-{i + 1}.log", template=args.template)
        cloud.stop()
        to_file.append(cloud.seconds_to_endpoints)
        to_ready.append(cloud.seconds_to_ready)
        cpu.append(cloud.cpu_to_endpoints)
        rows.append(
            [
                f"restart {i + 1}",
                f"{cloud.seconds_to_endpoints:.2f}",
                f"{cloud.seconds_to_ready:.2f}",
                f"{cloud.cpu_to_endpoints:.2f}",
            ]
        )
        print(f"restart {i + 1}: ready in {cloud.seconds_to_ready:.2f} s", flush=True)
    rows.append(["median restart", f"{median(to_file):.2f}", f"{median(to_ready):.2f}", f"{median(cpu):.2f}"])
    what = "saved demo data" if seeded else "saved state"
    print(f"\n{NAME} ({args.template.name}, {len(cloud.endpoints.get('apis', {}))} APIs; restarts load {what})")
    print(table(rows, ["run", "endpoints.json s", "gateway answers s", "CPU s to endpoints.json"]))
    return [
        Figure(NAME, "first start, empty state", first.seconds_to_ready, "s"),
        Figure(NAME, "median restart to endpoints.json", median(to_file), "s", f"{args.runs} restarts"),
        Figure(NAME, "median restart to gateway answering", median(to_ready), "s", "goal ≤ 3 s"),
        Figure(NAME, "median restart, CPU of the up process to endpoints.json", median(cpu), "s"),
    ]


if __name__ == "__main__":
    cli(run)
