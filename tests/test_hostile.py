"""Hostile and broken input, fed through the real command line: each problem is one exact message and exit 1.

Grouped by the classes of issue #7: YAML, templating, text and markup, images and fonts, the
environment, layout, and output. Every test builds a fixture project (``make_project``), runs
``handouts`` and compares stderr whole; a Python traceback fails the test.
"""

from __future__ import annotations

import base64
import io
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from conftest import CLINIC, REPO, pdftotext, write_tree
from helpers import squash
from PIL import Image
from pypdf import PdfReader

from handouts.cli import cli

CLINIC_YAML = "content/clinics/demo/clinic.yaml"
GOOD = {
    "content/clinics/good/clinic.yaml": CLINIC.replace("name: Chen & Wu <Acupuncture>", "name: Good Clinic"),
    "content/clinics/good/logo.png": (REPO / "content/clinics/north-star/logo.png").read_bytes(),
}
GOOD_BUILT = "good: 1 PDF(s) in output/good/\nBuilt 1 of 1 handout(s) into output/\n"


def handouts(runner, *args: str):
    """Run ``handouts ARGS`` in-process; an exception other than a clean exit fails the test."""
    result = runner.invoke(cli, list(args), prog_name="handouts")
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError("traceback instead of a message") from result.exception
    return result


def build(runner, root: Path, *args: str):
    return handouts(runner, "build", "--project", str(root), *args)


def error(result) -> str:
    """Return stderr after checking the run failed with exit code 1."""
    assert result.exit_code == 1, (result.stdout, result.stderr)
    return result.stderr


def clinic(*pairs: tuple[str, str], extra: str = "") -> str:
    """Return the fixture clinic.yaml with each (old, new) replaced exactly once, plus ``extra`` lines."""
    text = CLINIC
    for old, new in pairs:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return text + extra


def prose(body: str, title: str = "Welcome") -> str:
    """Return the intro block (a prose block) with ``body`` on line 7, written as given."""
    return f"kind: prose\nreviewed: 2026-11-01\nsources: [test]\ntext:\n  en:\n    title: {title}\n    body: {body}\n"


# --- YAML: values YAML turns into something else, and files that are not what a loader expects ----------

LATIN1 = clinic(("tagline: Gentle care", "tagline: Café care")).replace("–", "-")  # the en dash is not in latin-1


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param(
            clinic(("languages: [en]", "languages: [en, NO]")),
            "18: languages[2]: expected text, but YAML read the yes/no value false: put the value in quotes",
            id="NO-is-false",
        ),
        pytest.param(
            clinic(('mon: "9:00–17:00"', "mon: 12:30")),
            "14: hours.mon: expected text, but YAML read the number 750: put the value in quotes",
            id="12:30-is-a-number",
        ),
        pytest.param(
            clinic(('phone: "(555) 010-9999"', "phone: 01234")),
            "6: phone: expected text, but YAML read the number 668: put the value in quotes",
            id="01234-is-octal",
        ),
        pytest.param(
            clinic(('phone: "(555) 010-9999"', "phone: 5550109999")),
            "6: phone: expected text, but YAML read the number 5550109999: put the value in quotes",
            id="phone-is-a-number",
        ),
        pytest.param(
            clinic(("tagline: Gentle care", "tagline: Care: gentle and calm")),
            "2: mapping values are not allowed here: put text that contains ': ' in quotes",
            id="unquoted-colon",
        ),
        pytest.param(
            clinic(("tagline: Gentle care", "tagline: 2024-01-01")),
            "2: tagline: expected text, but YAML read the date 2024-01-01: put the value in quotes",
            id="date-as-text",
        ),
        pytest.param(
            clinic(extra="phone: '(555) 010-0000'\n"),
            "23: phone: duplicate key (first given on line 6): keep only one",
            id="duplicate-key",
        ),
        pytest.param(
            clinic(('  mon: "9:00–17:00"\n  tue', '  mon: "9:00–17:00"\n  mon: closed\n  tue')),
            "15: mon: duplicate key (first given on line 14): keep only one",
            id="duplicate-nested-key",
        ),
        pytest.param(
            clinic(("  - name: Ana Chen", "\t- name: Ana Chen")),
            "4: found character '\\t' that cannot start any token: indent with spaces, not tabs",
            id="tab-indent",
        ),
        pytest.param(
            clinic(("primary_color:", "primary_colour:")),
            "20: branding.primary_colour: unknown field; did you mean 'primary_color'?",
            id="misspelt-key",
        ),
        pytest.param(
            clinic(extra="parking: free\n"),
            "23: parking: unknown field; expected one of: name, short_name, tagline, practitioners, phone, email, "
            "website, address, hours, booking_url, paper, region, emergency_number, languages, handouts, branding, print_profile",
            id="unknown-key",
        ),
        pytest.param("", "1: the file is empty: it needs a mapping of fields", id="empty"),
        pytest.param(
            "# nothing here yet\n\n", "1: the file is empty: it needs a mapping of fields", id="only-comments"
        ),
        pytest.param(
            "- name: A\n- name: B\n", "1: expected a mapping of 'field: value' lines, found a list", id="a-list"
        ),
        pytest.param(
            "Chen & Wu Acupuncture\n",
            "1: expected a mapping of 'field: value' lines, found a single line of text",
            id="a-scalar",
        ),
        pytest.param(
            "name: a\n---\nname: b\n",
            "2: the file holds more than one YAML document (a '---' line): keep one",
            id="two-documents",
        ),
        pytest.param(
            "a: " + "[" * 60 + "]" * 60 + "\n",
            "1: nested more than 40 levels deep: flatten the structure",
            id="deep-nesting",
        ),
        pytest.param(
            "\n".join(
                ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
                + [
                    f"{n}: &{n} [" + ", ".join([f"*{p}"] * 10) + "]"
                    for p, n in zip("abcdefgh", "bcdefghi", strict=True)
                ]
            )
            + "\n",
            "1: aliases expand this file to more than 20,000 values: write it out plainly",
            id="billion-laughs",
        ),
        pytest.param(
            "a: &a [*a]\n",
            "1: aliases expand this file to more than 20,000 values: write it out plainly",
            id="recursive-alias",
        ),
        pytest.param(
            clinic(extra="x: &x {a: 1}\ny:\n  <<: *x\n"),
            "25: merge keys ('<<') are not supported",
            id="merge-key",
        ),
        pytest.param(LATIN1.encode("latin-1"), "2: not UTF-8 text (byte 0xe9): save the file as UTF-8", id="latin-1"),
        pytest.param(CLINIC.encode("utf-16"), "1: not UTF-8 text (byte 0xff): save the file as UTF-8", id="utf-16"),
        pytest.param(
            clinic(("Gentle care", "Gentle\x00care")),
            "2: contains the invisible control character U+0000, which YAML does not allow: remove it",
            id="nul-byte",
        ),
        pytest.param(
            clinic(("tagline: Gentle care", 'tagline: "Gentle\\x1bcare"')),
            "2: tagline: contains the invisible control character U+001B",
            id="escaped-control-character",
        ),
    ],
)
def test_broken_yaml_in_a_clinic_file(make_project, runner, text, message):
    root = make_project({CLINIC_YAML: text, **GOOD})
    result = build(runner, root)
    assert error(result) == f"Error: {CLINIC_YAML}:{message}\n"
    assert result.stdout == GOOD_BUILT  # the other clinic still builds
    assert not (root / "output/demo").exists()


@pytest.mark.parametrize(
    "tag",
    [
        "!!python/object/apply:os.system ['touch {marker}']",
        "!!python/object/new:subprocess.Popen [['touch', '{marker}']]",
        "!!python/name:os.system",
        "!!python/module:os",
    ],
)
def test_python_object_tags_run_nothing(make_project, runner, tmp_path, tag):
    marker = tmp_path / "executed"
    value = tag.format(marker=marker)
    root = make_project({CLINIC_YAML: clinic(extra=f"x: {value}\n"), **GOOD})
    result = build(runner, root)
    resolved = value.split()[0][2:].split("[")[0]
    assert error(result) == (
        f"Error: {CLINIC_YAML}:23: could not determine a constructor for the tag 'tag:yaml.org,2002:{resolved}': "
        "tags such as !!python/... are not allowed\n"
    )
    assert not marker.exists()
    assert result.stdout == GOOD_BUILT


def test_broken_block_file_stops_only_the_handouts_that_use_it(make_project, runner):
    root = make_project(
        {
            "content/blocks/intro.yaml": "kind: prose\nreviewed: 2026-11-01\nsources: [test]\ncolour: red\n"
            "text:\n  en:\n    title: Welcome\n    body: Hi\n",
            "content/handouts/other.yaml": "layout: sheet\ntext:\n  en:\n    title: Other\nslots:\n  body: [steps, disclaimer]\n",
        }
    )
    result = build(runner, root)
    assert error(result) == (
        "Error: content/blocks/intro.yaml:4: colour: unknown field; "
        "expected one of: kind, reviewed, sources, references, tone, show, text, image, credit, width, optional, icon, form_field, icons\n"
        "content/handouts/welcome.yaml:6: slots.body[1]: block 'intro' has errors (see that file)\n"
    )
    assert result.stdout == "demo: 1 PDF(s) in output/demo/\nBuilt 1 of 2 handout(s) into output/; 1 failed\n"
    assert sorted(p.name for p in (root / "output/demo").glob("*.pdf")) == ["other.pdf"]


def test_block_item_that_yaml_read_as_a_number(make_project, runner):
    steps = "kind: steps\nreviewed: 2026-11-01\nsources: [test]\ntext:\n  en:\n    items:\n      - Rest\n      - 1.5\n"
    result = build(runner, make_project({"content/blocks/steps.yaml": steps}))
    assert error(result).startswith(
        "Error: content/blocks/steps.yaml:8: text.en.items[2]: expected text, but YAML read the number 1.5: "
        "put the value in quotes\n"
    )


def test_validate_reports_yaml_problems_of_every_file_together(make_project, runner):
    root = make_project(
        {
            CLINIC_YAML: clinic(('phone: "(555) 010-9999"', "phone: 01234"), ("languages: [en]", "languages: [no]")),
            "content/blocks/steps.yaml": "kind: steps\nkind: prose\n",
        }
    )
    result = handouts(runner, "validate", "--project", str(root))
    assert error(result) == (
        "Error: content/blocks/steps.yaml:2: kind: duplicate key (first given on line 1): keep only one\n"
        f"{CLINIC_YAML}:6: phone: expected text, but YAML read the number 668: put the value in quotes\n"
        f"{CLINIC_YAML}:18: languages[1]: expected text, but YAML read the yes/no value false: put the value in quotes\n"
    )


# --- Templating: undefined names, syntax, sandbox escapes, and expressions that burn CPU or memory ----------


