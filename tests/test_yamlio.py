"""Tests for yamlio: strict YAML loading that remembers lines."""

from __future__ import annotations

from pathlib import Path

import pytest

from handouts.errors import ConfigError, ContentError, LayoutError
from handouts.load.yamlio import MAX_FILE_BYTES, YList, YMap, load_yaml


def load(tmp_path: Path, data: str | bytes, error_type=ContentError) -> YMap:
    path = tmp_path / "file.yaml"
    if isinstance(data, bytes):
        path.write_bytes(data)
    else:
        path.write_text(data, encoding="utf-8")
    return load_yaml(path, "content/blocks/file.yaml", error_type)


def error_of(tmp_path: Path, data: str | bytes, error_type=ContentError) -> str:
    with pytest.raises(error_type) as info:
        load(tmp_path, data, error_type)
    return info.value.format_message()


def test_mapping_and_list_remember_their_lines(tmp_path):
    data = load(
        tmp_path,
        "# a comment line counts too\n"
        "name: Demo\n"
        "hours:\n"
        "  mon: '9-5'\n"
        "\n"
        "  tue: '9-5'\n"
        "address:\n"
        "  - 1 Street\n"
        "  - Town\n"
        "flow: {a: 1, b: [x, y]}\n",
    )
    assert data == {
        "name": "Demo",
        "hours": {"mon": "9-5", "tue": "9-5"},
        "address": ["1 Street", "Town"],
        "flow": {"a": 1, "b": ["x", "y"]},
    }
    assert isinstance(data, YMap)
    assert data.line == 2
    assert [data.line_of(k) for k in ("name", "hours", "address", "flow")] == [2, 3, 7, 10]
    hours = data["hours"]
    assert isinstance(hours, YMap)
    assert (hours.line, hours.line_of("mon"), hours.line_of("tue")) == (4, 4, 6)
    address = data["address"]
    assert isinstance(address, YList)
    assert (address.line, address.line_of(0), address.line_of(1)) == (8, 8, 9)
    assert isinstance(data["flow"]["b"], YList)
    assert data["flow"].line_of("b") == 10


def test_line_of_falls_back_to_the_container_line(tmp_path):
    data = load(tmp_path, "top: 1\nnested:\n  a: 1\nitems:\n  - x\n")
    assert data.line_of("absent") == 1
    assert data["nested"].line_of("absent") == 3
    assert data["items"].line_of(5) == 5


def test_duplicate_key_names_both_lines(tmp_path):
    message = error_of(tmp_path, "name: A\nphone: '1'\nname: B\n")
    assert message == "content/blocks/file.yaml:3: name: duplicate key (first given on line 1): keep only one"


def test_duplicate_key_in_a_nested_mapping(tmp_path):
    message = error_of(tmp_path, "hours:\n  mon: '9-5'\n  tue: '9-5'\n  mon: closed\n")
    assert message == "content/blocks/file.yaml:4: mon: duplicate key (first given on line 2): keep only one"


def test_tab_indentation_gets_a_hint(tmp_path):
    message = error_of(tmp_path, "text:\n\ttitle: Hi\n")
    assert message == (
        "content/blocks/file.yaml:2: found character '\\t' that cannot start any token: indent with spaces, not tabs"
    )


def test_python_tags_are_refused(tmp_path):
    message = error_of(tmp_path, "name: ok\nrun: !!python/object/apply:os.system ['echo hacked']\n")
    assert message == (
        "content/blocks/file.yaml:2: could not determine a constructor for the tag "
        "'tag:yaml.org,2002:python/object/apply:os.system': tags such as !!python/... are not allowed"
    )


def test_unquoted_colon_gets_a_hint(tmp_path):
    message = error_of(tmp_path, "title: Note: read this\n")
    assert (
        message
        == "content/blocks/file.yaml:1: mapping values are not allowed here: put text that contains ': ' in quotes"
    )


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n"])
def test_empty_file(tmp_path, text):
    assert error_of(tmp_path, text) == "content/blocks/file.yaml:1: the file is empty: it needs a mapping of fields"


@pytest.mark.parametrize(
    ("text", "found"),
    [("- a\n- b\n", "a list"), ("just words\n", "a single line of text")],
)
def test_top_level_must_be_a_mapping(tmp_path, text, found):
    assert error_of(tmp_path, text) == (
        f"content/blocks/file.yaml:1: expected a mapping of 'field: value' lines, found {found}"
    )


def test_non_utf8_names_the_byte_and_line(tmp_path):
    message = error_of(tmp_path, "name: Demo\ntagline: Caf\xe9 care\n".encode("latin-1"))
    assert message == "content/blocks/file.yaml:2: not UTF-8 text (byte 0xe9): save the file as UTF-8"


def test_utf8_byte_order_mark_is_accepted(tmp_path):
    assert load(tmp_path, "\ufeffname: Café\n".encode()) == {"name": "Café"}


