"""Tests for config: loading and checking a clinic's clinic.yaml."""

from __future__ import annotations

import shutil

import pytest
from conftest import CLINIC

from handouts.cli import cli
from handouts.errors import ConfigError, HandoutError
from handouts.load.config import discover_clinics, load_clinic

DISPLAY = "content/clinics/demo/clinic.yaml"


def edited(*pairs: tuple[str, str]) -> str:
    """Return the base clinic.yaml with each (old, new) replacement applied exactly once."""
    text = CLINIC
    for old, new in pairs:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return text


def clinic_error(make_project, text: str, extra: dict | None = None) -> str:
    root = make_project({"content/clinics/demo/clinic.yaml": text, **(extra or {})})
    with pytest.raises(HandoutError) as info:
        load_clinic(root, "demo")
    return info.value.format_message()


def test_good_clinic_values(make_project):
    root = make_project()
    clinic = load_clinic(root, "demo")
    assert clinic.slug == "demo"
    assert clinic.display == DISPLAY
    assert clinic.name == {"*": "Chen & Wu <Acupuncture>"}
    assert clinic.tagline == {"*": "Gentle care"}
    assert clinic.practitioners == (("Ana Chen", "L.Ac."),)
    assert clinic.phone == "(555) 010-9999"
    assert clinic.email == "desk@chenwu.example.com"
    assert clinic.website == "https://chenwu.example.com"
    assert clinic.booking_url == "https://chenwu.example.com/book"
    assert clinic.address == ("1 Test Street", "Testville, TS 00001")
    assert clinic.hours == {"mon": "9:00–17:00", "tue": "9:00–17:00", "sat": "closed"}
    assert clinic.paper == "letter"
    assert clinic.languages == ("en",)
    assert clinic.handouts is None
    assert clinic.primary_color == "#1f5f5b"
    assert clinic.accent_color == "#99531a"
    assert clinic.logo == (root / "content/clinics/demo/logo.png").resolve()
    assert clinic.heading_font is None
    assert clinic.body_font is None
    assert clinic.lines.line_of("phone") == 6


def test_defaults_fill_what_the_file_leaves_out(make_project):
    text = 'name: Tiny\nphone: "555 010 2233"\naddress: [1 Main St]\n'
    clinic = load_clinic(make_project({"content/clinics/demo/clinic.yaml": text}), "demo")
    assert clinic.paper == "letter"
    assert clinic.languages == ("en",)
    assert clinic.hours == {}
    assert clinic.practitioners == ()
    assert clinic.primary_color == "#2f5d62"
    assert clinic.accent_color == "#99531a"
    assert clinic.logo is None
    assert (clinic.tagline, clinic.email, clinic.website, clinic.booking_url) == (None, None, None, None)


def test_localized_name_and_colours_are_lowercased(make_project):
    text = edited(
        ("name: Chen & Wu <Acupuncture>", "name: {en: Lotus Clinic, es: Clínica Loto}"),
        ("languages: [en]", "languages: [en, es]"),
        ('"#1f5f5b"', '"#1F5F5B"'),
    )
    clinic = load_clinic(make_project({"content/clinics/demo/clinic.yaml": text}), "demo")
    assert clinic.name == {"en": "Lotus Clinic", "es": "Clínica Loto"}
    assert clinic.languages == ("en", "es")
    assert clinic.primary_color == "#1f5f5b"


def test_phone_given_as_a_number(make_project):
    message = clinic_error(make_project, edited(('phone: "(555) 010-9999"', "phone: 5550102233")))
    assert message == f"{DISPLAY}:6: phone: expected text, but YAML read the number 5550102233: put the value in quotes"


def test_phone_that_is_not_a_phone_number(make_project):
    message = clinic_error(make_project, edited(('phone: "(555) 010-9999"', "phone: call us")))
    assert message == f"{DISPLAY}:6: phone: 'call us' is not a phone number: digits, spaces, + ( ) - ."


def test_hours_read_as_a_sexagesimal_number(make_project):
    message = clinic_error(make_project, edited(('mon: "9:00–17:00"', "mon: 12:30")))
    # YAML 1.1 reads 12:30 as 12 * 60 + 30
    assert message == f"{DISPLAY}:14: hours.mon: expected text, but YAML read the number 750: put the value in quotes"


