"""`make dev` time to ready: from spawning `python -m localcloud up` on the root template until
`endpoints.json` exists and the gateway answers. Prints each run and the median."""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import localcloud_up
from stats import Figure, cli, median, table

NAME = "make dev time to ready"


def run(argv: list[str] | None = None) -> list[Figure]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="cold starts to measure (default 3)")
    parser.add_argument("--template", type=Path, default=localcloud_up.ROOT / "template.yaml")
    args = parser.parse_args(argv)

    rows, to_file, to_ready = [], [], []
    for i in range(args.runs):
        work = Path(tempfile.mkdtemp(prefix="bench-dev-ready-"))
        cloud = localcloud_up.start(work / "state", work / "up.log", template=args.template)
        cloud.stop()
        to_file.append(cloud.seconds_to_endpoints)
        to_ready.append(cloud.seconds_to_ready)
        rows.append([str(i + 1), f"{cloud.seconds_to_endpoints:.2f}", f"{cloud.seconds_to_ready:.2f}"])
        print(f"run {i + 1}: ready in {cloud.seconds_to_ready:.2f} s", flush=True)
    rows.append(["median", f"{median(to_file):.2f}", f"{median(to_ready):.2f}"])
    print(f"\n{NAME} ({args.template.name}, {len(cloud.endpoints.get('apis', {}))} APIs)")
    print(table(rows, ["run", "endpoints.json s", "gateway answers s"]))
    return [
        Figure(NAME, "median to endpoints.json", median(to_file), "s", f"{args.runs} runs"),
        Figure(NAME, "median to gateway answering", median(to_ready), "s"),
    ]


if __name__ == "__main__":
    cli(run)
