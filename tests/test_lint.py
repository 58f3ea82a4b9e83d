"""Tests for ``handouts lint``: reading grade, claims, safety, evidence and hygiene, through the CLI."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from conftest import BLOCKS, CLINIC, REPO

from handouts.cli import cli
from handouts.load.content import read_block, read_folder

TODAY = "2026-11-22"
HEAD = "reviewed: 2026-11-01\nsources: [test]\n"
BASE = ("intro", "steps", "contact", "disclaimer")
FAILED = "Error: lint found {} error(s): fix them and run handouts lint again\n"
CLAIMS = (REPO / "content" / "claims.yaml").read_text(encoding="utf-8")


def blocks_es() -> dict[str, str]:
    """Return the fixture's blocks and recipe with a Spanish copy of their English text."""
    out = {}
    for path, body in BLOCKS.items():
        if path.startswith("content/blocks/"):
            out[path] = body + "  es:\n" + body.split("text:\n  en:\n", 1)[1]
    out["content/handouts/welcome.yaml"] = BLOCKS["content/handouts/welcome.yaml"].replace(
        "    title: Welcome sheet\n", "    title: Welcome sheet\n  es:\n    title: Bienvenida\n"
    )
    return out


def summary(blocks: int, errors: int = 0, warnings: int = 0, notes: int = 0) -> str:
    return f"Linted {blocks} block(s) and 1 handout(s): {errors} error(s), {warnings} warning(s), {notes} note(s)\n"


def welcome(*ids: str, tags: str = "") -> str:
    """Return the fixture's handout recipe with ``ids`` in its one slot."""
    return f"layout: sheet\ntext:\n  en:\n    title: Welcome sheet\n{tags}slots:\n  body: [{', '.join(ids)}]\n"


def prose(body: str, extra: str = "") -> str:
    return f"kind: prose\n{HEAD}{extra}text:\n  en:\n    body: {body}\n"


@pytest.fixture
def lint(runner, make_project):
    """Run ``handouts lint`` on the fixture project (with the shipped claims list) changed by ``changes``."""

    def run(changes: dict[str, str | None] | None = None, *args: str):
        root = make_project({"content/claims.yaml": (REPO / "content" / "claims.yaml").read_text(), **(changes or {})})
        argv = ["lint", "--project", str(root), "--today", TODAY, *args]
        return runner.invoke(cli, argv, prog_name="handouts", catch_exceptions=False)

    return run


def newest_review() -> str:
    blocks, problems = read_folder(REPO, REPO / "content" / "blocks", read_block)
    assert problems == []
    return max(b.reviewed for b in blocks.values()).isoformat()


def test_shipped_library_passes_strict(runner):
    # measured from the newest review, so the test does not start failing on a calendar date
    result = runner.invoke(cli, ["lint", "--project", str(REPO), "--strict", "--today", newest_review()])
    assert result.stderr == ""
    assert result.exit_code == 0


def test_shipped_library_has_no_errors(runner):
    result = runner.invoke(
        cli, ["lint", "--project", str(REPO), "--today", newest_review(), "--format", "json"], catch_exceptions=False
    )
    assert result.exit_code == 0
    findings = json.loads(result.stdout)
    assert [f for f in findings if f["severity"] not in ("warning", "info")] == []
    # the only notes: Chinese has no reading-grade formula, said once per language
    assert sorted(f["message"] for f in findings if f["severity"] == "info") == [
        f"no reading-grade formula for {lang!r} in textstat: {len(list((REPO / 'content/blocks').glob('*.yaml')))} "
        f"block(s) not graded in {lang}"
        for lang in ("zh-Hans", "zh-Hant")
    ]


def test_fixture_project_is_clean(lint):
    result = lint(None, "--strict")
    assert result.exit_code == 0
    assert result.stdout == summary(4)
    assert result.stderr == ""


