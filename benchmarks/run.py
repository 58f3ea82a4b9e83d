"""Measure handouts on this machine and print a table against the targets (see benchmarks/README.md).

Run from the repository root: ``.venv/bin/python benchmarks/run.py [--rounds N] [--json]``.
It always exits 0: it is a report, not a test.
"""

from __future__ import annotations

import argparse
import gc
import io
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

CLINIC, HANDOUT, LANG = "lotus-acupuncture", "first-visit", "en"
SHARED_BLOCK = "safety"
MiB = 1024 * 1024

# targets, from the issue
MAX_VS_BASELINE = 1.0
MAX_VS_FAST_QR = 0.5  # ahead of Typst, which renders a comparable handout in about 0.53x a platypus script
MAX_VS_FLOOR = 2.0
MAX_COLD = 10.0
MAX_NOOP = 1.0
MAX_HELP = 0.25
MAX_WORKER_MIB = 150.0

Row = dict[str, Any]


def row(measure: str, value: str, target: str = "", ok: bool | None = None) -> Row:
    """One line of the table; ``ok`` None means the line is information only."""
    return {"measure": measure, "value": value, "target": target, "result": "info" if ok is None else ok}


# ----------------------------------------------------------------------------- 1. warm, per handout
def _plain(text: str) -> str:
    return "".join(text.replace("**", "").split())


def _key_phrases(content: dict[str, Any]) -> list[str]:
    """Short phrases every output must contain: titles, and the first words of each text."""
    phrases = [content["title"], content["subtitle"], content["clinic"]["name"], content["footer_note"]]
    for b in content["blocks"]:
        for text in [b["title"], b["intro"], b["body"], b["outro"], b["caption"], *b["items"]]:
            if text:
                phrases.append(" ".join(text.split()[:5]))
    phrases += [content["strings"]["page_of"].format(page=n, pages=2) for n in (1, 2)]
    return phrases


def check_outputs(outputs: dict[str, bytes], content: dict[str, Any]) -> tuple[list[Row], dict[str, Any]]:
    """Check each PDF has 2 pages, the key phrases and the engine's words, so like is compared with like."""
    from pypdf import PdfReader

    phrases = _key_phrases(content)
    texts = {}
    for name, data in outputs.items():
        reader = PdfReader(io.BytesIO(data))
        texts[name] = (len(reader.pages), "\n".join(page.extract_text() for page in reader.pages))
    # "(continued)" after a heading repeated over a page turn is the engine's page furniture, which a
    # hand-written script does not set: its words do not count
    furniture = set(re.findall(r"\w+", content["strings"]["continued"].lower()))
    engine_words = set(re.findall(r"\w+", texts["engine"][1].lower())) - furniture
    rows, detail = [], {}
    for name, (pages, text) in texts.items():
        flat = _plain(text)
        missing = [p for p in phrases if _plain(p) not in flat]
        words = set(re.findall(r"\w+", text.lower())) - furniture
        extra, lacking = sorted(words - engine_words), sorted(engine_words - words)
        detail[name] = {
            "pages": pages,
            "bytes": len(outputs[name]),
            "missing_phrases": missing,
            "words_not_in_engine": extra[:20],
            "engine_words_missing": lacking[:20],
        }
        value = f"{pages} pages, {len(phrases) - len(missing)}/{len(phrases)} key phrases"
        if name != "engine":
            value += ", same words" if not (extra or lacking) else f", {len(extra) + len(lacking)} words differ"
        if missing:
            value += f" (missing: {missing[0]!r}…)"
        ok = pages == 2 and not missing and not extra and not lacking
        rows.append(row(f"check: {name} PDF", value, "2 pages, same text", ok))
    return rows, detail


