"""Take a project folder and give back what an editor should fix: reading level, claims, safety, evidence, hygiene.

``lint()`` is the whole story: load the project and the claims lists, look at every block in every
language it has and at every handout recipe, and return the findings. ``handouts validate`` checks
that files are well formed; this module checks what they say. Imports no reportlab, so it stays fast.

Severities: ``error`` (exit 1) for overclaims, a missing disclaimer, missing warning signs, a
missing translation and files that do not load; ``warning`` (exit 1 only with ``--strict``) for
the rest; ``info`` for what could not be checked (a language with no grade formula in textstat).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import defaultdict
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

import textstat

from . import claims
from .claims import Claim, Rules
from .errors import ContentError, HandoutError
from .load.content import Block, Handout
from .load.project import Project, load_project
from .load.yamlio import YList, YMap, load_yaml
from .render import plain

ERROR, WARNING, INFO = "error", "warning", "info"
_SEVERITY_ORDER = {ERROR: 0, WARNING: 1, INFO: 2}

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

Key = tuple[str | None, str]  # (clinic slug, or None for a shared block; block id)


@dataclass(frozen=True)
class Options:
    """What lint checks against. ``today=None`` means the real date."""

    max_grade: float = 8.0
    max_age_months: int = 12
    today: dt.date | None = None
    strict: bool = False


def make_options(**values: Any) -> Options:
    """Return ``Options`` with the given values over the defaults; ``None`` values are dropped."""
    given = {k: v for k, v in values.items() if v is not None}
    if isinstance(given.get("today"), dt.datetime):
        given["today"] = given["today"].date()
    return Options(**given)


@dataclass(frozen=True)
class Finding:
    """One thing to fix, located at ``file:line``; ``block`` is the block id when there is one."""

    file: str | None
    line: int | None
    severity: str
    check: str
    block: str | None
    message: str

    def format(self) -> str:
        """Return ``path:line: severity: [check] message``."""
        where = self.file or ""
        if self.file and self.line:
            where = f"{self.file}:{self.line}"
        prefix = f"{where}: " if where else ""
        return f"{prefix}{self.severity}: [{self.check}] {self.message}"

    def sort_key(self) -> tuple:
        """Order by file (project-wide notes last), line, severity, check and message."""
        return (
            self.file is None,
            self.file or "",
            self.line or 0,
            _SEVERITY_ORDER[self.severity],
            self.check,
            self.message,
        )


@dataclass
class Report:
    """What lint looked at and what it found."""

    findings: list[Finding]
    blocks: int = 0
    handouts: int = 0

    def count(self, severity: str) -> int:
        """Return how many findings have ``severity``."""
        return sum(1 for f in self.findings if f.severity == severity)


@dataclass(frozen=True)
class Sentence:
    """A sentence a patient reads, with the file line and the field it comes from."""

    text: str
    line: int
    where: str


def lint(root: Path, options: Options | None = None) -> Report:
    """Lint the content of the project at ``root``.

    Returns a ``Report`` whose findings are sorted by file and line; raises ``ContentError`` only
    when ``root`` is not a project. Files that do not load are findings, not exceptions.
    """
    options = options or Options()
    today = options.today or dt.date.today()
    project = load_project(root)
    findings = _load_problems(project)
    rules, problems = read_rules(project)
    findings += problems
    texts = {(key, lang): _sentences(block, lang) for key, block in _all_blocks(project) for lang in block.text}
    ungraded: dict[str, int] = defaultdict(int)
    for (clinic, block_id), block in _all_blocks(project):
        for lang in block.text:
            sentences = texts[(clinic, block_id), lang]
            findings += check_grade(block, lang, sentences, options.max_grade, ungraded)
            flagged = check_claims(
                block, lang, sentences, rules.claims + rules.clinic_claims.get(clinic or "", ()), rules
            )
            findings += flagged
            said = {(f.line, f.message.split(": ", 1)[0]) for f in flagged}
            findings += check_research(block, [s for s in sentences if (s.line, s.where) not in said])
            findings += check_terms(block, sentences, rules.tcm_terms)
        findings += check_reviewed(block, today, options.max_age_months)
        findings += check_unused(project, clinic, block)
    findings += check_clinic_claims(project, rules, texts)
    findings += check_visible(project.root, rules)
    for handout in project.handouts.values():
        findings += check_safety(project, handout)
    findings += check_translations(project)
    for lang, n in sorted(ungraded.items()):
        message = f"no reading-grade formula for {lang!r} in textstat: {n} block(s) not graded in {lang}"
        findings.append(Finding(None, None, INFO, "grade", None, message))
    if options.strict:
        findings = [replace(f, severity=ERROR) if f.severity == WARNING else f for f in findings]
    unique = {f: None for f in findings}
    blocks = len(project.blocks) + sum(len(b) for b in project.clinic_blocks.values())
    return Report(sorted(unique, key=Finding.sort_key), blocks, len(project.handouts))


# --- loading ---------------------------------------------------------------------------------


def read_rules(project: Project) -> tuple[Rules, list[Finding]]:
    """Load ``content/claims.yaml`` and every ``content/clinics/<slug>/claims.yaml`` (see ``claims.read_rules``).

    Returns the rules and the problems found in those files, as error findings. A project with no
    ``content/claims.yaml`` gets no claims and no TCM terms, and an info finding saying so.
    """
    rules, problems = claims.read_rules(project.root, project.clinic_blocks)
    findings = [Finding(p.path, p.line, ERROR, "claims", None, p.detail) for p in problems]
    if not (project.root / "content" / "claims.yaml").is_file():
        message = "no claims list: claims and TCM terms are not checked"
        findings.append(Finding("content/claims.yaml", None, INFO, "claims", None, message))
    return rules or Rules(), findings


def _as_findings(exc: HandoutError, check: str) -> list[Finding]:
    problems = getattr(exc, "problems", [exc])
    return [Finding(p.path, p.line, ERROR, check, None, p.detail) for p in problems]


def _load_problems(project: Project) -> list[Finding]:
    problems = list(project.shared_problems)
    for slug in sorted(project.clinic_problems):
        problems += project.clinic_problems[slug]
    return [Finding(p.path, p.line, ERROR, "validate", None, p.detail) for p in problems]


def _all_blocks(project: Project) -> list[tuple[Key, Block]]:
    """Return ``((clinic or None, block id), block)`` for the shared blocks, then each clinic's own."""
    out: list[tuple[Key, Block]] = [((None, i), b) for i, b in sorted(project.blocks.items())]
    for slug in sorted(project.clinic_blocks):
        out += [((slug, i), b) for i, b in sorted(project.clinic_blocks[slug].items())]
    return out


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


# --- output ----------------------------------------------------------------------------------


def render_report(report: Report, fmt: str = "text") -> str:
    """Return the findings as text grouped by file, with a summary line, or as a JSON list."""
    if fmt == "json":
        return json.dumps([asdict(f) for f in report.findings], indent=2, ensure_ascii=False)
    lines: list[str] = []
    previous: str | None = ""
    for f in report.findings:
        if lines and f.file != previous:
            lines.append("")
        previous = f.file
        lines.append(f.format())
    counts = f"{report.count(ERROR)} error(s), {report.count(WARNING)} warning(s), {report.count(INFO)} note(s)"
    if lines:
        lines.append("")
    lines.append(f"Linted {report.blocks} block(s) and {report.handouts} handout(s): {counts}")
    return "\n".join(lines)


def raise_errors(report: Report) -> None:
    """Raise ``ContentError`` (exit 1) when the report has errors; warnings and notes alone pass.

    The findings themselves are printed by the caller; the error only says how many there are.
    """
    errors = report.count(ERROR)
    if errors:
        raise ContentError(f"lint found {errors} error(s): fix them and run handouts lint again")