def test_seed_003_overclaim_is_an_error(lint):
    sentence = (
        "Acupuncture, with its ancient roots and modern scientific validation, "
        "holds promise as a viable option for managing neuropathy."
    )
    changes = {"content/blocks/claim.yaml": prose(sentence), "content/handouts/welcome.yaml": welcome(*BASE, "claim")}
    result = lint(changes, "--max-grade", "20")  # the sentence is hard to read too; that is another test
    assert result.exit_code == 1
    assert result.stdout == (
        'content/blocks/claim.yaml:6: error: [claims] text.en.body: "holds promise": a strength or comparison word '
        "the evidence does not support (small, mixed studies; common mild effects); suggest: "
        '"some small studies suggest it may help some people; mild effects such as soreness are common"\n'
        'content/blocks/claim.yaml:6: error: [claims] text.en.body: "scientific validation": acupuncture for nerve '
        "pain has not been validated by science; a 2017 Cochrane review found too little evidence to say whether it "
        'helps; suggest: "research so far is limited; larger, better studies are needed"\n'
        'content/blocks/claim.yaml:6: error: [claims] text.en.body: "viable option": reviews of the evidence have '
        'not shown that acupuncture is effective for nerve pain; suggest: "may help some people"\n'
        "\n" + summary(5, errors=3)
    )
    assert result.stderr == FAILED.format(3)


def test_seed_001_and_002_nerve_regeneration_claims_are_errors(lint):
    block = (
        f"kind: bullets\n{HEAD}text:\n  en:\n    items:\n"
        "      - Stimulating Nerve Regeneration\n"
        "      - Acupuncture has been demonstrated to support nerve regeneration.\n"
    )
    changes = {"content/blocks/claim.yaml": block, "content/handouts/welcome.yaml": welcome(*BASE, "claim")}
    result = lint(changes, "--max-grade", "20")
    assert result.exit_code == 1
    regrowth = (
        "nerve regrowth from acupuncture has been seen only in animal studies, not shown in people; suggest: "
        '"in animal studies, acupuncture changed proteins that help nerves grow; we do not know if this happens in people"'
    )
    assert result.stdout == (
        f'content/blocks/claim.yaml:7: error: [claims] text.en.items[1]: "Nerve Regeneration": {regrowth}\n'
        'content/blocks/claim.yaml:8: error: [claims] text.en.items[2]: "has been demonstrated to": states as settled '
        'what the evidence does not settle; suggest: "some small studies suggest ...", with the studies listed under '
        "references\n"
        f'content/blocks/claim.yaml:8: error: [claims] text.en.items[2]: "nerve regeneration": {regrowth}\n'
        "\n" + summary(5, errors=3)
    )
    assert result.stderr == FAILED.format(3)


def test_honest_negations_pass(lint):
    body = (
        "|\n      Acupuncture is not a cure for nerve pain. No one knows for sure how it works.\n\n"
        "      There is no guarantee that it will help. It has not been proven to regrow nerves.\n"
        "      We do not know if nerve regeneration happens in people. It is not free of side effects.\n"
    )
    result = lint(
        {"content/blocks/honest.yaml": prose(body), "content/handouts/welcome.yaml": welcome(*BASE, "honest")}
    )
    assert result.exit_code == 0
    assert result.stdout == summary(5)


def test_claim_in_a_literal_block_reports_its_own_line(lint):
    body = "|\n      Acupuncture may help.\n\n      Some say it is a miracle.\n"
    result = lint({"content/blocks/claim.yaml": prose(body), "content/handouts/welcome.yaml": welcome(*BASE, "claim")})
    assert result.stdout.splitlines()[0] == (
        'content/blocks/claim.yaml:9: error: [claims] text.en.body: "miracle": promises a result no treatment can '
        'promise; suggest: "may help some people"'
    )


def test_clinic_claims_list_applies_to_shared_blocks_of_that_clinic(lint):
    claims = "claims:\n  - pattern: nerve pain\n    reason: we say nerve discomfort\n    suggest: nerve discomfort\n"
    result = lint({"content/clinics/demo/claims.yaml": claims})
    assert result.exit_code == 1
    assert result.stdout == (
        'content/blocks/intro.yaml:10: error: [claims] text.en.body: "nerve pain": we say nerve discomfort; '
        "suggest: nerve discomfort (clinic 'demo' claims list)\n\n" + summary(4, errors=1)
    )


def test_invalid_claim_pattern_is_an_error(lint):
    result = lint({"content/claims.yaml": "claims:\n  - pattern: cure(\n    reason: r\n    suggest: s\n"})
    assert result.exit_code == 1
    assert result.stdout == (
        "content/claims.yaml:2: error: [claims] claims[1].pattern: 'cure(' is not a valid pattern: "
        "missing ), unterminated subpattern\n\n" + summary(4, errors=1)
    )


