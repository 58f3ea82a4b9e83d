"""Take a block in one language and give back its sentences as a patient reads them, and what is wrong with them.

Reading grade, claims, research findings without a reference, unexplained TCM terms, review dates
and unused blocks: the checks that look at one block at a time.
"""

from __future__ import annotations

import datetime as dt
import re

import textstat

from .. import claims
from ..claims import Claim, Rules
from ..load.content import Block
from ..load.project import Project
from ..render import plain
from .findings import ERROR, WARNING, Finding, Key, Sentence

# Grade formulas textstat has per language root: (name shown to the editor, textstat function).
# Flesch-Kincaid's constants are fitted to English; Crawford's formula gives Spanish school years.
GRADE_FORMULAS: dict[str, tuple[str, str]] = {
    "en": ("Flesch-Kincaid", "flesch_kincaid_grade"),
    "es": ("Crawford", "crawford"),
}

RESEARCH = re.compile(r"\b(stud(y|ies)|research(ers)?|reviews?|trials?|meta-analys[ie]s)\b", re.I)
FINDING = re.compile(
    r"\b(found|finds?|show(s|ed|n)?|report(s|ed)|suggest(s|ed)?|demonstrat(es|ed)|prov(es|ed|en)|"
    r"conclude[sd]?|confirm(s|ed)?|indicat(es|ed)|reveal(s|ed)?)\b",
    re.I,
)
# "what research shows" points to findings without stating one
_INDIRECT = re.compile(r"\bwhat\s+(the\s+)?$", re.I)
_GLOSS_AFTER = re.compile(r"[(（:：,，—–]|\s-\s|\b(which|called|means|meaning|llamad[oa]s?|significa|es decir)\b", re.I)
_GLOSS_BEFORE = re.compile(r"(\b(called|known as|named|llamad[oa]s?)\s+|[(（]\s*)$", re.I)

_JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)
_BREAK = re.compile(r"(?:(?<=[.!?…])|(?<=[.!?…][\"'”’)\]]))\s+(?=[\"'“‘(\[¿¡]?[A-Z0-9À-ÖØ-Þ])|(?<=[。！？])")
_ABBREVIATION = re.compile(r"\b(e\.g|i\.e|vs|cf|Dr|Mr|Mrs|Ms|approx)\.$", re.I)
_TERMINAL = re.compile(r"[.!?…。！？][\"'”’)\]]*$")
_WORD = re.compile(r"[\w'’-]+")


# --- what a patient reads --------------------------------------------------------------------


def _sentences(block: Block, lang: str) -> list[Sentence]:
    """Return the sentences of ``block`` in ``lang`` as a patient reads them, markup and Jinja removed."""
    fields = block.fields(lang)
    if not fields:
        return []
    source = block.path.read_text(encoding="utf-8-sig").splitlines()
    out: list[Sentence] = []
    for where, line, value in fields:
        literal = "\n" in value and 0 < line <= len(source) and _is_literal(source[line - 1])
        row = line + 1 if literal else line
        for paragraph in re.split(r"\n[ \t]*\n", value):
            clean = _clean(paragraph)
            for start, end in _split(clean):
                words = " ".join(clean[start:end].split())
                out.append(Sentence(words, row + clean[:start].count("\n") if literal else line, where))
            row += paragraph.count("\n") + 2
    return out


def _is_literal(key_line: str) -> bool:
    return re.search(r"\|[-+0-9]*\s*(#.*)?$", key_line) is not None


def _clean(text: str) -> str:
    text = plain(_JINJA.sub("", text)).replace("’", "'").replace("‘", "'")
    return re.sub(r"[ \t]+([.,;:!?])", r"\1", text)


def _split(text: str) -> list[tuple[int, int]]:
    spans, start = [], 0
    for m in _BREAK.finditer(text):
        if m.end() == start or _ABBREVIATION.search(text[start : m.start()]):
            continue
        spans.append((start, m.start()))
        start = m.end()
    spans.append((start, len(text)))
    out = []
    for s, e in spans:
        while s < e and text[s].isspace():
            s += 1
        if text[s:e].strip():
            out.append((s, e))
    return out


def _words(text: str) -> int:
    return len(_WORD.findall(text))


# --- checks on blocks ------------------------------------------------------------------------


def _about(block: Block, line: int | None, severity: str, check: str, message: str) -> Finding:
    return Finding(block.display, line, severity, check, block.id, message)


def check_grade(
    block: Block, lang: str, sentences: list[Sentence], max_grade: float, ungraded: dict[str, int]
) -> list[Finding]:
    """Grade ``block`` in ``lang`` with textstat; warn above ``max_grade``, naming the two longest sentences.

    Each list item (and each field) counts as a sentence, with a period added when it has none, so
    a bullet list is not graded as one long sentence. Fragments of one or two words (a heading,
    "Numbness") are left out: textstat does not count them as sentences, so their words would be
    charged to their neighbours. A language with no formula in ``GRADE_FORMULAS`` is counted in
    ``ungraded`` instead.
    """
    root = lang.split("-")[0]
    if sentences and root not in GRADE_FORMULAS:
        ungraded[lang] += 1
        return []
    graded = [s.text for s in sentences if textstat.lexicon_count(s.text) > 2]
    if not graded:
        return []
    name, function = GRADE_FORMULAS[root]
    prose = " ".join(t if _TERMINAL.search(t) else t.rstrip(":;,—–- ") + "." for t in graded)
    textstat.set_lang(root)
    try:
        grade = float(getattr(textstat, function)(prose))
    finally:
        textstat.set_lang("en")
    if grade <= max_grade:
        return []
    longest = sorted(sentences, key=lambda s: -_words(s.text))[:2]
    quoted = ", ".join(f'"{s.text}" ({_words(s.text)} words)' for s in longest)
    message = (
        f"text.{lang}: reading grade {grade:.1f} ({name}) is above the target of {max_grade:g}: "
        f"use shorter sentences and common words; longest: {quoted}"
    )
    return [_about(block, block.lines["text"].line_of(lang), WARNING, "grade", message)]


