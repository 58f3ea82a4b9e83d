"""Tests for render: the Jinja sandbox and the inline markup that becomes reportlab paragraph markup."""

from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ET
from xml.sax.saxutils import escape

import pytest

from handouts.errors import ContentError, TemplateError
from handouts.render import Styling, protect, render_text, to_markup

DISPLAY = "content/blocks/intro.yaml"
CONTEXT = {
    "clinic": {"name": "*Lotus* Clinic", "phone": "(555) 010-9999", "address": ["1 Test Street"]},
    "lang": "en",
}


def render(source: str, context: dict | None = None) -> str:
    return render_text(source, CONTEXT if context is None else context, DISPLAY, 7, "text.en.body")


def render_error(source: str) -> str:
    with pytest.raises(TemplateError) as info:
        render(source)
    return info.value.format_message()


def markup(text: str, styling: Styling | None = None) -> str:
    return to_markup(text, styling or Styling(), DISPLAY, 7, "text.en.body")


def markup_error(text: str, styling: Styling | None = None) -> str:
    with pytest.raises(ContentError) as info:
        markup(text, styling)
    return info.value.format_message()


# --- render_text -------------------------------------------------------------------------------


def test_text_without_jinja_is_returned_as_is():
    assert render("Plain text with *stars* and a } brace") == "Plain text with *stars* and a } brace"


def test_values_are_inserted_and_protected():
    rendered = render("Call {{ clinic.phone }} today.")
    assert "(" not in rendered and ")" not in rendered  # inserted markup characters are out of the markup's reach
    assert markup(rendered) == "Call (555) 010-9999 today."


def test_misspelt_field_is_an_error_naming_field_and_line():
    assert render_error("Call {{ clinic.phon }}") == (
        f"{DISPLAY}:7: text.en.body: 'dict object' has no attribute 'phon' (names you can use: clinic, lang)"
    )


def test_misspelt_name_is_an_error():
    assert render_error("{{ clinc.name }}") == (
        f"{DISPLAY}:7: text.en.body: 'clinc' is undefined (names you can use: clinic, lang)"
    )


def test_syntax_error_names_the_line_inside_the_text():
    # the text starts on line 7 of the file; the broken tag is on its third line
    assert render_error("First line.\nSecond {{ clinic.name }}.\nThird {% if %} fourth\nfifth") == (
        f"{DISPLAY}:9: text.en.body: template syntax: Expected an expression, got 'end of statement block'"
    )


def test_empty_expression():
    assert render_error("Call {{ }}") == (
        f"{DISPLAY}:7: text.en.body: template syntax: Expected an expression, got 'end of print statement'"
    )


@pytest.mark.parametrize(
    ("source", "owner"),
    [
        ("{{ ''.__class__.__mro__ }}", "str"),
        ("{{ clinic.__class__ }}", "dict"),
        ("{{ ().__class__.__bases__[0].__subclasses__() }}", "tuple"),
    ],
)
def test_sandbox_refuses_escapes(source, owner):
    assert render_error(source) == (
        f"{DISPLAY}:7: text.en.body: not allowed: access to attribute '__class__' of '{owner}' object is unsafe."
    )


def test_str_format_is_refused_before_it_can_reach_attributes():
    assert render_error("{{ '{0.__class__}'.format(1) }}") == (
        f"{DISPLAY}:7: text.en.body: not allowed: access to attribute 'format' of 'str' object is unsafe."
    )


def test_sandbox_is_immutable():
    assert render_error("{{ clinic.address.append('x') }}") == (
        f"{DISPLAY}:7: text.en.body: not allowed: access to attribute 'append' of 'list' object is unsafe."
    )


@pytest.mark.parametrize("name", ["range", "lipsum", "cycler", "namespace"])
def test_jinja_globals_are_removed(name):
    assert render_error(f"{{{{ {name} }}}}") == (
        f"{DISPLAY}:7: text.en.body: '{name}' is undefined (names you can use: clinic, lang)"
    )