def test_hard_block_gets_a_grade_warning_with_its_longest_sentences(lint):
    long = (
        "Peripheral neuropathy, a heterogeneous constellation of neurological manifestations, frequently "
        "necessitates comprehensive multidisciplinary evaluation and individualized pharmacological interventions."
    )
    block = f"kind: prose\n{HEAD}text:\n  en:\n    body: {long} Treatment options vary. Ask your doctor.\n"
    result = lint({"content/blocks/hard.yaml": block, "content/handouts/welcome.yaml": welcome(*BASE, "hard")})
    assert result.exit_code == 0
    assert result.stdout == (
        "content/blocks/hard.yaml:5: warning: [grade] text.en: reading grade 26.4 (Flesch-Kincaid) is above the "
        f'target of 8: use shorter sentences and common words; longest: "{long}" (17 words), '
        '"Treatment options vary." (3 words)\n\n' + summary(5, warnings=1)
    )


def test_max_grade_option_raises_the_target(lint):
    result = lint(None, "--max-grade", "0")
    assert result.stdout.splitlines()[0].startswith(
        "content/blocks/disclaimer.yaml:5: warning: [grade] text.en: reading grade 7.7 (Flesch-Kincaid) is above "
        "the target of 0: "
    )


def test_list_items_are_graded_as_sentences(lint):
    # 24 items without periods: graded as one sentence, they would be far above grade 8
    items = "".join(f"      - Your feet feel {word}\n" for word in ("cold", "numb", "sore", "weak", "stiff", "dry") * 4)
    block = f"kind: bullets\n{HEAD}text:\n  en:\n    title: Signs\n    items:\n{items}"
    result = lint({"content/blocks/signs.yaml": block, "content/handouts/welcome.yaml": welcome(*BASE, "signs")})
    assert result.stdout == summary(5)


def test_handout_without_disclaimer_is_an_error(lint):
    result = lint({"content/handouts/welcome.yaml": welcome("intro", "steps", "contact")})
    assert result.exit_code == 1
    assert result.stdout == (
        "content/blocks/disclaimer.yaml:1: warning: [unused] no handout uses block 'disclaimer': "
        "add it to a handout's slots, or delete the file\n\n"
        "content/handouts/welcome.yaml:5: error: [disclaimer] slots: no block of kind 'disclaimer': "
        "every handout must carry one; add the disclaimer block to a slot\n\n" + summary(4, errors=1, warnings=1)
    )
    assert result.stderr == FAILED.format(1)


def test_clinic_block_that_replaces_the_disclaimer_is_checked_too(lint):
    own = prose("Acupuncture cures nerve pain.")
    result = lint({"content/clinics/demo/blocks/disclaimer.yaml": own}, "--max-grade", "20")
    assert result.exit_code == 1
    assert result.stdout == (
        'content/clinics/demo/blocks/disclaimer.yaml:6: error: [claims] text.en.body: "cures": acupuncture does not '
        'cure nerve damage or the conditions behind nerve pain; suggest: "may ease symptoms for some people"\n\n'
        "content/handouts/welcome.yaml:5: error: [disclaimer] slots: no block of kind 'disclaimer' (with the blocks "
        "in content/clinics/demo/blocks/): every handout must carry one; add the disclaimer block to a slot\n\n"
        + summary(5, errors=2)
    )


def test_condition_sheet_without_warning_signs_is_an_error(lint):
    result = lint({"content/handouts/welcome.yaml": welcome(*BASE, tags="tags: {condition: sciatica}\n")})
    assert result.exit_code == 1
    assert result.stdout == (
        "content/handouts/welcome.yaml:5: error: [warning-signs] the handout names the condition 'sciatica' but "
        "gives no warning signs: add see-a-doctor-now or the condition's block to a slot\n\n" + summary(4, errors=1)
    )


def test_condition_sheet_with_see_a_doctor_now_passes(lint):
    callout = f"kind: callout\ntone: warning\n{HEAD}text:\n  en:\n    title: Get help now\n    items: [New weakness]\n"
    result = lint(
        {
            "content/blocks/see-a-doctor-now.yaml": callout,
            "content/handouts/welcome.yaml": welcome(*BASE, "see-a-doctor-now", tags="tags: {condition: sciatica}\n"),
        },
        "--strict",
    )
    assert result.exit_code == 0
    assert result.stdout == summary(5)