def warm(rounds: int, warmup: int) -> tuple[list[Row], dict[str, Any]]:
    """Time the engine, the platypus baseline (two ways) and the canvas floor, alternately, in this process."""
    from handouts.pdf import pin_reportlab_settings

    pin_reportlab_settings()  # same invariant / compression / useA85 for all contenders

    import baseline_platypus
    import floor_canvas

    from handouts.handout import render
    from handouts.load.project import load_project
    from handouts.plan import Task

    project = load_project(ROOT)
    task = Task(CLINIC, HANDOUT, LANG)
    content = baseline_platypus.load_content(ROOT, CLINIC, HANDOUT, LANG)
    lines = floor_canvas.prepare(content)
    contenders: dict[str, Callable[[], bytes]] = {
        "engine": lambda: render(project, task),
        "baseline": lambda: baseline_platypus.render(content),
        "baseline with fast QR": lambda: baseline_platypus.render(content, fast_qr=True),
        "floor": lambda: floor_canvas.render(lines),
    }
    outputs = {name: fn() for name, fn in contenders.items()}
    for _ in range(warmup):
        for fn in contenders.values():
            fn()
    names = list(contenders)
    times: dict[str, list[float]] = {n: [] for n in names}
    for r in range(rounds):
        shift = r % len(names)
        for name in names[shift:] + names[:shift]:  # a different order each round
            gc.collect()  # nobody pays for the previous contender's garbage
            t0 = time.perf_counter()
            contenders[name]()
            times[name].append(time.perf_counter() - t0)
    med = {n: statistics.median(t) * 1000 for n, t in times.items()}
    spread = {n: (min(t) * 1000, max(t) * 1000) for n, t in times.items()}
    rows = [
        row(f"{n} ms/handout (median of {rounds})", f"{med[n]:.1f}  [{spread[n][0]:.1f}–{spread[n][1]:.1f}]")
        for n in names
    ]
    vs_base = med["engine"] / med["baseline"]
    vs_fast = med["engine"] / med["baseline with fast QR"]
    vs_floor = med["engine"] / med["floor"]
    rows += [
        row("engine / baseline", f"{vs_base:.2f}", f"≤ {MAX_VS_BASELINE}", vs_base <= MAX_VS_BASELINE),
        row("engine / baseline with fast QR", f"{vs_fast:.2f}", f"≤ {MAX_VS_FAST_QR}", vs_fast <= MAX_VS_FAST_QR),
        row("engine / floor", f"{vs_floor:.2f}", f"≤ {MAX_VS_FLOOR}", vs_floor <= MAX_VS_FLOOR),
    ]
    check_rows, check = check_outputs(outputs, content)
    data = {
        "rounds": rounds,
        "warmup": warmup,
        "median_ms": med,
        "min_max_ms": spread,
        "samples_ms": {n: [round(x * 1000, 3) for x in t] for n, t in times.items()},
        "ratios": {"engine/baseline": vs_base, "engine/baseline_fast_qr": vs_fast, "engine/floor": vs_floor},
        "checks": check,
    }
    return rows + check_rows, data


# ----------------------------------------------------------------------------- 2-4. subprocesses
def handouts_command() -> list[str]:
    """The console script next to this Python, else ``python -m handouts``."""
    script = Path(sys.executable).with_name("handouts")
    return [str(script)] if script.exists() else [sys.executable, "-m", "handouts"]


_ENV: dict[str, str] = dict(os.environ)


def snapshot_engine(folder: Path) -> Path:
    """Copy ``src/handouts`` and make the subprocesses import that copy.

    The incremental build keys include a digest of the engine's sources. If someone saves a file in
    src/ while the benchmark runs, a "no-op" rebuild would rebuild everything. The copy keeps the
    engine fixed for every build.
    """
    target = folder / "handouts"
    shutil.copytree(ROOT / "src" / "handouts", target, ignore=shutil.ignore_patterns("__pycache__"))
    _ENV["PYTHONPATH"] = os.pathsep.join(p for p in (str(folder), os.environ.get("PYTHONPATH", "")) if p)
    return target


def private_bytecode_cache(folder: Path) -> None:
    """Give subprocesses their own bytecode cache, so they start as an installed program does.

    Without it, ``PYTHONDONTWRITEBYTECODE`` (set in some sandboxes) or a source tree being edited
    would make every run recompile the modules it imports; nothing is written into the repository.
    """
    _ENV.pop("PYTHONDONTWRITEBYTECODE", None)
    _ENV["PYTHONPYCACHEPREFIX"] = str(folder)


