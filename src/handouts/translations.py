"""Take a folder of translated text and a language code and give back the content files with that language merged in.

A translator returns ``blocks/<id>.yaml``, ``handouts/<id>.yaml`` and ``strings.yaml``, each holding
only the fields of one language (the same keys as ``text.en``, or as the ``en:`` section of
strings.yaml). Each is pasted in as ``text.<lang>`` of the matching content file (or as the
``<lang>:`` section of strings.yaml), replacing an older one, line by line, so the translator's
quoting and comments stay as written.

It is all or nothing: every file is read, checked and merged in memory first, and the content
files are written (each atomically) only when all of them are good. The translator's files are
semi-trusted: they are loaded with the same strict YAML loader as the content, a link that leads
out of the folder is refused, and so is a language code that is not one.
"""

from __future__ import annotations

from pathlib import Path

from .errors import ContentError, HandoutError, raise_all
from .files import path_problem, write_atomic
from .load.schema import LANG_CODE, SLUG, did_you_mean
from .load.yamlio import YMap, load_yaml, parse_text


def merge_translations(root: Path, folder: Path, lang: str) -> list[Path]:
    """Merge the translations in ``folder`` into the project at ``root`` as language ``lang``.

    Returns the content files written. Raises ``ContentError`` (or a ``ProblemList``) naming each
    file, line and field that is wrong; then nothing is written.
    """
    if not LANG_CODE.fullmatch(lang):
        raise ContentError(f"{lang!r} is not a language code such as es, zh-Hans or pt-BR")
    if lang == "en":
        raise ContentError("en is the language translations are made from: merge a translation into another language")
    root = root.resolve()
    if not folder.is_dir():
        raise ContentError(f"{folder} is not a folder of translations (it needs blocks/, handouts/ or strings.yaml)")
    problems: list[HandoutError] = []
    merged: dict[Path, str] = {}
    sources = [(kind, p) for kind in ("blocks", "handouts") for p in sorted((folder / kind).glob("*.yaml"))]
    if (folder / "strings.yaml").exists() or (folder / "strings.yaml").is_symlink():
        sources.append(("strings", folder / "strings.yaml"))
    if not sources:
        raise ContentError(
            f"{folder} holds no translations: put them in blocks/<id>.yaml, handouts/<id>.yaml or strings.yaml"
        )
    for kind, source in sources:
        try:
            target, text = _merge_one(root, folder, kind, source, lang)
        except HandoutError as exc:
            problems += getattr(exc, "problems", [exc])
            continue
        merged[target] = text
    raise_all(problems)
    for target, text in merged.items():
        write_atomic(target, text.encode("utf-8"))
    return list(merged)


def _merge_one(root: Path, folder: Path, kind: str, source: Path, lang: str) -> tuple[Path, str]:
    """Return the content file ``source`` belongs to and its text with ``source`` merged in."""
    shown = str(source)
    problem = path_problem(source, folder.resolve())
    if problem:
        raise ContentError(problem.replace("the project", "the translations folder"), shown)
    if kind != "strings" and not SLUG.fullmatch(source.stem):
        raise ContentError(f"file name {source.name!r} must be a block or handout id", shown)
    target = root / "content" / (f"{kind}/{source.name}" if kind != "strings" else "strings.yaml")
    display = target.relative_to(root).as_posix()
    if kind != "strings" and not target.is_file():
        known = sorted(p.stem for p in (root / "content" / kind).glob("*.yaml"))
        hint = did_you_mean(source.stem, known)
        raise ContentError(f"no {kind[:-1]} {source.stem!r} in content/{kind}/{hint}", shown)
    translated = load_yaml(source, shown)
    original = load_yaml(target, display)
    english = original.get("en") if kind == "strings" else (original.get("text") or {}).get("en")
    if not isinstance(english, YMap):
        raise ContentError("has no English text (text.en) to translate from", display)
    for key in translated:
        if key not in english:
            raise ContentError(
                f"{key}: not a field of the English text{did_you_mean(str(key), [str(k) for k in english])}",
                shown,
                translated.line_of(key),
            )
    body = source.read_text(encoding="utf-8-sig")
    lines = target.read_text(encoding="utf-8").splitlines()
    if kind == "strings":
        text = _merge_strings(lines, body, lang)
    else:
        text = _merge_text(lines, body, lang, display)
    parse_text(text, display)  # the merged file must still load: valid YAML, no duplicate key
    return target, text


def _indent(text: str, by: int) -> list[str]:
    return [(" " * by + line) if line.strip() else "" for line in text.rstrip("\n").splitlines()]


def _section_end(lines: list[str], start: int, indent: int) -> int:
    """Return the index after the last line belonging to the entry at ``start`` (indented ``indent``)."""
    end = start + 1
    last = start
    while end < len(lines):
        line = lines[end]
        if line.strip() and not line.lstrip().startswith("#"):
            if len(line) - len(line.lstrip()) <= indent:
                break
            last = end
        elif line.strip():
            last = end if len(line) - len(line.lstrip()) > indent else last
        end += 1
    return last + 1


def _merge_text(lines: list[str], body: str, lang: str, display: str) -> str:
    start = next((i for i, line in enumerate(lines) if line.startswith("text:")), None)
    if start is None:
        raise ContentError("has no text: section to add a language to", display)
    end = _section_end(lines, start, 0)
    for i in range(start + 1, end):  # drop an older text.<lang>
        if lines[i].startswith(f"  {lang}:"):
            old_end = _section_end(lines, i, 2)
            del lines[i:old_end]
            end -= old_end - i
            break
    lines[end:end] = [f"  {lang}:", *_indent(body, 4)]
    return "\n".join(lines) + "\n"


def _merge_strings(lines: list[str], body: str, lang: str) -> str:
    for i, line in enumerate(lines):
        if line.startswith(f"{lang}:"):
            del lines[i : _section_end(lines, i, 0)]
            break
    while lines and not lines[-1].strip():
        lines.pop()
    lines += ["", f"{lang}:", *_indent(body, 2)]
    return "\n".join(lines) + "\n"