def test_research_sentence_without_references_is_an_error(lint):
    body = "Many people ask about it. A 2020 study found less pain with acupuncture. We explain what research shows."
    result = lint(
        {"content/blocks/research.yaml": prose(body), "content/handouts/welcome.yaml": welcome(*BASE, "research")}
    )
    assert result.exit_code == 1
    assert result.stdout == (
        'content/blocks/research.yaml:6: error: [claims] text.en.body: "study found": reports a finding without a '
        "reference a reader can look up (add it under references:, with the same year); suggest: "
        '"research is limited", or cite the study under references: and say what it found\n\n' + summary(5, errors=1)
    )


def test_research_sentence_with_references_passes(lint):
    block = prose("A 2020 study found less pain with acupuncture.", "references: ['Doe J. Pain 2020;1:1-2.']\n")
    result = lint({"content/blocks/research.yaml": block, "content/handouts/welcome.yaml": welcome(*BASE, "research")})
    assert result.stdout == summary(5)


def test_old_review_date_is_a_warning(lint):
    steps = BLOCKS["content/blocks/steps.yaml"].replace("2026-11-01", "2025-11-21")
    result = lint({"content/blocks/steps.yaml": steps})
    assert result.exit_code == 0
    assert result.stdout == (
        "content/blocks/steps.yaml:2: warning: [reviewed] reviewed: last reviewed 2025-11-21, more than 12 months "
        "before 2026-11-22: review the block and update the date\n\n" + summary(4, warnings=1)
    )


def test_review_exactly_max_age_old_passes_and_the_age_is_configurable(lint):
    steps = {"content/blocks/steps.yaml": BLOCKS["content/blocks/steps.yaml"].replace("2026-11-01", "2025-11-22")}
    assert lint(steps).stdout == summary(4)
    assert lint(steps, "--max-age-months", "6").stdout.startswith(
        "content/blocks/steps.yaml:2: warning: [reviewed] reviewed: last reviewed 2025-11-22, more than 6 months "
    )


def test_review_date_in_the_future_is_a_warning(lint):
    result = lint(
        {"content/blocks/steps.yaml": BLOCKS["content/blocks/steps.yaml"].replace("2026-11-01", "2027-01-01")}
    )
    assert result.stdout == (
        "content/blocks/steps.yaml:2: warning: [reviewed] reviewed: 2027-01-01 is after today (2026-11-22): "
        "give the date of the last review\n\n" + summary(4, warnings=1)
    )


def test_tcm_term_without_a_gloss_is_a_warning(lint):
    block = (
        f"kind: bullets\n{HEAD}text:\n  en:\n    items:\n"
        "      - Acupuncture is said to move Qi.\n"
        "      - Moxibustion, a heat treatment, warms the skin.\n"
        "      - Needles are placed along paths called meridians.\n"
        "      - Cupping means using cups that pull on the skin. Cupping leaves round marks.\n"
    )
    result = lint({"content/blocks/tcm.yaml": block, "content/handouts/welcome.yaml": welcome(*BASE, "tcm")})
    assert result.exit_code == 0
    assert result.stdout == (
        'content/blocks/tcm.yaml:7: warning: [tcm-term] text.en.items[1]: TCM term "Qi" is not explained anywhere '
        'in the block: add a gloss where it first appears, e.g. "Qi (…)" or "Qi, which …"\n\n' + summary(5, warnings=1)
    )


def test_unused_block_is_a_warning_and_strict_makes_it_an_error(lint):
    changes = {"content/handouts/welcome.yaml": welcome("intro", "contact", "disclaimer")}
    unused = "no handout uses block 'steps': add it to a handout's slots, or delete the file"
    result = lint(changes)
    assert result.exit_code == 0
    assert result.stdout == f"content/blocks/steps.yaml:1: warning: [unused] {unused}\n\n" + summary(4, warnings=1)
    assert result.stderr == ""
    strict = lint(changes, "--strict")
    assert strict.exit_code == 1
    assert strict.stdout == f"content/blocks/steps.yaml:1: error: [unused] {unused}\n\n" + summary(4, errors=1)
    assert strict.stderr == FAILED.format(1)


