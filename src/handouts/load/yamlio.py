"""Take a YAML file and give back plain Python values whose mappings and lists remember their lines.

Loading is strict because clinic staff write these files by hand: only UTF-8, no Python tags,
no duplicate keys (YAML's last-one-wins would silently drop a value), a bounded nesting depth
and file size, and aliases (``*footer``) only while the document they expand to stays small,
so a "billion laughs" file is refused before anything walks it.

Files are parsed with libyaml (PyYAML's C parser, about ten times faster than its pure-Python
one), so nothing parsed is ever cached on disk: a cache is one more file to trust. The pure-Python
parser runs only to word the message when libyaml refuses a file, so messages stay the same.
"""

from __future__ import annotations

import stat
from pathlib import Path
from typing import Any

import yaml

from ..errors import ContentError, HandoutError

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
    """SafeLoader that records lines and refuses aliases, duplicate keys and deep nesting.

    Used only to word the message for a file that libyaml refused.
    """

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


class _CLoader(yaml.CSafeLoader):
    """The same rules on libyaml; nesting depth is checked on the event stream before composing."""

    def __init__(self, stream: str, error_type: type[HandoutError], path: str) -> None:
        super().__init__(stream)
        self.error_type = error_type
        self.source_path = path

    def _fail(self, message: str, mark: yaml.Mark | None) -> HandoutError:
        return self.error_type(message, self.source_path, mark.line + 1 if mark else None)


def _construct_map(loader: _Loader | _CLoader, node: yaml.MappingNode) -> YMap:
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


def _construct_seq(loader: _Loader | _CLoader, node: yaml.SequenceNode) -> YList:
    result = YList(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    result.item_lines = [child.start_mark.line + 1 for child in node.value]
    return result


def _construct_timestamp(loader: _Loader | _CLoader, node: yaml.ScalarNode) -> Any:
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except (ValueError, OverflowError):
        raise loader._fail(f"{node.value!r} is not a real date: use YYYY-MM-DD", node.start_mark) from None


def _construct_int(loader: _Loader | _CLoader, node: yaml.ScalarNode) -> Any:
    if len(node.value) > 40:
        raise loader._fail("number too long: put it in quotes if it is text", node.start_mark)
    return yaml.SafeLoader.construct_yaml_int(loader, node)


for _cls in (_Loader, _CLoader):
    _cls.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)
    _cls.add_constructor("tag:yaml.org,2002:int", _construct_int)
    _cls.add_constructor("tag:yaml.org,2002:map", _construct_map)
    _cls.add_constructor("tag:yaml.org,2002:seq", _construct_seq)


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
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):  # a named pipe would hang, /dev/zero read forever
            raise error_type("is not a regular file (a named pipe, socket, device or folder): remove it", display)
        if info.st_size > MAX_FILE_BYTES:
            raise error_type(f"file is larger than {MAX_FILE_BYTES:,} bytes", display)
        with path.open("rb") as fh:
            raw = fh.read(MAX_FILE_BYTES + 1)
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
    return parse_text(read_text(path, display, error_type), display, error_type)


def parse_text(text: str, display: str, error_type: type[HandoutError] = ContentError) -> YMap:
    """Parse YAML ``text`` that must hold a mapping, under every rule of ``load_yaml``; ``display`` names it."""
    _check_printable(text, display, error_type)
    try:
        data = _parse(_CLoader, text, display, error_type)
    except (yaml.YAMLError, RecursionError):
        # libyaml refused the file: the pure-Python parser words the message (and line) as
        # users have always seen it. It refuses everything libyaml refuses.
        data = _parse(_Loader, text, display, error_type)
    if data is None:
        raise error_type("the file is empty: it needs a mapping of fields", display, 1)
    if not isinstance(data, YMap):
        raise error_type(f"expected a mapping of 'field: value' lines, found {_type_name(data)}", display, 1)
    return data


def _check_printable(text: str, display: str, error_type: type[HandoutError]) -> None:
    """Refuse a character YAML does not allow anywhere in the file, naming it and its line."""
    match = yaml.reader.Reader.NON_PRINTABLE.search(text)
    if match:
        line = text[: match.start()].count("\n") + 1
        raise error_type(
            f"contains the invisible control character U+{ord(match.group()):04X}, "
            "which YAML does not allow: remove it",
            display,
            line,
        )


def _check_depth(loader: _CLoader, display: str, error_type: type[HandoutError]) -> None:
    """Walk the event stream (no recursion) and refuse nesting deeper than ``MAX_DEPTH``."""
    depth = 0
    while loader.check_event():
        event = loader.get_event()
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                raise error_type(
                    f"nested more than {MAX_DEPTH} levels deep: flatten the structure",
                    display,
                    event.start_mark.line + 1,
                )
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


def _parse(
    loader_type: type[_Loader] | type[_CLoader], text: str, display: str, error_type: type[HandoutError]
) -> object:
    """Parse ``text`` with ``loader_type`` under every rule of this module; return the value."""
    if loader_type is _CLoader:
        # libyaml composes recursively in C: check the depth on its event stream first
        probe = _CLoader(text, error_type, display)
        try:
            _check_depth(probe, display, error_type)
        finally:
            probe.dispose()
    loader = loader_type(text, error_type, display)
    try:
        node = loader.get_single_node()
        if node is not None and _expanded_size(node, {}) > MAX_EXPANDED_NODES:
            raise error_type(
                f"aliases expand this file to more than {MAX_EXPANDED_NODES:,} values: write it out plainly",
                display,
                node.start_mark.line + 1,
            )
        return loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        if loader_type is _CLoader:
            raise
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "invalid YAML"
        raise error_type(_hint(problem), display, mark.line + 1 if mark else None) from None
    except yaml.YAMLError as exc:
        if loader_type is _CLoader:
            raise
        raise error_type(f"invalid YAML: {exc}", display) from None
    except RecursionError:
        if loader_type is _CLoader:
            raise
        raise error_type("nested too deeply", display) from None
    finally:
        loader.dispose()


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