def test_huge_repetition_is_refused():
    assert render_error("{{ 'a' * 10**9 }}") == (
        f"{DISPLAY}:7: text.en.body: not allowed: repeating text to 1,000,000,000 characters is over the limit of 50,000"
    )


def test_huge_power_is_refused():
    assert render_error("{{ 2 ** 10000 }}") == (
        f"{DISPLAY}:7: text.en.body: not allowed: power with exponent 10000 is over the limit of 100"
    )


def test_small_arithmetic_is_allowed():
    assert render("{{ 'ab' * 3 }} {{ 2 ** 10 }} {{ 6 * 7 }}") == "ababab 1024 42"


def test_long_concatenation_is_refused():
    assert (
        render_error("{{ 'a' * 50000 + 'b' }}") == f"{DISPLAY}:7: text.en.body: not allowed: text longer than the limit"
    )


def test_arithmetic_errors_are_template_errors():
    assert render_error("{{ 1 / 0 }}") == f"{DISPLAY}:7: text.en.body: ZeroDivisionError: division by zero"


CHILD = """
import resource, sys
from handouts.errors import TemplateError
from handouts.render import render_text
resource.setrlimit(resource.RLIMIT_AS, (200_000_000, 200_000_000))
try:
    render_text(sys.argv[1], {}, "x.yaml", 1, "w")
except TemplateError as exc:
    print(exc.format_message())
"""


def render_in_child(source: str, timeout: float) -> subprocess.CompletedProcess:
    """Render in a separate process with 200 MB of memory, so a runaway template cannot hurt the test run."""
    return subprocess.run(
        [sys.executable, "-c", CHILD, source], capture_output=True, text=True, timeout=timeout, check=False
    )


def test_chained_powers_are_refused_quickly():
    done = render_in_child("{{ (((10 ** 100) ** 100) ** 100) ** 100 }}", timeout=5)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("x.yaml:1: w: not allowed: ")


def test_loop_output_is_limited_while_rendering():
    done = render_in_child('{% for c in "a" * 50000 %}{{ "a" * 50000 }}{% endfor %}', timeout=20)
    assert done.returncode == 0, done.stderr[-300:]
    assert done.stdout.startswith("x.yaml:1: w: ")
    assert "'for' blocks are not allowed in content text" in done.stdout


# --- to_markup ---------------------------------------------------------------------------------


def test_reserved_characters_are_escaped():
    assert markup("Chen & Wu <Acupuncture>") == "Chen &amp; Wu &lt;Acupuncture&gt;"


def test_bold_and_italic():
    assert markup("This **may help** and *may not*.") == "This <b>may help</b> and <i>may not</i>."


def test_italic_inside_bold():
    assert markup("A **bold *and italic* text**") == "A <b>bold <i>and italic</i> text</b>"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("5 * 3 = 15", "5 * 3 = 15"),
        ("a **lonely pair of stars", "a **lonely pair of stars"),
        ("*one* and *", "<i>one</i> and *"),
    ],
)
def test_unpaired_stars_stay_literal(text, expected):
    assert markup(text) == expected


def test_escaped_star_is_literal():
    assert markup(r"\*not italic\* and \\ backslash") == r"*not italic* and \\ backslash"


@pytest.mark.parametrize("text", [r"C:\Users\Lin", r"a \ b", "\\", r"\[not an escape\]", r"ends with \ "])
def test_every_other_backslash_prints_as_typed(text):
    assert markup(text) == escape(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "[our site](https://example.com/a?b=1&c=2)",
            '<a href="https://example.com/a?b=1&amp;c=2" color="#000000">our site</a>',
        ),
        ("[x](http://example.com)", '<a href="http://example.com" color="#000000">x</a>'),
        ("[Email us](mailto:desk@example.com)", '<a href="mailto:desk@example.com" color="#000000">Email us</a>'),
        ("[Call](tel:+15550102233)", '<a href="tel:+15550102233" color="#000000">Call</a>'),
        ("[](https://example.com)", '<a href="https://example.com" color="#000000">https://example.com</a>'),
        ("[a <b>](https://e.com)", '<a href="https://e.com" color="#000000">a &lt;b&gt;</a>'),
        ('[q](https://e.com/"x=")', '<a href="https://e.com/&quot;x=&quot;" color="#000000">q</a>'),
    ],
)
def test_allowed_links(text, expected):
    assert markup(text) == expected