def test_json_format(lint):
    result = lint({"content/handouts/welcome.yaml": welcome("intro", "contact", "disclaimer")}, "--format", "json")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == [
        {
            "file": "content/blocks/steps.yaml",
            "line": 1,
            "severity": "warning",
            "check": "unused",
            "block": "steps",
            "message": "no handout uses block 'steps': add it to a handout's slots, or delete the file",
        }
    ]


def test_missing_translation_for_a_clinic_language_is_an_error(lint):
    spanish = {
        "intro": "  es:\n    body: Bienvenido a {{ clinic.name }}. La acupuntura puede ayudar a algunas personas.\n",
        "steps": "  es:\n    items:\n      - Hablamos de su salud.\n",
        "contact": "  es:\n    title: Contacto\n",
    }
    changes = {f"content/blocks/{k}.yaml": BLOCKS[f"content/blocks/{k}.yaml"] + v for k, v in spanish.items()}
    changes["content/clinics/demo/clinic.yaml"] = CLINIC.replace("languages: [en]", "languages: [en, es]")
    result = lint(changes)
    assert result.exit_code == 1
    assert result.stdout == (
        "content/blocks/disclaimer.yaml:4: error: [translation] text: no 'es' translation, needed by clinic 'demo' "
        "for welcome: add text.es\n\n" + summary(4, errors=1)
    )
    assert result.stderr == FAILED.format(1)


def test_chinese_is_not_graded_and_says_so(lint):
    intro = BLOCKS["content/blocks/intro.yaml"] + "  zh-Hans:\n    title: 欢迎\n    body: 针灸可能对一些人有帮助。\n"
    result = lint({"content/blocks/intro.yaml": intro}, "--strict")
    assert result.exit_code == 0
    assert result.stdout == (
        "info: [grade] no reading-grade formula for 'zh-Hans' in textstat: 1 block(s) not graded in zh-Hans\n\n"
        + summary(4, notes=1)
    )


def test_a_block_that_does_not_load_is_an_error(lint):
    result = lint({"content/blocks/steps.yaml": "kind: steps\nreviewed: 2026-11-01\ntext:\n  en:\n    items: [a]\n"})
    assert result.exit_code == 1
    assert result.stdout == (
        "content/blocks/steps.yaml:1: error: [validate] sources: is missing: this field is required\n\n"
        + summary(3, errors=1)
    )


def test_bad_date_is_a_usage_error(runner, make_project):
    result = runner.invoke(cli, ["lint", "--project", str(make_project()), "--today", "22/11/2026"])
    assert result.exit_code == 2
    assert result.stderr.endswith(
        "Error: Invalid value for '--today': '22/11/2026' does not match the format '%Y-%m-%d'.\n"
    )


def test_lint_does_not_import_reportlab():
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "handouts", "lint", "--project", str(REPO)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert "Linted" in done.stdout
    assert "reportlab" not in done.stderr


# --- all patient-visible text, not only blocks ------------------------------------------------


def test_overclaiming_handout_title_is_an_error_at_its_line(lint):
    recipe = welcome(*BASE).replace("title: Welcome sheet", "title: Acupuncture cures nerve pain")
    result = lint({"content/handouts/welcome.yaml": recipe})
    assert result.exit_code == 1
    assert result.stdout == (
        'content/handouts/welcome.yaml:4: error: [claims] text.en.title: "cures": acupuncture does not cure nerve '
        'damage or the conditions behind nerve pain; suggest: "may ease symptoms for some people"\n\n'
        + summary(4, errors=1)
    )
    assert result.stderr == FAILED.format(1)


def test_overclaiming_clinic_tagline_is_an_error_in_every_language(lint):
    tagline = (
        "tagline:\n  en: Evidence-based acupuncture\n  es: Acupuntura basada en la evidencia\n"
        "  zh-Hans: 以研究证据为依据的针灸\n"
    )
    clinic = CLINIC.replace("tagline: Gentle care\n", tagline)
    result = lint({"content/clinics/demo/clinic.yaml": clinic})
    assert result.exit_code == 1
    assert result.stdout == (
        'content/clinics/demo/clinic.yaml:3: error: [claims] tagline.en: "Evidence-based": acupuncture for nerve '
        "pain is not evidence-based care; a 2017 Cochrane review found too little evidence to say whether it helps; "
        'suggest: "evidence-aware", "we tell you what research does and does not show"\n'
        'content/clinics/demo/clinic.yaml:4: error: [claims] tagline.es: "basada en la evidencia": presenta como '
        'comprobado lo que la evidencia no ha comprobado ("basada en la evidencia" tampoco es cierto en este campo); '
        'suggest: "algunos estudios pequeños sugieren ...", con los estudios en references:\n'
        'content/clinics/demo/clinic.yaml:5: error: [claims] tagline.zh-Hans: "以研究证据为依据": 把证据未确定的事'
        '说成定论（"以证据为依据"在这一领域也言过其实）/ 把證據未確定的事說成定論; suggest: "一些小型研究提示……"，'
        "并在 references: 中列出研究\n\n" + summary(4, errors=3)
    )


