"""Tests for the claims engine: the seed-derived test set per language, and overclaims through ``handouts lint``."""

from __future__ import annotations

import json
import sys

import pytest
from conftest import REPO

from handouts.cli import cli

sys.path.insert(0, str(REPO / "scripts"))
from claims_report import LANGS, load_rules, score, sentences_of

RULES = load_rules()


@pytest.mark.parametrize("lang", LANGS)
def test_catch_rate_is_at_least_nine_in_ten(lang):
    result = score(lang, RULES)
    assert result.overclaims >= 60
    assert result.rate >= 0.9, f"{lang}: {result.caught}/{result.overclaims}; missed: {result.misses}"


@pytest.mark.parametrize("lang", LANGS)
def test_no_honest_sentence_is_flagged(lang):
    assert len(sentences_of(lang)["honest"]) >= 25
    assert score(lang, RULES).false_alarms == ()


@pytest.mark.parametrize("lang", LANGS)
def test_translations_line_up_with_english(lang):
    english, other = sentences_of("en"), sentences_of(lang)
    assert len(other["overclaims"]) == len(english["overclaims"])
    assert len(other["honest"]) == len(english["honest"])


CURES = {
    "en": ("Acupuncture cures neuropathy with no side effects.", ['"cures"', '"no side effects"']),
    "es": ("La acupuntura cura la neuropatía sin efectos secundarios.", ['"cura"', '"sin efectos secundarios"']),
    "zh-Hans": ("针灸能治愈神经病变，没有副作用。", ['"治愈"', '"没有副作用"']),
    "zh-Hant": ("針灸能治癒神經病變，沒有副作用。", ['"治癒"', '"沒有副作用"']),
}


@pytest.mark.parametrize("lang", LANGS)
def test_cure_without_side_effects_is_an_error_through_the_cli(runner, make_project, lang):
    sentence, phrases = CURES[lang]
    block = f'kind: prose\nreviewed: 2026-11-01\nsources: [test]\ntext:\n  {lang}:\n    body: "{sentence}"\n'
    handout = "layout: sheet\ntext:\n  en:\n    title: Welcome sheet\nslots:\n  body: [intro, steps, contact, disclaimer, claim]\n"
    root = make_project(
        {
            "content/claims.yaml": (REPO / "content" / "claims.yaml").read_text(),
            "content/blocks/claim.yaml": block,
            "content/handouts/welcome.yaml": handout,
        }
    )
    argv = ["lint", "--project", str(root), "--today", "2026-11-22", "--format", "json"]
    result = runner.invoke(cli, argv, prog_name="handouts", catch_exceptions=False)
    assert result.exit_code == 1

    claims = [f for f in json.loads(result.stdout) if f["check"] == "claims"]
    assert [(f["file"], f["line"], f["severity"], f["block"]) for f in claims] == [
        ("content/blocks/claim.yaml", 6, "error", "claim")
    ] * 2
    assert sorted(f["message"].split(": ")[1] for f in claims) == sorted(phrases)
    text = runner.invoke(cli, argv[:-2], prog_name="handouts", catch_exceptions=False)
    assert f"content/blocks/claim.yaml:6: error: [claims] text.{lang}.body: {phrases[0]}: " in text.stdout


def test_study_finding_needs_a_reference_of_the_same_year():
    from handouts.claims import find

    sentence = "A 2019 review found less pain with acupuncture."
    assert [h.text for h in find(sentence, "en", RULES.claims, RULES)] == ["review found"]
    assert find(sentence, "en", RULES.claims, RULES, ("Doe J. Pain. 2019;1:1.",)) == []
    assert find(sentence, "en", RULES.claims, RULES, ("Doe J. Pain. 2015;1:1.",)) != []


@pytest.mark.parametrize(
    "pattern", [r"(a+)+b", r"(\w+\s?)+\d", r"(a|aa)+b", r"((a*))*b", r"(.*a){20}", r"(?:x+x+)+y"]
)
def test_a_clinic_pattern_that_can_backtrack_for_ever_is_refused_and_lint_stays_quick(runner, make_project, pattern):
    import subprocess
    import sys

    claims = f"claims:\n  - pattern: '{pattern}'\n    reason: r\n    suggest: s\n"
    hostile = "a" * 40 + "!"  # the input that makes such a pattern take exponential time
    intro = f"kind: prose\nreviewed: 2026-11-01\nsources: [t]\ntext:\n  en:\n    body: {hostile} {'word ' * 30}\n"
    root = make_project({"content/clinics/demo/claims.yaml": claims, "content/blocks/intro.yaml": intro})
    result = subprocess.run(
        [sys.executable, "-m", "handouts", "lint", "--project", str(root), "--today", "2026-11-22"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert (
        f"content/clinics/demo/claims.yaml:2: error: [claims] claims[1].pattern: {pattern!r} has a nested quantifier"
        in result.stdout
    )


@pytest.mark.parametrize("lang", ["en", "es"])
def test_typographic_quotes_are_read_as_plain_ones(lang):
    """A writer's curly apostrophes ("doesn’t", "acupuncture’s") change no finding of the test set."""
    from handouts.claims import find

    sentences = sentences_of(lang)
    changed = 0
    for sentence in [*sentences["overclaims"], *sentences["honest"]]:
        curly = sentence.replace("'", "\u2019")
        if curly == sentence:
            continue
        changed += 1
        plain = [(h.start, h.end) for h in find(sentence, lang, RULES.claims, RULES)]
        assert [(h.start, h.end) for h in find(curly, lang, RULES.claims, RULES)] == plain, curly
    assert lang != "en" or changed >= 3
