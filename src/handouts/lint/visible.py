"""Take a project and give back what is wrong outside single blocks: titles, names, layouts, strings, safety."""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path
from typing import Any

from ..claims import Claim, Rules
from ..errors import ContentError, HandoutError
from ..load.content import Block, Handout
from ..load.project import Project
from ..load.regions import EMERGENCY
from ..load.yamlio import YList, YMap, load_yaml
from .findings import ERROR, WARNING, Finding, Sentence
from .text import _about, _clean, _split, claim_findings

# --- patient-visible text outside blocks ----------------------------------------------------

Visible = tuple[str, int, str, str]  # (where, line, language, text)


def check_visible(root: Path, rules: Rules) -> list[Finding]:
    """Check every patient-visible text outside blocks for claims, at its own ``file:line``.

    Handout titles and subtitles, each clinic's ``name`` and ``tagline`` (checked against the
    clinic's own claims list too), layout text elements and ``content/strings.yaml``. Text that is
    not in one language (a layout's text, a clinic name given for ``*``) gets the English rules.
    Files that do not load are left to ``validate``'s findings.
    """
    content = root / "content"
    files: list[tuple[Path, tuple[Claim, ...], Any]] = []
    files += [(p, rules.claims, _handout_texts) for p in sorted((content / "handouts").glob("*.yaml"))]
    for p in sorted((content / "clinics").glob("*/clinic.yaml")):
        files.append((p, rules.claims + rules.clinic_claims.get(p.parent.name, ()), _clinic_texts))
    for p in sorted((content / "clinics").glob("*/handouts/*.yaml")):
        files.append((p, rules.claims + rules.clinic_claims.get(p.parent.parent.name, ()), _handout_texts))
    files += [(p, rules.claims, _layout_texts) for p in sorted((root / "layouts").glob("*.yaml"))]
    if (content / "strings.yaml").is_file():
        files.append((content / "strings.yaml", rules.claims, _string_texts))
    out = []
    for path, claim_list, texts in files:
        display = path.relative_to(root).as_posix()
        try:
            data = load_yaml(path, display)
        except HandoutError:
            continue
        for where, line, lang, text in texts(data):
            clean = _clean(text)
            sentences = [Sentence(" ".join(clean[a:b].split()), line, where) for a, b in _split(clean)]
            out += claim_findings(display, None, lang, sentences, claim_list, rules)
    return out


def _lang(key: Any) -> str:
    return "en" if key == "*" else str(key)


def _handout_texts(data: Any) -> list[Visible]:
    text = data.get("text") if isinstance(data, YMap) else None
    out: list[Visible] = []
    for lang, words in (text or {}).items() if isinstance(text, YMap) else ():
        for key in ("title", "subtitle"):
            if isinstance(words, YMap) and isinstance(words.get(key), str):
                out.append((f"text.{lang}.{key}", words.line_of(key), _lang(lang), words[key]))
    return out


def _clinic_texts(data: Any) -> list[Visible]:
    out: list[Visible] = []
    for key in ("name", "tagline"):
        value = data.get(key) if isinstance(data, YMap) else None
        if isinstance(value, str):
            out.append((key, data.line_of(key), "en", value))
        elif isinstance(value, YMap):
            texts = [(lang, v) for lang, v in value.items() if isinstance(v, str)]
            out += [(f"{key}.{lang}", value.line_of(lang), _lang(lang), v) for lang, v in texts]
    return out


def _layout_texts(data: Any, where: str = "") -> list[Visible]:
    out: list[Visible] = []
    if isinstance(data, YMap):
        if isinstance(data.get("text"), str):
            out.append((f"{where}.text".lstrip("."), data.line_of("text"), "en", data["text"]))
        for key, value in data.items():
            out += _layout_texts(value, f"{where}.{key}")
    elif isinstance(data, YList):
        for i, value in enumerate(data):
            out += _layout_texts(value, f"{where}[{i + 1}]")
    return out


def _string_texts(data: Any) -> list[Visible]:
    out: list[Visible] = []
    for lang, words in data.items() if isinstance(data, YMap) else ():
        if isinstance(words, YMap):
            out += [(f"{lang}.{k}", words.line_of(k), _lang(lang), v) for k, v in words.items() if isinstance(v, str)]
    return out


# --- checks on handouts ----------------------------------------------------------------------