def test_link_colour_comes_from_the_styling():
    assert (
        markup("[x](https://e.com)", Styling(link_color="#1f5f5b")) == '<a href="https://e.com" color="#1f5f5b">x</a>'
    )


@pytest.mark.parametrize(
    "url", ["javascript:alert", "JavaScript:alert", "ftp://example.com", "data:text/html,hi", "page.html"]
)
def test_other_link_schemes_are_refused(url):
    assert markup_error(f"Click [here]({url}) now") == (
        f"{DISPLAY}:7: text.en.body: link {url!r} is not allowed: links must start with https://, http://, mailto: or tel:"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("<img src=x>", "&lt;img src=x&gt;"),
        ("<font color=red>red</font>", "&lt;font color=red&gt;red&lt;/font&gt;"),
        ('<a href="javascript:x">c</a>', '&lt;a href="javascript:x"&gt;c&lt;/a&gt;'),
        ("&amp; &#65;", "&amp;amp; &amp;#65;"),
    ],
)
def test_reportlab_tags_print_literally(text, expected):
    assert markup(text) == expected


def test_bold_needs_a_bold_face():
    assert markup_error("**bold**", Styling(bold=False)) == (
        f"{DISPLAY}:7: text.en.body: uses bold (**…**) but the font family has no bold face: "
        "add it under branding.fonts in clinic.yaml or remove the **"
    )


def test_italic_needs_an_italic_face():
    assert markup_error("*it*", Styling(italic=False)) == (
        f"{DISPLAY}:7: text.en.body: uses italic (*…*) but the font family has no italic face: "
        "add it under branding.fonts in clinic.yaml or remove the *"
    )


def test_unpaired_star_needs_no_italic_face():
    assert markup("5 * 3", Styling(bold=False, italic=False)) == "5 * 3"


def test_crossed_markers_are_an_error_naming_the_field():
    with pytest.raises(ContentError) as info:
        markup("Mix **a *b** c* up")
    assert info.value.format_message() == (
        f"{DISPLAY}:7: text.en.body: bold (**) and italic (*) cross each other in 'Mix **a *b** c* up': close the "
        "one opened last first, as in **bold *both*** (or write \\* for a star that is not markup)"
    )


def test_nested_markers_are_well_formed():
    result = markup("**bold *both* bold** *it*")
    assert result == "<b>bold <i>both</i> bold</b> <i>it</i>"
    ET.fromstring(f"<para>{result}</para>")


# --- protect: values Jinja inserts are literal text ----------------------------------------------------


def test_protect_keeps_markup_characters_out_of_the_markups_reach():
    assert markup(protect("a*b\\c[d](e) **x**")) == "a*b\\c[d](e) **x**"
    assert not set(protect("a*b\\c[d](e)")) & set("*\\[]()")
    assert protect(None) == ""
    assert protect(42) == "42"


def test_inserted_stars_stay_literal():
    rendered = render("Welcome to {{ clinic.name }}.")
    assert "*" not in rendered
    assert markup(rendered) == "Welcome to *Lotus* Clinic."


def test_inserted_link_syntax_stays_literal():
    context = {"clinic": {"name": "Spa [click](javascript:alert)"}}
    assert markup(render("{{ clinic.name }}", context)) == "Spa [click](javascript:alert)"


def test_author_markup_around_an_inserted_value_still_works():
    assert markup(render("**{{ clinic.name }}**")) == "<b>*Lotus* Clinic</b>"


def test_inserted_value_in_a_link_label_stays_literal():
    rendered = render("[Visit {{ clinic.name }}](https://lotus.example.com)")
    assert markup(rendered) == '<a href="https://lotus.example.com" color="#000000">Visit *Lotus* Clinic</a>'
