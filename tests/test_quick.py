"""The no-op fast path (issue 19): a build that finds nothing to do says so from file stats, and only then.

Every test runs the real CLI on the fixture project of ``test_incremental``. ``aged`` moves the
fast path's clock three seconds on, as if the project's files had been written a while ago: a
file changed within two seconds of a build (``stamps.MARGIN``) is never trusted from its stat.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path

import pytest
from test_incremental import EXTRA, build, pdfs

from handouts.cli import cli
from handouts.quick import MANIFEST


@pytest.fixture
def project(make_project) -> Path:
    return make_project(EXTRA)


@pytest.fixture
def aged(monkeypatch) -> None:
    monkeypatch.setattr("handouts.quick._now", lambda: time.time_ns() + 3_000_000_000)


@pytest.fixture
def full_builds(monkeypatch) -> list[int]:
    """Count the builds that load the project (``handouts.build.build``); the fast path loads nothing."""
    import handouts.build

    calls: list[int] = []
    real = handouts.build.build

    def counted(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(handouts.build, "build", counted)
    return calls


def test_a_no_op_build_says_what_the_full_one_says_without_loading_anything(runner, project, aged, full_builds):
    first = build(runner, project)
    assert (project / "output" / MANIFEST).is_file()
    fast = build(runner, project)
    assert len(full_builds) == 1  # the second build loaded nothing
    (project / "output" / MANIFEST).unlink()
    slow = build(runner, project)
    assert len(full_builds) == 2
    assert fast == slow and "Built 0 of 6 handout(s)" in fast and "6 up to date" in fast
    assert "Built 6 of 6" in first


def test_every_change_after_the_manifest_takes_the_full_build(runner, project, aged, full_builds):
    out = project / "output"
    build(runner, project)
    before = pdfs(out)
    pdf = out / "second" / "steps-only.pdf"
    data = pdf.read_bytes()
    pdf.write_bytes(data[:-8] + b"%%EOF\n\n\n")  # same size, other bytes
    assert "Built 1 of 6" in build(runner, project)
    assert pdf.read_bytes() == data
    (out / "second" / "intro-only.pdf").unlink()
    assert "Built 1 of 6" in build(runner, project)
    block = next((project / "content" / "blocks").glob("steps.yaml"))
    block.write_text(block.read_text(encoding="utf-8") + "# edited\n", encoding="utf-8")
    users = [r for r in (project / "content" / "handouts").glob("*.yaml") if "steps" in r.read_text(encoding="utf-8")]
    assert f"Built {2 * len(users)} of 6" in build(runner, project)  # the recipes using it, for both clinics
    assert "Built 2 of 2" in build(runner, project, "--grayscale", "--handout", "steps-only")
    assert "Built 0 of 6" in build(runner, project)  # full: the manifest was the --grayscale build's
    assert len(full_builds) == 6
    assert "Built 0 of 6" in build(runner, project)
    assert len(full_builds) == 6  # nothing changed since the last build with these options: told by the stats
    assert pdfs(out).keys() >= before.keys()


def test_force_and_other_options_never_replay(runner, project, aged, full_builds):
    build(runner, project)
    build(runner, project, "--force")
    build(runner, project, "--clinic", "second")
    build(runner, project, "--lang", "en")
    assert len(full_builds) == 4


def test_a_new_clinic_folder_is_built(runner, project, aged):
    build(runner, project)
    clinic = project / "content" / "clinics" / "third"
    clinic.mkdir()
    for name in ("clinic.yaml", "logo.png"):
        data = (project / "content" / "clinics" / "second" / name).read_bytes()
        (clinic / name).write_bytes(data.replace(b"Second Clinic", b"Third Clinic"))
    assert "Built 3 of 9" in build(runner, project)


def test_a_failed_build_leaves_no_manifest_and_fails_again(runner, project, aged):
    clinic = project / "content" / "clinics" / "second" / "clinic.yaml"
    clinic.write_text(clinic.read_text(encoding="utf-8").replace("phone:", "phone_number:"), encoding="utf-8")
    for _ in range(2):
        result = runner.invoke(cli, ["build", "--project", str(project)])
        assert result.exit_code == 1
        assert "content/clinics/second/clinic.yaml" in result.stderr
        assert not (project / "output" / MANIFEST).exists()


def test_a_link_among_the_inputs_turns_the_fast_path_off(runner, project, aged):
    os.symlink(project / "content" / "strings.yaml", project / "content" / "blocks" / "linked.txt")
    build(runner, project)
    assert not (project / "output" / MANIFEST).exists()


def test_files_written_just_now_are_checked_by_their_bytes(runner, project, full_builds):
    time.sleep(2.1)  # the inputs are settled; the PDFs this build writes are not
    build(runner, project)
    manifest = json.loads((project / "output" / MANIFEST).read_text(encoding="utf-8"))
    listed = manifest["outputs"]
    # an output changed under two seconds before the manifest was taken carries its SHA-256; the rest, none
    recent = {name for name, (identity, _) in listed.items() if identity[4] > manifest["taken"] - 2_000_000_000}
    assert recent  # at least the gallery, written last
    assert {name for name, (_, digest) in listed.items() if digest} == recent
    for name in recent:
        assert listed[name][1] == hashlib.sha256((project / "output" / name).read_bytes()).hexdigest()
    assert "Built 0 of 6" in build(runner, project)
    assert len(full_builds) == 1


def test_inputs_edited_just_before_the_build_write_no_manifest(runner, project):
    build(runner, project)  # the fixture wrote every input a moment ago: a stat cannot vouch for them yet
    assert not (project / "output" / MANIFEST).exists()
