"""Build a chain of N generated clinics and print how the time and memory grow (see benchmarks/README.md).

Run from the repository root: ``.venv/bin/python benchmarks/scale.py --clinics 10 [--clinics 50 ...]``.
For each N it makes a temporary project with the shipped content and layouts and N clinics made
from the four example clinics (each with its own name, colours, paper, languages and region),
then runs, as subprocesses through ``_memprobe.py``:

1. a cold build (empty output folder),
2. a no-op build (nothing changed),
3. a build after appending a comment to one shared block (``content/blocks/safety.yaml``),

and prints, for each: wall time, PDFs built, PDFs per second, CPU time per PDF built (the
build's process and its workers), the peak RSS of the parent and of the largest worker, and the
size of the build records. ``--noop-only N`` builds N clinics once, untimed, and then times
only the no-op build (for large N on a small machine). Always exits 0: it is a report.
"""

from __future__ import annotations

import argparse
import colorsys
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

from run import _ENV, private_bytecode_cache, snapshot_engine  # noqa: E402

SHARED_BLOCK = "safety"
HEADER = (
    "| clinics | PDFs | build | wall s | CPU s | built | PDFs/s | CPU ms/PDF | parent MiB | worker MiB | records KiB |"
)
FIRST = ["North", "Lotus", "Cedar", "Harbor", "Willow", "Golden", "Quiet", "Summit", "River", "Jade", "Maple", "Pine"]
SECOND = ["Star", "Path", "Spring", "Bridge", "Garden", "Valley", "Crane", "Lantern", "Stone", "Meadow", "Tide"]
KINDS = ["Acupuncture", "Acupuncture Clinic", "TCM Centre", "Wellness Acupuncture", "Chinese Medicine"]
REGIONS = ["US", "GB", "CA", "AU", "IE", "NZ"]
LANG_SETS = [["en"], ["en", "es"], ["en", "zh-Hans"], ["en", "es", "zh-Hant"], ["en", "es", "zh-Hans", "zh-Hant"]]


def _color(i: int, lightness: float) -> str:
    r, g, b = colorsys.hls_to_rgb((i * 0.137) % 1.0, lightness, 0.55)
    return f"#{round(r * 255):02x}{round(g * 255):02x}{round(b * 255):02x}"


def make_chain(project: Path, n: int) -> None:
    """Write the shipped content and layouts and ``n`` clinics made from the example clinics into ``project``."""
    shutil.copytree(ROOT / "layouts", project / "layouts")
    shutil.copytree(ROOT / "art", project / "art")
    shutil.copytree(ROOT / "content", project / "content", ignore=shutil.ignore_patterns("clinics"))
    examples = sorted(p for p in (ROOT / "content" / "clinics").iterdir() if (p / "clinic.yaml").is_file())
    for i in range(n):
        example = examples[i % len(examples)]
        name = f"{FIRST[i % len(FIRST)]} {SECOND[(i // len(FIRST)) % len(SECOND)]} {KINDS[i % len(KINDS)]}"
        slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") + f"-{i:04d}"
        folder = project / "content" / "clinics" / slug
        shutil.copytree(example, folder)
        data = yaml.safe_load((folder / "clinic.yaml").read_text(encoding="utf-8"))
        data["name"] = name
        data.pop("short_name", None)
        data["paper"] = "a4" if i % 3 == 1 else "letter"
        data["region"] = REGIONS[i % len(REGIONS)]
        own_fonts = data.get("branding", {}).get("language_fonts")
        langs = LANG_SETS[i % len(LANG_SETS)]
        data["languages"] = [lang for lang in langs if lang in _languages(data) or lang == "en"] or ["en"]
        if own_fonts:  # keep the example's own fonts only for the languages it still offers
            data["branding"]["language_fonts"] = {k: v for k, v in own_fonts.items() if k in data["languages"]}
        data["branding"]["primary_color"] = _color(i, 0.30)
        data["branding"]["accent_color"] = _color(i + 3, 0.40)
        data["booking_url"] = f"https://{slug}.example.com/book"
        (folder / "clinic.yaml").write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def _languages(data: dict[str, Any]) -> list[str]:
    """The languages the example offers, so its own blocks and name forms cover what the copy asks for."""
    return list(data.get("languages") or ["en"])


