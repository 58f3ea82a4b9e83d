"""Sharded builds: N output folders built apart merge by copying into the folder one full build writes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import CLINIC, REPO

from handouts.cli import cli

STAT_FILE = ".handouts-stat.json"  # this disk's inodes and times: a cache, never equal between two builds
MANIFEST = ".handouts-noop.json"  # the no-op manifest: stats of this disk too

EXTRA = {
    "content/clinics/second/clinic.yaml": CLINIC.replace("Chen & Wu <Acupuncture>", "Second Clinic").replace(
        "#1f5f5b", "#6a2c70"
    ),
    "content/clinics/second/logo.png": (REPO / "content/clinics/lotus-acupuncture/logo.png").read_bytes(),
    "content/clinics/third/clinic.yaml": CLINIC.replace("Chen & Wu <Acupuncture>", "Third Clinic").replace(
        "paper: letter", "paper: a4"
    ),
    "content/clinics/third/logo.png": (REPO / "content/clinics/north-star/logo.png").read_bytes(),
}


def handouts(runner, *args: str):
    return runner.invoke(cli, list(args))


def files(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (hidden ones too) but the stat caches, by relative path."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name not in (STAT_FILE, MANIFEST)
    }


def test_two_shards_merged_by_copying_equal_one_full_build_byte_for_byte(make_project, runner, tmp_path):
    root = make_project(EXTRA)
    full, merged = tmp_path / "full", tmp_path / "merged"
    result = handouts(runner, "build", "--project", str(root), "--out", str(full))
    assert result.exit_code == 0, result.output
    shards = []
    for k in (1, 2):
        out = tmp_path / f"shard-{k}"
        result = handouts(runner, "build", "--project", str(root), "--out", str(out), "--shard", f"{k}/2")
        assert result.exit_code == 0, result.output
        shards.append({p.relative_to(out).as_posix() for p in out.glob("*/*.pdf")})
    # clinics in slug order, dealt round: demo and third to share 1, second to share 2
    assert shards == [{"demo/welcome.pdf", "third/welcome.pdf"}, {"second/welcome.pdf"}]
    for k in (1, 2):
        shutil.copytree(tmp_path / f"shard-{k}", merged, dirs_exist_ok=True)
    result = handouts(runner, "gallery", "--project", str(root), "--out", str(merged))
    assert result.exit_code == 0, result.output
    assert result.output == f"Gallery: {merged / 'index.html'}\n"
    expected = files(full)
    assert {p for p in expected if p.endswith(".pdf")} == shards[0] | shards[1]
    assert files(merged) == expected
    # the merged records are whole: a build there finds everything up to date, and changes no file
    result = handouts(runner, "build", "--project", str(root), "--out", str(merged))
    assert result.exit_code == 0, result.output
    assert "Built 0 of 3 handout(s)" in result.output
    assert files(merged) == expected


@pytest.mark.parametrize(
    ("shard", "message"),
    [
        ("3/2", "'3/2': K must be from 1 to 2, e.g. 1/2"),
        ("0/4", "'0/4': K must be from 1 to 4, e.g. 1/4"),
        ("1/0", "'1/0': N, the number of shares, must be at least 1, e.g. 1/2"),
        ("half", "'half' is not K/N: give the share to build and the number of shares, e.g. 1/4"),
    ],
)
def test_a_shard_that_is_not_k_of_n_is_a_usage_error(make_project, runner, shard, message):
    root = make_project()
    result = handouts(runner, "build", "--project", str(root), "--shard", shard)
    assert result.exit_code == 2
    assert result.stderr.endswith(f"Error: Invalid value for '--shard': {message}\n")
    assert not (root / "output").exists()


def test_a_share_with_no_clinic_builds_nothing_and_says_so(make_project, runner):
    root = make_project()  # one clinic: share 2 of 2 is empty
    result = handouts(runner, "build", "--project", str(root), "--shard", "2/2")
    assert result.exit_code == 0, result.output
    assert "share 2/2 holds no clinic: nothing to build" in result.output
    assert not list((root / "output").glob("*/*.pdf"))