def timed(cmd: list[str], cwd: Path) -> tuple[float, subprocess.CompletedProcess[str]]:
    t0 = time.perf_counter()
    done = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, check=False, env=_ENV)
    return time.perf_counter() - t0, done


def _built(done: subprocess.CompletedProcess[str]) -> tuple[int, int] | None:
    m = re.search(r"Built (\d+) of (\d+) handout", done.stdout + done.stderr)
    return (int(m.group(1)), int(m.group(2))) if m else None


def _failed(what: str, done: subprocess.CompletedProcess[str]) -> str:
    tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
    return f"{what} exited {done.returncode}: " + " | ".join(tail)


def dependents(project_root: Path, block_id: str) -> int:
    """PDFs whose recipe uses the shared block ``block_id``: recipes' slots × clinics × languages."""
    from handouts.load.project import load_project

    project = load_project(project_root)
    shared = project.blocks.get(block_id)
    count = 0
    for slug, clinic in project.clinics.items():
        if project.clinic_problems.get(slug):
            continue
        for hid in project.handouts_for(clinic):
            uses = any(block_id in ids for ids in project.handouts[hid].slots.values())
            own = project.block_for(slug, block_id)
            # a clinic's own copy is not affected; the shared block read in a clinic's region is
            if uses and shared is not None and own is not None and own.display == shared.display:
                count += len(clinic.languages)
    return count


def catalogue(work: Path) -> tuple[list[Row], dict[str, Any]]:
    """Cold build of everything, a no-op rebuild, a rebuild after touching one shared block, and --jobs 1."""
    project = work / "project"
    for name in ("content", "layouts", "art"):
        shutil.copytree(ROOT / name, project / name)
    cmd = [*handouts_command(), "build"]
    out = work / "output"
    rows: list[Row] = []
    data: dict[str, Any] = {"command": " ".join(cmd)}
    # not timed: fills the bytecode cache (every module a build imports) with one small build
    timed([*cmd, "--clinic", CLINIC, "--handout", HANDOUT, "--out", str(work / "warm-up")], project)

    # a manager's edit -> look loop: one PDF from a fresh process, then its pages as PNGs
    first_out = work / "first-pdf"
    one = ["--clinic", CLINIC, "--handout", HANDOUT, "--lang", LANG, "--out", str(first_out)]
    first, done = timed([*cmd, *one], project)
    rows.append(row(f"cold first PDF ({CLINIC} {HANDOUT}, new process)", f"{first:.2f} s", "", None))
    preview_cmd = [*handouts_command(), "preview", CLINIC, HANDOUT, "--lang", LANG, "--out", str(first_out)]
    shown, done = timed(preview_cmd, project)
    rows.append(row("handouts preview of it (150 dpi, every page)", f"{shown:.2f} s", "", None))
    data.update(first_pdf_s=first, preview_s=shown, preview_exit=done.returncode)

    cold, done = timed([*cmd, "--force", "--out", str(out)], project)
    pdfs = len(list(out.rglob("*.pdf")))
    data.update(cold_s=cold, pdfs=pdfs, cold_exit=done.returncode)
    if done.returncode:
        rows.append(row("catalogue build", _failed("cold build", done), "exit 0", False))
    rows.append(row(f"cold build --force, {pdfs} PDFs", f"{cold:.2f} s", f"≤ {MAX_COLD:g} s", cold <= MAX_COLD))
    if cold:
        rows.append(row("  per PDF (wall / PDFs)", f"{cold / max(pdfs, 1) * 1000:.0f} ms"))

    noop, done = timed([*cmd, "--out", str(out)], project)
    built = _built(done)
    data.update(noop_s=noop, noop_built=built)
    rows.append(
        row(
            f"no-op rebuild (built {built[0] if built else '?'})",
            f"{noop:.2f} s",
            f"≤ {MAX_NOOP:g} s, builds 0",
            noop <= MAX_NOOP and built is not None and built[0] == 0,
        )
    )

    block = project / "content" / "blocks" / f"{SHARED_BLOCK}.yaml"
    with block.open("a", encoding="utf-8") as fh:
        fh.write("# touched by benchmarks/run.py\n")
    expected = dependents(project, SHARED_BLOCK)
    touched, done = timed([*cmd, "--out", str(out)], project)
    built = _built(done)
    data.update(touched_s=touched, touched_built=built, touched_expected=expected)
    rows.append(
        row(
            f"rebuild after touching blocks/{SHARED_BLOCK}.yaml",
            f"{touched:.2f} s, built {built[0] if built else '?'} of {built[1] if built else '?'}",
            f"builds its {expected} dependents",
            built is not None and built[0] == expected,
        )
    )

    serial, done = timed([*cmd, "--force", "--jobs", "1", "--out", str(work / "output-serial")], project)
    data.update(cold_jobs1_s=serial)
    rows.append(row("cold build --force --jobs 1", f"{serial:.2f} s  (x{serial / cold:.2f} of default)"))
    return rows, data


