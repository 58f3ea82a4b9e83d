"""A long English word in justified Chinese text breaks at a syllable, with a hyphen, where moving it down whole
would leave a hole (story.hyphens): drawn in Noto Sans TC, read back with pdfplumber and with poppler's pdftotext."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

import pytest
from helpers import drawn_lines
from hypothesis import given, settings
from hypothesis import strategies as st
from reportlab.lib.enums import TA_JUSTIFY
from reportlab.lib.styles import ParagraphStyle

from handouts import cjk
from handouts.assets import register_family
from handouts.pdf import pin_reportlab_settings
from handouts.story.hyphens import SOFT, soft_hyphens
from handouts.story.linebreak import CJKParagraph, chinese_markup

# the Traditional Chinese trigeminal neuralgia sheet: the drug's English name in brackets
TEXT = "第一線治療通常是藥物，常用的是卡巴氮平（carbamazepine）。請告訴針灸師，您臉上哪些地方一碰就會引發疼痛。"
SIZE = 10.0
WORD = "carbamazepine"
# where Merriam-Webster's medical dictionary divides it, car·ba·maz·e·pine, kept four letters from either end
DICTIONARY_POINTS = [at for at in (3, 5, 8, 9) if 4 <= at <= len(WORD) - 4]


def _style() -> ParagraphStyle:
    pin_reportlab_settings()
    font = register_family(cjk.family("tc"), "test").regular
    return ParagraphStyle("zh", fontName=font, fontSize=SIZE, leading=15, wordWrap="CJK", alignment=TA_JUSTIFY)


def _drawn(markup: str, width: float) -> tuple[bytes, list[tuple[str, float, float]]]:
    """Draw ``markup`` as a handout's Chinese body text ``width`` points wide; return the PDF and its lines read back
    with pdfplumber (``helpers.drawn_lines``), spaces dropped."""
    pdf, lines = drawn_lines(CJKParagraph(chinese_markup(markup, _style()), _style()), width)
    return pdf, [(text.replace(" ", ""), start, end) for text, start, end in lines]


def _pdftotext(pdf: bytes) -> str:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "p.pdf"
        path.write_bytes(pdf)
        return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


def _widths_where_the_word_starts_a_line(hole_ems: tuple[float, float]) -> list[tuple[float, float]]:
    """Return the column widths (whole ems) at which the text without soft hyphens sets "（carbamazepine）" at the
    start of a line, the line before it short of the column by ``hole_ems`` (lower, upper); with that shortfall."""
    out = []
    for ems in range(12, 30):
        para = CJKParagraph(TEXT, _style())
        para.wrap(ems * SIZE, 10_000)
        lines = ["".join(line[1]) for line in para.blPara.lines]
        for n, line in enumerate(lines[1:], start=1):
            if line.startswith("（carbamazepine"):
                extra = para.blPara.lines[n - 1][0] / SIZE
                if hole_ems[0] < extra < hole_ems[1]:
                    out.append((ems * SIZE, extra * SIZE))
    return out


@pytest.mark.parametrize("lead", ["", "<b>第一線治療</b>"])
@pytest.mark.parametrize(("width", "hole"), _widths_where_the_word_starts_a_line((3.0, 99.0)))
def test_a_long_english_word_breaks_at_a_syllable_rather_than_leave_a_hole(
    width: float, hole: float, lead: str
) -> None:
    """Where "（carbamazepine）" going down whole would leave the line before it three ems short or more, the line
    ends with the word's first syllables and a hyphen, at a point where a medical dictionary divides it
    (car·ba·maz·e·pine) four letters or more from either end, its hole smaller by those syllables; poppler reads
    the word back whole, and no soft hyphen is drawn. Also in a paragraph that opens with a bold lead-in (reportlab
    sets it in parts)."""
    pdf, lines = _drawn(lead + TEXT[5:] if lead else TEXT, width)
    broken = [n for n, (text, _, _) in enumerate(lines[:-1]) if text.endswith("-")]
    assert len(broken) == 1, lines
    head, tail = lines[broken[0]][0], lines[broken[0] + 1][0]
    cut = next((at for at in DICTIONARY_POINTS if head.endswith("（" + WORD[:at] + "-")), None)
    assert cut is not None and tail.startswith(WORD[cut:] + "）"), lines
    assert width - lines[broken[0]][2] < hole - 2 * SIZE, lines  # the hole filled by two ems and more
    assert SOFT not in "".join(text for text, _, _ in lines)
    read = "".join(_pdftotext(pdf).split())
    assert read == TEXT


@pytest.mark.parametrize(("width", "hole"), _widths_where_the_word_starts_a_line((-1.0, 1.9)))
def test_a_word_that_leaves_a_small_hole_goes_down_whole(width: float, hole: float) -> None:
    """Where the line before would be short by under two ems (which justifying it closes), the word is not broken."""
    _, lines = _drawn(TEXT, width)
    assert not any(text.endswith("-") for text, _, _ in lines), lines
    assert any(text.startswith("（carbamazepine）") for text, _, _ in lines), lines


def test_both_kinds_of_width_are_met() -> None:
    """The two tests above have widths to run at (at 10 pt, 12 to 29 ems wide)."""
    assert _widths_where_the_word_starts_a_line((3.0, 99.0))
    assert _widths_where_the_word_starts_a_line((-1.0, 1.9))


@settings(max_examples=80, deadline=None)
@given(
    word=st.sampled_from(["acupuncture", "carbamazepine", "amitriptyline", "Samaritans", "MedlinePlus"]),
    before=st.sampled_from(["www.", "info@", "https://example.org/", "lotus-", "#", "2017"]),
    after=st.sampled_from([".org", "/book", "-care", "@example.com", "2", ""]),
)
def test_an_address_or_code_is_never_given_a_soft_hyphen(word, before, after):
    """A word inside a web or e-mail address, a hyphenated name or a code keeps every character as it is; a word
    standing alone between Chinese characters and brackets may break."""
    assert soft_hyphens(f"請看 {before}{word}{after} 網站") == f"請看 {before}{word}{after} 網站"
    alone = soft_hyphens(f"常用（{word}）。")
    assert alone.replace(SOFT, "") == f"常用（{word}）。"
    assert (SOFT in alone) == word.islower()  # a name ("Samaritans", "MedlinePlus") is never broken
    assert soft_hyphens(f'<a href="https://x.org/{word}">{before}{word}{after}</a>').count(SOFT) == 0


def test_break_points_are_kept_in_the_cache_folder_and_a_bad_entry_is_not_trusted(tmp_path, monkeypatch):
    """Reading Pyphen's patterns takes a third of a second a process, so each word's break points are kept in the
    cache folder. A build trusts an entry only for this Pyphen and dictionary, and only where it is the word
    itself with soft hyphens a side's letters in from each end: a hostile or stale file changes nothing printed
    (expected values from Pyphen itself)."""
    import json

    import pyphen

    from handouts.story import hyphens

    monkeypatch.setenv("HANDOUTS_CACHE", str(tmp_path))
    monkeypatch.setattr(hyphens, "_known", None)
    want = pyphen.Pyphen(lang="en_US", left=4, right=4).inserted("moxibustion", hyphen=SOFT)
    assert soft_hyphens("常用（moxibustion）。") == f"常用（{want}）。"
    kept = json.loads((tmp_path / "hyphens.json").read_text(encoding="utf-8"))
    assert kept["words"] == {"moxibustion": want} and "pyphen" in kept["key"]
    for words in (
        {"moxibustion": "moxibustion<b>x</b>", "acupuncture": "a" + SOFT + "cupuncture"},  # not the word; too near
        {"moxibustion": SOFT + "moxibustion", "acupuncture": 7},  # a break before the first letter; not text
    ):
        (tmp_path / "hyphens.json").write_text(json.dumps({"key": kept["key"], "words": words}), encoding="utf-8")
        monkeypatch.setattr(hyphens, "_known", None)
        assert soft_hyphens("常用（moxibustion）或（acupuncture）。") == "常用（{}）或（{}）。".format(
            want, pyphen.Pyphen(lang="en_US", left=4, right=4).inserted("acupuncture", hyphen=SOFT)
        )
    (tmp_path / "hyphens.json").write_text(json.dumps({"key": "another pyphen", "words": {"moxibustion": "c"}}))
    monkeypatch.setattr(hyphens, "_known", None)
    assert soft_hyphens("（moxibustion）") == f"（{want}）"


@pytest.mark.parametrize(
    ("word", "syllables"),
    [("carbamazepine", "car·ba·maz·e·pine"), ("amitriptyline", "am·i·trip·ty·line"), ("gabapentin", "gab·a·pen·tin")],
)
def test_a_medicine_name_breaks_where_a_medical_dictionary_divides_it(word: str, syllables: str) -> None:
    """A medicine's name that the en_US patterns break in one place or none may break at each of its dictionary
    syllables (Merriam-Webster's division) four letters or more from either end, and nowhere else."""
    points, at = set(), 0
    for part in syllables.split("·")[:-1]:
        at += len(part)
        if 4 <= at <= len(word) - 4:
            points.add(at)
    marked = soft_hyphens(f"（{word}）")[1:-1]
    got, at = set(), 0
    for part in marked.split(SOFT)[:-1]:
        at += len(part)
        got.add(at)
    assert marked.replace(SOFT, "") == word
    assert got == points
