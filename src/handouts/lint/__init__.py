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
from collections import defaultdict
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from .. import claims
from ..claims import Rules
from ..errors import ContentError, HandoutError
from ..load.content import Block
from ..load.project import Project, load_project
from .findings import ERROR, INFO, WARNING, Finding, Key, Sentence
from .text import (
    _sentences,
    check_claims,
    check_clinic_claims,
    check_grade,
    check_research,
    check_reviewed,
    check_terms,
    check_unused,
)
from .visible import check_banner, check_emergency, check_regions, check_safety, check_translations, check_visible

__all__ = ["ERROR", "INFO", "WARNING", "Finding", "Options", "Report", "Sentence", "lint", "make_options"]


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


@dataclass
class Report:
    """What lint looked at and what it found."""

    findings: list[Finding]
    blocks: int = 0
    handouts: int = 0

    def count(self, severity: str) -> int:
        """Return how many findings have ``severity``."""
        return sum(1 for f in self.findings if f.severity == severity)


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
    texts = _texts(project)
    findings += _content_errors(project, rules, texts)
    ungraded: dict[str, int] = defaultdict(int)
    for (clinic, block_id), block in _all_blocks(project):
        for lang in block.text:
            findings += check_grade(block, lang, texts[(clinic, block_id), lang], options.max_grade, ungraded)
            findings += check_terms(block, texts[(clinic, block_id), lang], rules.tcm_terms)
        findings += check_reviewed(block, today, options.max_age_months)
        findings += check_unused(project, clinic, block)
    findings += check_translations(project)
    findings += check_regions(project)
    findings += check_emergency(project)
    for lang, n in sorted(ungraded.items()):
        message = f"no reading-grade formula for {lang!r} in textstat: {n} block(s) not graded in {lang}"
        findings.append(Finding(None, None, INFO, "grade", None, message))
    if options.strict:
        findings = [replace(f, severity=ERROR) if f.severity == WARNING else f for f in findings]
    unique = {f: None for f in findings}
    blocks = len(project.blocks) + sum(len(b) for b in project.clinic_blocks.values())
    return Report(sorted(unique, key=Finding.sort_key), blocks, len(project.handouts))


def build_errors(project: Project) -> list[Finding]:
    """Return the error-level findings about what handouts say, for ``build`` to refuse the handouts they touch.

    Claims, research findings without a reference, a missing disclaimer or warning signs, and a
    claims list that does not load: the same findings, with the same messages, as ``lint``.
    (Missing translations and files that do not load already stop a build on their own.)
    """
    rules, problems = read_rules(project)
    findings = [f for f in problems if f.severity == ERROR]
    findings += _content_errors(project, rules, _texts(project))
    return [f for f in findings if f.severity == ERROR]


def _texts(project: Project) -> dict[tuple[Key, str], list[Sentence]]:
    return {(key, lang): _sentences(block, lang) for key, block in _all_blocks(project) for lang in block.text}


def _content_errors(project: Project, rules: Rules, texts: dict[tuple[Key, str], list[Sentence]]) -> list[Finding]:
    """Return the findings of the checks on what the content says: claims, evidence, safety."""
    findings: list[Finding] = []
    for (clinic, block_id), block in _all_blocks(project):
        for lang in block.text:
            sentences = texts[(clinic, block_id), lang]
            own = rules.claims + rules.clinic_claims.get(clinic or "", ())
            flagged = check_claims(block, lang, sentences, own, rules)
            findings += flagged
            said = {(f.line, f.message.split(": ", 1)[0]) for f in flagged}  # one message per sentence
            findings += check_research(block, [s for s in sentences if (s.line, s.where) not in said])
    findings += check_clinic_claims(project, rules, texts)
    findings += check_visible(project.root, rules)
    for handout in project.handouts.values():
        findings += check_safety(project, handout) + check_banner(project, handout)
    return findings


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