def check_claims(
    block: Block, lang: str, sentences: list[Sentence], claim_list: tuple[Claim, ...], rules: Rules
) -> list[Finding]:
    """Return an error for each phrase of ``block``'s ``sentences`` in ``lang`` that overstates the evidence.

    The claims engine (``claims.find``) judges each match in its sentence: allowed phrases,
    negations, hedges and the block's references clear it; one phrase gets one message.
    """
    return claim_findings(block.display, block.id, lang, sentences, claim_list, rules, block.references)


def claim_findings(
    display: str,
    block_id: str | None,
    lang: str,
    sentences: list[Sentence],
    claim_list: tuple[Claim, ...],
    rules: Rules,
    references: tuple[str, ...] = (),
) -> list[Finding]:
    """Return an error for each overstating phrase of ``sentences``, located in the file ``display``."""
    out = []
    for s in sentences:
        for hit in claims.find(s.text, lang, claim_list, rules, references):
            claim = hit.claim
            source = f" (clinic {claim.clinic!r} claims list)" if claim.clinic else ""
            message = f'{s.where}: "{hit.text}": {claim.reason}; suggest: {claim.suggest}{source}'
            out.append(Finding(display, s.line, ERROR, "claims", block_id, message))
    return out


def check_research(block: Block, sentences: list[Sentence]) -> list[Finding]:
    """Warn about each sentence that states a research finding in a block without ``references:``.

    A finding is a research word (study, research, review, trial, meta-analysis) and a finding verb
    (found, showed, reported, suggests, ...) in one sentence; "what research shows" states none.
    """
    if block.references:
        return []
    out = []
    for s in sentences:
        direct = [m for m in RESEARCH.finditer(s.text) if not _INDIRECT.search(s.text[: m.start()])]
        if direct and FINDING.search(s.text):
            message = (
                f'{s.where}: "{s.text}" states a research finding, but the block has no references: '
                "add the study under references: so a reader can look it up"
            )
            out.append(_about(block, s.line, WARNING, "evidence", message))
    return out


def check_terms(block: Block, sentences: list[Sentence], terms: tuple[re.Pattern[str], ...]) -> list[Finding]:
    """Warn about each TCM term that ``block`` uses without a gloss in any of its sentences."""
    out = []
    for pattern in terms:
        uses = [(s, m) for s in sentences for m in pattern.finditer(s.text)]
        if not uses or any(_glossed(s.text, m) for s, m in uses):
            continue
        s, m = uses[0]
        term = m.group(0)
        message = (
            f'{s.where}: TCM term "{term}" is not explained anywhere in the block: '
            f'add a gloss where it first appears, e.g. "{term} (…)" or "{term}, which …"'
        )
        out.append(_about(block, s.line, WARNING, "tcm-term", message))
    return out


def _glossed(text: str, m: re.Match[str]) -> bool:
    return bool(_GLOSS_AFTER.search(text[m.end() :]) or _GLOSS_BEFORE.search(text[: m.start()]))


def check_reviewed(block: Block, today: dt.date, max_age_months: int) -> list[Finding]:
    """Warn when ``block`` was last reviewed more than ``max_age_months`` before ``today``, or after it."""
    reviewed, line = block.reviewed, block.lines.line_of("reviewed")
    if reviewed > today:
        message = f"reviewed: {reviewed} is after today ({today}): give the date of the last review"
        return [_about(block, line, WARNING, "reviewed", message)]
    months = (today.year - reviewed.year) * 12 + today.month - reviewed.month - (today.day < reviewed.day)
    if months < max_age_months or (months == max_age_months and today.day == reviewed.day):
        return []
    message = (
        f"reviewed: last reviewed {reviewed}, more than {max_age_months} months before {today}: "
        "review the block and update the date"
    )
    return [_about(block, line, WARNING, "reviewed", message)]


def check_unused(project: Project, clinic: str | None, block: Block) -> list[Finding]:
    """Warn when no handout recipe uses ``block`` (for a clinic's own block: none of that clinic's handouts)."""
    recipes = list(project.handouts.values())
    if clinic in project.clinics:
        recipes = [project.handouts[h] for h in project.handouts_for(project.clinics[clinic])]
    if any(block.id in ids for recipe in recipes for ids in recipe.slots.values()):
        return []
    whose = f"of clinic {clinic!r} " if clinic else ""
    message = f"no handout {whose}uses block {block.id!r}: add it to a handout's slots, or delete the file"
    return [_about(block, 1, WARNING, "unused", message)]


def check_clinic_claims(project: Project, rules: Rules, texts: dict[tuple[Key, str], list[Sentence]]) -> list[Finding]:
    """Check the shared blocks each clinic's handouts use against that clinic's own claims list."""
    out = []
    for slug, own in rules.clinic_claims.items():
        clinic = project.clinics.get(slug)
        if clinic is None:
            continue
        used = {i for h in project.handouts_for(clinic) for ids in project.handouts[h].slots.values() for i in ids}
        for block_id in sorted(used - project.clinic_blocks.get(slug, {}).keys()):
            block = project.blocks.get(block_id)
            for lang in block.text if block else {}:
                out += check_claims(block, lang, texts[(None, block_id), lang], own, rules)
    return out
