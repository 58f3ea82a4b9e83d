"""Paste translated text into the content files: ``python scripts/merge_translations.py FOLDER LANG``.

FOLDER holds ``blocks/<id>.yaml``, ``handouts/<id>.yaml`` and ``strings.yaml``, each with only the
fields of one language (the same keys as ``text.en``). Each is added as ``text.LANG`` to the
matching content file (or as the ``LANG:`` section of strings.yaml), replacing an older one.
Text is copied line by line, so quoting and comments stay exactly as the translator wrote them.
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


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


def merge_file(target: Path, source: Path, lang: str) -> None:
    lines = target.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("text:"))
    end = _section_end(lines, start, 0)
    # drop an older text.LANG
    for i in range(start + 1, end):
        if lines[i].startswith(f"  {lang}:"):
            old_end = _section_end(lines, i, 2)
            del lines[i:old_end]
            end -= old_end - i
            break
    new = [f"  {lang}:", *_indent(source.read_text(encoding="utf-8"), 4)]
    lines[end:end] = new
    text = "\n".join(lines) + "\n"
    yaml.safe_load(text)  # still valid YAML
    target.write_text(text, encoding="utf-8")


def merge_strings(target: Path, source: Path, lang: str) -> None:
    lines = target.read_text(encoding="utf-8").splitlines()
    for i, line in enumerate(lines):
        if line.startswith(f"{lang}:"):
            del lines[i : _section_end(lines, i, 0)]
            break
    while lines and not lines[-1].strip():
        lines.pop()
    lines += ["", f"{lang}:", *_indent(source.read_text(encoding="utf-8"), 2)]
    text = "\n".join(lines) + "\n"
    yaml.safe_load(text)
    target.write_text(text, encoding="utf-8")


def main(folder: Path, lang: str) -> None:
    for kind in ("blocks", "handouts"):
        for source in sorted((folder / kind).glob("*.yaml")):
            merge_file(ROOT / "content" / kind / source.name, source, lang)
    if (folder / "strings.yaml").is_file():
        merge_strings(ROOT / "content" / "strings.yaml", folder / "strings.yaml", lang)


if __name__ == "__main__":
    main(Path(sys.argv[1]), sys.argv[2])
