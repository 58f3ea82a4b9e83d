"""Take a claims list and a sentence a patient reads and give back the phrases that overstate the evidence.

The rules live in ``content/claims.yaml`` (and a clinic's own ``claims.yaml``). Each rule is a
pattern with a reason and a safer wording, for one language (``en``, ``es``, ``zh`` for both
Chinese scripts, ``zh-Hans``, ``zh-Hant``) or for all. Words alone do not decide: a match is
judged inside its sentence, split into clauses per language.

- ``allow``: a match that lies inside an allowed phrase is honest ("not evaluated by the FDA").
- negation: a negation word before the match in the same clause clears it ("not a cure",
  "no cura", "不能治愈"); "not only", "不仅" do not count.
- ``hedge: true``: an efficacy word is cleared by a hedge ("may", "puede que", "可能", "for some
  people") in the same clause, or earlier in the same part of the sentence.
- ``subject: true``: the rule applies only where the treatment is named in that part of the
  sentence ("acupuncture helps", not "good shoes help").
- ``study: true``: a finding from a study counts as sourced only when the block has references,
  and when the sentence names a year, a reference of that year. An efficacy word in a sentence
  credited to studies (``findings``: "in the 8 studies", "than the comparison groups") is judged
  the same way: sourced, it reports a finding rather than stating a fact.

Clinic patterns are semi-trusted: ``bounded()`` refuses patterns with nested quantifiers, the
shape that backtracks catastrophically; other limits on them belong there too.
"""

from __future__ import annotations

import re

try:  # Python 3.11+: the parser behind re, used to judge a clinic's patterns (never to match)
    from re import _constants, _parser
except ImportError:  # Python 3.10
    import sre_constants as _constants  # type: ignore[no-redef]
    import sre_parse as _parser  # type: ignore[no-redef]
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import ContentError, HandoutError, raise_all
from .load.schema import Boolean, Checker, Field, ListOf, MapOf, Record, Text
from .load.yamlio import YList, load_yaml

EDGE = "A-Za-z0-9À-ÖØ-öø-ÿ"  # a pattern never matches inside a longer word in a Latin script
_LATIN = re.compile(r"[A-Za-zÀ-ÖØ-öø-ÿ]")
_YEAR = re.compile(r"(?<!\d)(19|20)\d\d(?!\d)")


@dataclass(frozen=True)
class Claim:
    """One overstating phrase, why it overstates, a safer wording, and when it is honest after all."""

    pattern: re.Pattern[str]
    reason: str
    suggest: str
    allow: tuple[re.Pattern[str], ...] = ()
    clinic: str | None = None
    lang: str | None = None
    hedge: bool = False
    subject: bool = False
    study: bool = False

    def applies_to(self, lang: str) -> bool:
        """Return whether the rule is for ``lang`` ("zh" covers zh-Hans and zh-Hant)."""
        return self.lang is None or lang == self.lang or lang.startswith(self.lang + "-")


@dataclass(frozen=True)
class Grammar:
    """How one language marks hedges, negations, the treatment and clause boundaries."""

    hedges: re.Pattern[str] | None = None
    negations: re.Pattern[str] | None = None
    subjects: re.Pattern[str] | None = None
    breaks: re.Pattern[str] | None = None  # ends a part of the sentence: "but", ";", "但是"
    commas: re.Pattern[str] | None = None  # ends a clause inside a part: ",", "，", "which"
    relatives: re.Pattern[str] | None = None  # a hedge after these is about something else: "which"
    findings: re.Pattern[str] | None = None  # credits a sentence to studies: "in the 8 studies"


@dataclass(frozen=True)
class Hit:
    """A phrase of a sentence that a rule says overstates the evidence."""

    claim: Claim
    text: str
    start: int
    end: int


@dataclass(frozen=True)
class Rules:
    """The claims lists (shared, and per clinic), the grammar per language and the TCM terms."""

    claims: tuple[Claim, ...] = ()
    tcm_terms: tuple[re.Pattern[str], ...] = ()
    clinic_claims: dict[str, tuple[Claim, ...]] = field(default_factory=dict)
    grammar: dict[str, Grammar] = field(default_factory=dict)

    def grammar_for(self, lang: str) -> Grammar:
        """Return the grammar of ``lang``, or of its root ("zh" for "zh-Hant"), or an empty one."""
        return self.grammar.get(lang) or self.grammar.get(lang.split("-")[0]) or Grammar()


