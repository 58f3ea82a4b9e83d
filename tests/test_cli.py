"""Tests for the command line: exit codes and the exact messages users see."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import CLINIC, REPO, pdftotext

from handouts import __version__
from handouts.cli import cli


def invoke(runner, *args: str, ok: bool = False):
    """Run ``handouts ARGS``; success runs let exceptions through so a traceback fails the test."""
    return runner.invoke(cli, list(args), prog_name="handouts", catch_exceptions=not ok)


def summary(root: Path, clinics: int, problems: str = "all good") -> str:
    layouts = len(list((root / "layouts").glob("*.yaml")))
    return f"Checked {clinics} clinic(s), 1 handout(s), 4 block(s), {layouts} layout(s): {problems}\n"


def test_help(runner):
    result = invoke(runner, "--help", ok=True)
    assert result.exit_code == 0
    assert result.stdout.startswith("Usage: handouts [OPTIONS] COMMAND [ARGS]...\n")
    commands = result.stdout.split("Commands:\n")[1]
    assert [line.split()[0] for line in commands.splitlines()] == [
        "build",
        "gallery",
        "lint",
        "list",
        "merge-translations",
        "new-clinic",
        "preview",
        "validate",
    ]
    assert result.stderr == ""


def test_version(runner):
    result = invoke(runner, "--version", ok=True)
    assert result.exit_code == 0
    assert result.stdout == f"handouts, version {__version__}\n"


def test_bad_flag_exits_2(runner):
    result = invoke(runner, "--bogus")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (
        "Usage: handouts [OPTIONS] COMMAND [ARGS]...\nTry 'handouts --help' for help.\n\nError: No such option '--bogus'.\n"
    )


def test_option_without_its_value_exits_2(runner, make_project):
    result = invoke(runner, "build", "--project", str(make_project()), "--clinic")
    assert result.exit_code == 2
    assert result.stderr == "Error: Option '--clinic' requires an argument.\n"


def test_unknown_command_exits_2(runner):
    result = invoke(runner, "biuld")
    assert result.exit_code == 2
    assert result.stderr == (
        "Usage: handouts [OPTIONS] COMMAND [ARGS]...\nTry 'handouts --help' for help.\n\n"
        "Error: No such command 'biuld'. Did you mean 'build'?\n"
    )


def test_python_dash_m(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "handouts", "--help"], capture_output=True, text=True, cwd=tmp_path, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Usage: handouts [OPTIONS] COMMAND [ARGS]...\n")
    assert done.stderr == ""


def test_list_shows_the_demo_clinic(runner, make_project):
    result = invoke(runner, "list", "--project", str(make_project()), ok=True)
    assert result.exit_code == 0
    clinics, handouts = result.stdout.split("\n\n")[:2]
    assert clinics == (
        "CLINIC  NAME                     PAPER   LANGUAGES  HANDOUTS\n"
        "------  -----------------------  ------  ---------  --------\n"
        "demo    Chen & Wu <Acupuncture>  letter  en         1"
    )
    assert handouts == (
        "HANDOUT  LAYOUT  LANGUAGES  TITLE\n"
        "-------  ------  ---------  -------------\n"
        "welcome  sheet   en         Welcome sheet"
    )
    assert result.stdout.endswith("\n\nLanguages with page strings: en, es, zh-Hans, zh-Hant\n")
    assert result.stderr == ""


def test_list_marks_a_broken_clinic(runner, make_project):
    root = make_project({"content/clinics/broken/clinic.yaml": "name: [\n"})
    result = invoke(runner, "list", "--project", str(root), ok=True)
    assert result.exit_code == 0
    assert result.stdout.split("\n\n")[0] == (
        "CLINIC  NAME                                 PAPER   LANGUAGES  HANDOUTS\n"
        "------  -----------------------------------  ------  ---------  --------\n"
        "broken  (has errors: run handouts validate)\n"
        "demo    Chen & Wu <Acupuncture>              letter  en         1"
    )


def test_validate_base_project(runner, make_project):
    root = make_project()
    result = invoke(runner, "validate", "--project", str(root), ok=True)
    assert result.exit_code == 0
    assert result.stdout == summary(root, 1)
    assert result.stderr == ""


def test_validate_catches_a_misspelt_template_field(runner, make_project):
    intro = (
        "kind: prose\nreviewed: 2026-11-01\nsources: [test]\ntext:\n  en:\n    title: Welcome\n"
        "    body: Call {{ clinic.phon }}.\n"
    )
    root = make_project({"content/blocks/intro.yaml": intro})
    result = invoke(runner, "validate", "--project", str(root))
    assert result.exit_code == 1
    assert result.stdout == summary(root, 1, "1 problem(s)")
    assert result.stderr == (
        "Error: content/blocks/intro.yaml:7: text.en.body: no field 'phon' on clinic: did you mean 'phone'?\n"
    )


def test_validate_outside_a_project(runner, tmp_path):
    result = invoke(runner, "validate", "--project", str(tmp_path))
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {tmp_path.resolve()} is not a handouts project: it needs content/ and layouts/ folders "
        "(run from the project folder or pass --project DIR)\n"
    )


def test_new_clinic_validates_and_builds(runner, make_project):
    root = make_project()
    result = invoke(runner, "new-clinic", "--project", str(root), "my-clinic", ok=True)
    assert result.exit_code == 0
    assert result.stdout == (
        "created content/clinics/my-clinic/clinic.yaml\n"
        "created content/clinics/my-clinic/logo.png\n"
        "Next: edit clinic.yaml (name, phone, address, colours), replace logo.png, then run: "
        "handouts validate, then handouts build --clinic my-clinic\n"
    )
    clinic_yaml = (root / "content/clinics/my-clinic/clinic.yaml").read_text(encoding="utf-8")
    assert "\nname: My Clinic " in clinic_yaml
    assert "\nregion: US " in clinic_yaml and "\n  sun: closed\n" in clinic_yaml

    result = invoke(runner, "validate", "--project", str(root), ok=True)
    assert result.exit_code == 0
    assert result.stdout == summary(root, 2)

    result = invoke(runner, "build", "--project", str(root), "--clinic", "my-clinic", ok=True)
    assert result.exit_code == 0
    assert result.stdout == "my-clinic: 1 PDF(s) in output/my-clinic/\nBuilt 1 of 1 handout(s) into output/\n"
    assert result.stderr == ""
    pdf = root / "output" / "my-clinic" / "welcome.pdf"
    assert pdf.read_bytes().startswith(b"%PDF-")
    assert "My Clinic" in pdftotext(pdf)
    assert not (root / "output" / "demo").exists()


@pytest.mark.parametrize(
    ("slug", "name"),
    [
        ("my-clinic", "My Clinic"),
        ("city-tcm-and-wellness", "City TCM and Wellness"),
        ("clinica-de-la-salud", "Clinica de la Salud"),
        ("north-star-2", "North Star 2"),
    ],
)
def test_new_clinic_names_the_clinic_from_its_slug(runner, make_project, slug, name):
    root = make_project()
    invoke(runner, "new-clinic", "--project", str(root), slug, ok=True)
    assert f"\nname: {name} " in (root / f"content/clinics/{slug}/clinic.yaml").read_text(encoding="utf-8")


def test_new_clinic_with_an_existing_slug(runner, make_project):
    root = make_project()
    result = invoke(runner, "new-clinic", "--project", str(root), "demo")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == "Error: content/clinics/demo already exists: choose another slug or edit that clinic.yaml\n"
    assert (root / "content/clinics/demo/clinic.yaml").read_text(encoding="utf-8") == CLINIC


def test_new_clinic_with_a_bad_slug(runner, make_project):
    root = make_project()
    result = invoke(runner, "new-clinic", "--project", str(root), "My Clinic")
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: 'My Clinic' is not a usable clinic slug: use lowercase letters, digits and hyphens\n"
    )
    assert not (root / "content/clinics/My Clinic").exists()


def test_build_with_an_unknown_clinic(runner, make_project):
    root = make_project()
    result = invoke(runner, "build", "--project", str(root), "--clinic", "dem")
    assert result.exit_code == 1
    assert result.stdout == "Built 0 of 0 handout(s) into output/\n"
    assert result.stderr == "Error: no clinic 'dem' in content/clinics/; did you mean 'demo'?\n"
    assert not (root / "output" / "demo").exists()


def test_broken_clinic_does_not_stop_a_good_one(runner, make_project):
    broken = CLINIC.replace('phone: "(555) 010-9999"', "phone: 5550102233")
    assert broken != CLINIC
    root = make_project({"content/clinics/broken/clinic.yaml": broken})
    shutil.copy(root / "content/clinics/demo/logo.png", root / "content/clinics/broken/logo.png")
    result = invoke(runner, "build", "--project", str(root))
    assert result.exit_code == 1
    assert result.stdout == "demo: 1 PDF(s) in output/demo/\nBuilt 1 of 1 handout(s) into output/\n"
    assert result.stderr == (
        "Error: content/clinics/broken/clinic.yaml:6: phone: expected text, but YAML read the number 5550102233: "
        "put the value in quotes\n"
    )
    assert (root / "output/demo/welcome.pdf").read_bytes().startswith(b"%PDF-")
    assert not (root / "output/broken").exists()


def line_of(text: str, needle: str) -> int:
    """Return the 1-based line of the only line of ``text`` that contains ``needle``."""
    found = [n for n, line in enumerate(text.splitlines(), 1) if needle in line]
    assert len(found) == 1, found
    return found[0]


def test_validate_catches_a_misspelt_name_in_a_layout_text_element(runner, make_project):
    sheet = (REPO / "layouts" / "sheet.yaml").read_text(encoding="utf-8")
    broken = sheet.replace('text: "{{ clinic.tagline }}"', 'text: "{{ clinic.nmae }}"')
    assert broken != sheet
    root = make_project({"layouts/sheet.yaml": broken})
    result = invoke(runner, "validate", "--project", str(root))
    assert result.exit_code == 1
    assert result.stdout == summary(root, 1, "1 problem(s)")
    assert result.stderr == (
        f"Error: layouts/sheet.yaml:{line_of(broken, 'clinic.nmae')}: pages.first.elements[4].text: "
        "no field 'nmae' on clinic: did you mean 'name'?\n"
    )


def test_validate_catches_a_misspelt_name_in_strings_yaml(runner, make_project):
    strings = (REPO / "content" / "strings.yaml").read_text(encoding="utf-8")
    broken = strings.replace("  closed: Closed\n", '  closed: "{{ clinic.nmae }}"\n')
    assert broken != strings
    root = make_project({"content/strings.yaml": broken})
    result = invoke(runner, "validate", "--project", str(root))
    assert result.exit_code == 1
    assert result.stdout == summary(root, 1, "1 problem(s)")
    assert result.stderr == (
        f"Error: content/strings.yaml:{line_of(broken, 'clinic.nmae')}: strings.en.closed: "
        "no field 'nmae' on clinic: did you mean 'name'?\n"
    )


def test_validate_catches_a_bad_link_in_a_layout_text_element(runner, make_project):
    sheet = (REPO / "layouts" / "sheet.yaml").read_text(encoding="utf-8")
    broken = sheet.replace('text: "{{ clinic.tagline }}"', 'text: "[book](javascript:alert)"')
    assert broken != sheet
    root = make_project({"layouts/sheet.yaml": broken})
    result = invoke(runner, "validate", "--project", str(root))
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: layouts/sheet.yaml:{line_of(broken, 'javascript')}: pages.first.elements[4].text: "
        "link 'javascript:alert' is not allowed: links must start with https://, http://, mailto: or tel:\n"
    )


def test_a_layout_text_element_too_small_for_its_text_names_its_line(runner, make_project):
    sheet = (REPO / "layouts" / "sheet.yaml").read_text(encoding="utf-8")
    broken = sheet.replace(
        "      - &footer-page {type: text, bottom: 0.64in, height: 0.22in,",
        "      - &footer-page {type: text, bottom: 0.64in, height: 0.05in,",
    )
    assert broken != sheet
    root = make_project({"layouts/sheet.yaml": broken})
    line = line_of(broken, "{{ t.page_of }}")
    result = invoke(runner, "build", "--project", str(root))
    assert result.exit_code == 1
    layout = yaml.safe_load(sheet)
    at, footer = next((i, e) for i, e in enumerate(layout["pages"][0]["elements"]) if "t.page_of" in str(e.get("text")))
    # one line at the element's min_size, the smallest it may shrink to before the error
    needs = float(footer["min_size"].removesuffix("pt")) * layout["type"]["leading"] / 72
    assert re.fullmatch(
        rf"Error: layouts/sheet\.yaml:{line}: handout 'welcome' for clinic 'demo' \(en\): pages\.first\.elements\[{at + 1}\]"  # counted from 1
        rf"\.text: the text 'Reviewed .* ·  Page 1 of 1' needs {needs:.2f}in but the element is 0\.05in tall: shorten "
        r"the text or make the element taller\n",
        result.stderr,
    ), result.stderr