def check_safety(project: Project, handout: Handout) -> list[Finding]:
    """Return errors for a handout with no disclaimer, or one that names a condition without warning signs.

    The handout is checked with the shared blocks, and again with each clinic's own blocks in
    their place when the clinic gets the handout and overrides one of its blocks.
    """
    ids = [i for slot in handout.slots.values() for i in slot]
    views: list[tuple[str | None, list[Block]]] = [(None, [b for i in ids if (b := project.blocks.get(i))])]
    for slug, own in sorted(project.clinic_blocks.items()):
        clinic = project.clinics.get(slug)
        if clinic and handout.id in project.handouts_for(clinic) and own.keys() & set(ids):
            views.append((slug, [b for i in ids if (b := project.block_for(slug, i))]))
    condition = handout.tags.get("condition")
    slots_line = handout.lines.line_of("slots")
    out = []
    for slug, blocks in views:
        suffix = f" (with the blocks in content/clinics/{slug}/blocks/)" if slug else ""
        kinds = {b.kind for b in blocks}
        if "disclaimer" not in kinds:
            message = (
                f"slots: no block of kind 'disclaimer'{suffix}: every handout must carry one; "
                "add the disclaimer block to a slot"
            )
            out.append(Finding(handout.display, slots_line, ERROR, "disclaimer", None, message))
        warnings = "see-a-doctor-now" in ids or any(
            b.kind == "condition" and all(words.get("warning_signs") for words in b.text.values()) for b in blocks
        )
        if (condition or "condition" in kinds) and not warnings:
            named = f"names the condition {condition!r}" if condition else "has a condition block"
            line = handout.lines["tags"].line_of("condition") if condition else slots_line
            message = (
                f"the handout {named} but gives no warning signs{suffix}: "
                "add see-a-doctor-now or the condition's block to a slot"
            )
            out.append(Finding(handout.display, line, ERROR, "warning-signs", None, message))
    return out


def check_banner(project: Project, handout: Handout) -> list[Finding]:
    """Return a warning for each condition block whose name is the handout's title with more words after it
    ("Spinal stenosis (including lumbar stenosis)" under the title "Spinal stenosis"): the sheet prints the name
    as its first heading, right under the banner that says the same (the issue: a condition sheet does not repeat
    its banner title as its first heading)."""
    out = []
    ids = [i for slot in handout.slots.values() for i in slot]
    copies = [project.blocks, *(own for _, own in sorted(project.clinic_blocks.items()))]  # a clinic's own too
    for block in (b for i in ids for blocks in copies if (b := blocks.get(i)) and b.kind == "condition"):
        for lang, words in sorted(handout.text.items()):
            title, name = str(words.get("title") or "").strip(), str(block.text.get(lang, {}).get("name") or "").strip()
            if title and name.casefold() != title.casefold() and name.casefold().startswith(title.casefold()):
                message = (
                    f"text.{lang}.name: {name!r} repeats the title of {handout.display} ({title!r}) with more "
                    f"words: the sheet prints it as its first heading under the banner; make the name {title!r} and "
                    "say the rest in the handout's subtitle"
                )
                out.append(_about(block, block.line_of(lang, "name"), WARNING, "banner", message))
    return out


def check_translations(project: Project) -> list[Finding]:
    """Return an error for each block that lacks a language a clinic offers, naming the handouts that need it."""
    needed: dict[tuple[str, str, str], list[str]] = defaultdict(list)  # (block file, lang, clinic): handouts
    blocks: dict[str, Block] = {}
    for slug, clinic in sorted(project.clinics.items()):
        for handout_id in project.handouts_for(clinic):
            ids = {i for slot in project.handouts[handout_id].slots.values() for i in slot}
            for block in filter(None, (project.block_for(slug, i) for i in sorted(ids))):
                blocks[block.display] = block
                for lang in clinic.languages:
                    if lang not in block.text:
                        needed[block.display, lang, slug].append(handout_id)
    out = []
    for (display, lang, slug), handouts in needed.items():
        block = blocks[display]
        message = f"text: no {lang!r} translation, needed by clinic {slug!r} for {', '.join(handouts)}: add text.{lang}"
        out.append(_about(block, block.lines.line_of("text"), ERROR, "translation", message))
    return out


