"""Take the claims test set (tests/data/claims/) and give back each language's catch rate and false alarms.

Run ``python scripts/claims_report.py`` (add ``-v`` to list the misses and false alarms). The
rules are the project's ``content/claims.yaml``; each sentence is checked as a block sentence
with no references, so a study finding counts as unsourced.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import yaml

from handouts.claims import Rules, find, read_rules

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data" / "claims"
LANGS = ("en", "es", "zh-Hans", "zh-Hant")


@dataclass(frozen=True)
class Score:
    """What the checker made of one language's test set."""

    lang: str
    caught: int
    overclaims: int
    misses: tuple[str, ...]
    false_alarms: tuple[str, ...]

    @property
    def rate(self) -> float:
        """Return the share of overclaims flagged."""
        return self.caught / self.overclaims if self.overclaims else 1.0


def load_rules(root: Path = ROOT) -> Rules:
    """Return the claims rules of the project at ``root``; raise ``SystemExit`` when they do not load."""
    rules, problems = read_rules(root, [])
    if problems or rules is None:
        raise SystemExit(f"content/claims.yaml does not load: {problems}")
    return rules


def sentences_of(lang: str) -> dict[str, list[str]]:
    """Return ``{"overclaims": [...], "honest": [...]}`` for ``lang``."""
    return yaml.safe_load((DATA / f"{lang}.yaml").read_text(encoding="utf-8"))


def score(lang: str, rules: Rules) -> Score:
    """Check every sentence of ``lang``'s test set and count what was flagged."""
    data = sentences_of(lang)
    misses = tuple(s for s in data["overclaims"] if not find(s, lang, rules.claims, rules))
    alarms = tuple(
        f"{s}  <- {', '.join(h.text for h in hits)}"
        for s in data["honest"]
        if (hits := find(s, lang, rules.claims, rules))
    )
    n = len(data["overclaims"])
    return Score(lang, n - len(misses), n, misses, alarms)


def main(argv: list[str]) -> int:
    """Print the table (and with ``-v`` the misses and false alarms); return 1 below 90% or on any false alarm."""
    rules = load_rules()
    scores = [score(lang, rules) for lang in LANGS]
    lines = [f"{'language':<9} {'caught':>8} {'rate':>6} {'false alarms':>13}"]
    for s in scores:
        lines.append(f"{s.lang:<9} {s.caught:>3}/{s.overclaims:<4} {s.rate:>6.0%} {len(s.false_alarms):>13}")
        if "-v" in argv:
            lines += [f"  missed: {m}" for m in s.misses] + [f"  false alarm: {a}" for a in s.false_alarms]
    sys.stdout.write("\n".join(lines) + "\n")
    return 0 if all(s.rate >= 0.9 and not s.false_alarms for s in scores) else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