def compile_pattern(pattern: str) -> re.Pattern[str]:
    """Compile ``pattern`` case-insensitively so it never matches inside a longer Latin word."""
    return re.compile(rf"(?<![{EDGE}])(?:{pattern})(?![{EDGE}])", re.I)


def bounded(pattern: str) -> str | None:
    """Return why a semi-trusted (clinic) pattern is refused, or ``None`` when it is fine.

    A pattern may repeat single characters or classes (``\\w+``, ``\\s?``) but not a group that
    itself repeats or offers alternatives (``(\\w+\\s?)+``, ``(a|aa)+``): those can take
    exponential time on a long sentence. Backreferences are refused too, and so is a pattern
    that is not valid or is very long. Judged on the parsed pattern, so no spelling slips past.
    """
    if len(pattern) > MAX_PATTERN:
        return f"is longer than {MAX_PATTERN} characters: split it into several rules"
    try:
        parsed = _parser.parse(pattern)
    except (re.error, RecursionError, OverflowError):
        return "is not a valid regular expression"
    if any(op in (_constants.GROUPREF, _constants.GROUPREF_EXISTS) for op, _ in _flatten(list(parsed))):
        return "refers back to a group (\\1): list the phrases separately instead"
    if _backtracks(list(parsed), repeated=False):
        return (
            "has a nested quantifier (like (a+)+ or (a|aa)+), which can make lint hang: repeat single "
            "characters only, or list the phrases separately"
        )
    return None


MAX_PATTERN = 300
_REPEATS = {_constants.MAX_REPEAT, _constants.MIN_REPEAT} | (
    {_constants.POSSESSIVE_REPEAT} if hasattr(_constants, "POSSESSIVE_REPEAT") else set()
)


def _backtracks(items: list[Any], repeated: bool) -> bool:
    """True when a repeated part of a parsed pattern holds another repeat, an alternation or a backreference."""
    for op, av in items:
        if op in _REPEATS:
            _, most, sub = av
            many = most > 1
            if repeated and many:
                return True  # a repeat inside a repeat
            if many and any(o in _REPEATS or o == _constants.BRANCH for o, _ in _flatten(list(sub))):
                return True  # a repeated group with a repeat or alternatives inside
            if _backtracks(list(sub), repeated or many):
                return True
        elif op == _constants.SUBPATTERN:
            if _backtracks(list(av[-1]), repeated):
                return True
        elif op == _constants.BRANCH:
            if any(_backtracks(list(alt), repeated) for alt in av[1]):
                return True
        elif op in (_constants.ASSERT, _constants.ASSERT_NOT):
            if _backtracks(list(av[1]), repeated):
                return True
        elif op in (_constants.GROUPREF, _constants.GROUPREF_EXISTS):
            return True
    return False


def _flatten(items: list[Any]) -> list[Any]:
    """Return the parsed items of a pattern and of every group inside it (not inside repeats' own parts)."""
    out = []
    for op, av in items:
        out.append((op, av))
        if op == _constants.SUBPATTERN:
            out += _flatten(list(av[-1]))
    return out


def alternatives(words: Iterable[str]) -> re.Pattern[str] | None:
    """Compile a list of phrases or patterns into one pattern, or ``None`` for an empty list."""
    listed = [_edged(w) for w in words if w]
    return re.compile("|".join(listed), re.I) if listed else None


def _edged(word: str) -> str:
    # a Latin word never matches inside a longer word; punctuation and Chinese match anywhere
    return rf"(?<![{EDGE}])(?:{word})(?![{EDGE}])" if _LATIN.search(word) else f"(?:{word})"


def grammar_from(values: dict[str, Any]) -> Grammar:
    """Build a ``Grammar`` from the checked ``languages.<lang>`` mapping of claims.yaml."""
    return Grammar(
        hedges=alternatives(values.get("hedges", ())),
        negations=alternatives(values.get("negations", ())),
        subjects=alternatives(values.get("subjects", ())),
        breaks=alternatives(values.get("breaks", ())),
        commas=alternatives(values.get("commas", ())),
        relatives=alternatives(values.get("relatives", ())),
        findings=alternatives(values.get("findings", ())),
    )


def _spans(text: str, boundary: re.Pattern[str] | None, start: int, end: int) -> list[tuple[int, int]]:
    cuts = [m for m in boundary.finditer(text, start, end)] if boundary else []
    out, at = [], start
    for m in cuts:
        out.append((at, m.start()))
        at = m.end()
    out.append((at, end))
    return out