@pytest.mark.parametrize(
    ("body", "message"),
    [
        pytest.param(
            "Call {{ clinic.phon }}",
            "no field 'phon' on clinic: did you mean 'phone'?",
            id="misspelt-field",
        ),
        pytest.param(
            "Hello {{ patient.name }}",
            "'patient' is undefined (names you can use: clinic, handout, lang, reviewed)",
            id="undefined-name",
        ),
        pytest.param(
            "Call {{ clinic.phone",
            "template syntax: unexpected end of template, expected 'end of print statement'.",
            id="unclosed",
        ),
        pytest.param(
            "{% if clinic.email %}Email us",
            "template syntax: Unexpected end of template. Jinja was looking for the following tags: 'elif' or 'else' or 'endif'. The innermost block that needs to be closed is 'if'.",
            id="unclosed-if",
        ),
        pytest.param(
            "{{ ''.__class__.__mro__[1].__subclasses__() }}",
            "not allowed: access to attribute '__class__' of 'str' object is unsafe.",
            id="class-escape",
        ),
        pytest.param(
            "{{ clinic.name.__init__.__globals__ }}",
            "not allowed: access to attribute '__init__' of 'str' object is unsafe.",
            id="globals-escape",
        ),
        pytest.param(
            "{{ '{0.__class__}'.format(clinic.name) }}",
            "not allowed: access to attribute 'format' of 'str' object is unsafe.",
            id="format-escape",
        ),
        pytest.param(
            "{{ clinic.address.append('x') }}",
            "a list of lines has no 'append': print it whole, or one line of it, such as [0]",
            id="mutation",
        ),
        pytest.param(
            "{{ cycler.__init__.__globals__.os }}",
            "'cycler' is undefined (names you can use: clinic, handout, lang, reviewed)",
            id="no-globals",
        ),
        pytest.param(
            "{{ 'a' * 10**9 }}",
            "not allowed: repeating text to 1,000,000,000 characters is over the limit of 50,000",
            id="huge-repeat",
        ),
        pytest.param(
            "{{ [['x'] * 40000] * 40000 }}",
            "not allowed: repeating text to 80,000 characters is over the limit of 50,000",
            id="nested-repeat",
        ),
        pytest.param(
            "{{ 'x' * 30000 }}{{ 'x' * 30000 }}",
            "not allowed: repeating text to 60,000 characters is over the limit of 50,000",
            id="repeats-add-up",
        ),
        pytest.param(
            "{{ 2 ** 100000 }}", "not allowed: power with exponent 100000 is over the limit of 100", id="huge-power"
        ),
        pytest.param(
            "{{ 99 ** 99 ** 99 }}",
            "not allowed: the power would have more than 4096 bits, over the limit",
            id="chained-power",
        ),
        pytest.param(
            "{{ clinic.name.ljust(10**9) }}",
            "not allowed: access to attribute 'ljust' of 'str' object is unsafe.",
            id="padding-method",
        ),
        pytest.param(
            "{{ '%0999999999d' % 1 }}",
            "not allowed: formatting text with % is not allowed: insert values with {{ … }}",
            id="percent-format",
        ),
        pytest.param(
            "{{ clinic.address|join('x' * 49000) }}",
            "not allowed: joining text to 147,000 characters is over the limit of 50,000",
            id="huge-join",
        ),
        pytest.param("{{ [1]|batch(10**9, 'x') }}", "template syntax: No filter named 'batch'.", id="filling-filter"),
        pytest.param(
            "{% for i in 'x' * 50000 %}{{ i }}{% endfor %}",
            "template syntax: 'for' blocks are not allowed in content text",
            id="loop",
        ),
        pytest.param(
            "{% set a = 'x' * 50000 %}{{ [a, a, a, a, a] }}",
            "template syntax: 'set' blocks are not allowed in content text",
            id="variable",
        ),
        pytest.param("{{ clinic.name.upper }}", "upper must be called: add ()", id="uncalled-method"),
        pytest.param("{{ 1 / 0 }}", "ZeroDivisionError: division by zero", id="arithmetic"),
    ],
)
def test_bad_template_text_names_the_block_file_line_and_field(make_project, runner, body, message):
    quoted = '"' + body.replace("\\", "\\\\").replace('"', '\\"') + '"'
    root = make_project({"content/blocks/intro.yaml": prose(quoted)})
    result = build(runner, root)
    assert error(result) == f"Error: content/blocks/intro.yaml:7: text.en.body: {message}\n"
    assert result.stdout == "Built 0 of 1 handout(s) into output/; 1 failed\n"


def test_template_that_would_eat_memory_fails_fast_under_a_memory_limit(make_project, tmp_path):
    """The real CLI in a child with 300 MB of address space: every bomb is refused, none raises MemoryError."""
    bombs = [
        "{{ clinic.name.center(10**10) }}",
        "{{ '{:>9999999999}'.format(1) }}",
        "{{ ('x' * 50000).replace('x', 'x' * 50000) }}",
        "{{ [[1] * 50000] * 50000 }}",
        "{{ ('ab' * 25000)|join('x' * 40000) }}",
    ]
    blocks = {}
    for i, bomb in enumerate(bombs):
        blocks[f"content/blocks/bomb{i}.yaml"] = prose('"' + bomb.replace('"', '\\"') + '"')
    slots = ", ".join(f"bomb{i}" for i in range(len(bombs)))
    root = make_project(
        {
            **blocks,
            "content/handouts/welcome.yaml": f"layout: sheet\ntext:\n  en:\n    title: T\nslots:\n  body: [{slots}]\n",
        }
    )
    code = (
        "import resource, sys; resource.setrlimit(resource.RLIMIT_AS, (300_000_000, 300_000_000));"
        "from handouts.cli import cli; cli(['validate', '--project', sys.argv[1]])"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(root)], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 1, done.stderr
    lines = done.stderr.splitlines()
    assert len(lines) == len(bombs)
    assert lines[0].startswith("Error: content/blocks/bomb0.yaml:7: text.en.body: not allowed: ")
    for i, line in enumerate(lines[1:], start=1):
        assert line.startswith(f"content/blocks/bomb{i}.yaml:7: text.en.body: not allowed: "), line
    assert "Traceback" not in done.stderr


# --- Text and markup: everything prints exactly as typed; reportlab's own markup is unreachable ---------------

TAG_LIKE = [
    "Chen & Wu <Acupuncture>",
    "a <b>bold</b> and <i>slanted</i> word",
    "&amp; &lt; &#65; &nbsp; &",
    '<img src="/etc/passwd" width="500" height="500"/>',
    "<font color=\"__import__('os').system('touch {marker}')\">red</font>",
    '<a href="javascript:alert(1)">click</a> [x](javascript:alert(1))',
    "<br/><para><seq/><onDraw name=x/></para>",
    "<![CDATA[x]]> <!-- hidden? --> x > y < z",
]


def test_tag_like_text_prints_exactly_as_typed_and_runs_nothing(make_project, runner, tmp_path):
    marker = tmp_path / "executed"
    items = [t.format(marker=marker) for t in TAG_LIKE]
    quoted = "".join("      - '" + t.replace("'", "''") + "'\n" for t in items)
    steps = f"kind: steps\nreviewed: 2026-11-01\nsources: [test]\ntext:\n  en:\n    title: Tags\n    items:\n{quoted}"
    root = make_project({"content/blocks/steps.yaml": steps})
    result = build(runner, root)
    assert result.exit_code == 0, result.stderr
    pdf = root / "output/demo/welcome.pdf"
    text = squash(pdftotext(pdf))
    for item in items:
        assert squash(item) in text, item
    assert not marker.exists()
    page = PdfReader(pdf).pages[0]
    assert len(page.images) == 1  # the logo; no <img> came through
    uris = {a.get_object()["/A"]["/URI"] for a in page.get("/Annots", [])}
    assert uris == {"tel:5550109999", "mailto:desk@chenwu.example.com", "https://chenwu.example.com",
                    "https://chenwu.example.com/book"}  # fmt: skip


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert",
        "JavaScript:alert",
        " javascript:x",
        "file:///etc/passwd",
        "data:text/html,hi",
        "vbscript:msgbox",
        "ftp://example.com/x",
        "//evil.example.com/",
        "document.pdf",
    ],
)
def test_link_schemes_other_than_http_https_mailto_tel_are_refused(make_project, runner, url):
    body = f"'Read [this]({url}) now'"
    result = build(runner, make_project({"content/blocks/intro.yaml": prose(body)}))
    if url.startswith(" "):  # a space ends a link: the text prints as typed, no link is made
        assert result.exit_code == 0, result.stderr
        return
    assert error(result) == (
        f"Error: content/blocks/intro.yaml:7: text.en.body: link {url!r} is not allowed: "
        "links must start with https://, http://, mailto: or tel:\n"
    )


def test_allowed_links_become_live_links(make_project, runner):
    body = "'[Site](https://e.example.com/a?b=1&c=2), [old](http://e.example.com), [mail](mailto:a@e.example.com), [call](tel:+15550100)'"
    root = make_project({"content/blocks/intro.yaml": prose(body)})
    result = build(runner, root)
    assert result.exit_code == 0, result.stderr
    page = PdfReader(root / "output/demo/welcome.pdf").pages[0]
    uris = {a.get_object()["/A"]["/URI"] for a in page.get("/Annots", [])}
    assert {
        "https://e.example.com/a?b=1&c=2",
        "http://e.example.com",
        "mailto:a@e.example.com",
        "tel:+15550100",
    } <= uris
    assert "Site, old, mail, call" in pdftotext(root / "output/demo/welcome.pdf")


def test_address_lines_stay_lines_and_markup_in_them_is_text(make_project, runner):
    text = clinic(("  - 1 Test Street\n", "  - 1 Test Street <br/> & Annex\n  - 'Suite **2**'\n"))
    root = make_project({CLINIC_YAML: text})
    result = build(runner, root)
    assert result.exit_code == 0, result.stderr
    lines = pdftotext(root / "output/demo/welcome.pdf").splitlines()
    start = lines.index("1 Test Street <br/> & Annex")
    assert lines[start : start + 3] == ["1 Test Street <br/> & Annex", "Suite **2**", "Testville, TS 00001"]


def test_character_the_font_cannot_draw_is_an_error_not_a_box(make_project, runner):
    result = build(runner, make_project({"content/blocks/intro.yaml": prose("'Welcome 中文'")}))
    assert error(result) == (
        "Error: content/blocks/intro.yaml:7: text.en.body: characters '中' (U+4E2D), '文' (U+6587) in block 'intro' are "
        "not in the font SourceSansPro-Regular.ttf: use a font that covers them (branding.fonts in clinic.yaml) or remove the characters\n"
    )


def test_invisible_control_character_in_a_block(make_project, runner):
    result = build(runner, make_project({"content/blocks/intro.yaml": prose('"Hello\\u202eworld\\u0007"')}))
    assert error(result) == (
        "Error: content/blocks/intro.yaml:7: text.en.body: contains the invisible control character U+202E\n"
        "content/handouts/welcome.yaml:6: slots.body[1]: block 'intro' has errors (see that file)\n"
    )


GLYPH = "is not in the font SourceSansPro-Regular.ttf: use a font that covers it (branding.fonts in clinic.yaml) or remove the character"


@pytest.mark.parametrize(
    ("files", "message"),
    [
        pytest.param(
            {CLINIC_YAML: clinic(("name: Chen & Wu <Acupuncture>", "name: Chen & Wu שלום"))},
            f"{CLINIC_YAML}:1: name: characters 'ש' (U+05E9), 'ל' (U+05DC), 'ו' (U+05D5), 'ם' (U+05DD) in page text "
            "are not in the font SourceSansPro-Regular.ttf: use a font that covers them (branding.fonts in clinic.yaml) or remove the "
            "characters",
            id="clinic-name",
        ),
        pytest.param(
            {CLINIC_YAML: clinic(("  - Testville, TS 00001", "  - Testville 中"))},
            f"{CLINIC_YAML}:12: address[2]: character '中' (U+4E2D) in page text {GLYPH}",
            id="address-line",
        ),
        pytest.param(
            {
                "content/handouts/welcome.yaml": "layout: sheet\ntext:\n  en:\n    title: Welcome 😀\nslots:\n"
                "  body: [intro, steps, contact, disclaimer]\n"
            },
            f"content/handouts/welcome.yaml:4: text.en.title: character '😀' (U+1F600) in page text {GLYPH}",
            id="handout-title",
        ),
    ],
)
def test_inserted_words_the_font_cannot_draw_name_where_they_were_written(make_project, runner, files, message):
    """The clinic name reaches the page through {{ clinic.name }} in a block and the layout: the error names clinic.yaml."""
    result = build(runner, make_project(files))
    assert error(result) == f"Error: {message}\n"


# --- Images and fonts: missing, outside the clinic folder, not what they say, damaged, enormous, rotated ------