def _blocks_of(project: Project, slug: str, handouts: list[str]) -> list[Block]:
    """Return the blocks ``handouts`` print for clinic ``slug`` (its own copies first), in its region's wording."""
    ids = {i for h in handouts for slot in project.handouts[h].slots.values() for i in slot}
    return [block for i in sorted(ids) if (block := project.block_for(slug, i))]


def check_regions(project: Project) -> list[Finding]:
    """Return a warning for each block worded by region (``text.en@GB``) that has no wording for a clinic's region.

    Such a clinic reads the plain ``text.<lang>`` (the US wording); say so at that line, naming the clinics.
    """
    lacking: dict[tuple[str, str, str], list[str]] = defaultdict(list)  # (block file, lang, region): clinics
    blocks: dict[str, Block] = {}
    for slug, clinic in sorted(project.clinics.items()):
        for block in _blocks_of(project, slug, project.handouts_for(clinic)):
            blocks[block.display] = block
            for lang in clinic.languages:
                if lang in block.text and block.regions_lacking(lang, clinic.region):
                    lacking[block.display, lang, clinic.region].append(slug)
    out = []
    for (display, lang, region), slugs in sorted(lacking.items()):
        block = blocks[display]
        has = ", ".join(sorted(k for k in block.regional if k.split("@")[0] == lang))
        clinics = ", ".join(repr(s) for s in slugs)
        message = (
            f"text.{lang}: worded by region ({has}) but not for {region}, the region of clinic {clinics}, "
            f"which reads the plain text.{lang}: add text.{lang}@{region} with the fields that differ there"
        )
        out.append(_about(block, block.text_line(lang), WARNING, "region", message))
    return out


# the emergency numbers a block might write out: 111 is left out (NHS 111 is the UK's non-emergency line)
_CALLED = {n for n in EMERGENCY.values() if n in ("911", "999", "112", "000")}
_NUMBER = re.compile(r"(?<![\d.,/])(\d{3})(?![\d.,/])")


def wrong_numbers(project: Project, slug: str, handouts: list[str]) -> list[tuple[Block, int, str, str, str]]:
    """Return ``(block, line, field, number, lang)`` for each emergency number that ``handouts`` write out.

    Only numbers that are not clinic ``slug``'s own (``clinic.emergency_number``) are returned.
    """
    clinic = project.clinics[slug]
    found = []
    for block in _blocks_of(project, slug, handouts):
        for lang in (lang for lang in clinic.languages if lang in block.text):
            for where, line, text in block.fields(lang):
                for number in sorted({m[1] for m in _NUMBER.finditer(text)} & _CALLED - {clinic.emergency_number}):
                    found.append((block, line, where, number, lang))
    return found


def check_emergency(project: Project) -> list[Finding]:
    """Return an error where a block writes out an emergency number that is not the one of a clinic that prints it.

    "Call 911" misleads a patient in London or Sydney; blocks write ``{{ clinic.emergency_number }}``.
    """
    wrong: dict[tuple[str, int, str, str], list[str]] = defaultdict(list)  # (block file, line, field, number)
    blocks: dict[str, Block] = {}
    for slug, clinic in sorted(project.clinics.items()):
        for block, line, where, number, _ in wrong_numbers(project, slug, project.handouts_for(clinic)):
            blocks[block.display] = block
            wrong[block.display, line, where, number].append(f"{slug!r} ({clinic.emergency_number})")
    return [
        _about(blocks[display], line, ERROR, "emergency", _says(where, number, ", ".join(clinics)))
        for (display, line, where, number), clinics in sorted(wrong.items())
    ]


def _says(where: str, number: str, clinics: str) -> str:
    return (
        f"{where}: says to call {number}, not the emergency number of clinic {clinics} "
        "(theirs in brackets): write {{ clinic.emergency_number }}, which prints each clinic's own"
    )


def emergency_errors(project: Project, slug: str, handout: str, lang: str) -> list[HandoutError]:
    """Return, for ``build``, what ``check_emergency`` says about one handout of one clinic in one language."""
    clinic = project.clinics[slug]
    return [
        ContentError(f"[emergency] {_says(where, number, f'{slug!r} ({clinic.emergency_number})')}", b.display, line)
        for b, line, where, number, in_lang in wrong_numbers(project, slug, [handout])
        if in_lang == lang
    ]