def test_hours_day_misspelt(make_project):
    message = clinic_error(make_project, edited(('tue: "9:00–17:00"', 'tues: "9:00–17:00"')))
    assert message == (
        f"{DISPLAY}:15: hours.tues: 'tues' is not one of: mon, tue, wed, thu, fri, sat, sun; did you mean 'tue'?"
    )


def test_unknown_key_with_did_you_mean(make_project):
    message = clinic_error(make_project, edited(("primary_color:", "primary_colour:")))
    assert message == f"{DISPLAY}:20: branding.primary_colour: unknown field; did you mean 'primary_color'?"


def test_unknown_key_without_a_close_match(make_project):
    message = clinic_error(make_project, CLINIC + "parking: free\n")
    assert message == (
        f"{DISPLAY}:23: parking: unknown field; expected one of: name, short_name, tagline, practitioners, phone, email, "
        "website, address, hours, booking_url, paper, region, emergency_number, languages, handouts, branding, print_profile"
    )


def test_missing_required_field(make_project):
    message = clinic_error(make_project, edited(("address:\n  - 1 Test Street\n  - Testville, TS 00001\n", "")))
    assert message == f"{DISPLAY}:1: address: is missing: this field is required"


@pytest.mark.parametrize(
    ("value", "found"),
    [
        ('"#1f5f5"', "'#1f5f5'"),
        ("teal", "'teal'"),
        ("#1f5f5b", "nothing (quote it: a bare # starts a YAML comment)"),
    ],
)
def test_bad_colour(make_project, value, found):
    message = clinic_error(make_project, edited(('primary_color: "#1f5f5b"', f"primary_color: {value}")))
    assert message == f"{DISPLAY}:20: branding.primary_color: expected a colour such as '#1f6f5c', found {found}"


def test_language_no_is_read_as_false(make_project):
    message = clinic_error(make_project, edited(("languages: [en]", "languages: [en, no]")))
    assert message == (
        f"{DISPLAY}:18: languages[2]: expected text, but YAML read the yes/no value false: put the value in quotes"
    )


def test_quoted_language_no_is_fine(make_project):
    text = edited(("languages: [en]", 'languages: [en, "no"]'))
    assert load_clinic(make_project({"content/clinics/demo/clinic.yaml": text}), "demo").languages == ("en", "no")


def test_language_listed_twice(make_project):
    message = clinic_error(make_project, edited(("languages: [en]", "languages: [en, es, en]")))
    assert message == f"{DISPLAY}:18: languages[3]: 'en' is listed twice"


def test_paper_not_a_choice(make_project):
    message = clinic_error(make_project, edited(("paper: letter", "paper: leter")))
    assert message == (
        f"{DISPLAY}:17: paper: 'leter' is not one of: letter, a4; did you mean 'letter'? (for example `paper: a4`)"
    )


def test_paper_a5_shows_an_example(make_project):
    message = clinic_error(make_project, edited(("paper: letter", "paper: a5")))
    assert message == f"{DISPLAY}:17: paper: 'a5' is not one of: letter, a4 (for example `paper: a4`)"


def test_logo_path_leaving_the_folder(make_project):
    root = make_project({"content/clinics/demo/clinic.yaml": edited(("logo: logo.png", "logo: ../shared-logo.png"))})
    shutil.copy(root / "content/clinics/demo/logo.png", root / "content/clinics/shared-logo.png")
    with pytest.raises(ConfigError) as info:
        load_clinic(root, "demo")
    assert info.value.format_message() == (
        f"{DISPLAY}:22: branding.logo: '../shared-logo.png' leads outside the clinic folder: copy the file into demo/"
    )


def test_logo_path_with_dots_that_stays_inside_is_fine(make_project):
    root = make_project({"content/clinics/demo/clinic.yaml": edited(("logo: logo.png", "logo: ../demo/./logo.png"))})
    assert load_clinic(root, "demo").logo == (root / "content/clinics/demo/logo.png").resolve()


def test_absolute_logo_path(make_project, tmp_path):
    outside = tmp_path / "elsewhere.png"
    outside.write_bytes(b"\x89PNG")
    message = clinic_error(make_project, edited(("logo: logo.png", f"logo: {outside}")))
    assert message == f"{DISPLAY}:22: branding.logo: {str(outside)!r} is an absolute path: give a file inside demo/"