def clauses(text: str, grammar: Grammar) -> list[tuple[tuple[int, int], list[tuple[int, int]]]]:
    """Return the parts of ``text`` (split at "but", ";", ...) with the clauses of each (split at commas)."""
    return [(part, _spans(text, grammar.commas, *part)) for part in _spans(text, grammar.breaks, 0, len(text))]


def _around(spans: Sequence[tuple[int, int]], at: int) -> tuple[int, int]:
    for start, end in spans:
        if start <= at < end or (start == end == at):
            return start, end
    return spans[-1]


def _any(pattern: re.Pattern[str] | None, text: str, start: int, end: int) -> bool:
    return bool(pattern and pattern.search(text, start, end))


def _cleared(claim: Claim, m: re.Match[str], text: str, grammar: Grammar, references: Sequence[str]) -> bool:
    if any(a.start() <= m.start() and m.end() <= a.end() for p in claim.allow for a in p.finditer(text)):
        return True
    parts = clauses(text, grammar)
    part, spans = next(((p, s) for p, s in parts if p[0] <= m.start() <= p[1]), parts[-1])
    clause = _around(spans, m.start())
    if _any(grammar.negations, text, clause[0], m.start()):
        return True
    if claim.study:
        return _sourced(text, references)
    if claim.subject and not _any(grammar.subjects, text, *part):
        return True
    if not claim.hedge:
        return False
    # an efficacy word in a sentence that reports what cited studies found is a finding, not a promise
    if _any(grammar.findings, text, 0, len(text)) and _sourced(text, references):
        return True
    # a hedge earlier in the part, or after the match up to a relative clause ("which may ..."),
    # or one that contains the match ("si la acupuntura ayuda")
    relative = _around(_spans(text, grammar.relatives, *part), m.start())
    return _any(grammar.hedges, text, part[0], relative[1])


def _sourced(text: str, references: Sequence[str]) -> bool:
    # the block has references, and one of the year the sentence names, if it names one
    if not references:
        return False
    years = {y.group(0) for y in _YEAR.finditer(text)}
    return all(any(y in r for r in references) for y in years)


# typographic quotes and apostrophes as the ASCII ones the rules are written with
_PLAIN_QUOTES = str.maketrans(
    {"\u2018": "'", "\u2019": "'", "\u201b": "'", "\u201c": '"', "\u201d": '"', "\u02bc": "'"}
)


def find(text: str, lang: str, claims: Sequence[Claim], rules: Rules, references: Sequence[str] = ()) -> list[Hit]:
    """Return the phrases of the sentence ``text`` in ``lang`` that ``claims`` says overstate.

    ``references`` are the block's references (they clear study findings). Where two claims match
    overlapping words only the first is returned, so one phrase gets one message.
    """
    grammar = rules.grammar_for(lang)
    text = text.translate(_PLAIN_QUOTES)  # "doesn’t" reads as "doesn't": one character for one, so spans hold
    taken: list[tuple[int, int]] = []
    out = []
    for claim in claims:
        if not claim.applies_to(lang):
            continue
        for m in claim.pattern.finditer(text):
            if m.end() == m.start() or _cleared(claim, m, text, grammar, references):
                continue
            if any(m.start() < end and start < m.end() for start, end in taken):
                continue
            taken.append(m.span())
            out.append(Hit(claim, m.group(0), m.start(), m.end()))
    return sorted(out, key=lambda h: h.start)


# --- loading ---------------------------------------------------------------------------------

