"""Tests for content: blocks, handout recipes and page strings."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from handouts.errors import ContentError, HandoutError
from handouts.load.content import CONTACT_PARTS, read_block, read_folder, read_handout, read_strings

HEAD = "reviewed: 2026-11-01\nsources: [test]\n"
BLOCK = "content/blocks/blk.yaml"
HANDOUT = "content/handouts/welcome.yaml"


def block(tmp_path: Path, text: str):
    path = tmp_path / "blk.yaml"
    path.write_text(text, encoding="utf-8")
    return read_block(path, BLOCK)


def block_error(tmp_path: Path, text: str) -> str:
    with pytest.raises(HandoutError) as info:
        block(tmp_path, text)
    return info.value.format_message()


def handout(tmp_path: Path, text: str):
    path = tmp_path / "welcome.yaml"
    path.write_text(text, encoding="utf-8")
    return read_handout(path, HANDOUT)


@pytest.mark.parametrize(
    ("kind", "words", "expected"),
    [
        ("prose", "    title: Hi\n    body: Some text.\n", {"title": "Hi", "body": "Some text.", "fields": None}),
        (
            "steps",
            "    items: [One, Two]\n    outro: Done.\n",
            {"title": None, "intro": None, "items": ["One", "Two"], "outro": "Done."},
        ),
        (
            "bullets",
            "    intro: Bring\n    items: [Water]\n",
            {"title": None, "intro": "Bring", "items": ["Water"], "outro": None},
        ),
        (
            "callout",
            "    title: Careful\n    items: [Fever]\n",
            {"title": "Careful", "intro": None, "items": ["Fever"], "body": None},
        ),
        (
            "condition",
            "    name: Sciatica\n    what_it_is: Nerve pain.\n    symptoms: [Pain]\n    causes: [Disc]\n"
            "    how_acupuncture_may_help: Maybe.\n    what_research_says: Mixed.\n    warning_signs: [Numbness]\n",
            {
                "name": "Sciatica",
                "what_it_is": "Nerve pain.",
                "symptoms": ["Pain"],
                "causes": ["Disc"],
                "how_acupuncture_may_help": "Maybe.",
                "what_research_says": "Mixed.",
                "warning_signs": ["Numbness"],
            },
        ),
        (
            "faq",
            "    items:\n      - q: Does it hurt?\n        a: Rarely.\n",
            {"title": None, "items": [{"q": "Does it hurt?", "a": "Rarely."}]},
        ),
        ("contact", "    title: Contact us\n", {"title": "Contact us", "intro": None}),
        ("disclaimer", "    body: Education only.\n", {"title": None, "body": "Education only."}),
    ],
)
def test_read_block_for_each_kind(tmp_path, kind, words, expected):
    result = block(tmp_path, f"kind: {kind}\n{HEAD}text:\n  en:\n{words}")
    assert result.id == "blk"
    assert result.kind == kind
    assert result.reviewed == dt.date(2026, 11, 1)
    assert result.sources == ("test",)
    assert result.text == {"en": expected}
    assert result.display == BLOCK


def test_block_defaults(tmp_path):
    result = block(tmp_path, f"kind: prose\n{HEAD}text:\n  en:\n    body: x\n")
    assert result.references == ()
    assert result.tone == "note"
    assert result.show == CONTACT_PARTS


def test_block_top_level_options(tmp_path):
    result = block(
        tmp_path,
        "kind: contact\nshow: [phone, booking]\ntone: warning\nreferences: [A 2020]\n"
        f"{HEAD}text:\n  en:\n    title: Call\n  es:\n    title: Llame\n",
    )
    assert result.show == ("phone", "booking")
    assert result.tone == "warning"
    assert result.references == ("A 2020",)
    assert result.text == {"en": {"title": "Call", "intro": None}, "es": {"title": "Llame", "intro": None}}


def test_block_line_of(tmp_path):
    result = block(tmp_path, f"kind: steps\n{HEAD}text:\n  en:\n    title: T\n    items:\n      - a\n      - b\n")
    assert result.line_of("en", "title") == 6
    assert result.line_of("en", "items") == 7
    assert result.line_of("en", "items", 1) == 9
    assert result.line_of("es", "title") == 4


def test_prose_with_fields_of_another_kind(tmp_path):
    message = block_error(tmp_path, f"kind: prose\n{HEAD}text:\n  en:\n    items: [a]\n")
    assert message == (
        f"{BLOCK}:6: text.en.items: unknown field; did you mean 'title'?\n"
        f"{BLOCK}:6: text.en.body: is missing: this field is required"
    )


def test_steps_with_a_body(tmp_path):
    message = block_error(tmp_path, f"kind: steps\n{HEAD}text:\n  en:\n    items: [a]\n    body: x\n")
    assert message == f"{BLOCK}:7: text.en.body: unknown field; expected one of: title, intro, items, outro"


def test_callout_needs_a_title(tmp_path):
    message = block_error(tmp_path, f"kind: callout\n{HEAD}text:\n  en:\n    body: x\n")
    assert message == f"{BLOCK}:6: text.en.title: is missing: this field is required"


def test_condition_missing_fields_are_all_reported(tmp_path):
    message = block_error(
        tmp_path, f"kind: condition\n{HEAD}text:\n  en:\n    name: N\n    what_it_is: W\n    symptoms: []\n"
    )
    assert message == (
        f"{BLOCK}:8: text.en.symptoms: needs at least 1 item(s)\n"
        f"{BLOCK}:6: text.en.causes: is missing: this field is required\n"
        f"{BLOCK}:6: text.en.how_acupuncture_may_help: is missing: this field is required\n"
        f"{BLOCK}:6: text.en.what_research_says: is missing: this field is required\n"
        f"{BLOCK}:6: text.en.warning_signs: is missing: this field is required"
    )


def test_faq_item_needs_an_answer(tmp_path):
    message = block_error(tmp_path, f"kind: faq\n{HEAD}text:\n  en:\n    items:\n      - q: Why?\n")
    assert message == f"{BLOCK}:7: text.en.items[1].a: is missing: this field is required"


def test_item_read_as_a_number(tmp_path):
    message = block_error(tmp_path, f"kind: steps\n{HEAD}text:\n  en:\n    items:\n      - Rest\n      - 5\n")
    assert message == (
        f"{BLOCK}:8: text.en.items[2]: expected text, but YAML read the number 5: put the value in quotes"
    )


def test_language_text_must_be_a_mapping(tmp_path):
    message = block_error(tmp_path, f"kind: prose\n{HEAD}text:\n  en: just words\n")
    assert message == f"{BLOCK}:5: text.en: expected a mapping of fields, found 'just words'"


@pytest.mark.parametrize(("kind", "suggestion"), [("prose2", "prose"), ("bulets", "bullets"), ("callot", "callout")])
def test_unknown_kind_with_did_you_mean(tmp_path, kind, suggestion):
    message = block_error(tmp_path, f"kind: {kind}\n{HEAD}text:\n  en:\n    body: x\n")
    assert message == (
        f"{BLOCK}:1: kind: {kind!r} is not one of: bullets, callout, condition, contact, disclaimer, faq, figure, prose, "
        f"steps; did you mean {suggestion!r}?"
    )


def test_missing_reviewed_and_sources(tmp_path):
    message = block_error(tmp_path, "kind: prose\ntext:\n  en:\n    body: x\n")
    assert message == (
        f"{BLOCK}:1: reviewed: is missing: this field is required\n"
        f"{BLOCK}:1: sources: is missing: this field is required"
    )


def test_sources_must_not_be_empty(tmp_path):
    message = block_error(tmp_path, "kind: prose\nreviewed: 2026-11-01\nsources: []\ntext:\n  en:\n    body: x\n")
    assert message == f"{BLOCK}:3: sources: needs at least 1 item(s)"


@pytest.mark.parametrize(
    ("value", "found"),
    [("last week", "'last week'"), ("20261101", "the number 20261101"), ("'2026/11/01'", "'2026/11/01'")],
)
def test_bad_review_date(tmp_path, value, found):
    message = block_error(tmp_path, f"kind: prose\nreviewed: {value}\nsources: [a]\ntext:\n  en:\n    body: x\n")
    assert message == f"{BLOCK}:2: reviewed: expected a date such as 2026-11-20, found {found}"


@pytest.mark.parametrize("value", ["'2026-11-01'", "2026-11-01T10:30:00"])
def test_review_date_as_quoted_text_or_timestamp(tmp_path, value):
    result = block(tmp_path, f"kind: prose\nreviewed: {value}\nsources: [a]\ntext:\n  en:\n    body: x\n")
    assert result.reviewed == dt.date(2026, 11, 1)


def test_impossible_review_date_is_a_located_error(tmp_path):
    message = block_error(tmp_path, "kind: prose\nreviewed: 2026-13-01\nsources: [a]\ntext:\n  en:\n    body: x\n")
    assert message == f"{BLOCK}:2: '2026-13-01' is not a real date: use YYYY-MM-DD"


def test_text_needs_a_language(tmp_path):
    assert block_error(tmp_path, f"kind: prose\n{HEAD}text: {{}}\n") == (
        f"{BLOCK}:4: text: needs at least one language, such as en:"
    )


def test_text_language_code(tmp_path):
    message = block_error(tmp_path, f"kind: prose\n{HEAD}text:\n  english:\n    body: x\n")
    assert message == f"{BLOCK}:5: text.english: 'english' is not a language code (or language@REGION, e.g. en@GB)"


def test_contact_show_part_unknown(tmp_path):
    message = block_error(tmp_path, f"kind: contact\nshow: [phone, fax]\n{HEAD}text:\n  en:\n    title: C\n")
    assert message == f"{BLOCK}:2: show[2]: 'fax' is not one of: address, practitioners, phone, email, website, hours, booking"


def test_fill_in_fields_need_a_form_field(tmp_path):
    message = block_error(tmp_path, f"kind: prose\n{HEAD}text:\n  en:\n    body: Next\n    fields: [Date]\n")
    assert message == f"{BLOCK}:5: text.en.fields: needs form_field: on the block (names its lines)"


def test_unknown_top_level_field(tmp_path):
    message = block_error(tmp_path, f"kind: prose\n{HEAD}colour: red\ntext:\n  en:\n    body: x\n")
    assert message == (
        f"{BLOCK}:4: colour: unknown field; expected one of: kind, reviewed, sources, references, tone, show, text, image, credit, "
        "width, optional, icon, form_field, icons"
    )


def test_read_handout(tmp_path):
    result = handout(
        tmp_path,
        "layout: sheet\ntext:\n  en:\n    title: Welcome\n    subtitle: Sub\n  es:\n    title: Bienvenida\n"
        "tags: {condition: sciatica}\nslots:\n  body: [intro, steps]\n  side: [contact]\n",
    )
    assert result.id == "welcome"
    assert result.layout == "sheet"
    assert result.text == {
        "en": {"title": "Welcome", "subtitle": "Sub", "headline": None},
        "es": {"title": "Bienvenida", "subtitle": None, "headline": None},
    }
    assert result.tags == {"condition": "sciatica"}
    assert result.slots == {"body": ("intro", "steps"), "side": ("contact",)}
    assert result.lines["slots"].line_of("side") == 11


def test_read_handout_problems_are_reported_together(tmp_path):
    with pytest.raises(HandoutError) as info:
        handout(tmp_path, "layout: Sheet\ntext:\n  en:\n    subtitle: S\nslots:\n  body: [intro, intro]\n  side: []\n")
    assert info.value.format_message() == (
        f"{HANDOUT}:1: layout: 'Sheet' is not a layout id\n"
        f"{HANDOUT}:4: text.en.title: is missing: this field is required\n"
        f"{HANDOUT}:6: slots.body[2]: 'intro' is listed twice\n"
        f"{HANDOUT}:7: slots.side: needs at least 1 item(s)"
    )


def test_read_handout_needs_slots(tmp_path):
    with pytest.raises(ContentError) as info:
        handout(tmp_path, "layout: sheet\ntext:\n  en:\n    title: T\n")
    assert info.value.format_message() == f"{HANDOUT}:1: slots: is missing: this field is required"


def write_strings(tmp_path: Path, text: str) -> Path:
    (tmp_path / "content").mkdir(exist_ok=True)
    (tmp_path / "content" / "strings.yaml").write_text(text, encoding="utf-8")
    return tmp_path


def test_read_strings(tmp_path):
    root = write_strings(
        tmp_path, "en:\n  page_of: Page\n  closed: Closed\nes:\n  page_of: Página\n  closed: Cerrado\n"
    )
    assert read_strings(root) == {
        "en": {"page_of": "Page", "closed": "Closed"},
        "es": {"page_of": "Página", "closed": "Cerrado"},
    }


def test_read_strings_missing_key_for_a_language(tmp_path):
    root = write_strings(tmp_path, "en:\n  page_of: Page\n  closed: Closed\n  hours: Hours\nes:\n  page_of: Página\n")
    with pytest.raises(ContentError) as info:
        read_strings(root)
    assert info.value.format_message() == (
        "content/strings.yaml:5: es: missing closed, hours (every key under en: needs a translation)"
    )


def test_read_strings_needs_english(tmp_path):
    root = write_strings(tmp_path, "es:\n  page_of: Página\n")
    with pytest.raises(ContentError) as info:
        read_strings(root)
    assert info.value.format_message() == (
        "content/strings.yaml:1: needs an 'en:' section: every other language is checked against it"
    )


def test_shipped_strings_load():
    strings = read_strings(Path(__file__).resolve().parent.parent)
    assert "page_of" in strings["en"]
    assert all(set(keys) >= set(strings["en"]) for lang, keys in strings.items() if "@" not in lang)
    regional = {lang: keys for lang, keys in strings.items() if "@" in lang}  # en@GB: only the keys that differ
    assert regional and all(set(keys) <= set(strings[lang.split("@")[0]]) for lang, keys in regional.items())


def test_read_folder_refuses_bad_file_names_and_keeps_the_rest(tmp_path):
    folder = tmp_path / "content" / "blocks"
    folder.mkdir(parents=True)
    (folder / "good.yaml").write_text(f"kind: prose\n{HEAD}text:\n  en:\n    body: x\n", encoding="utf-8")
    (folder / "Bad Name.yaml").write_text(f"kind: prose\n{HEAD}text:\n  en:\n    body: x\n", encoding="utf-8")
    (folder / "broken.yaml").write_text("kind: prose\n", encoding="utf-8")
    (folder / "notes.txt").write_text("ignored", encoding="utf-8")
    loaded, problems = read_folder(tmp_path, folder, read_block)
    assert list(loaded) == ["good"]
    assert [p.format_message() for p in problems] == [
        "content/blocks/Bad Name.yaml: file name 'Bad Name.yaml' must be lowercase letters, digits and hyphens",
        "content/blocks/broken.yaml:1: reviewed: is missing: this field is required",
        "content/blocks/broken.yaml:1: sources: is missing: this field is required",
        "content/blocks/broken.yaml:1: text: is missing: this field is required",
    ]


def test_only_a_figure_may_be_optional(tmp_path):
    message = block_error(tmp_path, f"kind: prose\noptional: true\n{HEAD}text:\n  en:\n    body: Next\n")
    assert message == f"{BLOCK}:2: optional: only a figure may be optional: remove it, or set it to false"