def test_symlinked_logo_pointing_outside(make_project, tmp_path):
    root = make_project()
    outside = tmp_path / "secret.png"
    outside.write_bytes((root / "content/clinics/demo/logo.png").read_bytes())
    logo = root / "content/clinics/demo/logo.png"
    logo.unlink()
    logo.symlink_to(outside)
    with pytest.raises(ConfigError) as info:
        load_clinic(root, "demo")
    assert info.value.format_message() == (
        f"{DISPLAY}:22: branding.logo: 'logo.png' leads outside the clinic folder: copy the file into demo/"
    )


def test_symlinked_logo_inside_the_folder_is_fine(make_project):
    root = make_project()
    folder = root / "content/clinics/demo"
    (folder / "images").mkdir()
    (folder / "images/logo.png").symlink_to(folder / "logo.png")
    (folder / "clinic.yaml").write_text(edited(("logo: logo.png", "logo: images/logo.png")), encoding="utf-8")
    assert load_clinic(root, "demo").logo == (folder / "logo.png").resolve()


def test_missing_logo_file(make_project):
    message = clinic_error(make_project, edited(("logo: logo.png", "logo: nothere.png")))
    assert message == f"{DISPLAY}:22: branding.logo: file 'nothere.png' not found in demo/"


def test_logo_that_is_not_an_image(make_project):
    message = clinic_error(
        make_project, edited(("logo: logo.png", "logo: logo.gif")), {"content/clinics/demo/logo.gif": b"GIF89a"}
    )
    assert message == f"{DISPLAY}:22: branding.logo: must be a .png or .jpg file"


def test_several_mistakes_in_one_file_are_reported_together(make_project):
    text = edited(('phone: "(555) 010-9999"', "phone: 5550102233"), ("primary_color:", "primary_colour:"))
    message = clinic_error(make_project, text)
    assert message == (
        f"{DISPLAY}:6: phone: expected text, but YAML read the number 5550102233: put the value in quotes\n"
        f"{DISPLAY}:20: branding.primary_colour: unknown field; did you mean 'primary_color'?"
    )


def test_schema_mistake_and_missing_logo_are_reported_together(make_project):
    text = edited(('phone: "(555) 010-9999"', "phone: 5550102233"), ("logo: logo.png", "logo: nothere.png"))
    message = clinic_error(make_project, text)
    assert message == (
        f"{DISPLAY}:6: phone: expected text, but YAML read the number 5550102233: put the value in quotes\n"
        f"{DISPLAY}:22: branding.logo: file 'nothere.png' not found in demo/"
    )


def test_five_mistakes_are_all_reported_by_validate(make_project, runner):
    text = edited(
        ('phone: "(555) 010-9999"', "phone: 5550102233"),
        ('mon: "9:00–17:00"', "mon: 12:30"),
        ("languages: [en]", "languages: [en, no]"),
        ('primary_color: "#1f5f5b"', 'primary_colour: "#1f5f5b"'),
        ('accent_color: "#99531a"', 'accent_color: "#99531"'),
    )
    root = make_project({"content/clinics/demo/clinic.yaml": text})
    result = runner.invoke(cli, ["validate", "--project", str(root)])
    assert result.exit_code == 1
    layouts = len(list((root / "layouts").glob("*.yaml")))
    assert result.stdout == f"Checked 1 clinic(s), 1 handout(s), 4 block(s), {layouts} layout(s): 5 problem(s)\n"
    assert result.stderr == (
        f"Error: {DISPLAY}:6: phone: expected text, but YAML read the number 5550102233: put the value in quotes\n"
        f"{DISPLAY}:14: hours.mon: expected text, but YAML read the number 750: put the value in quotes\n"
        f"{DISPLAY}:18: languages[2]: expected text, but YAML read the yes/no value false: put the value in quotes\n"
        f"{DISPLAY}:20: branding.primary_colour: unknown field; did you mean 'primary_color'?\n"
        f"{DISPLAY}:21: branding.accent_color: expected a colour such as '#1f6f5c', found '#99531'\n"
    )


def test_discover_clinics_lists_folders_with_a_clinic_yaml(make_project):
    root = make_project({"content/clinics/b-clinic/clinic.yaml": CLINIC, "content/clinics/notes/readme.txt": "x"})
    assert discover_clinics(root) == ["b-clinic", "demo"]