def test_overclaiming_clinic_name_and_layout_text_are_errors(lint):
    clinic = CLINIC.replace("name: Chen & Wu <Acupuncture>", "name: Miracle Acupuncture")
    layout = (REPO / "layouts" / "sheet.yaml").read_text(encoding="utf-8")
    layout = layout.replace('text: "{{ clinic.tagline }}"', 'text: "Guaranteed relief. {{ clinic.tagline }}"')
    result = lint({"content/clinics/demo/clinic.yaml": clinic, "layouts/sheet.yaml": layout})
    assert result.exit_code == 1
    line = layout[: layout.index("Guaranteed relief")].count("\n") + 1
    assert result.stdout == (
        'content/clinics/demo/clinic.yaml:1: error: [claims] name: "Miracle": promises a result no treatment can '
        'promise; suggest: "may help some people"\n\n'
        f'layouts/sheet.yaml:{line}: error: [claims] pages[1].elements[4].text: "Guaranteed": no treatment can promise '
        'a result; suggest: "may help some people; results differ from person to person"\n\n' + summary(4, errors=2)
    )


def test_overclaiming_strings_entry_is_an_error_at_its_line(lint):
    strings = (REPO / "content" / "strings.yaml").read_text(encoding="utf-8")
    strings = strings.replace("  book_online: Book online\n", "  book_online: Book your cure online\n", 1)
    line = strings.splitlines().index("  book_online: Book your cure online") + 1
    result = lint({"content/strings.yaml": strings})
    assert result.exit_code == 1
    assert result.stdout == (
        f'content/strings.yaml:{line}: error: [claims] en.book_online: "cure": acupuncture does not cure nerve '
        'damage or the conditions behind nerve pain; suggest: "may ease symptoms for some people"\n\n'
        + summary(4, errors=1)
    )


# --- The gate: build refuses what lint calls an error ------------------------------------------------


def test_build_refuses_an_overclaiming_block_naming_its_line_and_builds_the_rest(make_project, runner):
    other = "layout: sheet\ntext:\n  en:\n    title: Other\nslots:\n  body: [steps, disclaimer]\n"
    root = make_project({"content/handouts/other.yaml": other, "content/claims.yaml": CLAIMS})
    assert runner.invoke(cli, ["build", "--project", str(root)]).exit_code == 0
    intro = BLOCKS["content/blocks/intro.yaml"].replace(
        "Acupuncture **may help** some people with nerve pain.",
        "Acupuncture cures neuropathy with no side effects.",
    )
    (root / "content/blocks/intro.yaml").write_text(intro, encoding="utf-8")
    result = runner.invoke(cli, ["build", "--project", str(root)])
    assert result.exit_code == 1
    lines = result.stderr.removeprefix("Error: ").splitlines()
    assert lines and all(line.startswith("content/blocks/intro.yaml:10: [claims] text.en.body: ") for line in lines)
    linted = runner.invoke(cli, ["lint", "--project", str(root)]).stdout
    for line in lines:  # the same file:line message lint prints
        assert line.replace(" [claims] ", " error: [claims] ") in linted
    assert "STALE: output/demo/welcome.pdf is out of date (its rebuild failed): do not print it" in result.stdout
    assert "Built 0 of 2 handout(s)" in result.stdout and "1 up to date" in result.stdout


def test_build_refuses_a_handout_without_a_disclaimer(make_project, runner):
    recipe = "layout: sheet\ntext:\n  en:\n    title: Bare\nslots:\n  body: [steps]\n"
    root = make_project({"content/handouts/welcome.yaml": recipe, "content/claims.yaml": CLAIMS})
    result = runner.invoke(cli, ["build", "--project", str(root)])
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: content/handouts/welcome.yaml:5: [disclaimer] slots: no block of kind 'disclaimer': every handout "
        "must carry one; add the disclaimer block to a slot\n"
    )
    assert not (root / "output/demo/welcome.pdf").exists()


