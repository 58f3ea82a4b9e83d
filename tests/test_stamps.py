"""The stat fast path: a file is read again unless its stat is the one recorded, taken long enough after its change."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from handouts import stamps
from handouts.stamps import STAT_FILE, Stamps


def _file(tmp_path: Path, data: bytes = b"%PDF-1.4 one\n") -> tuple[Path, str]:
    path = tmp_path / "a.pdf"
    path.write_bytes(data)
    return path, hashlib.sha256(data).hexdigest()


def test_a_trusted_stat_spares_the_read_and_a_changed_file_is_read(tmp_path, monkeypatch, reads):
    monkeypatch.setattr(stamps, "MARGIN", 0)
    path, digest = _file(tmp_path)
    first = Stamps(tmp_path)
    assert first.digest(path) == digest
    first.save()
    reads.clear()
    assert Stamps(tmp_path).digest(path) == digest
    assert reads == []
    path.write_bytes(b"%PDF-1.4 two\n")
    assert Stamps(tmp_path).digest(path) == hashlib.sha256(b"%PDF-1.4 two\n").hexdigest()
    assert reads == [path]


def test_a_stat_taken_within_the_margin_of_the_change_is_not_trusted(tmp_path, reads):
    path, digest = _file(tmp_path)  # just written: its ctime is now, well within 2 s
    first = Stamps(tmp_path)
    first.remember(path, digest)
    first.save()
    assert json.loads((tmp_path / STAT_FILE).read_text())["files"]["a.pdf"]["sha256"] == digest
    assert Stamps(tmp_path).digest(path) == digest
    assert reads == [path]  # read again: a second write in the same clock tick would not show in the stat


def test_a_racy_entry_is_checked_when_saved_and_dropped_if_the_file_differs(tmp_path, monkeypatch, reads):
    path, digest = _file(tmp_path)
    first = Stamps(tmp_path)
    first.remember(path, "0" * 64)  # as if the file was overwritten in the tick after it was written
    monkeypatch.setattr(stamps, "MARGIN", 0)  # by the time of saving, old enough to be hashed again
    first.save()
    assert reads == [path]
    assert json.loads((tmp_path / STAT_FILE).read_text())["files"] == {}
    assert Stamps(tmp_path).digest(path) == digest


@pytest.mark.parametrize(
    "text",
    [
        "",
        "{not json",
        "[1]",
        '{"format": 1, "taken": 5, "files": {"a.pdf": [1]}}',
        '{"format": 1, "taken": 5, "files": {"a.pdf": {"sha256": "x", "stat": "y"}}}',
    ],
)
def test_a_damaged_stat_file_means_reading_every_file(tmp_path, monkeypatch, reads, text):
    monkeypatch.setattr(stamps, "MARGIN", 0)
    path, digest = _file(tmp_path)
    (tmp_path / STAT_FILE).write_text(text)
    assert Stamps(tmp_path).digest(path) == digest
    assert reads == [path]


def test_what_is_not_a_regular_file_is_missing(tmp_path):
    (tmp_path / "folder.pdf").mkdir()
    assert Stamps(tmp_path).digest(tmp_path / "folder.pdf") == "missing"
    assert Stamps(tmp_path).digest(tmp_path / "none.pdf") == "missing"
