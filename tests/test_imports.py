"""The package's shape: no import cycles (counting imports inside functions), imports point down, no module over 500 lines."""

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
    ranks = {"": 0, "a": 0, "b": 0, "c": 0}  # one rank: only the cycle and the length are wrong
    assert _checker().problems(pkg, ranks) == ["import cycle: pkg.a <-> pkg.b", "pkg.c: 501 lines, over 500"]


def test_the_checker_finds_an_upward_import_and_a_module_without_a_rank(tmp_path):
    pkg = tmp_path / "pkg"
    (pkg / "load").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "load" / "__init__.py").write_text("")
    (pkg / "load" / "yamlio.py").write_text("def f():\n    from ..build import run\n")  # up, inside a function
    (pkg / "load" / "project.py").write_text("from .yamlio import f\nfrom ..errors import E\n")  # same rank, down
    (pkg / "errors.py").write_text("class E(Exception):\n    pass\n")
    (pkg / "build.py").write_text("from .errors import E\n\n\ndef run():\n    pass\n")
    (pkg / "extra.py").write_text("from . import errors\n")
    ranks = {"": 0, "errors": 0, "load": 1, "build": 2}
    assert _checker().problems(pkg, ranks) == [
        "pkg.extra: no rank along the pipeline: add it to RANKS in scripts/check_imports.py",
        "upward import: pkg.load.yamlio (rank 1) imports pkg.build (rank 2)",
    ]


def test_every_module_of_the_package_has_a_rank():
    checker = _checker()
    assert all(checker.rank_of(name, checker.RANKS) is not None for name in checker.graph(checker.ROOT))


def test_help_imports_no_reportlab():
    code = "import sys\nfrom handouts.cli import cli\nprint(sorted(m for m in sys.modules if m.split('.')[0] in ('reportlab', 'jinja2', 'yaml')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