def _probe(records: Path, project: Path, out: Path, *args: str) -> dict[str, Any]:
    """Run ``handouts build`` through the memory probe; return wall, CPU, built, memory."""
    shutil.rmtree(records, ignore_errors=True)
    cmd = [sys.executable, str(HERE / "_memprobe.py"), str(records), "build", "--out", str(out), *args]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    done = subprocess.run(cmd, cwd=project, capture_output=True, text=True, check=False, env=_ENV)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    m = re.search(r"Built (\d+) of (\d+) handout", done.stdout + done.stderr)
    found = {p.stem: json.loads(p.read_text()) for p in records.glob("*.json")} if records.exists() else {}
    workers = [r["maxrss_kib"] for k, r in found.items() if k.startswith("worker-")]
    records_bytes = sum(p.stat().st_size for p in out.glob("*/.handouts-build.json"))
    stats_bytes = sum(p.stat().st_size for p in out.glob("*/.handouts-stat.json"))
    return {
        "exit": done.returncode,
        "tail": (done.stderr or done.stdout).strip().splitlines()[-2:] if done.returncode else [],
        "wall_s": wall,
        "cpu_s": cpu,
        "built": int(m[1]) if m else None,
        "planned": int(m[2]) if m else None,
        "parent_mib": found.get("parent", {}).get("maxrss_kib", 0) / 1024,
        "worker_mib": max(workers) / 1024 if workers else None,
        "record_kib": records_bytes / 1024,
        "stat_kib": stats_bytes / 1024,
    }


def measure(n: int, noop_only: bool, keep: Path | None) -> dict[str, Any]:
    """Generate ``n`` clinics and time the three builds (or, with ``noop_only``, the no-op only)."""
    work = Path(tempfile.mkdtemp(prefix=f"handouts-scale-{n}-"))
    try:
        project, out = work / "project", work / "output"
        make_chain(project, n)
        # a build trusts no input's stat within two seconds of its last change (stamps.MARGIN): a chain's
        # files are older than that when someone builds them, so the generated ones are given that age
        time.sleep(2.1)
        result: dict[str, Any] = {"clinics": n}
        cold = _probe(work / "rec", project, out)
        if not noop_only:
            result["cold"] = cold
        result["pdfs"] = len(list(out.glob("*/*.pdf")))
        result["noop"] = _probe(work / "rec", project, out)
        if not noop_only:
            with (project / "content" / "blocks" / f"{SHARED_BLOCK}.yaml").open("a", encoding="utf-8") as fh:
                fh.write("# touched by benchmarks/scale.py\n")
            result["edit"] = _probe(work / "rec", project, out)
        if keep:
            shutil.copytree(work, keep / f"scale-{n}", dirs_exist_ok=True)
        return result
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _line(n: int, pdfs: int, phase: str, r: dict[str, Any]) -> str:
    built = r["built"] or 0
    rate = f"{built / r['wall_s']:.1f}" if built else "-"
    per_pdf = f"{r['cpu_s'] / built * 1000:.0f}" if built else "-"
    worker = f"{r['worker_mib']:.0f}" if r["worker_mib"] else "-"
    failed = f"  FAILED {r['exit']}: {' | '.join(r['tail'])}" if r["exit"] else ""
    return (
        f"| {n} | {pdfs} | {phase} | {r['wall_s']:.2f} | {r['cpu_s']:.2f} | {built} | {rate} | {per_pdf} | "
        f"{r['parent_mib']:.0f} | "
        f"{worker} | {r['record_kib']:.0f} (+{r['stat_kib']:.0f}) |{failed}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--clinics", type=int, action="append", default=[], help="chain size (repeatable)")
    parser.add_argument("--noop-only", type=int, action="append", default=[], help="chain size, no-op build only")
    parser.add_argument("--json", action="store_true", help="also print every number as JSON")
    parser.add_argument("--keep", type=Path, help="copy each chain's project and output here")
    args = parser.parse_args()
    sizes = [(n, False) for n in args.clinics or ([] if args.noop_only else [10])] + [(n, True) for n in args.noop_only]
    with tempfile.TemporaryDirectory(prefix="handouts-scale-engine-") as tmp:
        snapshot_engine(Path(tmp))
        private_bytecode_cache(Path(tmp) / "pycache")
        print(f"machine: {os.cpu_count()} cores; load average before: {os.getloadavg()[0]:.2f}", flush=True)
        print(HEADER)
        print("|---|---|---|---|---|---|---|---|---|---|---|")
        results = []
        for n, noop_only in sizes:
            r = measure(n, noop_only, args.keep)
            results.append(r)
            for phase in ("cold", "noop", "edit"):
                if phase in r:
                    label = {"cold": "cold", "noop": "no-op", "edit": f"after editing {SHARED_BLOCK}.yaml"}[phase]
                    print(_line(n, r["pdfs"], label, r[phase]), flush=True)
        print(f"load average after: {os.getloadavg()[0]:.2f}")
        if args.json:
            print(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
