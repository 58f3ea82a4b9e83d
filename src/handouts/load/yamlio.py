"""Take a YAML file and give back plain Python values whose mappings and lists remember their lines.

Loading is strict because clinic staff write these files by hand: only UTF-8, no Python tags,
no duplicate keys (YAML's last-one-wins would silently drop a value), a bounded nesting depth
and file size, and aliases (``*footer``) only while the document they expand to stays small,
so a "billion laughs" file is refused before anything walks it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from pathlib import Path
from typing import Any

import yaml

from ..errors import ContentError, HandoutError
from ..files import cache_dir, write_atomic

MAX_FILE_BYTES = 1_000_000
MAX_DEPTH = 40
MAX_EXPANDED_NODES = 20_000


class YMap(dict):
    """A YAML mapping that knows its own line and the line of each key."""

    line: int = 0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.key_lines: dict[Any, int] = {}

    def line_of(self, key: Any) -> int:
        """Return the line of ``key``, or of the mapping itself when the key is absent."""
        return self.key_lines.get(key, self.line)


class YList(list):
    """A YAML sequence that knows its own line and the line of each item."""

    line: int = 0

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.item_lines: list[int] = []

    def line_of(self, index: int) -> int:
        """Return the line of item ``index``."""
        return self.item_lines[index] if index < len(self.item_lines) else self.line


class _Loader(yaml.SafeLoader):
    """SafeLoader that records lines and refuses aliases, duplicate keys and deep nesting."""

    def __init__(self, stream: str, error_type: type[HandoutError], path: str) -> None:
        super().__init__(stream)
        self.error_type = error_type
        self.source_path = path
        self.depth = 0

    def _fail(self, message: str, mark: yaml.Mark | None) -> HandoutError:
        return self.error_type(message, self.source_path, mark.line + 1 if mark else None)

    def compose_node(self, parent: Any, index: Any) -> Any:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self._fail(
                f"nested more than {MAX_DEPTH} levels deep: flatten the structure",
                self.peek_event().start_mark,
            )
        node = super().compose_node(parent, index)
        self.depth -= 1
        return node


def _construct_map(loader: _Loader, node: yaml.MappingNode) -> YMap:
    result = YMap()
    result.line = node.start_mark.line + 1
    for key_node, value_node in node.value:
        if key_node.tag == "tag:yaml.org,2002:merge":
            raise loader._fail("merge keys ('<<') are not supported", key_node.start_mark)
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, str | int | float | bool) and key is not None:
            raise loader._fail("a key must be plain text", key_node.start_mark)
        line = key_node.start_mark.line + 1
        if key in result:
            raise loader._fail(
                f"{key}: duplicate key (first given on line {result.key_lines[key]}): keep only one",
                key_node.start_mark,
            )
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = line
    return result


def _construct_seq(loader: _Loader, node: yaml.SequenceNode) -> YList:
    result = YList(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    result.item_lines = [child.start_mark.line + 1 for child in node.value]
    return result


def _construct_timestamp(loader: _Loader, node: yaml.ScalarNode) -> Any:
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except (ValueError, OverflowError):
        raise loader._fail(f"{node.value!r} is not a real date: use YYYY-MM-DD", node.start_mark) from None


def _construct_int(loader: _Loader, node: yaml.ScalarNode) -> Any:
    if len(node.value) > 40:
        raise loader._fail("number too long: put it in quotes if it is text", node.start_mark)
    return yaml.SafeLoader.construct_yaml_int(loader, node)


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)
_Loader.add_constructor("tag:yaml.org,2002:int", _construct_int)
_Loader.add_constructor("tag:yaml.org,2002:map", _construct_map)
_Loader.add_constructor("tag:yaml.org,2002:seq", _construct_seq)


def _hint(problem: str) -> str:
    if "'\\t'" in problem or "\\t" in problem:
        return problem + ": indent with spaces, not tabs"
    if "could not determine a constructor" in problem:
        return problem + ": tags such as !!python/... are not allowed"
    if "mapping values are not allowed" in problem:
        return problem + ": put text that contains ': ' in quotes"
    if "found another document" in problem:
        return "the file holds more than one YAML document (a '---' line): keep one"
    return problem


def read_text(path: Path, display: str, error_type: type[HandoutError]) -> str:
    """Read ``path`` as UTF-8 text, or raise ``error_type`` saying what is wrong with the file."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise error_type("file not found", display) from None
    except OSError as exc:
        raise error_type(f"cannot read the file: {exc.strerror}", display) from None
    if len(raw) > MAX_FILE_BYTES:
        raise error_type(f"file is larger than {MAX_FILE_BYTES:,} bytes", display)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise error_type(
            f"not UTF-8 text (byte 0x{raw[exc.start]:02x}): save the file as UTF-8",
            display,
            line,
        ) from None