PNG = (REPO / "content/clinics/north-star/logo.png").read_bytes()
JPEG = (REPO / "content/clinics/riverside-tcm/logo.jpg").read_bytes()
TTF = (REPO / "content/clinics/riverside-tcm/fonts/NotoSerif-Regular.ttf").read_bytes()
BODY_FONT = CLINIC + "  fonts:\n    body:\n      regular: body.ttf\n"  # regular is on line 25


def png_header(width: int, height: int) -> bytes:
    """Return a PNG whose header claims ``width`` x ``height`` pixels, with a few bytes of (bogus) image data."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", b"x" * 16) + chunk(b"IEND", b"")


def zip_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("DejaVuSerif.ttf", TTF[:1000])
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("files", "message"),
    [
        pytest.param(
            {CLINIC_YAML: clinic(("logo: logo.png", "logo: nothere.png"))},
            "22: branding.logo: file 'nothere.png' not found in demo/",
            id="missing",
        ),
        pytest.param(
            {CLINIC_YAML: clinic(("logo: logo.png", "logo: ../good/logo.png"))},
            "22: branding.logo: '../good/logo.png' leads outside the clinic folder: copy the file into demo/",
            id="dot-dot",
        ),
        pytest.param(
            {CLINIC_YAML: clinic(("logo: logo.png", "logo: /etc/hostname"))},
            "22: branding.logo: '/etc/hostname' is an absolute path: give a file inside demo/",
            id="absolute",
        ),
        pytest.param(
            {CLINIC_YAML: clinic(("logo: logo.png", "logo: C:\\logo.png"))},
            "22: branding.logo: 'C:\\\\logo.png' is an absolute path: give a file inside demo/",
            id="windows-absolute",
        ),
        pytest.param(
            {CLINIC_YAML: clinic(("logo: logo.png", "logo: logo.jpg")), "content/clinics/demo/logo.jpg": PNG},
            "22: branding.logo: logo.jpg is a PNG image, not a JPEG image: rename it to logo.png",
            id="png-named-jpg",
        ),
        pytest.param(
            {"content/clinics/demo/logo.png": JPEG},
            "22: branding.logo: logo.png is a JPEG image, not a PNG image: rename it to logo.jpg",
            id="jpg-named-png",
        ),
        pytest.param(
            {"content/clinics/demo/logo.png": b"<html><body>Our logo</body></html>\n"},
            "22: branding.logo: logo.png is not a PNG image: save the logo as a PNG or JPEG image",
            id="text-named-png",
        ),
        pytest.param(
            {"content/clinics/demo/logo.png": b"GIF89a\x01\x00\x01\x00\x00\x00\x00;"},
            "22: branding.logo: logo.png is a GIF image, not a PNG image: save the logo as a PNG or JPEG image",
            id="gif-named-png",
        ),
        pytest.param(
            {"content/clinics/demo/logo.png": b""},
            "22: branding.logo: logo.png is empty: save the logo as a PNG or JPEG image",
            id="empty",
        ),
        pytest.param(
            {"content/clinics/demo/logo.png": PNG[: len(PNG) // 2]},
            "22: branding.logo: logo.png is damaged or cut short: export the logo again",
            id="truncated-png",
        ),
        pytest.param(
            {CLINIC_YAML: clinic(("logo: logo.png", "logo: logo.jpg")), "content/clinics/demo/logo.jpg": JPEG[:2000]},
            "22: branding.logo: logo.jpg is damaged or cut short: export the logo again",
            id="truncated-jpeg",
        ),
        pytest.param(
            {"content/clinics/demo/logo.png": PNG[:40]},
            "22: branding.logo: logo.png is damaged: its start is not a readable image: export the logo again",
            id="png-header-only",
        ),
        pytest.param(
            {"content/clinics/demo/logo.png": png_header(6000, 6000)},
            "22: branding.logo: logo.png is 6000x6000 pixels, over the limit of 25,000,000: "
            "save a smaller copy (1000 pixels wide is plenty for print)",
            id="enormous",
        ),
        pytest.param(
            {"content/clinics/demo/logo.png": png_header(40000, 40000)},
            "22: branding.logo: logo.png has more than 50,000,000 pixels, over the limit of 25,000,000: "
            "save a smaller copy (1000 pixels wide is plenty for print)",
            id="decompression-bomb",
        ),
        pytest.param(
            {CLINIC_YAML: BODY_FONT, "content/clinics/demo/body.ttf": TTF[:5000]},
            "25: branding.fonts.body.regular: body.ttf is not a usable TrueType font (the file is damaged or "
            "incomplete): use the .ttf file from the font's download",
            id="truncated-ttf",
        ),
        pytest.param(
            {CLINIC_YAML: BODY_FONT, "content/clinics/demo/body.ttf": zip_bytes()},
            "25: branding.fonts.body.regular: body.ttf is a ZIP archive, not a TrueType font: use the .ttf file from "
            "the font's download (.otf, .woff and collections do not work)",
            id="zip-named-ttf",
        ),
        pytest.param(
            {CLINIC_YAML: BODY_FONT, "content/clinics/demo/body.ttf": b"font-family: Lato;\n"},
            "25: branding.fonts.body.regular: body.ttf is not a TrueType font: use the .ttf file from the font's "
            "download (.otf, .woff and collections do not work)",
            id="text-named-ttf",
        ),
        pytest.param(
            {CLINIC_YAML: BODY_FONT, "content/clinics/demo/body.ttf": b"wOFF" + TTF[4:200]},
            "25: branding.fonts.body.regular: body.ttf is a web font (WOFF), not a TrueType font: use the .ttf file "
            "from the font's download (.otf, .woff and collections do not work)",
            id="woff-named-ttf",
        ),
        pytest.param(
            {CLINIC_YAML: BODY_FONT.replace("body.ttf", "body.otf"), "content/clinics/demo/body.otf": TTF},
            "25: branding.fonts.body.regular: must be a TrueType .ttf file",
            id="otf",
        ),
    ],
)
def test_bad_logo_or_font_names_the_field(make_project, runner, files, message):
    root = make_project({**files, **GOOD})
    result = build(runner, root)
    assert error(result) == f"Error: {CLINIC_YAML}:{message}\n"
    assert result.stdout.startswith("good: 1 PDF(s) in output/good/\n")  # the other clinic still builds


def test_validate_catches_a_logo_that_is_not_what_its_name_says(make_project, runner):
    root = make_project(
        {CLINIC_YAML: clinic(("logo: logo.png", "logo: logo.jpg")), "content/clinics/demo/logo.jpg": PNG}
    )
    result = handouts(runner, "validate", "--project", str(root))
    assert error(result) == (
        f"Error: {CLINIC_YAML}:22: branding.logo: logo.jpg is a PNG image, not a JPEG image: rename it to logo.png\n"
    )


@pytest.mark.parametrize("field", ["logo", "font", "folder"])
def test_symlink_that_leads_outside_the_clinic_folder_is_refused(make_project, runner, tmp_path, field):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "logo.png").write_bytes(PNG)
    (outside / "body.ttf").write_bytes(TTF)
    if field == "font":
        root = make_project({CLINIC_YAML: BODY_FONT})
        (root / "content/clinics/demo/body.ttf").symlink_to(outside / "body.ttf")
        message = (
            "25: branding.fonts.body.regular: 'body.ttf' leads outside the clinic folder: copy the file into demo/"
        )
    elif field == "logo":
        root = make_project({"content/clinics/demo/logo.png": None})
        (root / "content/clinics/demo/logo.png").symlink_to(outside / "logo.png")
        message = "22: branding.logo: 'logo.png' leads outside the clinic folder: copy the file into demo/"
    else:  # a folder inside the clinic that is a link to elsewhere
        root = make_project({CLINIC_YAML: clinic(("logo: logo.png", "logo: art/logo.png"))})
        (root / "content/clinics/demo/art").symlink_to(outside, target_is_directory=True)
        message = "22: branding.logo: 'art/logo.png' leads outside the clinic folder: copy the file into demo/"
    result = build(runner, root)
    assert error(result) == f"Error: {CLINIC_YAML}:{message}\n"


def test_symlink_that_stays_inside_the_clinic_folder_is_fine(make_project, runner):
    root = make_project({CLINIC_YAML: clinic(("logo: logo.png", "logo: art/current.png"))})
    (root / "content/clinics/demo/art").mkdir()
    (root / "content/clinics/demo/art/current.png").symlink_to(root / "content/clinics/demo/logo.png")
    assert build(runner, root).exit_code == 0


@pytest.mark.parametrize(
    ("body", "face"), [("'Keep **taking** your medicine.'", "bold"), ("'Keep *taking* your medicine.'", "italic")]
)
def test_bold_or_italic_of_a_family_without_that_face(make_project, runner, body, face):
    marks = "**" if face == "bold" else "*"
    root = make_project(
        {CLINIC_YAML: BODY_FONT, "content/clinics/demo/body.ttf": TTF, "content/blocks/intro.yaml": prose(body)}
    )
    result = build(runner, root)
    assert error(result) == (
        f"Error: content/blocks/intro.yaml:7: text.en.body: uses {face} ({marks}…{marks}) but the font family has no "
        f"{face} face: add it under branding.fonts in clinic.yaml or remove the {marks}\n"
    )


def _quadrants() -> Image.Image:
    """An upright 160 x 80 picture: red top left, blue top right, green bottom left, yellow bottom right."""
    image = Image.new("RGB", (160, 80))
    for box, colour in (((0, 0, 80, 40), "red"), ((80, 0, 160, 40), "blue"), ((0, 40, 80, 80), "lime"),
                        ((80, 40, 160, 80), "yellow")):  # fmt: skip
        image.paste(colour, box)
    return image


def _near(pixel: tuple, colour: tuple) -> bool:
    return all(abs(a - b) < 60 for a, b in zip(pixel[:3], colour, strict=True))


QUADRANT_COLOURS = {(0.25, 0.25): (255, 0, 0), (0.75, 0.25): (0, 0, 255), (0.25, 0.75): (0, 255, 0),
                    (0.75, 0.75): (255, 255, 0)}  # fmt: skip


def test_photo_with_exif_rotation_is_printed_upright(make_project, runner):
    import pypdfium2

    # stored on its side, as a phone saves it, with EXIF orientation 6: "turn 90 degrees clockwise to view"
    stored = _quadrants().transpose(Image.Transpose.ROTATE_90)
    exif = Image.Exif()
    exif[0x0112] = 6
    buffer = io.BytesIO()
    stored.save(buffer, "JPEG", quality=95, exif=exif.tobytes())
    sheet = (REPO / "layouts" / "sheet.yaml").read_text(encoding="utf-8")
    assert sheet.count(", knockout: true}") == 1  # the masthead prints a logo in white: here, as it is
    root = make_project(
        {
            CLINIC_YAML: clinic(("logo: logo.png", "logo: photo.jpg")),
            "content/clinics/demo/photo.jpg": buffer.getvalue(),
            "layouts/sheet.yaml": sheet.replace(", knockout: true}", "}"),
        }
    )
    result = build(runner, root)
    assert result.exit_code == 0, result.stderr
    pdf = root / "output/demo/welcome.pdf"

    placed = PdfReader(pdf).pages[0].images[0].image.convert("RGB")  # the picture as stored in the PDF
    assert placed.size == (160, 80)
    for (fx, fy), colour in QUADRANT_COLOURS.items():
        assert _near(placed.getpixel((int(fx * 160), int(fy * 80))), colour), (fx, fy)

    page = pypdfium2.PdfDocument(pdf)[0]  # and as a second engine draws it on the page
    (image,) = [o for o in page.get_objects() if o.type == pypdfium2.raw.FPDF_PAGEOBJ_IMAGE]
    left, bottom, right, top = image.get_bounds()
    assert right - left > top - bottom  # landscape on the page
    scale = 3
    bitmap = page.render(scale=scale).to_pil()
    height = page.get_size()[1]
    for (fx, fy), colour in QUADRANT_COLOURS.items():
        x = (left + fx * (right - left)) * scale
        y = (height - top + fy * (top - bottom)) * scale
        assert _near(bitmap.getpixel((int(x), int(y))), colour), (fx, fy)


@pytest.mark.parametrize("size", [(2000, 40), (40, 2000)])
def test_logo_of_any_shape_stays_inside_its_box(make_project, runner, size):
    import pypdfium2

    from handouts.load.project import load_project

    buffer = io.BytesIO()
    Image.new("RGB", size, "navy").save(buffer, "PNG")
    root = make_project({"content/clinics/demo/logo.png": buffer.getvalue()})
    assert build(runner, root).exit_code == 0
    geometry = load_project(root).layouts["sheet"].geometries["letter"]
    box = next(el.rect for el in geometry.pages[0].elements if el.type == "logo")
    page = pypdfium2.PdfDocument(root / "output/demo/welcome.pdf")[0]
    (image,) = [o for o in page.get_objects() if o.type == pypdfium2.raw.FPDF_PAGEOBJ_IMAGE]
    left, bottom, right, top = image.get_bounds()
    assert box.x - 0.01 <= left < right <= box.right + 0.01
    assert box.y - 0.01 <= bottom < top <= box.top + 0.01
    if size[0] > size[1]:
        assert right - left == pytest.approx(box.width, abs=0.01)  # scaled to the box's width, never stretched
    else:
        assert top - bottom == pytest.approx(box.height, abs=0.01)


def _figure_project(make_project, shapes: str) -> Path:
    """Return the fixture project with a figure, drawn from ``shapes`` (SVG elements), on its welcome sheet."""
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="100" height="60" '
        f'viewBox="0 0 100 60"><title>Art</title>{shapes}</svg>'
    )
    block = (
        "kind: figure\nreviewed: 2026-11-01\nsources: [drawn for this test]\nimage: art/figures/art.svg\n"
        "width: 1.5in\ntext:\n  en:\n    caption: Shapes.\n    alt: Shapes drawn for a test.\n"
    )
    recipe = "layout: sheet\ntext:\n  en:\n    title: Welcome\nslots:\n  body: [intro, figure-art, disclaimer]\n"
    return make_project(
        {"art/figures/art.svg": svg, "content/blocks/figure-art.yaml": block, "content/handouts/welcome.yaml": recipe}
    )


def _with_figure(make_project, runner, shapes: str) -> Path:
    """Build the fixture's welcome sheet with a figure drawn from ``shapes`` (SVG elements); return its PDF."""
    root = _figure_project(make_project, shapes)
    assert build(runner, root).exit_code == 0
    return root / "output" / "demo" / "welcome.pdf"


