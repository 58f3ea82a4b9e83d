"""Incremental and parallel builds: what rebuilds after each kind of change, and identical bytes.

Every test runs the real CLI on a fixture project with two clinics and three handouts, so
"what was rebuilt" is read from the build's own summary and from the files on disk.
"""

from __future__ import annotations

import hashlib
import json
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import CLINIC, REPO, write_tree

from handouts.cli import cli

EXTRA = {
    "content/clinics/second/clinic.yaml": CLINIC.replace("Chen & Wu <Acupuncture>", "Second Clinic"),
    "content/clinics/second/logo.png": (REPO / "content" / "clinics" / "lotus-acupuncture" / "logo.png").read_bytes(),
    "content/handouts/steps-only.yaml": """\
layout: sheet
text:
  en:
    title: Steps only
slots:
  body: [steps, disclaimer]
""",
    "content/handouts/intro-only.yaml": """\
layout: sheet
text:
  en:
    title: Intro only
slots:
  body: [intro, disclaimer]
""",
}


@pytest.fixture
def project(make_project) -> Path:
    return make_project(EXTRA)


def build(runner, project: Path, *args: str) -> str:
    """Run ``handouts build`` and return what it printed."""
    result = runner.invoke(cli, ["build", "--project", str(project), *args])
    assert result.exit_code == 0, result.output
    return result.output


def _record(out: Path) -> dict[str, dict[str, str]]:
    """Return the entries of every clinic's build record, named ``<clinic>/<file>``."""
    found = {}
    for path in sorted(out.glob("*/.handouts-build.json")):
        found.update({f"{path.parent.name}/{k}": v for k, v in json.loads(path.read_text())["files"].items()})
    return found


