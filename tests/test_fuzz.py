"""Property-based tests: arbitrary text in any text field of a block or of the clinic, through the real CLI.

Either the build succeeds and poppler reads back every character typed (nothing dropped, nothing
interpreted), or it fails with one clean message naming the file, line and field. Text mixes
characters the default font draws, arbitrary Unicode (right-to-left, combining marks, emoji,
control characters) and fragments of markup that must stay text: reportlab's tags and entities,
our own ``**``, links with other schemes, and Jinja's ``{{`` and ``{%``.

The budget is fixed (``derandomize=True``, a set number of examples per test) so CI runs the same
cases every time: about 200 builds, some 20 seconds.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from conftest import CLINIC, base_files, pdftotext, write_tree
from helpers import squash
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from handouts.assets import DEFAULT_FAMILY
from handouts.cli import cli


def budget(examples: int) -> settings:
    """A fixed, repeatable budget: the same ``examples`` cases on every run, no example database."""
    return settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate, Phase.shrink],
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
    )


def _drawable() -> list[str]:
    """Characters every face of the default font (Source Sans Pro) can draw."""
    from reportlab.pdfbase.ttfonts import TTFont

    faces = [DEFAULT_FAMILY.regular, DEFAULT_FAMILY.bold, DEFAULT_FAMILY.italic, DEFAULT_FAMILY.bold_italic]
    common = set.intersection(*(set(TTFont(f"fuzz{i}", str(p)).face.charToGlyph) for i, p in enumerate(faces)))
    return sorted(chr(c) for c in common if chr(c).isprintable() and not chr(c).isspace())


DRAWABLE = _drawable()
MARKUP_LIKE = [
    "<b>", "</b>", "<i>", "&amp;", "&lt;", "&#65;", "&", "<", ">", "<img src=x>", '<font color="red">', "</font>",
    "<br/>", "<para>", "]]>", "<![CDATA[", '<a href="javascript:x">', "'", '"', "#", ": ", "- ", "%",
]  # fmt: skip
OUR_MARKUP = ["**", "*", "[x](javascript:alert(1))", "[", "](", ")", "\\", "{{", "{%", "{{ clinic.name }}"]
OTHER_UNICODE = [
    "\u05e9\u05dc\u05d5\u05dd", "\u0645\u0631\u062d\u0628\u0627", "\u202e", "\u200f", "e\u0301", "\u0301",
    "\U0001f600", "\U0001f44d\U0001f3fd", "\u4e2d\u6587", "\u0007", "\x00", "\x1b", "\t", "\u00a0", "\u00ad",
    "\u200b", "\ufeff", "\u2028",
]  # fmt: skip

any_char = st.characters(codec="utf-8")


def texts(alphabet: list[str], fragments: list[str], wild: bool, max_size: int) -> st.SearchStrategy[str]:
    """Short texts mostly of ``alphabet``, with ``fragments`` mixed in; ``wild`` ones add any Unicode character
    and the characters that are not in the font or not allowed at all."""
    options = [st.sampled_from(alphabet)] * 4 + [st.sampled_from(fragments)]
    if wild:
        options += [st.sampled_from(OTHER_UNICODE), any_char]
    return st.lists(st.one_of(options), min_size=1, max_size=max_size).map("".join)


# Every text field of each kind of block, as numbered slots the test fills.
SLOTS: dict[str, dict] = {
    "prose": {"title": 0, "body": 1},
    "steps": {"title": 0, "intro": 1, "items": [2, 3], "outro": 4},
    "bullets": {"title": 0, "intro": 1, "items": [2, 3], "outro": 4},
    "callout": {"title": 0, "intro": 1, "items": [2, 3], "body": 4},
    "faq": {"title": 0, "items": [{"q": 1, "a": 2}, {"q": 3, "a": 4}]},
    "condition": {
        "name": 0,
        "what_it_is": 1,
        "symptoms": [2, 3],
        "causes": [4],
        "how_acupuncture_may_help": 5,
        "what_research_says": 6,
        "warning_signs": [7, 8],
    },
    "contact": {"title": 0, "intro": 1},
    "disclaimer": {"title": 0, "body": 1},
}


def _fill(value: object, texts: list[str], where: str = "text.en") -> tuple[object, dict[int, str]]:
    """Return ``value`` with each slot number replaced by its text, and the field path of each slot."""
    if isinstance(value, int):
        return texts[value], {value: where}
    paths: dict[int, str] = {}
    if isinstance(value, list):
        out = []
        for i, v in enumerate(value):
            filled, more = _fill(v, texts, f"{where}[{i + 1}]")
            out.append(filled)
            paths.update(more)
        return out, paths
    assert isinstance(value, dict)
    out_map = {}
    for k, v in value.items():
        out_map[k], more = _fill(v, texts, f"{where}.{k}")
        paths.update(more)
    return out_map, paths


def block_yaml(kind: str, texts: list[str]) -> tuple[str, dict[int, str]]:
    """Return the intro block as YAML, with ``texts`` in its fields, and the field path of each text."""
    words, paths = _fill(SLOTS[kind], texts)
    data = {"kind": kind, "reviewed": "2026-11-01", "sources": ["fuzz"], "text": {"en": words}}
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=10**6), paths


def visible(text: str) -> str:
    """Return ``text`` as a reader sees it: squashed, and without soft hyphens (shown only where a word breaks)."""
    return squash(text.replace("\u00ad", ""))


def escaped(text: str) -> str:
    """Write ``text`` so it prints literally: ``\\*`` for a star (the one escape), and ``{`` via Jinja.

    Every other backslash prints as typed. Link syntax cannot be escaped: text that happens to read
    as ``[label](url)`` becomes a link, or an error naming the field when the link is not allowed.
    """
    return text.replace("*", "\\*").replace("{", "{{ '{' }}")


class Project:
    """One fixture project, rebuilt in place for each example."""

    def __init__(self, root: Path) -> None:
        self.root = write_tree(root, base_files())
        self.runner = CliRunner()

    def build(self, files: dict[str, str]) -> tuple[int, str, str]:
        """Write ``files``, build into a fresh output folder; return (exit code, stderr, PDF text)."""
        write_tree(self.root, files)
        pdf = self.root / "output" / "demo" / "welcome.pdf"
        pdf.unlink(missing_ok=True)  # a failed build keeps the old copy: never read that one
        result = self.runner.invoke(cli, ["build", "--project", str(self.root)], prog_name="handouts")
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise AssertionError("traceback instead of a message") from result.exception
        # -raw: content-stream order, and no joining of a line that ends in "-" with the next (poppler's default)
        return result.exit_code, result.stderr, pdftotext(pdf, "-raw") if result.exit_code == 0 else ""


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Project:
    return Project(tmp_path_factory.mktemp("fuzz") / "project")


def assert_named_error(stderr: str, file: str, fields: set[str]) -> None:
    """The build failed with clean messages, each naming ``file``, a line and one of ``fields`` (plus, for a
    block, the recipe line saying the block has errors)."""
    assert "Traceback" not in stderr
    assert stderr.startswith("Error: "), stderr
    named = rf"{re.escape(file)}:\d+: ({'|'.join(re.escape(f) for f in fields)}): \S"
    recipe = "content/handouts/welcome.yaml:6: slots.body[1]: block 'intro' has errors (see that file)"
    for line in stderr.removeprefix("Error: ").splitlines():
        assert re.match(named, line) or line == recipe, stderr


def _fields(data: st.DataObject, kind: str, safe: st.SearchStrategy[str], wild: st.SearchStrategy[str]) -> list[str]:
    """Tricky but printable text in every field of ``kind``, and text that may not print at all in one of them."""
    count = len(_fill(SLOTS[kind], [""] * 10)[1])
    values = data.draw(st.lists(safe, min_size=count, max_size=count), label="fields")
    values[data.draw(st.integers(0, count - 1), label="wild field")] = data.draw(wild, label="wild text")
    return values


LITERAL_SAFE = texts(DRAWABLE, MARKUP_LIKE + OUR_MARKUP, wild=False, max_size=8)
LITERAL_WILD = texts(DRAWABLE, MARKUP_LIKE + OUR_MARKUP, wild=True, max_size=16)
RAW_ALPHABET = [c for c in DRAWABLE if c not in "{}"]
RAW_SAFE = texts(RAW_ALPHABET, [*MARKUP_LIKE, "**", "*", "\\"], wild=False, max_size=8)
RAW_WILD = texts(RAW_ALPHABET, MARKUP_LIKE + OUR_MARKUP, wild=True, max_size=16)


@pytest.mark.parametrize("kind", sorted(SLOTS))
@budget(10)
@given(data=st.data())
def test_block_text_prints_exactly_as_typed(project, kind, data):
    """Every field of every kind of block, written with the documented escapes: exactly what was meant prints."""
    values = _fields(data, kind, LITERAL_SAFE, LITERAL_WILD)
    text, paths = block_yaml(kind, [escaped(v) for v in values])
    code, stderr, pdf = project.build({"content/blocks/intro.yaml": text})
    if code == 0:
        for value in values:
            assert visible(value) in visible(pdf), (value, pdf)
    else:
        assert code == 1
        assert_named_error(stderr, "content/blocks/intro.yaml", set(paths.values()))


@pytest.mark.parametrize("kind", sorted(SLOTS))
@budget(10)
@given(data=st.data())
def test_block_text_as_typed_never_crashes_and_drops_nothing(project, kind, data):
    """The same fields written raw: our markup may apply, but no text between markup characters goes missing."""
    values = _fields(data, kind, RAW_SAFE, RAW_WILD)
    text, paths = block_yaml(kind, values)
    code, stderr, pdf = project.build({"content/blocks/intro.yaml": text})
    if code == 0:
        for value in values:
            value = value.replace("{{ clinic.name }}", "Chen & Wu <Acupuncture>")  # the one Jinja this test can write
            for segment in re.split(r"[\\*\[\]()]", value):
                assert visible(segment) in visible(pdf), (segment, value, pdf)
    else:
        assert code == 1
        assert_named_error(stderr, "content/blocks/intro.yaml", set(paths.values()))


CLINIC_FIELDS = {"name": "name: Chen & Wu <Acupuncture>", "tagline": "tagline: Gentle care",
                 "address[1]": "  - 1 Test Street", "address[2]": "  - Testville, TS 00001",
                 "hours.mon": '  mon: "9:00–17:00"'}  # fmt: skip
CLINIC_SAFE = texts(DRAWABLE, MARKUP_LIKE + OUR_MARKUP, wild=False, max_size=6)
CLINIC_WILD = texts(DRAWABLE, MARKUP_LIKE + OUR_MARKUP, wild=True, max_size=8)


def _yaml_quoted(text: str) -> str:
    return '"' + "".join(c if " " <= c <= "~" and c not in '"\\' else f"\\U{ord(c):08x}" for c in text) + '"'


@budget(30)
@given(data=st.data())
def test_clinic_text_prints_exactly_as_typed(project, data):
    """The clinic's own words are data, never markup or Jinja: they print as typed, or fail naming their field."""
    fields = list(CLINIC_FIELDS)
    values = data.draw(st.lists(CLINIC_SAFE, min_size=len(fields), max_size=len(fields)), label="fields")
    values[data.draw(st.integers(0, len(fields) - 1), label="wild field")] = data.draw(CLINIC_WILD, label="wild")
    clinic = CLINIC
    for line, value in zip(CLINIC_FIELDS.values(), values, strict=True):
        key = line.split(":")[0]
        clinic = clinic.replace(
            line, f"  - {_yaml_quoted(value)}" if key.startswith("  - ") else f"{key}: {_yaml_quoted(value)}"
        )
    code, stderr, pdf = project.build({"content/clinics/demo/clinic.yaml": clinic, **_base_blocks()})
    if code == 0:
        for value in values:
            assert visible(value) in visible(pdf), (value, pdf)
    else:
        assert code == 1
        assert_named_error(stderr, "content/clinics/demo/clinic.yaml", set(fields))


def _base_blocks() -> dict[str, str]:
    return {k: v for k, v in base_files().items() if k.startswith("content/blocks/")}


# --- The text rules, as properties: backslashes print, only \* escapes, emphasis nests or is refused ------


def _to_markup(text: str) -> str:
    from handouts.render import Styling, to_markup

    return to_markup(text, Styling(), "content/blocks/intro.yaml", 7, "text.en.body")


BACKSLASHY = st.lists(st.sampled_from([*"ab C:/.\\", "\\\\", "\\n", "é", "中"]), max_size=30).map("".join)


@budget(300)
@given(text=BACKSLASHY)
def test_every_backslash_prints_as_typed(text):
    from xml.sax.saxutils import escape

    assert _to_markup(text) == escape(text)


@budget(300)
@given(text=st.lists(st.sampled_from([*"ab \\*", "**"]), max_size=30).map("".join))
def test_a_backslash_star_is_the_one_escape(text):
    """Written with every star escaped, any text of letters, stars and backslashes prints exactly."""
    from xml.sax.saxutils import escape

    assert _to_markup(text.replace("*", "\\*")) == escape(text)


@budget(300)
@given(tokens=st.lists(st.sampled_from(["word", " ", "*", "**", "\\*"]), max_size=14))
def test_emphasis_nests_or_is_refused_naming_the_field(tokens):
    import xml.etree.ElementTree as ET

    from handouts.errors import ContentError

    text = "".join(tokens)
    try:
        result = _to_markup(text)
    except ContentError as exc:
        assert exc.format_message().startswith(
            "content/blocks/intro.yaml:7: text.en.body: bold (**) and italic (*) cross each other in "
        )
        return
    shown = "".join(ET.fromstring(f"<para>{result}</para>").itertext())  # well formed: tags nest
    assert shown.replace("*", "") == text.replace("\\*", "").replace("*", "")