@pytest.mark.parametrize("group", ['fill-opacity="0.6"', 'opacity="0.5"', 'fill-opacity="0.6" stroke-opacity="0.4"'])
def test_see_through_groups_in_a_figure_print_without_a_broken_resource(make_project, runner, group):
    """A designer's SVG whose ``<g>`` is see-through (``fill-opacity``, ``opacity``) draws as a figure in a PDF
    poppler reads without a word of complaint, a stroke-only line in the group too. Such a line's inherited fill
    opacity once reached reportlab (only a colour's opacity was mixed with the paper) as a graphics state named
    in neither the figure's form's resources nor the page's, and pdftoppm printed "ExtGState 'gRLs0' is
    unknown" for every page. The form's content stream is read with pikepdf: every ``gs`` it uses is in its own
    resources."""
    import pikepdf

    shapes = (
        f'<g {group} fill="#0f6e6e" stroke="#333333" stroke-width="2"><circle cx="30" cy="30" r="20"/>'
        '<rect x="60" y="10" width="30" height="40"/><path d="M5,55 L95,55" fill="none"/></g>'
    )
    pdf = _with_figure(make_project, runner, shapes)
    drawn = subprocess.run(["pdftoppm", "-r", "20", "-png", str(pdf), str(pdf.parent / "page")], capture_output=True)
    assert drawn.returncode == 0 and drawn.stderr == b"", drawn.stderr
    forms = 0
    with pikepdf.open(pdf) as doc:
        for page in doc.pages:
            for _, xobject in (page.Resources.get("/XObject") or {}).items():
                if xobject.get("/Subtype") != "/Form":
                    continue
                forms += 1
                states = set((xobject.get("/Resources", {}).get("/ExtGState") or {}).keys())
                for operands, operator in pikepdf.parse_content_stream(xobject):
                    if str(operator) == "gs":
                        assert str(operands[0]) in states, (str(operands[0]), states)
    assert forms


def test_a_figure_s_fill_opacity_is_counted_once(make_project, runner):
    """``fill-opacity="0.5"`` on black prints as the gray half way to the white paper (0.5), not a quarter of the
    way (0.75): svglib puts the opacity in the colour and in the shape's own opacity both, and both were once
    applied. Read back with pdfplumber: the fill colour of the drawn circle."""
    pdf_path = _with_figure(make_project, runner, '<circle cx="50" cy="30" r="25" fill="#000000" fill-opacity="0.5"/>')
    import pdfplumber

    with pdfplumber.open(pdf_path) as pdf:
        fills = [tuple(c.get("non_stroking_color") or ()) for c in pdf.pages[0].curves if c.get("fill")]
    grays = [f for f in fills if len(f) == 3 and max(f) - min(f) < 0.01]
    assert grays and all(f[0] == pytest.approx(0.5, abs=0.01) for f in grays), fills


@pytest.mark.parametrize("dashes", ["0", "0 0", "-2 3"])
def test_a_dash_pattern_svg_draws_solid_prints_solid(make_project, runner, dashes):
    """``stroke-dasharray`` whose lengths sum to zero, or with a negative length, draws a solid line in SVG (SVG 2:
    as if none were given); reportlab refused it mid-build with a traceback ("dash cycle should be larger than
    zero"). The line prints, undashed, and poppler draws the page without a complaint. Read back with pdfplumber:
    the drawn line's dash."""
    import pdfplumber

    pdf_path = _with_figure(
        make_project, runner, f'<path d="M10,30 L90,30" stroke="#333333" stroke-width="4" stroke-dasharray="{dashes}"/>'
    )
    drawn = subprocess.run(
        ["pdftoppm", "-r", "20", "-png", str(pdf_path), str(pdf_path.parent / "p")], capture_output=True
    )
    assert drawn.returncode == 0 and drawn.stderr == b"", drawn.stderr
    with pdfplumber.open(pdf_path) as pdf:
        strokes = [o for o in pdf.pages[0].lines + pdf.pages[0].curves if o.get("stroke") and o["linewidth"] > 1]
    assert strokes
    assert all(not (o.get("dash") or ((), 0))[0] for o in strokes), [o.get("dash") for o in strokes]


@pytest.mark.parametrize(
    ("shapes", "reason"),
    [
        ('<path d="M10,30 L90,30" stroke="#333333" stroke-width="nan"/>', "a number in it is not a number"),
        ('<rect x="0" y="0" width="inf" height="10"/>', "a size, position or scale in it is out of range"),
        ('<g transform="matrix(0 0 0 0 0 0)"><rect x="0" y="0" width="10" height="10"/></g>', "float division by zero"),
    ],
)
def test_art_svglib_reads_but_no_pdf_can_hold_is_an_error_naming_the_block(make_project, runner, shapes, reason):
    """An SVG svglib reads but reportlab cannot draw (a zero scale), or would write into the PDF as it is ("nan w",
    which poppler stops at), fails the build with the block, line, file and what to do; no traceback, no PDF."""
    root = _figure_project(make_project, shapes)
    result = build(runner, root)
    assert error(result) == (
        f"Error: content/blocks/figure-art.yaml:4: image: art.svg cannot be drawn ({reason}): open it in a drawing "
        "program and save it again\n"
    )
    assert not (root / "output" / "demo" / "welcome.pdf").exists()


