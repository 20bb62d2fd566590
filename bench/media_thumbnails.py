"""A 24 MP JPEG → the three renditions (320/800/1600, WebP + JPEG): the media pipeline vs naive Pillow
(full decode, then `resize`) vs pyvips `thumbnail`, each run in a fresh process for an honest peak RSS.
Prints the median time and peak RSS of each, and the ratios. Goals: pipeline ≤ 1.5x pyvips, ≥ 3x faster
than naive, peak RSS ≤ 120 MB. Then the median time of each stage of the pipeline (as `imaging.render`
times them) and of naive Pillow, and Pillow's cold-start import cost (what make-thumbnails pays at init).
pyvips needs Debian's libvips42 and PyPI's pyvips; without them its column is skipped, with a message.
"""

from __future__ import annotations

import argparse
import io
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WIDTHS = (320, 800, 1600)


def make_photo(path: Path) -> None:
    from PIL import Image, ImageFilter

    size = (6000, 4000)
    shapes = Image.effect_mandelbrot(size, (-2.2, -1.2, 1.0, 1.2), 60).filter(ImageFilter.GaussianBlur(2))
    grain = Image.effect_noise(size, 24)  # sensor noise: a phone photo's JPEG is megabytes, not a flat colour
    channels = [
        Image.blend(shapes, grain, alpha).point(lambda v, k=k: min(255, v + k))
        for alpha, k in ((0.3, 0), (0.4, 30), (0.5, 60))
    ]
    image = Image.merge("RGB", channels)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    path.write_bytes(out.getvalue())


def run_pipeline(data: bytes, stages: dict[str, float]) -> None:
    from media.logic import imaging

    imaging.render(data, "JPEG", timings=stages)


def run_naive(data: bytes, stages: dict[str, float]) -> None:
    """What most tutorials do: decode every pixel, then resize the full image for each width (same encoders).
    The clock readings between the steps only fill `stages`."""
    from media.logic import imaging
    from PIL import Image

    clock = time.perf_counter()
    image = Image.open(io.BytesIO(data))
    image.load()
    clock = _lap(stages, "decode", clock)
    for width in WIDTHS:
        resized = image.resize((width, round(image.height * width / image.width)), Image.Resampling.LANCZOS)
        clock = _lap(stages, "resize", clock)
        for fmt in ("webp", "jpeg"):
            imaging._encode(resized, fmt)
            clock = _lap(stages, f"encode {fmt}", clock)


def _lap(stages: dict[str, float], name: str, since: float) -> float:
    now = time.perf_counter()
    stages[name] = stages.get(name, 0.0) + now - since
    return now


def run_vips(data: bytes, stages: dict[str, float]) -> None:
    import pyvips

    for width in WIDTHS:
        thumb = pyvips.Image.thumbnail_buffer(data, width).copy_memory()  # two saves, one decode
        thumb.webpsave_buffer(Q=80)
        thumb.jpegsave_buffer(Q=82, strip=True)


def child(side: str, path: str) -> None:
    data = Path(path).read_bytes()
    # imports before the clock: a warm function has them already (their cost is reported on its own)
    sys.path[:0] = [str(ROOT / "services" / "media" / "src"), str(ROOT / "layers" / "shared")]
    if side == "vips":
        import pyvips  # noqa: F401
    else:
        from media.logic import imaging  # noqa: F401
    runner = {"pipeline": run_pipeline, "naive": run_naive, "vips": run_vips}[side]
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    stages: dict[str, float] = {}
    started = time.perf_counter()
    runner(data, stages)
    elapsed = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"seconds": elapsed, "peak_mb": peak / 1024, "grown_mb": (peak - base) / 1024, "stages": stages}))


def measure(side: str, photo: Path) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", side, str(photo)], capture_output=True, text=True)
    if out.returncode:
        raise RuntimeError(out.stderr.strip().splitlines()[-1])
    return json.loads(out.stdout)


def _import_ms(code: str) -> float:
    """The self import time (ms) of every PIL and media module, per `python -X importtime`, after the
    stdlib modules the function has loaded anyway."""
    env = {"PYTHONPATH": f"{ROOT}/services/media/src:{ROOT}/layers/shared", "PATH": "/usr/bin:/bin"}
    prelude = "import dataclasses, logging, inspect, re, subprocess, warnings, io\n"
    out = subprocess.run([sys.executable, "-X", "importtime", "-c", prelude + code], env=env, capture_output=True,
                         text=True, check=True).stderr  # fmt: skip
    rows = [row.split("|") for row in out.splitlines() if row.startswith("import time:") and "|" in row]
    mine = [int(row[0].split(":")[1]) for row in rows if row[2].strip().startswith(("PIL", "media"))]
    return sum(mine) / 1000


def import_cost(runs: int) -> tuple[float, float]:
    """Pillow as make-thumbnails imports it (three plugins) vs Image.init() (every plugin)."""
    ours = [_import_ms("import media.logic.imaging") for _ in range(runs)]
    every = [_import_ms("import media.logic.imaging\nimport PIL.Image\nPIL.Image.init()") for _ in range(runs)]
    return statistics.median(ours), statistics.median(every)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--make", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.make:
        make_photo(Path(args.make))
        return 0
    if args.child:
        child(*args.child)
        return 0
    photo = Path(tempfile.mkdtemp(prefix="bench-media-")) / "24mp.jpg"
    # made in a child: Linux keeps a process's peak RSS across fork+exec, so a big parent would inflate
    # every child's figure
    subprocess.run([sys.executable, __file__, "--make", str(photo)], check=True)
    sides = ["pipeline", "naive", "vips"]
    try:
        import pyvips  # noqa: F401
    except (ImportError, OSError) as error:
        print(f"pyvips skipped: {error} (apt-get install libvips42; pip install pyvips)")
        sides.remove("vips")
    results: dict[str, list[dict]] = {side: [] for side in sides}
    for _ in range(args.runs):  # interleaved, so a busy machine slows every side alike
        for side in sides:
            results[side].append(measure(side, photo))
    print(f"24 MP JPEG ({photo.stat().st_size / 1e6:.1f} MB) → {len(WIDTHS)} widths x WebP + JPEG, {args.runs} runs")
    print(f"{'side':10} {'median s':>9} {'peak RSS MB':>12}")
    medians = {}
    for side, runs in results.items():
        medians[side] = statistics.median(r["seconds"] for r in runs)
        peak = statistics.median(r["peak_mb"] for r in runs)
        print(f"{side:10} {medians[side]:9.3f} {peak:12.1f}")
    print(f"naive / pipeline: {medians['naive'] / medians['pipeline']:.2f}x (goal ≥ 3)")
    if "vips" in medians:
        print(f"pipeline / pyvips: {medians['pipeline'] / medians['vips']:.2f}x (goal ≤ 1.5)")
    for side in ("pipeline", "naive"):
        names = list(dict.fromkeys(name for run in results[side] for name in run["stages"]))
        cells = [
            f"{name} {statistics.median(run['stages'].get(name, 0.0) for run in results[side]) * 1000:.0f}"
            for name in names
        ]
        print(f"{side} stages, median ms: " + ", ".join(cells))
    ours, every = import_cost(args.runs)
    print(
        f"cold-start import of media.logic.imaging (Pillow, ImageCms, 3 plugins), median of {args.runs}: {ours:.1f} ms"
    )
    print(
        f"  the same plus Image.init() (every plugin; what open(formats=[..., WEBP]) did unregistered): {every:.1f} ms"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
