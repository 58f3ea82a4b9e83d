"""The package's shape: no import cycles (counting imports inside functions), no module over 500 lines."""

import importlib.util
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "check_imports.py"


def _checker():
    spec = importlib.util.spec_from_file_location("check_imports", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_package_has_no_import_cycle_and_no_module_over_500_lines():
    assert _checker().problems() == []


def test_the_checker_finds_a_cycle_through_a_function_level_import(tmp_path):
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "a.py").write_text("from .b import x\n")
    (pkg / "b.py").write_text("def f():\n    from . import a\n")
    (pkg / "c.py").write_text("\n" * 501)
    assert _checker().problems(pkg) == ["import cycle: pkg.a <-> pkg.b", "pkg.c: 501 lines, over 500"]


def test_help_imports_no_reportlab():
    code = "import sys\nfrom handouts.cli import cli\nprint(sorted(m for m in sys.modules if m.split('.')[0] in ('reportlab', 'jinja2', 'yaml')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