@pytest.mark.parametrize(
    ("element", "ref", "message"),
    [
        ("use", "../../../secret.svg#a", "<use> refers to another file ('../../../secret.svg#a'), which a drawing may not: "
         "draw what it shows in this SVG, or save the art as one file"),
        ("image", "../../../secret.png", "<image> holds a picture, which a drawing may not: give the picture as its "
         "own .png or .jpg file, or draw it in the SVG"),
        ("image", "data:image/png;base64,{png}", "<image> holds a picture, which a drawing may not: give the picture "
         "as its own .png or .jpg file, or draw it in the SVG"),
    ],
)
def test_an_svg_that_names_a_file_or_holds_a_picture_is_refused(make_project, runner, tmp_path, element, ref, message):
    """An SVG in the project may not pull in another file: ``<use href="../other.svg#part">`` or ``<image
    href="../../../secret.png">`` (svglib reads a relative path from wherever it leads, outside the project too,
    into the PDF). Nor may it hold a picture embedded as a data: URL, which reportlab cannot put in a figure's form
    (a traceback: "expected str instance, bytes found"). The build names the block, the file, the element and its
    line, and what to do; its own parts (``href="#a"``) and a link (``<a href>``, never read) draw."""
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, "PNG")
    (tmp_path / "secret.png").write_bytes(buffer.getvalue())
    (tmp_path / "secret.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"><rect id="a" width="9" height="9"/></svg>')
    ref = ref.format(png=base64.b64encode(buffer.getvalue()).decode())
    root = _figure_project(make_project, f'\n<{element} xlink:href="{ref}" x="0" y="0" width="10" height="10"/>')
    if ref.startswith(".."):
        assert (root / "art/figures" / ref.split("#")[0]).resolve().is_file()  # the path does lead to the file
    result = build(runner, root)
    assert error(result) == f"Error: content/blocks/figure-art.yaml:4: image: art.svg line 2: {message}\n"
    own = (  # its own parts, and a link (not read)
        '<defs><rect id="a" width="9" height="9"/></defs><use xlink:href="#a" x="5" y="5"/>'
        '<a href="https://example.com/"><circle cx="50" cy="30" r="9"/></a>'
    )
    assert _with_figure(make_project, runner, own).is_file()


# --- Environment: nothing outside the project changes what reportlab does, and nothing there runs ---------------

HOSTILE_ENVIRONMENT = {
    "RL_allowTableBoundsErrors": "1",
    "RL_shapeChecking": "0",
    "RL_trustedHosts": "*",
    "RL_trustedSchemes": "file,http,https,ftp",
    "RL_invariant": "0",
    "RL_platypus_link_underline": "1",
    "RL_pdfMultiLine": "1",
    "RL_pdfComments": "1",
    "RL_showBoundary": "1",
    "RL_spaceShrinkage": "0.5",
    "RL_hyphenationLang": "en_US",
    "RL_paraFontSizeHeightOffset": "0",
    "RL_uriWasteReduce": "0.5",  # crashed the build with a traceback
    "RL_verbose": "1",
    "RL_toColorCanUse": "rl_safe_eval",
    "SOURCE_DATE_EPOCH": "not-a-number",  # reportlab would put this date in the PDF, or crash
}


def _cli_in_child(root: Path, out: Path, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    """Run ``python -m handouts build`` the way a user would, in ``cwd`` (which is on sys.path with -m)."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("RL_") and k != "SOURCE_DATE_EPOCH"}
    return subprocess.run(
        [sys.executable, "-m", "handouts", "build", "--project", str(root), "--out", str(out)],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**clean, **env},
        timeout=120,
        check=False,
    )


def test_reportlab_environment_and_settings_files_change_nothing(make_project, tmp_path):
    root = make_project()
    marker = tmp_path / "settings-ran"
    settings = f"import pathlib\npathlib.Path({str(marker)!r}).touch()\nplatypus_link_underline = 1\ninvariant = 0\n"
    # a reportlab_settings.py in the folder the command runs in, and a ~/.reportlab_settings
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    (cwd / "reportlab_settings.py").write_text(settings)
    home = tmp_path / "home"
    home.mkdir()
    (home / ".reportlab_settings").write_text(settings)

    with ThreadPoolExecutor(max_workers=2) as pool:  # two independent builds, side by side
        plain_run = pool.submit(_cli_in_child, root, tmp_path / "plain", tmp_path, {"HOME": str(tmp_path)})
        hostile_run = pool.submit(
            _cli_in_child, root, tmp_path / "hostile", cwd, {**HOSTILE_ENVIRONMENT, "HOME": str(home)}
        )
        plain, hostile = plain_run.result(), hostile_run.result()
    assert (plain.returncode, plain.stderr) == (0, "")
    assert (hostile.returncode, hostile.stderr) == (0, ""), hostile.stderr[-2000:]
    assert not marker.exists()
    before = (tmp_path / "plain/demo/welcome.pdf").read_bytes()
    assert (tmp_path / "hostile/demo/welcome.pdf").read_bytes() == before


def test_safety_settings_are_pinned_in_code():
    from reportlab import rl_config

    from handouts import pdf

    rl_config.trustedHosts, rl_config.allowTableBoundsErrors, rl_config.toColorCanUse = ["*"], 1, "rl_safe_eval"
    pdf.pin_reportlab_settings()
    assert rl_config.trustedHosts == []
    assert rl_config.trustedSchemes == []
    assert rl_config.allowTableBoundsErrors == 0
    assert rl_config.toColorCanUse == "rl_extended_literal_eval"
    assert rl_config.invariant == 1


# --- Layout: parts larger than their panel, QR data over capacity, content that cannot fit -------------------

TINY = "name: Tiny\npages:\n  - id: only\n    panels:\n      - {{id: little-box, slot: body, top: 1in, height: {h}, width: {w}}}\n"


def tiny_recipe(*blocks: str) -> str:
    return f"layout: tiny\ntext:\n  en:\n    title: T\nslots:\n  body: [{', '.join([*blocks, 'disclaimer'])}]\n"


def test_boxed_table_taller_than_its_panel(make_project, runner):
    callout = (
        "kind: callout\nreviewed: 2026-11-01\ntone: warning\nsources: [test]\ntext:\n  en:\n    title: Careful\n"
        "    items: [See a doctor now if you have new weakness in a leg or an arm]\n"
    )
    root = make_project(
        {
            "layouts/tiny.yaml": TINY.format(h="0.6in", w="3in"),
            "content/blocks/callout.yaml": callout,
            "content/handouts/welcome.yaml": tiny_recipe("callout"),
        }
    )
    result = build(runner, root)
    assert error(result) == (
        "Error: content/blocks/callout.yaml:6: handout 'welcome' for clinic 'demo' (en): block 'callout' does not fit: "
        "it runs past panel 'little-box' (page 1) of layout 'tiny': shorten the text, move a block to another slot, "
        "or use a roomier layout\n"
    )


def test_qr_code_wider_than_a_narrow_panel(make_project, runner):
    root = make_project(
        {"layouts/tiny.yaml": TINY.format(h="6in", w="0.9in"), "content/handouts/welcome.yaml": tiny_recipe("contact")}
    )
    result = build(runner, root)
    assert error(result) == (
        "Error: content/blocks/contact.yaml:5: handout 'welcome' for clinic 'demo' (en): block 'contact' has a part "
        "too large for panel 'little-box': shorten it or split it\n"
    )


def test_booking_link_over_the_capacity_of_a_qr_code(make_project, runner):
    url = "https://chenwu.example.com/book?" + "session=a1b2c3&" * 200
    root = make_project({CLINIC_YAML: clinic(("booking_url: https://chenwu.example.com/book", f"booking_url: {url}"))})
    result = build(runner, root)
    assert error(result) == (
        f"Error: {CLINIC_YAML}:9: booking_url: {len(url):,} characters are more than a QR code holds: "
        "use a shorter link\n"
    )


def test_long_booking_link_within_capacity_builds(make_project, runner):
    url = "https://chenwu.example.com/book?" + "s=1&" * 100
    root = make_project({CLINIC_YAML: clinic(("booking_url: https://chenwu.example.com/book", f"booking_url: {url}"))})
    assert build(runner, root).exit_code == 0


def test_word_wider_than_the_column_is_broken_not_cut(make_project, runner):
    word = "Pneumonoultramicroscopicsilicovolcanoconiosis" * 3
    root = make_project({"content/blocks/intro.yaml": prose(f"Word {word} end")})
    result = build(runner, root)
    assert result.exit_code == 0, result.stderr
    assert squash(f"Word {word} end") in squash(pdftotext(root / "output/demo/welcome.pdf"))


def test_content_over_the_page_limit(make_project, runner):
    advice = "Item {i} is plain advice that takes room on the page. " + "Rest, drink water and move gently. " * 10
    items = "".join(f"      - {advice.format(i=i)}\n" for i in range(60))
    blocks = {
        f"content/blocks/long{n}.yaml": "kind: bullets\nreviewed: 2026-11-01\nsources: [t]\ntext:\n  en:\n"
        f"    items:\n{items}"
        for n in range(12)
    }
    slots = ", ".join(f"long{n}" for n in range(12))
    recipe = f"layout: sheet\ntext:\n  en:\n    title: Long\nslots:\n  body: [{slots}, disclaimer]\n"
    result = build(runner, make_project({**blocks, "content/handouts/welcome.yaml": recipe}))
    assert error(result) == (
        "Error: content/blocks/long7.yaml:5: handout 'welcome' for clinic 'demo' (en): block 'long7' does not fit: "
        "it runs past panel 'right-column-next' (page 50) of layout 'sheet': shorten the text, move a block to "
        "another slot, or use a roomier layout\n"
    )


# --- Output: a folder that cannot be used, an output that is an input, a build that fails halfway -----------


def test_output_folder_is_created_when_missing(make_project, runner, tmp_path):
    out = tmp_path / "new" / "nested" / "pdfs"
    result = build(runner, make_project(), "--out", str(out))
    assert result.exit_code == 0, result.stderr
    assert (out / "demo/welcome.pdf").read_bytes().startswith(b"%PDF-")


def test_output_folder_under_a_file(make_project, runner):
    root = make_project()
    (root / "notes.txt").write_text("not a folder")
    result = build(runner, root, "--out", str(root / "notes.txt" / "pdfs"))
    assert error(result) == f"Error: cannot create the output folder {root / 'notes.txt' / 'pdfs'}: Not a directory\n"


def test_output_path_that_is_a_file(make_project, runner):
    root = make_project()
    (root / "notes.txt").write_text("not a folder")
    result = build(runner, root, "--out", str(root / "notes.txt"))
    assert error(result) == f"Error: the output path {root / 'notes.txt'} is a file, not a folder\n"
    assert (root / "notes.txt").read_text() == "not a folder"


def test_output_folder_that_cannot_be_written(make_project, runner, tmp_path):
    out = tmp_path / "locked"
    out.mkdir()
    if os.geteuid() == 0:  # chmod does not stop root; an immutable folder does
        if not shutil.which("chattr") or subprocess.run(["chattr", "+i", str(out)], check=False).returncode:
            pytest.skip("needs chattr +i (root ignores folder permissions)")
        unlock, reason = ["chattr", "-i", str(out)], "Operation not permitted"
    else:
        out.chmod(0o555)
        unlock, reason = ["chmod", "755", str(out)], "Permission denied"
    try:
        result = build(runner, make_project(), "--out", str(out))
    finally:
        subprocess.run(unlock, check=True)
    assert error(result) == f"Error: the output folder {out} is not writable: {reason}\n"
    assert result.stdout == ""
    assert list(out.iterdir()) == []


def test_output_folder_on_a_filesystem_that_refuses_writes(make_project, runner):
    """sysfs refuses new files to everyone, root included; the reason differs by kernel and mount."""
    out = Path("/sys/kernel")
    if not out.is_dir():
        pytest.skip("no /sys/kernel here")
    result = build(runner, make_project(), "--out", str(out))
    assert error(result).startswith(f"Error: the output folder {out} is not writable: ")
    assert len(result.stderr.splitlines()) == 1


@pytest.mark.parametrize(
    ("out", "message"),
    [
        ("content", "is inside the project's content/ folder"),
        ("content/clinics/demo", "is inside the project's content/ folder"),
        ("layouts/pdfs", "is inside the project's layouts/ folder"),
        (".", "holds the project's content/ folder"),
        ("..", "holds the project's content/ folder"),
        ("link-to-content", "is inside the project's content/ folder"),
    ],
)
def test_output_folder_that_is_or_holds_an_input(make_project, runner, out, message):
    root = make_project()
    (root / "link-to-content").symlink_to(root / "content", target_is_directory=True)
    result = build(runner, root, "--out", str(root / out))
    folder = (root / out).resolve()
    assert error(result) == f"Error: the output folder {folder} {message}: choose another with --out\n"
    assert not list((root / "content").rglob("*.pdf"))


def stale(name: str) -> str:
    return f"STALE: output/demo/{name} is out of date (its rebuild failed): do not print it\n"


OTHER = "layout: sheet\ntext:\n  en:\n    title: Other\nslots:\n  body: [steps, disclaimer]\n"


@pytest.mark.parametrize(
    ("broken", "message", "stdout"),
    [
        pytest.param(
            {"content/blocks/intro.yaml": prose("'Call {{ clinic.phon }}'")},
            "content/blocks/intro.yaml:7: text.en.body: no field 'phon' on clinic: did you mean 'phone'?",
            "Built 0 of 2 handout(s) into output/; 1 up to date, not rebuilt (--force rebuilds them); 1 failed\n"
            + stale("welcome.pdf"),
            id="render-fails",
        ),
        pytest.param(
            {CLINIC_YAML: clinic(('phone: "(555) 010-9999"', "phone: 5550109999"))},
            f"{CLINIC_YAML}:6: phone: expected text, but YAML read the number 5550109999: put the value in quotes",
            "Built 0 of 0 handout(s) into output/\n" + stale("other.pdf") + stale("welcome.pdf"),
            id="clinic-fails",
        ),
        pytest.param(
            {"content/handouts/welcome.yaml": "layout: sheet\nslots: {body: [intro]}\n"},
            "content/handouts/welcome.yaml:1: text: is missing: this field is required",
            "Built 0 of 1 handout(s) into output/; 1 up to date, not rebuilt (--force rebuilds them)\n"
            + stale("welcome.pdf"),
            id="recipe-fails",
        ),
    ],
)
def test_failed_rebuild_keeps_the_old_pdf_and_reports_it_stale(make_project, runner, broken, message, stdout):
    root = make_project({"content/handouts/other.yaml": OTHER})
    assert build(runner, root).exit_code == 0
    folder = root / "output/demo"
    before = {p.name: p.read_bytes() for p in folder.glob("*.pdf")}
    assert sorted(before) == ["other.pdf", "welcome.pdf"]

    result = build(runner, make_project({"content/handouts/other.yaml": OTHER, **broken}))
    assert error(result) == f"Error: {message}\n"
    assert result.stdout == stdout
    assert (folder / "welcome.pdf").read_bytes() == before["welcome.pdf"]
    assert sorted(p.name for p in folder.glob("*.pdf")) == ["other.pdf", "welcome.pdf"]
    assert not list(folder.rglob("*.tmp"))  # no temporary files left


def test_stale_report_keeps_to_what_was_asked_for(make_project, runner):
    root = make_project({"content/handouts/other.yaml": OTHER})
    assert build(runner, root).exit_code == 0
    assert build(runner, root, "--grayscale").exit_code == 0
    make_project({"content/handouts/other.yaml": OTHER, CLINIC_YAML: clinic(("paper: letter", "paper: legal"))})
    result = build(runner, root, "--handout", "welcome", "--grayscale")
    assert result.stdout == "Built 0 of 0 handout(s) into output/\n" + stale("welcome.grayscale.pdf")


def test_write_that_fails_halfway_leaves_no_partial_file(make_project, runner, monkeypatch):
    import errno

    root = make_project({"content/handouts/other.yaml": OTHER})
    folder = root / "output/demo"
    folder.mkdir(parents=True)
    (folder / "welcome.pdf").write_bytes(b"%PDF-1.4 the previous good copy")
    real_replace = os.replace
    calls = []

    def replace(src, dst):
        calls.append(dst)
        if len(calls) == 4:  # other.html, other.pdf and welcome.html are written, then the disk fills up
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real_replace(src, dst)

    monkeypatch.setattr("handouts.build.os.replace", replace)
    result = build(runner, root)
    assert error(result) == f"Error: cannot write {folder / 'welcome.pdf'}: No space left on device\n"
    assert (folder / "welcome.pdf").read_bytes() == b"%PDF-1.4 the previous good copy"
    # welcome.html is new and its PDF old: the record has no current welcome.pdf, so the next build redoes both
    names = sorted(p.name for p in folder.iterdir())
    assert [n for n in names if not n.startswith(".handouts-")] == ["other.html", "other.pdf", "welcome.html", "welcome.pdf"]
    assert {n for n in names if n.startswith(".handouts-")} <= {".handouts-build.json", ".handouts-stat.json"}


def test_interrupted_write_leaves_no_partial_file(make_project, runner, monkeypatch):
    root = make_project()
    folder = root / "output/demo"
    folder.mkdir(parents=True)
    (folder / "welcome.pdf").write_bytes(b"%PDF-1.4 the previous good copy")

    def fsync(fd):
        raise KeyboardInterrupt

    monkeypatch.setattr("handouts.build.os.fsync", fsync)
    result = runner.invoke(cli, ["build", "--project", str(root)], prog_name="handouts")
    assert result.exit_code == 1
    assert result.stderr == "\nAborted!\n"
    assert (folder / "welcome.pdf").read_bytes() == b"%PDF-1.4 the previous good copy"
    assert [p.name for p in folder.iterdir()] == ["welcome.pdf"]


# --- Stale copies: once out of date, a PDF stays marked everywhere until a build of it succeeds ------------


def _welcome_links(root: Path) -> list[str]:
    html = (root / "output/demo/index.html").read_text(encoding="utf-8")
    return re.findall(r'(?:href|data-href-[a-z-]+)="([^"]*welcome[^"]*\.pdf)"', html)


def _break_welcome(root: Path) -> None:
    write_tree(root, {"content/blocks/intro.yaml": prose("'Call {{ clinic.phon }}'")})


def _change_welcome_on_disk(root: Path) -> None:
    pdf = root / "output/demo/welcome.pdf"
    pdf.write_bytes(pdf.read_bytes() + b"\n% edited by hand\n")


def _drop_the_record(root: Path) -> None:
    (root / "output/demo/.handouts-build.json").unlink()
    _change_welcome_on_disk(root)  # so that a later build has no reason to believe the file


@pytest.mark.parametrize(
    ("spoil", "why"),
    [
        pytest.param(_break_welcome, "its rebuild failed", id="failed-rebuild"),
        pytest.param(_change_welcome_on_disk, "it was changed after handouts built it", id="changed-on-disk"),
        pytest.param(_drop_the_record, "handouts has no record of building it", id="no-record"),
    ],
)
def test_a_stale_pdf_is_never_linked_by_any_later_gallery_write(make_project, runner, spoil, why):
    root = make_project({"content/handouts/other.yaml": OTHER})
    assert build(runner, root).exit_code == 0
    assert set(_welcome_links(root)) == {"welcome.pdf"}  # thumbnail and button link the current copy
    spoil(root)
    if spoil is _break_welcome:
        assert build(runner, root).exit_code == 1  # the rebuild fails; the old copy stays on disk
    # a partial build of another handout rewrites the gallery: the mark stays, on every link
    result = build(runner, root, "--handout", "other")
    assert result.exit_code == 0  # the failure was the earlier build's: this one built what it was asked
    line = f"STALE: output/demo/welcome.pdf is out of date ({why}): do not print it\n"
    assert line in result.stdout
    assert _welcome_links(root) == []
    html = (root / "output/demo/index.html").read_text(encoding="utf-8")
    assert "Out of date: do not print" in html and "out of date, do not print" in html
    listed = handouts(runner, "list", "--project", str(root))
    assert listed.exit_code == 0
    assert re.search(rf"^output/demo/welcome\.pdf +{re.escape(why)}$", listed.stdout, re.M)
    assert "handouts build" in listed.stdout


def test_a_stale_mark_is_cleared_only_by_a_build_of_that_file(make_project, runner):
    root = make_project({"content/handouts/other.yaml": OTHER})
    assert build(runner, root).exit_code == 0
    good = (root / "content/blocks/intro.yaml").read_text(encoding="utf-8")
    _break_welcome(root)
    assert build(runner, root).exit_code == 1
    write_tree(root, {"content/blocks/intro.yaml": good.replace("Welcome to", "Hello from")})
    assert build(runner, root, "--handout", "other").exit_code == 0
    assert _welcome_links(root) == []
    result = build(runner, root, "--handout", "welcome")
    assert result.exit_code == 0 and "STALE" not in result.stdout
    assert set(_welcome_links(root)) == {"welcome.pdf"}
    assert "Every PDF in output/ is current." in handouts(runner, "list", "--project", str(root)).stdout


# --- Derived data in the cache: checked, and made again when damaged ------------------------------------


def _hans_project(make_project) -> Path:
    from conftest import BLOCKS

    files: dict[str, str | bytes | None] = {}
    for path, body in BLOCKS.items():
        if path.startswith("content/blocks/"):
            files[path] = body + "  zh-Hans:\n" + body.split("text:\n  en:\n", 1)[1]
    files["content/handouts/welcome.yaml"] = BLOCKS["content/handouts/welcome.yaml"].replace(
        "    title: Welcome sheet\n", "    title: Welcome sheet\n  zh-Hans:\n    title: 欢迎\n"
    )
    files[CLINIC_YAML] = clinic(("languages: [en]", "languages: [zh-Hans]"))
    return make_project(files)


def _cache_with_prepared_fonts(tmp_path: Path, monkeypatch) -> list[Path]:
    """Point HANDOUTS_CACHE at a fresh folder holding copies of this machine's prepared SC fonts."""
    from handouts import cjk

    sources = [cjk.prepare("sc", face) for face in cjk.FACES]
    monkeypatch.setenv("HANDOUTS_CACHE", str(tmp_path / "cache"))
    targets = [cjk._target("sc", face) for face in cjk.FACES]
    for source, target in zip(sources, targets, strict=True):
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
        shutil.copyfile(source.with_name(source.name + ".sha256"), target.with_name(target.name + ".sha256"))
    return targets


DAMAGE = {
    "cut-short": lambda p: p.write_bytes(p.read_bytes()[: 1 << 20]),
    "overwritten": lambda p: p.write_bytes(b"\0" * 4096 + p.read_bytes()[4096:]),
    "seal-missing": lambda p: p.with_name(p.name + ".sha256").unlink(),
    "seal-changed": lambda p: p.with_name(p.name + ".sha256").write_text("0" * 64),
    "link-to-dev-zero": lambda p: (p.unlink(), p.symlink_to("/dev/zero")),
    "a-folder": lambda p: (p.unlink(), p.mkdir()),
}


@pytest.mark.parametrize("damage", list(DAMAGE))
def test_a_damaged_prepared_chinese_font_is_not_taken_as_ready(tmp_path, monkeypatch, damage):
    from handouts import cjk

    regular, _ = _cache_with_prepared_fonts(tmp_path, monkeypatch)
    assert cjk.ready("sc")
    DAMAGE[damage](regular)
    assert not cjk.ready("sc")


def test_a_damaged_prepared_chinese_font_is_made_again(make_project, runner, tmp_path, monkeypatch):
    import hashlib

    from handouts import cjk

    root = _hans_project(make_project)
    regular, _ = _cache_with_prepared_fonts(tmp_path, monkeypatch)
    good = regular.read_bytes()
    made = []
    # making an instance takes fontTools about 20 s a face: hand back the bytes it made for this machine
    monkeypatch.setattr(cjk, "_instance", lambda script, face: made.append((script, face)) or good)
    DAMAGE["cut-short"](regular)
    result = build(runner, root)
    assert result.exit_code == 0, result.stderr
    assert made == [("sc", "regular")]
    assert hashlib.sha256(regular.read_bytes()).hexdigest() == hashlib.sha256(good).hexdigest()
    fonts = subprocess.run(["pdffonts", str(root / "output/demo/welcome.zh-Hans.pdf")], capture_output=True, text=True)
    assert "NotoSansSC" in fonts.stdout


def test_a_prepared_font_that_cannot_be_made_again_names_the_cache_file(make_project, runner, tmp_path, monkeypatch):
    from handouts import cjk

    root = _hans_project(make_project)
    regular, _ = _cache_with_prepared_fonts(tmp_path, monkeypatch)
    monkeypatch.setattr(cjk, "_instance", lambda script, face: b"")
    DAMAGE["a-folder"](regular)  # in the way of the new file: it cannot be replaced
    result = build(runner, root)
    assert error(result).endswith(
        f"Error: cannot prepare the Noto Sans SC font in {tmp_path / 'cache'} (Is a directory): "
        "set HANDOUTS_CACHE to a writable folder\n"
    )


# --- Text prints exactly as typed: backslashes, emphasis, line breaks --------------------------------------


@pytest.mark.parametrize(
    ("typed", "printed"),
    [
        pytest.param(r"'Save it in C:\Users\Lin\handouts.'", r"Save it in C:\Users\Lin\handouts.", id="windows-path"),
        pytest.param(r"'Either a \ b, or \\ c.'", r"Either a \ b, or \\ c.", id="lone-backslashes"),
        pytest.param(r"'A \*star\* and a \n that is not a newline.'", r"A *star* and a \n that is not a newline.",
                     id="escaped-star"),
        pytest.param(r"'Ends with a backslash \'", "Ends with a backslash \\", id="trailing"),
    ],
)
def test_backslashes_print_as_typed(make_project, runner, typed, printed):
    root = make_project({"content/blocks/intro.yaml": prose(typed)})
    result = build(runner, root)
    assert result.exit_code == 0, result.stderr
    assert squash(printed) in squash(pdftotext(root / "output/demo/welcome.pdf"))


@pytest.mark.parametrize("typed", ["Mix **a *b** c* up", "*x **y* z**", "**bold *italic** still*"])
def test_crossed_bold_and_italic_are_reported_naming_the_field(make_project, runner, typed):
    root = make_project({"content/blocks/intro.yaml": prose(f"'{typed}'")})
    assert error(build(runner, root)) == (
        f"Error: content/blocks/intro.yaml:7: text.en.body: bold (**) and italic (*) cross each other in {typed!r}: "
        "close the one opened last first, as in **bold *both*** (or write \\* for a star that is not markup)\n"
    )


def test_a_line_break_typed_inside_an_address_item_is_kept(make_project, runner):
    root = make_project({CLINIC_YAML: clinic(("  - 1 Test Street\n", '  - "1 Test Street\\nBuilding B"\n'))})
    result = build(runner, root)
    assert result.exit_code == 0, result.stderr
    lines = pdftotext(root / "output/demo/welcome.pdf").splitlines()
    start = lines.index("1 Test Street")
    assert lines[start : start + 3] == ["1 Test Street", "Building B", "Testville, TS 00001"]


def _sheet_with_qr(optional: bool) -> str:
    sheet = (REPO / "layouts" / "sheet.yaml").read_text(encoding="utf-8")
    anchor = "      - {type: logo, top: 0.32in"
    qr = (
        "      - {type: qr, top: 0.42in, height: 0.85in, left: 2.4in, width: 0.85in, "
        f'data: "{{{{ clinic.booking_url }}}}", optional: {str(optional).lower()}}}\n'
    )
    assert sheet.count(anchor) == 1
    return sheet.replace(anchor, qr + anchor)


def test_a_qr_code_with_nothing_to_encode_is_an_error_naming_the_field(make_project, runner):
    no_booking = clinic(("booking_url: https://chenwu.example.com/book\n", ""))
    root = make_project({"layouts/sheet.yaml": _sheet_with_qr(optional=False), CLINIC_YAML: no_booking})
    message = error(build(runner, root))
    assert message.startswith("Error: layouts/sheet.yaml")
    assert message.endswith(
        ": pages.first.elements[2].data: the QR code has nothing to encode ('{{ clinic.booking_url }}' is empty "
        "for this clinic): fill in that clinic field, or set optional: true\n"
    )
    root = make_project({"layouts/sheet.yaml": _sheet_with_qr(optional=True), CLINIC_YAML: no_booking})
    assert build(runner, root).exit_code == 0


# --- Only the project's own regular files are read ------------------------------------------------------


def _link_out(root: Path, rel: str, tmp_path: Path) -> str:
    """Move ``rel`` out of the project and leave a link to it in its place; return the link's target."""
    target = tmp_path / "elsewhere" / rel.replace("/", "_")
    target.parent.mkdir(parents=True, exist_ok=True)
    (root / rel).rename(target)
    (root / rel).symlink_to(target, target_is_directory=target.is_dir())
    return str(target.resolve())


LINKED = [
    ("content/blocks/intro.yaml", "content/blocks/intro.yaml"),
    ("content/handouts/welcome.yaml", "content/handouts/welcome.yaml"),
    ("layouts/sheet.yaml", "layouts/sheet.yaml"),
    ("content/strings.yaml", "content/strings.yaml"),
    ("content/clinics/demo", "content/clinics/demo"),
    ("content/clinics/demo/clinic.yaml", "content/clinics/demo/clinic.yaml"),
]


@pytest.mark.parametrize(("rel", "named"), LINKED, ids=[r for r, _ in LINKED])
def test_a_link_that_leads_outside_the_project_is_refused_naming_the_file(make_project, runner, tmp_path, rel, named):
    root = make_project()
    target = _link_out(root, rel, tmp_path)
    result = build(runner, root)
    assert result.exit_code == 1
    assert (
        f"{named}: is a link that leads outside the project (to {target}): copy the file into the project instead"
        in result.stderr
    )
    assert "Traceback" not in result.stderr
    assert not (root / "output/demo/welcome.pdf").exists()


@pytest.mark.parametrize("kind", ["fifo", "dev-zero"])
@pytest.mark.parametrize("rel", ["content/blocks/intro.yaml", "content/clinics/demo/clinic.yaml"])
def test_a_pipe_or_device_in_the_project_is_refused_not_read(make_project, runner, kind, rel):
    root = make_project()
    (root / rel).unlink()
    if kind == "fifo":
        os.mkfifo(root / rel)
    else:
        (root / rel).symlink_to("/dev/zero")
    result = subprocess.run(
        [sys.executable, "-m", "handouts", "build", "--project", str(root)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 1
    if kind == "fifo":
        assert f"{rel}: is not a regular file (a named pipe, socket or device): remove it" in result.stderr
    else:
        assert f"{rel}: is a link that leads outside the project (to /dev/zero): copy the file" in result.stderr


def test_a_pipe_elsewhere_in_a_clinic_folder_is_never_opened(make_project, runner):
    root = make_project()
    os.mkfifo(root / "content/clinics/demo/notes.fifo")
    (root / "content/clinics/demo/zero").symlink_to("/dev/zero")
    result = subprocess.run(
        [sys.executable, "-m", "handouts", "build", "--project", str(root)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("name", ["new\nline", "Upper", "sp ace", "dot.ted", "\u202eevil"])
def test_a_hand_made_clinic_folder_with_a_bad_name_is_refused_and_never_printed_raw(make_project, runner, name):
    root = make_project({f"content/clinics/{name}/clinic.yaml": CLINIC})
    (root / f"content/clinics/{name}/logo.png").write_bytes((root / "content/clinics/demo/logo.png").read_bytes())
    result = build(runner, root)
    shown = name.encode("unicode_escape").decode() if not name.isprintable() else name
    assert result.exit_code == 1
    assert (
        f"Error: content/clinics/{shown}: the folder name must be lowercase letters, digits and hyphens "
        "(as handouts new-clinic makes them): rename the folder\n"
    ) == result.stderr
    assert "demo: 1 PDF(s) in output/demo/" in result.stdout  # the other clinic still builds
    listed = handouts(runner, "list", "--project", str(root)).stdout
    assert name not in listed if not name.isprintable() else True


@pytest.mark.parametrize("name", ["sneaky\n", "ok-slug\n", "x\x1b[2J"])
def test_a_file_or_slug_with_a_control_character_is_refused(make_project, runner, name):
    root = make_project({f"content/blocks/{name}.yaml": prose("Hello.")})
    result = build(runner, root)
    assert result.exit_code == 1
    shown = name.encode("unicode_escape").decode()
    assert f"content/blocks/{shown}.yaml: file name {name + '.yaml'!r} must be lowercase" in result.stderr
    created = handouts(runner, "new-clinic", "--project", str(root), name)
    assert created.exit_code != 0
    assert not any(p.name.startswith(name.rstrip("\n")) for p in (root / "content/clinics").iterdir() if p.name != "demo")


@pytest.mark.parametrize(
    ("field", "value", "char"),
    [
        ("website", "https://chenwu.example.com\u2215book", "'∕' (U+2215 DIVISION SLASH)"),
        ("booking_url", "https://chenwu.exаmple.com/book", "'а' (U+0430 CYRILLIC SMALL LETTER A)"),
        ("email", "desk@chenwu.exаmple.com", "'а' (U+0430 CYRILLIC SMALL LETTER A)"),
    ],
)
def test_a_link_with_a_look_alike_character_is_refused_naming_it(make_project, runner, field, value, char):
    text = re.sub(rf"(?m)^{field}: .*$", f"{field}: {value}", CLINIC)
    root = make_project({CLINIC_YAML: text})
    message = error(build(runner, root))
    assert f": {field}: {value!r}: the character {char} is not plain ASCII and may only look like one" in message


def test_a_block_link_with_a_look_alike_character_is_refused(make_project, runner):
    root = make_project({"content/blocks/intro.yaml": prose("'[Book](https://example.com\u2215book)'")})
    message = error(build(runner, root))
    assert "content/blocks/intro.yaml:7: text.en.body: link 'https://example.com∕book': the character '∕'" in message


# --- Layout values that must be refused, not drawn -----------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("gap: 0.35in}", "gap: -0.35in}", "'-0.35in' is negative: lengths are measured inwards from the sheet's edges"),
        ("gap: 0.35in}", "gap: .nan}", "nan is not a length a page can hold: write for example '0.5in' or '12mm'"),
        ("gap: 0.35in}", "gap: .inf}", "inf is not a length a page can hold: write for example '0.5in' or '12mm'"),
        ("gap: 0.35in}", "gap: 1e400}", "expected a length such as '0.5in' or '12mm', got '1e400'"),
        ("gap: 0.35in}", "gap: 9000in}", "'9000in' is longer than any sheet (over 200in)"),
        ("thickness: 1}", "thickness: 0}", "0 is zero: give a size above zero"),
        ("widths: [1fr, 1fr]", "widths: [1fr, -1fr]", "'-1fr' is not a length: write '$name', '50%' or '1fr' (not negative)"),
        ("widths: [1fr, 1fr]", "widths: [1fr, 0fr]", "'0fr' is zero: give a size above zero"),
    ],
    ids=["negative", "nan", "inf", "1e400", "huge", "zero-thickness", "negative-fr", "zero-fr"],
)
def test_a_layout_length_that_cannot_be_drawn_is_refused_naming_file_line_and_field(
    make_project, runner, old, new, message
):
    sheet = (REPO / "layouts" / "sheet.yaml").read_text(encoding="utf-8")
    line = sheet[: sheet.index(old)].count("\n") + 1
    root = make_project({"layouts/sheet.yaml": sheet.replace(old, new, 1)})
    stderr = error(build(runner, root))
    assert stderr.startswith(f"Error: layouts/sheet.yaml:{line}: "), stderr
    assert f": {message}\n" in stderr
    assert "Traceback" not in stderr


# --- Command-line names are checked against the project's, and output honours the umask -----------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["../../etc", "welcome"], "no clinic '../../etc' in content/clinics/ (there are: demo)"),
        (["demo", "../welcome"], "no handout '../welcome' in content/handouts/; did you mean 'welcome'?"),
        (["demo", "welcome", "--lang", "../../../x"], "clinic 'demo' offers en, not '../../../x': pick one of those with --lang"),
        (["demo", "welcome", "--lang", "es"], "clinic 'demo' offers en, not 'es': pick one of those with --lang"),
    ],
    ids=["clinic", "handout", "lang-path", "lang-not-offered"],
)
def test_preview_arguments_never_become_paths_outside_output(make_project, runner, tmp_path, args, message):
    root = make_project()
    assert build(runner, root).exit_code == 0
    before = {p for p in tmp_path.rglob("*") if p.suffix == ".png"}
    result = handouts(runner, "preview", "--project", str(root), *args)
    assert error(result) == f"Error: {message}\n"
    assert {p for p in tmp_path.rglob("*") if p.suffix == ".png"} == before


def test_a_handout_whose_recipe_is_broken_is_named_broken_not_missing(make_project, runner):
    root = make_project({"content/handouts/welcome.yaml": "layout: sheet\nslots: {body: [intro]}\n"})
    result = build(runner, root, "--handout", "welcome")
    assert error(result) == (
        "Error: content/handouts/welcome.yaml:1: text: is missing: this field is required\n"
        "content/handouts/welcome.yaml: this handout cannot be built until its recipe is fixed (its errors are listed)\n"
    )


@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_output_files_honour_the_umask(make_project, umask, mode):
    root = make_project()
    code = (
        f"import os, sys; os.umask({umask}); from handouts.cli import cli; "
        f"sys.argv = ['handouts', 'build', '--project', {str(root)!r}]; cli()"
    )
    subprocess.run([sys.executable, "-c", code], check=False, capture_output=True)
    files = [p for p in (root / "output").rglob("*") if p.is_file() and not p.name.endswith(".lock")]
    assert files
    assert {p.relative_to(root).as_posix(): oct(p.stat().st_mode & 0o777) for p in files} == {
        p.relative_to(root).as_posix(): oct(mode) for p in files
    }


# --- Fonts are checked whole when they load; every missing character is named at once ---------------------


def _damaged_glyph_table(font: bytes) -> bytes:
    """Return ``font`` with the glyph locations of its letters pointing past the end of the glyph table."""
    import struct

    data = bytearray(font)
    tables = {}
    for i in range(struct.unpack(">H", data[4:6])[0]):
        tag, _, offset, length = struct.unpack(">4sIII", data[12 + 16 * i : 28 + 16 * i])
        tables[tag] = (offset, length)
    long_offsets = struct.unpack(">h", data[tables[b"head"][0] + 50 : tables[b"head"][0] + 52])[0]
    for glyph in range(30, 120):
        if long_offsets:
            struct.pack_into(">I", data, tables[b"loca"][0] + 4 * glyph, 0x7FFFFFF0)
        else:
            struct.pack_into(">H", data, tables[b"loca"][0] + 2 * glyph, 0xFFF0)
    return bytes(data)


def test_a_font_with_a_damaged_glyph_table_is_refused_when_it_loads(make_project, runner):
    root = make_project({CLINIC_YAML: BODY_FONT, "content/clinics/demo/body.ttf": _damaged_glyph_table(TTF)})
    assert error(build(runner, root)) == (
        f"Error: {CLINIC_YAML}:25: branding.fonts.body.regular: body.ttf is not a usable TrueType font (the file is "
        "damaged or incomplete): use the .ttf file from the font's download\n"
    )


def test_every_missing_character_of_a_text_is_named_at_once(make_project, runner):
    root = make_project({"content/blocks/intro.yaml": prose("'Két ש and ᚠ and ש again, and ☃.'")})
    message = error(build(runner, root))
    assert (
        "content/blocks/intro.yaml:7: text.en.body: characters 'ש' (U+05E9), 'ᚠ' (U+16A0), '☃' (U+2603) in block "
        "'intro' are not in the font SourceSansPro-Regular.ttf: use a font that covers them (branding.fonts in "
        "clinic.yaml) or remove the characters"
    ) in message


# --- merge-translations: all or nothing, checked like content --------------------------------------------


def _translations(tmp_path: Path, files: dict[str, str]) -> Path:
    return write_tree(tmp_path / "fr-files", files)


GOOD_FR = {"blocks/intro.yaml": "title: Bienvenue\nbody: L'acupuncture peut aider certaines personnes.\n"}


def test_merge_translations_pastes_a_language_in(make_project, runner, tmp_path):
    root = make_project()
    folder = _translations(tmp_path, GOOD_FR)
    result = handouts(runner, "merge-translations", "--project", str(root), str(folder), "fr")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("merged into content/blocks/intro.yaml\n")
    text = (root / "content/blocks/intro.yaml").read_text(encoding="utf-8")
    assert text.endswith("  fr:\n    title: Bienvenue\n    body: L'acupuncture peut aider certaines personnes.\n")


@pytest.mark.parametrize(
    ("files", "lang", "message"),
    [
        pytest.param(GOOD_FR, "en", "en is the language translations are made from: merge a translation into another "
                     "language", id="english"),
        pytest.param(GOOD_FR, "fr\n", "'fr\\n' is not a language code such as es, zh-Hans or pt-BR", id="newline"),
        pytest.param({**GOOD_FR, "blocks/nope.yaml": "title: x\n"}, "fr",
                     "{folder}/blocks/nope.yaml: no block 'nope' in content/blocks/", id="unknown-block"),
        pytest.param({**GOOD_FR, "blocks/steps.yaml": "title: [unclosed\n"}, "fr",
                     "{folder}/blocks/steps.yaml:2: ", id="broken-yaml"),
        pytest.param({**GOOD_FR, "blocks/steps.yaml": "titel: x\n"}, "fr",
                     "{folder}/blocks/steps.yaml:1: titel: not a field of the English text; did you mean 'title'?",
                     id="unknown-field"),
        pytest.param({**GOOD_FR, "blocks/steps.yaml": "title: a\ntitle: b\n"}, "fr",
                     "{folder}/blocks/steps.yaml:2: title: duplicate key (first given on line 1): keep only one",
                     id="duplicate-key"),
    ],
)
def test_merge_translations_refuses_and_writes_nothing(make_project, runner, tmp_path, files, lang, message):
    root = make_project()
    before = {p: p.read_bytes() for p in (root / "content").rglob("*.yaml")}
    folder = _translations(tmp_path, files)
    result = handouts(runner, "merge-translations", "--project", str(root), str(folder), lang)
    assert result.exit_code == 1
    assert message.format(folder=folder) in result.stderr
    assert {p: p.read_bytes() for p in (root / "content").rglob("*.yaml")} == before  # all or nothing


def test_merge_translations_refuses_a_link_out_of_its_folder(make_project, runner, tmp_path):
    root = make_project()
    folder = _translations(tmp_path, GOOD_FR)
    (folder / "blocks/steps.yaml").symlink_to("/etc/passwd")
    result = handouts(runner, "merge-translations", "--project", str(root), str(folder), "fr")
    assert result.exit_code == 1
    assert f"{folder}/blocks/steps.yaml: is a link that leads outside the translations folder" in result.stderr
    assert "root:" not in (root / "content/blocks/steps.yaml").read_text(encoding="utf-8")


def test_merge_translations_without_arguments_is_a_usage_error(runner):
    result = handouts(runner, "merge-translations")
    assert result.exit_code == 2
    assert "Missing argument 'FOLDER'" in result.stderr


# --- State files: damaged, nested absurdly or of the wrong shape mean "rebuild what they describe" -----------

DEEP = "[" * 200_000 + "]" * 200_000


@pytest.mark.parametrize(
    ("state", "text"),
    [
        pytest.param("demo/.handouts-build.json", '{"format": 1, "files": ' + DEEP + "}", id="record-deep"),
        pytest.param("demo/.handouts-build.json", '{"format": 1, "files": []}', id="record-files-a-list"),
        pytest.param("demo/.handouts-build.json", '{"format": 1, "files": {"welcome.pdf": "x"}}', id="record-entry-text"),
        pytest.param("demo/.handouts-build.json", "[1, 2, 3]", id="record-a-list"),
        pytest.param("demo/.handouts-build.json", "\xff\xfe not json", id="record-binary"),
        pytest.param("demo/previews/previews.json", '{"version": 1, "pdfs": ' + DEEP + "}", id="previews-deep"),
        pytest.param("demo/previews/previews.json", '{"version": 1, "pdfs": {"welcome.pdf": 7}}', id="previews-entry"),
    ],
)
def test_a_damaged_state_file_rebuilds_what_it_describes(make_project, runner, state, text):
    root = make_project()
    assert build(runner, root).exit_code == 0
    (root / "output" / state).write_text(text, encoding="utf-8", errors="surrogateescape")
    result = build(runner, root)
    assert result.exit_code == 0, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert (root / "output/demo/index.html").is_file()
    if state.endswith("build.json"):
        assert "Built 1 of 1 handout(s)" in result.stdout  # nothing could be trusted, so it was rebuilt
        assert json.loads((root / "output" / state).read_text(encoding="utf-8"))["files"]  # and recorded again


def test_page_images_named_in_previews_json_never_leave_the_previews_folder(make_project, runner, tmp_path):
    root = make_project()
    assert build(runner, root).exit_code == 0
    assert handouts(runner, "preview", "--project", str(root), "demo", "welcome", "--dpi", "40").exit_code == 0
    outside = tmp_path / "secret.png"
    outside.write_bytes(b"\x89PNG not yours")
    record = root / "output/demo/previews/previews.json"
    data = json.loads(record.read_text(encoding="utf-8"))
    data["pdfs"]["welcome.pdf"]["full"] = {"dpi": 40, "files": [str(outside), "../../../secret.png"]}
    record.write_text(json.dumps(data), encoding="utf-8")
    result = handouts(runner, "preview", "--project", str(root), "demo", "welcome", "--dpi", "40")
    assert result.exit_code == 0
    assert result.stdout == "output/demo/previews/welcome.page-1.png\n"
    assert "secret" not in result.stdout


def test_page_strings_with_a_duplicate_key_are_one_message_in_build_and_validate(make_project, runner):
    strings = (REPO / "content/strings.yaml").read_text(encoding="utf-8")
    line = strings.index("  closed:")
    broken = strings[:line] + "  closed: Shut\n" + strings[line:]
    number = broken[: broken.index("  closed: Closed")].count("\n") + 1
    root = make_project({"content/strings.yaml": broken})
    message = f"content/strings.yaml:{number}: closed: duplicate key (first given on line {number - 1}): keep only one"
    built, checked = build(runner, root), handouts(runner, "validate", "--project", str(root))
    assert error(built).startswith(f"Error: {message}\n")
    assert error(checked).startswith(f"Error: {message}\n")


def test_validate_runs_the_glyph_checks_a_build_runs(make_project, runner, tmp_path):
    """A body font with no Latin letters: validate says so, at the block, as build does."""
    from fontTools.subset import Options, Subsetter
    from fontTools.ttLib import TTFont as FontFile

    font = FontFile(io.BytesIO(TTF))
    subsetter = Subsetter(Options())
    subsetter.populate(text="0123456789 .,:;!?()")  # digits and punctuation, no letters
    subsetter.subset(font)
    digits = io.BytesIO()
    font.save(digits)
    root = make_project({CLINIC_YAML: BODY_FONT, "content/clinics/demo/body.ttf": digits.getvalue()})

    def run(*args: str) -> str:  # each a fresh process, as a user runs them: no font registered before
        done = subprocess.run([sys.executable, "-m", "handouts", *args, "--project", str(root)], capture_output=True,
                              text=True, timeout=120)  # fmt: skip
        assert done.returncode == 1, (done.stdout, done.stderr)
        return done.stderr

    built, checked = run("build"), run("validate")
    first = built.splitlines()[0].removeprefix("Error: ")
    assert "are not in the font body.ttf" in first
    assert first in checked


def test_the_notes_heading_from_page_strings_prints_markup_and_templating_as_written(make_project, runner):
    """The "Notes" heading over a last page's ruled lines comes from strings.yaml, which clinic staff edit: markup
    in it (an unclosed tag) is text, not a reportlab tag (it was a traceback), and a template is not run."""
    strings = (REPO / "content/strings.yaml").read_text(encoding="utf-8")
    hostile = '<b>Notes & </font> {{ 7*7 }}'
    root = make_project({"content/strings.yaml": strings.replace("  notes: Notes ", f"  notes: '{hostile}' ", 1)})
    result = build(runner, root)
    assert result.exit_code == 0, result.stderr
    assert hostile in pdftotext(root / "output/demo/welcome.pdf")


@pytest.mark.parametrize(("primary", "in_white"), [("#1f5f5b", True), ("#f3d36b", False)])
def test_the_masthead_logo_is_white_on_a_dark_brand_colour_and_in_its_own_colours_on_a_light_one(
    make_project, runner, tmp_path, primary, in_white
):
    """The sheet's masthead sets the logo in white on the brand colour; on a brand colour that white does not reach
    3:1 against (WCAG 1.4.11 for graphics: a pale yellow), the logo keeps its own colours rather than all but
    vanish. Drawn by poppler and read with Pillow in the logo's box (from the layout's YAML): its ink is the logo
    file's own darkest colour, or white, never both."""
    import yaml

    root = make_project({CLINIC_YAML: clinic(('primary_color: "#1f5f5b"', f'primary_color: "{primary}"'))})
    assert build(runner, root).exit_code == 0
    sheet = yaml.safe_load((root / "layouts/sheet.yaml").read_text(encoding="utf-8"))
    logo = next(el for el in sheet["pages"][0]["elements"] if el["type"] == "logo")
    inch = lambda value: float(str(value).removesuffix("in"))  # noqa: E731
    subprocess.run(["pdftoppm", "-png", "-r", "100", "-f", "1", "-l", "1", "-singlefile",
                    str(root / "output/demo/welcome.pdf"), str(tmp_path / "page")], check=True)  # fmt: skip
    page = Image.open(tmp_path / "page.png").convert("RGB")
    left, top = inch(logo["left"]) * 100, inch(logo["top"]) * 100
    box = page.crop((int(left), int(top), int(left + inch(logo["width"]) * 100), int(top + inch(logo["height"]) * 100)))
    mark = Image.open(root / "content/clinics/demo/logo.png").convert("RGBA")
    own = min((c for _, c in mark.getcolors(1 << 20) if c[3] > 200), key=sum)[:3]  # the logo's darkest ink
    band = tuple(int(primary[i : i + 2], 16) for i in (1, 3, 5))
    far = lambda a, b: sum(abs(x - y) for x, y in zip(a, b, strict=True))  # noqa: E731
    every = (box.getpixel((x, y)) for y in range(box.height) for x in range(box.width))
    pixels = [p for p in every if far(p, band) > 40]  # what is drawn on the band
    whites = sum(far(p, (255, 255, 255)) < 30 for p in pixels)
    inks = sum(far(p, own) < 30 for p in pixels)
    assert (whites > 200, inks > 200) == ((True, False) if in_white else (False, True)), (whites, inks)