_LANG = Text(
    pattern=re.compile(r"^(en|es|zh|zh-Hans|zh-Hant|[a-z]{2,3}(-[A-Za-z0-9]+)*)$"), pattern_hint="is not a language"
)
_CLAIM = Record(
    {
        "pattern": Field(Text(max_len=2000), required=True, doc="a phrase or regular expression"),
        "reason": Field(Text(max_len=400), required=True, doc="why it overstates"),
        "suggest": Field(Text(max_len=400), required=True, doc="a safer wording"),
        "allow": Field(ListOf(Text(max_len=1000)), default=list, doc="honest uses that contain a match"),
        "lang": Field(_LANG, doc="the one language the rule is for (zh: both Chinese scripts); all if absent"),
        "hedge": Field(Boolean(), default=False, doc="a hedge word in the same clause clears it"),
        "subject": Field(Boolean(), default=False, doc="only where the treatment is named"),
        "study": Field(Boolean(), default=False, doc="a study finding: a reference on the block clears it"),
    }
)
_WORDS = ListOf(Text(max_len=200))
_GRAMMAR = Record(
    {
        "hedges": Field(_WORDS, default=list, doc="words that soften a claim: may, puede que, 可能"),
        "negations": Field(_WORDS, default=list, doc="words that deny it: not, no, 不"),
        "subjects": Field(_WORDS, default=list, doc="words that name the treatment: acupuncture, 针灸"),
        "breaks": Field(_WORDS, default=list, doc="what ends a part of a sentence: but, ;, 但是"),
        "commas": Field(_WORDS, default=list, doc="what ends a clause inside a part: a comma, which"),
        "relatives": Field(_WORDS, default=list, doc="a hedge after these is about something else: which"),
        "findings": Field(_WORDS, default=list, doc="phrases that credit a sentence to studies: in the 8 studies"),
    }
)
RULES_FIELDS: dict[str, Field] = {
    "claims": Field(ListOf(_CLAIM), required=True, doc="phrases that overstate the evidence"),
    "languages": Field(MapOf(_LANG, _GRAMMAR), default=dict, doc="hedges, negations and clauses per language"),
    "tcm_terms": Field(ListOf(Text(max_len=80)), default=list, doc="TCM words that need a gloss"),
}
CLINIC_RULES_FIELDS: dict[str, Field] = {"claims": RULES_FIELDS["claims"]}


def read_rules(root: Path, clinics: Iterable[str]) -> tuple[Rules | None, list[HandoutError]]:
    """Load ``content/claims.yaml`` and each ``content/clinics/<slug>/claims.yaml`` under ``root``.

    Returns the rules (``None`` when there is no shared claims file) and the problems found,
    each naming its file and line. A clinic file that does not load is left out; the rest apply.
    """
    problems: list[HandoutError] = []
    shared = root / "content" / "claims.yaml"
    rules = Rules()
    if shared.is_file():
        try:
            values = _read_file(shared, "content/claims.yaml", RULES_FIELDS, None)
            terms = tuple(compile_pattern(re.escape(t) + r"(s|es)?") for t in values["tcm_terms"])
            grammar = {lang: grammar_from(g) for lang, g in values["languages"].items()}
            rules = Rules(values["claims"], terms, {}, grammar)
        except HandoutError as exc:
            problems += getattr(exc, "problems", [exc])
    per_clinic: dict[str, tuple[Claim, ...]] = {}
    for slug in sorted(clinics):
        path = root / "content" / "clinics" / slug / "claims.yaml"
        if path.is_file():
            try:
                per_clinic[slug] = _read_file(path, f"content/clinics/{slug}/claims.yaml", CLINIC_RULES_FIELDS, slug)[
                    "claims"
                ]
            except HandoutError as exc:
                problems += getattr(exc, "problems", [exc])
    out = Rules(rules.claims, rules.tcm_terms, per_clinic, rules.grammar) if shared.is_file() or per_clinic else None
    return out, problems


def _read_file(path: Path, display: str, fields: dict[str, Field], clinic: str | None) -> dict[str, Any]:
    data = load_yaml(path, display)
    ck = Checker(display, ContentError)
    values = Record(fields).check(data, ck, "", data.line)
    raise_all(ck.errors)
    claims = []
    for i, (entry, raw) in enumerate(zip(values["claims"], data["claims"], strict=True)):
        where = f"claims[{i + 1}]"
        pattern = _checked(entry["pattern"], ck, raw.line_of("pattern"), f"{where}.pattern", clinic)
        lines = raw.get("allow") or YList()
        allow = [
            _checked(a, ck, lines.line_of(j), f"{where}.allow[{j + 1}]", clinic) for j, a in enumerate(entry["allow"])
        ]
        claims.append(
            Claim(
                pattern,  # type: ignore[arg-type]
                entry["reason"],
                entry["suggest"],
                tuple(allow),  # type: ignore[arg-type]
                clinic,
                entry.get("lang"),
                entry["hedge"],
                entry["subject"],
                entry["study"],
            )
        )
    raise_all(ck.errors)
    values["claims"] = tuple(claims)
    return values


def _checked(pattern: str, ck: Checker, line: int, where: str, clinic: str | None) -> re.Pattern[str] | None:
    refused = bounded(pattern) if clinic else None
    if refused:
        return ck.fail(line, where, f"{pattern!r} {refused}")
    try:
        return compile_pattern(pattern)
    except re.error as exc:
        ck.fail(line, where, f"{pattern!r} is not a valid pattern: {exc.msg}")
        return None