def startup(work: Path, runs: int) -> tuple[list[Row], dict[str, Any]]:
    """Median wall time of ``handouts --help``."""
    cmd = [*handouts_command(), "--help"]
    timed(cmd, work)  # not counted
    walls = [timed(cmd, work)[0] for _ in range(runs)]
    med = statistics.median(walls)
    return [row(f"handouts --help (median of {runs})", f"{med:.3f} s", f"≤ {MAX_HELP} s", med <= MAX_HELP)], {
        "help_s": walls,
        "median_s": med,
    }


def memory(work: Path) -> tuple[list[Row], dict[str, Any]]:
    """Peak memory of each worker and of the parent during a full build (see _memprobe.py)."""
    records = work / "memprobe"
    cmd = [sys.executable, str(HERE / "_memprobe.py"), str(records), "build", "--force", "--out", str(work / "memout")]
    _, done = timed(cmd, work / "project")
    found = {p.stem: json.loads(p.read_text()) for p in sorted(records.glob("*.json"))} if records.exists() else {}
    workers = [r for name, r in found.items() if name.startswith("worker-")]
    parent = found.get("parent")
    rows: list[Row] = []
    if done.returncode or not workers:
        rows.append(row("memory probe", _failed("probe build", done), "exit 0", False))
        return rows, {"records": found}
    peak = max(r["maxrss_kib"] for r in workers) / 1024
    private = [r["private_kib"] for r in workers if r["private_kib"] is not None]
    forked = not any(r["in_parent"] for r in workers)
    label = f"peak RSS per worker ({len(workers)} {'forked workers' if forked else 'in-process, jobs=1'})"
    rows.append(row(label, f"{peak:.1f} MiB", f"≤ {MAX_WORKER_MIB:g} MiB", peak <= MAX_WORKER_MIB))
    if private:
        rows.append(row("  of which private to the worker (end)", f"{max(private) / 1024:.1f} MiB"))
    if parent:
        rows.append(row("parent peak RSS", f"{parent['maxrss_kib'] / 1024:.1f} MiB"))
    return rows, {"records": found, "worker_peak_mib": peak}


# ----------------------------------------------------------------------------- report
def _cpu_seconds() -> tuple[float, float] | None:
    """Return (CPU seconds all processes spent busy, CPU seconds this run spent), or None off Linux."""
    try:
        fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    except (OSError, ValueError):
        return None
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields
    own = os.times()
    ticks = os.sysconf("SC_CLK_TCK")
    busy = (user + nice + system + irq + softirq + steal) / ticks
    return busy, own.user + own.system + own.children_user + own.children_system


def _others_share(
    before: tuple[float, float] | None, after: tuple[float, float] | None, wall: float, cores: int
) -> float | None:
    """Return the share of the machine's CPU time that other processes used while the benchmark ran."""
    if before is None or after is None or wall <= 0:
        return None
    others = (after[0] - before[0]) - (after[1] - before[1])
    return max(0.0, others) / (wall * cores)