def pdfs(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*.pdf"))}


ALL = {f"{c}/{h}.pdf" for c in ("demo", "second") for h in ("welcome", "steps-only", "intro-only")}


def test_second_build_skips_everything(runner, project: Path) -> None:
    out = build(runner, project)
    assert "Built 6 of 6 handout(s)" in out
    first = pdfs(project / "output")
    assert set(first) == ALL
    out = build(runner, project)
    assert "Built 0 of 6 handout(s) into output/; 6 up to date, not rebuilt (--force rebuilds them)" in out
    assert pdfs(project / "output") == first


def test_changing_a_shared_block_rebuilds_exactly_its_handouts(runner, project: Path) -> None:
    build(runner, project)
    path = project / "content" / "blocks" / "steps.yaml"
    path.write_text(path.read_text().replace("The needles go in.", "Thin needles go in."))
    out = build(runner, project)
    assert "Built 4 of 6 handout(s)" in out and "2 up to date" in out
    record = _record(project / "output")
    assert {n for n in record} == ALL | {n.removesuffix(".pdf") + ".html" for n in ALL}  # each PDF and its HTML twin
    # the two intro-only sheets did not change on disk; the others did and say the new words
    from conftest import pdftotext

    for clinic in ("demo", "second"):
        assert "Thin needles go in." in pdftotext(project / "output" / clinic / "steps-only.pdf")
        assert "Thin needles go in." in pdftotext(project / "output" / clinic / "welcome.pdf")


def test_changing_one_clinics_logo_rebuilds_only_that_clinic(runner, project: Path) -> None:
    build(runner, project)
    before = pdfs(project / "output")
    (project / "content" / "clinics" / "second" / "logo.png").write_bytes(
        (REPO / "content" / "clinics" / "north-star" / "logo.png").read_bytes()
    )
    out = build(runner, project)
    assert "Built 3 of 6 handout(s)" in out
    after = pdfs(project / "output")
    assert {n for n in ALL if before[n] != after[n]} == {n for n in ALL if n.startswith("second/")}


def test_clinic_config_layout_and_strings_changes(runner, project: Path) -> None:
    build(runner, project)
    clinic = project / "content" / "clinics" / "demo" / "clinic.yaml"
    clinic.write_text(clinic.read_text().replace("(555) 010-9999", "(555) 010-1111"))
    out = build(runner, project)
    assert "Built 3 of 6 handout(s)" in out
    layout = project / "layouts" / "sheet.yaml"
    layout.write_text(layout.read_text() + "\n# a comment changes the file\n")
    out = build(runner, project)
    assert "Built 6 of 6 handout(s)" in out
    strings = project / "content" / "strings.yaml"
    strings.write_text(strings.read_text().replace("Opening hours", "Hours"))
    out = build(runner, project)
    assert "Built 6 of 6 handout(s)" in out


def test_a_recipe_change_rebuilds_that_handout_for_every_clinic(runner, project: Path) -> None:
    build(runner, project)
    recipe = project / "content" / "handouts" / "intro-only.yaml"
    recipe.write_text(recipe.read_text().replace("Intro only", "Introduction"))
    out = build(runner, project)
    assert "Built 2 of 6 handout(s)" in out


def test_a_clinic_override_block_rebuilds_only_that_clinic(runner, project: Path) -> None:
    build(runner, project)
    write_tree(
        project,
        {
            "content/clinics/second/blocks/steps.yaml": (project / "content" / "blocks" / "steps.yaml")
            .read_text()
            .replace("We talk", "First we talk")
        },
    )
    out = build(runner, project)
    assert "Built 2 of 6 handout(s)" in out  # second's welcome and steps-only


def test_force_rebuilds_everything_with_the_same_bytes(runner, project: Path) -> None:
    build(runner, project)
    first = pdfs(project / "output")
    out = build(runner, project, "--force")
    assert "Built 6 of 6 handout(s)" in out and "up to date" not in out
    assert pdfs(project / "output") == first


def test_variants_and_languages_have_their_own_records(runner, project: Path) -> None:
    build(runner, project)
    out = build(runner, project, "--grayscale")
    assert "Built 6 of 6 handout(s)" in out
    out = build(runner, project, "--grayscale")
    assert "6 up to date" in out
    out = build(runner, project)
    assert "6 up to date" in out


def test_a_variant_built_from_older_inputs_is_stale_until_rebuilt(runner, project: Path) -> None:
    """A grayscale PDF that no build has redone since its block changed is never offered as current:
    the default build names it STALE, the gallery does not link it, ``handouts list`` lists it."""
    build(runner, project)
    build(runner, project, "--grayscale")
    block = project / "content" / "blocks" / "steps.yaml"
    block.write_text(block.read_text(encoding="utf-8") + "# edited\n", encoding="utf-8")
    users = [r.stem for r in (project / "content" / "handouts").glob("*.yaml") if "steps" in r.read_text("utf-8")]
    out = build(runner, project)
    gray = sorted(f"output/{c}/{h}.grayscale.pdf" for c in ("demo", "second") for h in users)
    stale = sorted(re.findall(r"STALE: (\S+) is out of date \(its content, layout or clinic changed", out))
    assert stale == gray
    page = (project / "output" / "second" / "index.html").read_text(encoding="utf-8")
    assert f'href="{users[0]}.grayscale.pdf"' not in page and 'href="intro-only.grayscale.pdf"' in page
    listed = runner.invoke(cli, ["list", "--project", str(project)]).output
    assert all(name.removeprefix("output/") in listed for name in gray)
    assert "STALE" not in build(runner, project, "--grayscale")  # rebuilt: current again
    assert "STALE" not in build(runner, project)


def test_jobs_1_and_jobs_2_give_identical_bytes(runner, project: Path) -> None:
    one = runner.invoke(cli, ["build", "--project", str(project), "--out", str(project / "one"), "--jobs", "1"])
    two = runner.invoke(cli, ["build", "--project", str(project), "--out", str(project / "two"), "--jobs", "2"])
    assert one.exit_code == 0 and two.exit_code == 0, one.output + two.output
    a, b = pdfs(project / "one"), pdfs(project / "two")
    assert set(a) == ALL and a == b


def test_a_pdf_changed_on_disk_is_rebuilt(runner, project: Path) -> None:
    build(runner, project)
    target = project / "output" / "demo" / "welcome.pdf"
    good = target.read_bytes()
    target.write_bytes(b"%PDF-1.4 truncated")
    out = build(runner, project)
    assert "Built 1 of 6 handout(s)" in out
    assert target.read_bytes() == good


@pytest.mark.parametrize("record", ["", "{not json", '{"format": 99, "files": {}}', '{"format": 1, "files": []}'])
def test_a_missing_or_broken_record_rebuilds_everything(runner, project: Path, record: str) -> None:
    build(runner, project)
    for clinic in ("demo", "second"):
        (project / "output" / clinic / ".handouts-build.json").write_text(record)
    out = build(runner, project)
    assert "Built 6 of 6 handout(s)" in out


def test_a_failed_rebuild_is_retried_and_never_recorded_as_current(runner, project: Path) -> None:
    build(runner, project)
    recorded = _record(project / "output")["demo/steps-only.pdf"]
    path = project / "content" / "blocks" / "steps.yaml"
    good = path.read_text()
    path.write_text(good.replace("The needles go in.", "The needles go in {{ nope }}."))
    for _ in range(2):  # every build tries again, and says the old copy is stale
        result = runner.invoke(cli, ["build", "--project", str(project)])
        assert result.exit_code == 1
        assert "STALE: output/demo/steps-only.pdf is out of date (its rebuild failed)" in result.output
        assert _record(project / "output")["demo/steps-only.pdf"] == {**recorded, "stale": True}
    path.write_text(good)  # back to the inputs the old copy was built from: it is current again
    out = build(runner, project)
    assert "6 up to date" in out
    assert _record(project / "output")["demo/steps-only.pdf"] == recorded


# Runs ``handouts build`` and kills it (SIGKILL, no clean-up) at the n-th rename of a file written into
# the output folder:
# the temporary file is complete on disk and the rename has not happened, mid-way through the PDFs,
# the build record and the gallery, depending on n.
KILL_AT_RENAME = """
import os, signal, sys
n, out, calls, rename = int(sys.argv[1]), sys.argv[2], 0, os.replace
def replace(src, dst):
    global calls
    calls += str(dst).startswith(out)
    if calls == n:
        os.kill(os.getpid(), signal.SIGKILL)
    rename(src, dst)
os.replace = replace
from handouts.cli import cli
cli(sys.argv[3:])
"""


def test_a_killed_build_leaves_a_state_the_next_build_corrects(runner, project: Path, tmp_path: Path) -> None:
    """Kill a build at the 1st, 3rd, 7th and 8th write (PDFs, then the record, then the gallery); the
    next build's PDFs equal a clean build's. Only the killed build needs its own process."""
    args = ["build", "--project", str(project), "--jobs", "1"]
    build(runner, project, "--jobs", "1")
    steps = project / "content" / "blocks" / "steps.yaml"
    clean = tmp_path / "clean"
    original = steps.read_text()
    for n in (1, 3, 7, 8):
        steps.write_text(original.replace("go in", f"go in ({n})"))
        killed = subprocess.run(
            [sys.executable, "-c", KILL_AT_RENAME, str(n), str(project / "output"), *args], capture_output=True
        )
        assert killed.returncode == -signal.SIGKILL, killed.stderr  # it was killed at that write, not before or after
        assert list((project / "output").rglob("*.tmp"))  # ... leaving the temporary file of that write
        build(runner, project, "--jobs", "1")
        build(runner, project, "--jobs", "1", "--out", str(clean), "--force")
        assert pdfs(project / "output") == pdfs(clean)
        assert not list((project / "output").rglob("*.tmp"))


def test_a_second_build_into_a_folder_in_use_stops_with_a_message(runner, project: Path) -> None:
    import fcntl

    build(runner, project)
    with open(project / "output" / ".handouts-build.lock", "a+b") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        result = runner.invoke(cli, ["build", "--project", str(project)])
    assert result.exit_code == 1
    assert f"another handouts build is writing to {project / 'output'}: wait for it to finish" in result.output


def test_temporary_files_of_a_killed_build_are_swept(runner, project: Path) -> None:
    build(runner, project)
    leftover = project / "output" / "demo" / ".welcome.pdf.abc123.tmp"
    leftover.write_bytes(b"half a pdf")
    build(runner, project)
    assert not leftover.exists()


def test_a_new_cover_photo_is_an_input_and_other_files_in_the_folder_are_not(runner, project: Path) -> None:
    folder = project / "content" / "clinics" / "second"
    (folder / "cover.png").write_bytes((REPO / "content" / "clinics" / "lotus-acupuncture" / "logo.png").read_bytes())
    text = (folder / "clinic.yaml").read_text(encoding="utf-8")
    (folder / "clinic.yaml").write_text(text.replace("  logo: logo.png\n", "  logo: logo.png\n  cover_image: cover.png\n"))
    build(runner, project)
    (folder / "notes.txt").write_text("not an input", encoding="utf-8")
    assert "6 up to date" in build(runner, project)
    (folder / "cover.png").write_bytes((REPO / "content" / "clinics" / "north-star" / "logo.png").read_bytes())
    assert "Built 3 of 6 handout(s)" in build(runner, project)  # the photo changed: that clinic's handouts


def test_an_edited_picture_under_art_rebuilds_the_pdfs_that_were_built_with_it(runner, project: Path, tmp_path) -> None:
    """A figure's SVG under ``art/`` is an input: edited (its colour), the next build rebuilds, and every PDF is then
    byte for byte what a forced build of the edited project writes, so none showing the old picture is kept as
    current. (The key once left ``art/`` out: a redrawn figure built "0 of 187".)"""
    svg = '<svg xmlns="http://www.w3.org/2000/svg" width="100" height="60" viewBox="0 0 100 60"><title>A dot</title>'
    files = {
        "art/figures/dot.svg": svg + '<circle cx="50" cy="30" r="25" fill="#0f6e6e"/></svg>',
        "content/blocks/figure-dot.yaml": (
            "kind: figure\nreviewed: 2026-11-01\nsources: [drawn for this test]\nimage: art/figures/dot.svg\n"
            "width: 1.5in\ntext:\n  en:\n    caption: A dot.\n    alt: A round dot.\n"
        ),
    }
    write_tree(project, files)
    recipe = project / "content" / "handouts" / "intro-only.yaml"
    recipe.write_text(recipe.read_text().replace("body: [intro, disclaimer]", "body: [intro, figure-dot, disclaimer]"))
    assert "Built 6 of 6" in build(runner, project)
    before = pdfs(project / "output")
    art = project / "art" / "figures" / "dot.svg"
    art.write_text(art.read_text().replace("#0f6e6e", "#b03030"))
    assert "Built 6 of 6" in build(runner, project)
    after = pdfs(project / "output")
    assert all(before[n] != after[n] for n in ALL if "intro-only" in n)
    fresh = tmp_path / "fresh"
    build(runner, project, "--force", "--out", str(fresh))
    assert pdfs(fresh) == after
    assert "6 up to date" in build(runner, project)


# --- The up-to-date check reads a PDF only when its stat changed; per-clinic records -----------------------


@pytest.fixture
def trusted_at_once(monkeypatch):
    """Trust a stat as soon as it is taken (in use, only stats taken 2 s after a file's last change are)."""
    from handouts import stamps

    monkeypatch.setattr(stamps, "MARGIN", -(10**18))


def test_a_no_op_build_reads_no_pdf_whose_stat_is_unchanged(runner, project: Path, trusted_at_once, reads) -> None:
    build(runner, project)
    reads.clear()
    assert "6 up to date" in build(runner, project)
    assert reads == []


def test_a_pdf_touched_but_unchanged_is_read_once_and_kept(runner, project: Path, trusted_at_once, reads) -> None:
    import os

    build(runner, project)
    target = project / "output" / "demo" / "welcome.pdf"
    os.utime(target, ns=(target.stat().st_atime_ns, target.stat().st_mtime_ns + 5_000_000_000))
    reads.clear()
    assert "6 up to date" in build(runner, project)
    assert [p.name for p in reads] == ["welcome.pdf"]  # hashed in the up-to-date check, then known by its stat


def test_a_same_size_edit_with_its_mtime_put_back_is_rebuilt(runner, project: Path, trusted_at_once) -> None:
    import os

    build(runner, project)
    target = project / "output" / "demo" / "welcome.pdf"
    good, before = target.read_bytes(), target.stat()
    # same size, same mtime: only the content (and the ctime, which nobody can set) tell
    edited = good.replace(b"/Producer", b"/Producex") if b"/Producer" in good else good[:-1] + b"X"
    assert len(edited) == len(good) and edited != good
    with open(target, "r+b") as fh:  # in place: same inode
        fh.write(edited)
    os.utime(target, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = target.stat()
    assert (after.st_ino, after.st_size, after.st_mtime_ns) == (before.st_ino, before.st_size, before.st_mtime_ns)
    assert "Built 1 of 6 handout(s)" in build(runner, project)
    assert target.read_bytes() == good


def test_a_pdf_changed_on_disk_is_rebuilt_after_its_stat_was_trusted(runner, project: Path, trusted_at_once) -> None:
    build(runner, project)
    target = project / "output" / "second" / "intro-only.pdf"
    good = target.read_bytes()
    target.write_bytes(good + b"\n% edited\n")
    assert "Built 1 of 6 handout(s)" in build(runner, project)
    assert target.read_bytes() == good


def test_each_clinic_folder_holds_its_own_record_of_its_pdfs(runner, project: Path) -> None:
    build(runner, project)
    out = project / "output"
    assert not (out / ".handouts-build.json").exists()
    for clinic in ("demo", "second"):
        files = json.loads((out / clinic / ".handouts-build.json").read_text())["files"]
        handouts = ("welcome", "steps-only", "intro-only")
        assert set(files) == {f"{h}.pdf" for h in handouts} | {f"{h}.html" for h in handouts}  # PDFs and twins
        for name, entry in files.items():
            assert entry["sha256"] == hashlib.sha256((out / clinic / name).read_bytes()).hexdigest()


def test_the_single_record_of_earlier_versions_is_taken_over_then_removed(runner, project: Path) -> None:
    build(runner, project)
    out = project / "output"
    legacy = {}
    for clinic in ("demo", "second"):
        path = out / clinic / ".handouts-build.json"
        legacy.update({f"{clinic}/{k}": v for k, v in json.loads(path.read_text())["files"].items()})
        path.unlink()
    (out / ".handouts-build.json").write_text(json.dumps({"format": 1, "files": legacy}))
    assert "Built 0 of 6 handout(s)" in build(runner, project)
    assert not (out / ".handouts-build.json").exists()
    assert _record(out) == legacy


def test_a_new_claims_rule_refuses_a_pdf_that_was_up_to_date(runner, project: Path) -> None:
    build(runner, project)
    # a no-op build does not lint the library again: a new rule is an input of every PDF instead
    rule = "claims:\n  - pattern: needles go in\n    reason: too vivid\n    suggest: we place thin needles\n"
    (project / "content" / "claims.yaml").write_text(rule, encoding="utf-8")
    result = runner.invoke(cli, ["build", "--project", str(project)])
    assert result.exit_code == 1
    assert "content/blocks/steps.yaml:" in result.output and "too vivid" in result.output
    assert "STALE: output/demo/steps-only.pdf is out of date (its rebuild failed)" in result.output
    assert "STALE: output/demo/intro-only.pdf" not in result.output