def test_error_type_is_the_callers(tmp_path):
    with pytest.raises(ConfigError):
        load(tmp_path, "a: 1\na: 2\n", ConfigError)
    with pytest.raises(LayoutError):
        load(tmp_path, "", LayoutError)


def test_billion_laughs_is_refused(tmp_path):
    lines = ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 10) + "]")
    message = error_of(tmp_path, "\n".join(lines) + "\n")
    assert message == (
        "content/blocks/file.yaml:1: aliases expand this file to more than 20,000 values: write it out plainly"
    )


def test_small_alias_is_allowed(tmp_path):
    data = load(
        tmp_path, "footer: &footer {text: Call us, size: 8}\npages:\n  - footer: *footer\n  - footer: *footer\n"
    )
    assert data["pages"][0]["footer"] == {"text": "Call us", "size": 8}
    assert data["pages"][1]["footer"] == data["footer"]


def test_merge_keys_are_refused(tmp_path):
    message = error_of(tmp_path, "base: &b {x: 1}\nother:\n  <<: *b\n")
    assert message == "content/blocks/file.yaml:3: merge keys ('<<') are not supported"


def test_deep_nesting_is_refused(tmp_path):
    message = error_of(tmp_path, "a: " + "[" * 60 + "]" * 60 + "\n")
    assert message == "content/blocks/file.yaml:1: nested more than 40 levels deep: flatten the structure"


def test_moderate_nesting_is_allowed(tmp_path):
    data = load(tmp_path, "a: " + "[" * 30 + "x" + "]" * 30 + "\n")
    value = data["a"]
    for _ in range(29):
        value = value[0]
    assert value == ["x"]


def test_file_size_limit(tmp_path):
    text = "a: 1\n# " + "x" * MAX_FILE_BYTES + "\n"
    assert error_of(tmp_path, text) == "content/blocks/file.yaml: file is larger than 1,000,000 bytes"


def test_file_just_under_the_size_limit_loads(tmp_path):
    text = "a: 1\n#"
    text += "x" * (MAX_FILE_BYTES - len(text))
    assert len(text.encode()) == MAX_FILE_BYTES
    assert load(tmp_path, text) == {"a": 1}


def test_missing_file(tmp_path):
    with pytest.raises(ContentError) as info:
        load_yaml(tmp_path / "nope.yaml", "content/blocks/nope.yaml")
    assert info.value.format_message() == "content/blocks/nope.yaml: file not found"


def test_impossible_date_is_a_located_error(tmp_path):
    message = error_of(tmp_path, "kind: prose\nreviewed: 2026-02-30\n")
    assert message == "content/blocks/file.yaml:2: '2026-02-30' is not a real date: use YYYY-MM-DD"


def test_libyaml_and_the_python_parser_give_the_same_values_and_lines(tmp_path):
    import datetime as dt

    from handouts.load import yamlio

    text = "a: 1\nb:\n  - x\n  - {c: 2026-11-20, d: null, e: 1.5, f: true}\n'1': z\n"
    fast = yamlio._parse(yamlio._CLoader, text, "f.yaml", ContentError)
    slow = yamlio._parse(yamlio._Loader, text, "f.yaml", ContentError)
    assert fast == slow == {"a": 1, "b": ["x", {"c": dt.date(2026, 11, 20), "d": None, "e": 1.5, "f": True}], "1": "z"}
    for data in (fast, slow):
        assert isinstance(data, yamlio.YMap) and isinstance(data["b"], yamlio.YList)
        assert data.line_of("b") == 2 and data["b"].line_of(1) == 4 and data["b"][1].line_of("e") == 4


def test_every_shipped_file_parses_the_same_with_both_parsers():
    from handouts.load import yamlio

    root = Path(__file__).resolve().parent.parent
    files = sorted([*root.glob("content/**/*.yaml"), *root.glob("layouts/*.yaml")])
    assert len(files) > 40
    for path in files:
        text = path.read_text(encoding="utf-8")
        fast = yamlio._parse(yamlio._CLoader, text, path.name, ContentError)
        slow = yamlio._parse(yamlio._Loader, text, path.name, ContentError)
        assert fast == slow, path


def test_nothing_parsed_is_kept_on_disk_so_nothing_planted_there_is_read(tmp_path, monkeypatch):
    """A parse cache is a file to trust: there is none, and a file planted where one was is never read."""
    from handouts.load import yamlio

    cache = tmp_path / "cache"
    monkeypatch.setenv("HANDOUTS_CACHE", str(cache))
    path = tmp_path / "f.yaml"
    path.write_text("a: 1\n", encoding="utf-8")
    assert yamlio.load_yaml(path, "f.yaml") == {"a": 1}
    assert not cache.exists() or not any(cache.rglob("*"))


def test_deep_nesting_is_refused_before_libyaml_recurses(tmp_path):
    assert error_of(tmp_path, "a: " + "[" * 5000 + "]" * 5000 + "\n") == (
        "content/blocks/file.yaml:1: nested more than 40 levels deep: flatten the structure"
    )
