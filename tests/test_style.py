"""The code stays ruff-clean, and the CLI module stays a thin layer over the library."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_ruff_clean():
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "src", "tests", "benchmarks", "scripts"],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_cli_imports_no_rendering_libraries():
    text = (REPO / "src" / "handouts" / "cli.py").read_text()
    assert not re.search(r"^\s*(from|import)\s+(reportlab|jinja2|yaml)\b", text, re.M)
    assert "try:" not in text


def test_cli_starts_without_the_heavy_libraries():
    code = "import sys, handouts.cli; print(sorted({'reportlab', 'jinja2', 'yaml', 'pypdfium2', 'PIL'} & set(sys.modules)))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout == "[]\n"


def test_no_catch_all_exception_handlers():
    for path in (REPO / "src" / "handouts").glob("*.py"):
        assert "except Exception" not in path.read_text(), path
        assert "except:" not in path.read_text(), path