def table(rows: list[Row]) -> str:
    body = [r for r in rows if not r["measure"].startswith("#")]
    width = max(len(r["measure"]) for r in body)
    vwidth = max(len(r["value"]) for r in body)
    twidth = max(len(r["target"]) for r in body)
    lines = []
    for r in rows:
        if r["measure"].startswith("#"):
            lines.append("")
            lines.append(r["measure"][1:].strip())
            continue
        result = r["result"] if r["result"] == "info" else ("PASS" if r["result"] else "FAIL")
        if result == "info":
            result = ""
        lines.append(f"  {r['measure']:<{width}}  {r['value']:<{vwidth}}  {r['target']:<{twidth}}  {result}".rstrip())
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30, help="timed rounds of each contender (default 30)")
    parser.add_argument("--warmup", type=int, default=3, help="untimed renders of each before timing (default 3)")
    parser.add_argument("--startup-runs", type=int, default=7, help="runs of handouts --help (default 7)")
    parser.add_argument("--json", action="store_true", help="print the results as JSON after the table")
    args = parser.parse_args(argv)

    import reportlab
    from reportlab.lib import rl_accel

    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    machine = {
        "cores": cores,
        "python": platform.python_version(),
        "reportlab": reportlab.Version,
        "platform": platform.platform(),
        # reportlab's optional C accelerators (the rl_accel package); without them it uses pure Python
        "rl_accel": "fp_str" in rl_accel._c_funcs,
    }
    print(
        f"handouts benchmark: {cores} cores, Python {machine['python']}, reportlab {machine['reportlab']} "
        f"({'with' if machine['rl_accel'] else 'without'} C accelerators), {machine['platform']}"
    )
    before = _cpu_seconds()
    results: dict[str, Any] = {"machine": machine}
    rows: list[Row] = []
    started = time.perf_counter()
    sections: list[tuple[str, Callable[[], tuple[list[Row], dict[str, Any]]]]]
    with tempfile.TemporaryDirectory(prefix="handouts-bench-") as tmp:
        work = Path(tmp)
        private_bytecode_cache(work / "pycache")
        snapshot_engine(work / "engine")
        sections = [
            (
                f"1. per handout, warm ({CLINIC}/{HANDOUT}, {LANG}), alternating",
                lambda: warm(args.rounds, args.warmup),
            ),
            ("2. full catalogue (subprocess, copy of content/ and layouts/)", lambda: catalogue(work)),
            ("3. start-up", lambda: startup(work, args.startup_runs)),
            ("4. peak memory (full build through benchmarks/_memprobe.py)", lambda: memory(work)),
        ]
        for title, run in sections:
            if sys.stderr.isatty():
                print(f"… {title}", file=sys.stderr, flush=True)
            rows.append(row("# " + title, ""))
            try:
                section_rows, data = run()
            except Exception as exc:  # a broken section is reported, the others still run
                section_rows, data = [row(title, f"error: {type(exc).__name__}: {exc}", "runs", False)], {}
            rows += section_rows
            results[title.split(".")[0]] = data
    results["rows"] = [r for r in rows if not r["measure"].startswith("#")]
    results["seconds"] = time.perf_counter() - started
    others = _others_share(before, _cpu_seconds(), results["seconds"], cores or 1)
    results["machine"]["cpu_share_used_by_other_processes"] = others
    print(table(rows))
    if others is not None:
        note = "timings are inflated; run again on a quiet machine" if others > 0.05 else "quiet enough"
        print(f"\nother processes used {others:.0%} of the CPU time during the run: {note}")
    failed = sum(1 for r in results["rows"] if r["result"] is False)
    checked = sum(1 for r in results["rows"] if isinstance(r["result"], bool))
    print(f"{checked - failed} of {checked} targets and checks met; {results['seconds']:.0f} s")
    if args.json:
        print(json.dumps(results, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