def test_build_refuses_an_overclaiming_tagline_in_that_language_only(make_project, runner):
    clinic = CLINIC.replace("tagline: Gentle care", "tagline: {en: Gentle care, es: Cura garantizada}")
    clinic = clinic.replace("languages: [en]", "languages: [en, es]")
    files = {"content/clinics/demo/clinic.yaml": clinic, "content/claims.yaml": CLAIMS}
    for path, body in blocks_es().items():
        files[path] = body
    root = make_project(files)
    result = runner.invoke(cli, ["build", "--project", str(root)])
    assert result.exit_code == 1
    assert "content/clinics/demo/clinic.yaml:2: [claims] tagline.es: " in result.stderr
    assert (root / "output/demo/welcome.pdf").exists() and not (root / "output/demo/welcome.es.pdf").exists()


def _regional_contact(regions: str = "GB") -> str:
    text = BLOCKS["content/blocks/contact.yaml"]
    for region in regions.split():
        text += f"  en@{region}:\n    title: Contact us ({region})\n"
    return text


@pytest.mark.parametrize(
    ("region", "regions", "expected"),
    [
        ("AU", "GB", "en@GB"),  # worded for the UK only: an Australian clinic reads the US text
        ("AU", "GB IE", "en@GB, en@IE"),
        ("GB", "GB", None),  # its region is there
        ("US", "GB", None),  # the plain text.en is the US wording
        ("AU", "", None),  # a block not worded by region reads the same everywhere
    ],
)
def test_a_clinic_region_a_regional_block_lacks_is_a_warning(lint, region, regions, expected):
    clinic = CLINIC.replace("languages: [en]", f"languages: [en]\nregion: {region}")
    changes = {"content/clinics/demo/clinic.yaml": clinic, "content/blocks/contact.yaml": _regional_contact(regions)}
    result = lint(changes)
    assert result.exit_code == 0, result.stdout
    if expected is None:
        assert "[region]" not in result.stdout
        return
    assert result.stdout == (
        f"content/blocks/contact.yaml:5: warning: [region] text.en: worded by region ({expected}) but not for "
        f"{region}, the region of clinic 'demo', which reads the plain text.en: add text.en@{region} with the fields "
        "that differ there\n\n" + summary(4, warnings=1)
    )
    assert lint(changes, "--strict").exit_code == 1


def test_a_condition_name_that_repeats_the_banner_title_is_a_warning(runner, tmp_path):
    """A condition block's name that is its handout's title with more words ("Spinal stenosis (including lumbar
    stenosis)" under "Spinal stenosis") would print as the sheet's first heading right under the banner that says
    the same: ``lint`` warns at the name's line, saying what to do; the shipped names pass (the strict run above)."""
    import shutil

    for part in ("content", "layouts", "art"):
        shutil.copytree(REPO / part, tmp_path / part)
    path = tmp_path / "content" / "blocks" / "condition-spinal-stenosis.yaml"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if line.strip() == "name: Spinal stenosis")
    lines[at] = lines[at].replace("Spinal stenosis", "Spinal stenosis (including lumbar stenosis)")
    path.write_text("".join(lines), encoding="utf-8")
    own = tmp_path / "content" / "clinics" / "lotus-acupuncture" / "blocks" / path.name  # a clinic's own copy too
    own.parent.mkdir(exist_ok=True)
    own.write_text("".join(lines), encoding="utf-8")
    result = runner.invoke(cli, ["lint", "--project", str(tmp_path), "--today", newest_review()], prog_name="handouts")
    assert result.exit_code == 0  # a warning, not an error
    for where in ("content/blocks", "content/clinics/lotus-acupuncture/blocks"):
        assert (
            f"{where}/condition-spinal-stenosis.yaml:{at + 1}: warning: [banner] text.en.name: 'Spinal stenosis "
            "(including lumbar stenosis)' repeats the title of content/handouts/condition-spinal-stenosis.yaml "
            "('Spinal stenosis') with more words: the sheet prints it as its first heading under the banner; make "
            "the name 'Spinal stenosis' and say the rest in the handout's subtitle\n"
        ) in result.stdout