def load_yaml(path: Path, display: str, error_type: type[HandoutError] = ContentError) -> YMap:
    """Load one YAML file that must hold a mapping.

    Returns the mapping (a ``YMap``); raises ``error_type`` naming ``display`` and the line for
    unreadable, malformed, empty or non-mapping files.
    """
    text = read_text(path, display, error_type)
    cached = _cache_get(text)
    if cached is not None:
        return cached
    try:
        loader = _Loader(text, error_type, display)
    except yaml.reader.ReaderError as exc:  # a character YAML refuses anywhere in the file, checked up front
        line = text[: exc.position].count("\n") + 1
        raise error_type(
            f"contains the invisible control character U+{exc.character:04X}, which YAML does not allow: remove it",
            display,
            line,
        ) from None
    try:
        node = loader.get_single_node()
        if node is not None and _expanded_size(node, {}) > MAX_EXPANDED_NODES:
            raise error_type(
                f"aliases expand this file to more than {MAX_EXPANDED_NODES:,} values: write it out plainly",
                display,
                node.start_mark.line + 1,
            )
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "invalid YAML"
        raise error_type(_hint(problem), display, mark.line + 1 if mark else None) from None
    except yaml.YAMLError as exc:
        raise error_type(f"invalid YAML: {exc}", display) from None
    except RecursionError:
        raise error_type("nested too deeply", display) from None
    finally:
        loader.dispose()
    if data is None:
        raise error_type("the file is empty: it needs a mapping of fields", display, 1)
    if not isinstance(data, YMap):
        raise error_type(f"expected a mapping of 'field: value' lines, found {_type_name(data)}", display, 1)
    _cache_put(text, data)
    return data


# ---- a cache of parsed files -------------------------------------------------------------
# PyYAML's pure-Python parser (needed for the checks above) takes most of a no-op build's
# time, so a file that parsed cleanly is kept as JSON, lines included, under its text's
# SHA-256 (and this module's, so a change to the rules parses everything again). Only files
# that loaded without error are cached: every problem is found by a real parse.


def _cache_path(text: str) -> Path | None:
    if os.environ.get("HANDOUTS_NO_CACHE"):
        return None
    digest = hashlib.sha256(_RULES + text.encode("utf-8")).hexdigest()
    return cache_dir() / "yaml" / digest[:2] / f"{digest}.json"


def _encode(value: Any) -> Any:
    if isinstance(value, YMap):
        return {"m": value.line, "k": [[_encode(k), value.key_lines.get(k, 0), _encode(v)] for k, v in value.items()]}
    if isinstance(value, YList):
        return {"l": value.line, "i": value.item_lines, "v": [_encode(v) for v in value]}
    if isinstance(value, dt.datetime):
        return {"t": value.isoformat()}
    if isinstance(value, dt.date):
        return {"d": value.isoformat()}
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    raise TypeError(type(value).__name__)  # anything else is not cached


def _decode(value: Any) -> Any:
    if not isinstance(value, dict):
        return value
    if "m" in value:
        out = YMap()
        out.line = value["m"]
        for key, line, item in value["k"]:
            out[_decode(key)] = _decode(item)
            out.key_lines[_decode(key)] = line
        return out
    if "l" in value:
        seq = YList(_decode(v) for v in value["v"])
        seq.line, seq.item_lines = value["l"], value["i"]
        return seq
    if "t" in value:
        return dt.datetime.fromisoformat(value["t"])
    return dt.date.fromisoformat(value["d"])


def _cache_get(text: str) -> YMap | None:
    path = _cache_path(text)
    if path is None:
        return None
    try:
        data = _decode(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError, IndexError, AttributeError):
        return None  # no entry, or a damaged one: parse
    return data if isinstance(data, YMap) else None


def _cache_put(text: str, data: YMap) -> None:
    path = _cache_path(text)
    if path is None:
        return
    try:
        encoded = json.dumps(_encode(data), ensure_ascii=False, separators=(",", ":"))
        write_atomic(path, encoded.encode("utf-8"), sync=False)
    except (OSError, TypeError, ValueError):
        return  # a cache that cannot be written only costs time


_RULES = hashlib.sha256(Path(__file__).read_bytes() + yaml.__version__.encode()).digest()


def _expanded_size(node: yaml.Node, memo: dict[int, int]) -> int:
    """Count the values ``node`` stands for once every alias is expanded (memoised per node)."""
    key = id(node)
    if key in memo:
        return memo[key]
    memo[key] = MAX_EXPANDED_NODES + 1  # a node reached again while counting is a cycle
    if isinstance(node, yaml.MappingNode):
        size = 1 + sum(_expanded_size(k, memo) + _expanded_size(v, memo) for k, v in node.value)
    elif isinstance(node, yaml.SequenceNode):
        size = 1 + sum(_expanded_size(v, memo) for v in node.value)
    else:
        size = 1
    memo[key] = min(size, MAX_EXPANDED_NODES + 1)
    return memo[key]


def _type_name(value: Any) -> str:
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "a single line of text"
    return f"a {type(value).__name__}"
