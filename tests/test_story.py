"""Flowables with rules of their own: boxes that split only where it reads well, Chinese line starts."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Paragraph

from handouts.pdf import pin_reportlab_settings
from handouts.story.flowables import Rows, SideBySide


def _rows(n: int) -> list[Paragraph]:
    style = ParagraphStyle("t", fontName="Helvetica", fontSize=10, leading=12)
    return [Paragraph(f"Row {i}", style) for i in range(n)]


def _heights(parts: list) -> list[int]:
    return [len(p.rows) for p in parts]


def test_a_box_splits_leaving_three_rows_before_and_two_after() -> None:
    box = Rows(_rows(6), [])
    _, full = box.wrap(200, 1000)
    row = full / 6
    assert box.split(200, row * 1.5) == []  # only its title would fit: move on whole
    assert box.split(200, row * 2.5) == []  # two rows are not enough either
    assert _heights(box.split(200, row * 3.5)) == [3, 3]
    assert _heights(box.split(200, row * 5.5)) == [4, 2]  # never one stray row after the split


def test_split_parts_are_remeasured_at_the_next_frames_width() -> None:
    box = Rows(_rows(6), [])
    box.wrap(300, 1000)
    _first, rest = box.split(300, 60)
    width, _ = rest.wrap(150, 1000)
    assert width == 150


def test_the_qr_caption_stays_with_the_qr_code_when_stacked() -> None:
    details, qr, caption = _rows(5), _rows(1), _rows(1)[0]
    both = SideBySide(details, qr, caption, min_side_width=10_000, font="Helvetica", size=10)
    _, full = both.wrap(200, 1000)
    row = full / 7
    parts = both.split(200, row * 6.5)  # all but the caption would fit
    assert [len(p.rows) for p in parts] == [5, 2]
    assert parts[1].rows == [qr[0], caption]


def test_side_by_side_moves_on_whole() -> None:
    from handouts.story.flowables import qr_code

    qr = qr_code("https://example.com/book", 60, "clinic.yaml", 1, lambda c: c)
    both = SideBySide(_rows(5), [qr], _rows(1)[0], min_side_width=100, font="Helvetica", size=10)
    both.wrap(400, 1000)
    assert both.split(400, 30) == []


def _chinese_lines(lang: str, text: str, width: float) -> list[str]:
    """Return the lines CJKParagraph breaks ``text`` into at ``width``, in the built-in font for ``lang``."""
    from conftest import REPO

    from handouts.assets import families_for
    from handouts.load.config import load_clinic
    from handouts.story.linebreak import CJKParagraph

    pin_reportlab_settings()
    body, _ = families_for(load_clinic(REPO, "lotus-acupuncture"), lang)
    style = ParagraphStyle("zh", fontName=body.regular, fontSize=11, leading=15, wordWrap="CJK")
    para = CJKParagraph(text, style)
    para.wrap(width, 1000)
    return ["".join(line[1]) for line in para.blPara.lines]


def test_no_chinese_line_starts_with_punctuation_even_after_a_closing_quote() -> None:
    text = "这条神经穿过手腕里一个狭窄的通道，叫作“腕管”。它负责拇指和大部分手指的感觉，但不包括小指。"
    for width in range(120, 330, 3):
        lines = _chinese_lines("zh-Hans", text, width)
        assert "".join(lines) == text
        assert not any(line[:1] in "，。、：；！？）”" for line in lines[1:]), (width, lines)


def test_an_email_shrinks_rather_than_break_mid_word() -> None:
    from handouts.story.flowables import ShrinkToFit

    style = ParagraphStyle("b", fontName="Helvetica", fontSize=10, leading=13)
    email = ShrinkToFit(Paragraph("hello@lotus-acupuncture.example.com", style))
    _, h = email.wrap(150, 1000)
    assert h == pytest.approx(13 * email._used.style.fontSize / 10)  # one line
    assert 7.5 <= email._used.style.fontSize < 10
    email.wrap(400, 1000)
    assert email._used.style.fontSize == 10  # room enough: as it was


def test_latin_text_in_a_chinese_handout_breaks_at_spaces() -> None:
    from handouts.story.writer import _HAS_CJK

    assert _HAS_CJK.search("参考文献") and _HAS_CJK.search("（")
    assert not _HAS_CJK.search("doi:10.1002/14651858.CD012057.pub2 Ju ZY, Wang K")


def test_a_chinese_line_never_ends_with_an_opening_bracket() -> None:
    text = "醫師可能會開卡巴氮平（carbamazepine）或加巴噴丁（gabapentin）等藥物。"
    for width in range(90, 330, 3):
        lines = _chinese_lines("zh-Hant", text, width)
        assert not any(line.endswith("（") for line in lines[:-1]), (width, lines)


@pytest.mark.parametrize(
    "text",
    [
        "酸痛或瘀青越来越重？请致电我们：(555) 010-2233。发烧、新出现无力，请去看医生。",
        "想了解更多，可以到美国国家医学图书馆的 MedlinePlus 网站查找关于坐骨神经痛的资料。",
        "醫師可能會開卡巴氮平（carbamazepine）或加巴噴丁（gabapentin）等藥物，請照醫囑服用。",
    ],
)
def test_a_latin_word_or_a_phone_number_in_chinese_is_never_split(text: str) -> None:
    import re

    from conftest import REPO
    from reportlab.pdfbase.pdfmetrics import stringWidth

    from handouts.assets import families_for
    from handouts.load.config import load_clinic

    font = families_for(load_clinic(REPO, "lotus-acupuncture"), "zh-Hans")[0].regular
    # what a reader reads as one word, with the punctuation that may not be parted from it, from the text
    runs = re.findall(r"[（(]?(\(\d+\) [\d-]+|[A-Za-z][A-Za-z]+)[）)，。：]?", text)
    attached = re.findall(r"[（(]?(?:\(\d+\) [\d-]+|[A-Za-z][A-Za-z]+)[）)，。：]?", text)
    assert runs
    for width in range(60, 330, 2):
        lines = _chinese_lines("zh-Hans", text, width)
        assert "".join(lines).replace(" ", "") == text.replace(" ", "")
        for run, whole in zip(runs, attached, strict=True):
            if stringWidth(whole, font, 11) > width:
                continue  # wider than the column: it has to break somewhere
            assert any(run in line for line in lines), (width, run, lines)


def test_a_no_break_space_binds_its_words_in_chinese_text() -> None:
    text = "地址：418 Alder Street, Suite\u00a02。请提前十分钟到达。"
    for width in range(70, 330, 2):
        lines = _chinese_lines("zh-Hans", text, width)
        assert any("Suite\u00a02" in line for line in lines), (width, lines)


@pytest.mark.parametrize(
    "lines",
    [
        ["莲花针灸中医诊所", "418 Alder Street, Suite\u00a02", "Springfield, OR\u00a097477"],  # a contact block's address
        ["和諧整合針灸及中醫中心", "倫敦"],  # a last line of two characters after a forced break stays as typed
        ["請致電：(555) 010-2233", "（週一至週五）"],
    ],
)
def test_a_forced_line_break_in_chinese_text_is_kept_and_nothing_crosses_it(lines: list[str]) -> None:
    """Lines given with <br/> (an address) print as given wherever the column holds the widest of them: the
    rules that move a word or a character between lines stop at a forced break ("418 Alder Street," had been
    left alone on its line, its "Suite 2" sent down, as if a word ran on over the break)."""
    from xml.sax.saxutils import escape

    from conftest import REPO
    from reportlab.pdfbase.pdfmetrics import stringWidth

    from handouts.assets import families_for
    from handouts.load.config import load_clinic
    from handouts.story.linebreak import CJKParagraph

    pin_reportlab_settings()
    for lang in ("zh-Hans", "zh-Hant"):
        font = families_for(load_clinic(REPO, "lotus-acupuncture"), lang)[0].regular
        style = ParagraphStyle("zh", fontName=font, fontSize=11, leading=15, wordWrap="CJK")
        widest = max(stringWidth(line, font, 11) for line in lines)
        for width in range(int(widest) + 2, 330, 7):
            para = CJKParagraph("<br/>".join(escape(line) for line in lines), style)
            para.wrap(width, 1000)
            got = ["".join(getattr(word, "text", "") for word in line.words).strip() for line in para.blPara.lines]
            assert got == lines, (lang, width, got)


@pytest.mark.parametrize("script", ["sc", "tc"])
@pytest.mark.parametrize("ems", [13.3, 15.3, 17.3, 40.0])
def test_two_marks_side_by_side_close_up_on_every_line(script: str, ems: float) -> None:
    """A closing bracket followed by a full stop ("）。") was set as two full ems, a gap wide as a character
    between them, on every line that did not run over. Chinese typesetting sets the pair in an em and a half:
    drawn justified in Noto Sans SC or TC at widths where the pair falls inside a line and on a last line, and
    read back with pdfium, the full stop starts half an em after the bracket (and what justifying the line adds),
    their inks still clear of each other, and every line but the last ends at the column's edge. (A pair that
    ends a line keeps its ems: its last mark's blank part is pushed past the edge already.)"""
    import pypdfium2
    from reportlab.lib.enums import TA_JUSTIFY
    from reportlab.pdfgen.canvas import Canvas

    from handouts import cjk
    from handouts.assets import register_family
    from handouts.story.linebreak import CJKParagraph

    pin_reportlab_settings()
    text = {
        "sc": "可能是腰部神经严重受压（马尾综合征）。也请立即拨打急救电话：突然无力（手臂或腿）、胸痛或呼吸困难。",
        "tc": "可能是腰部神經嚴重受壓（馬尾症候群）。也請立即撥打急救電話：突然無力（手臂或腿）、胸痛或呼吸困難。",
    }[script]
    style = ParagraphStyle(
        "zh", fontName=register_family(cjk.family(script), "test").regular, fontSize=10, leading=15,
        wordWrap="CJK", alignment=TA_JUSTIFY,
    )  # fmt: skip
    para = CJKParagraph(text, style)
    para.wrap(ems * 10, 1000)
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(460, 400))
    para.drawOn(canvas, 20, 380 - para.height)
    canvas.save()
    page = pypdfium2.PdfDocument(buffer.getvalue())[0].get_textpage()
    chars = [(page.get_text_range(i, 1), page.get_charbox(i, loose=True), page.get_charbox(i)) for i in
             range(page.count_chars())]  # fmt: skip
    chars = [c for c in chars if c[0].strip()]
    assert "".join(c[0] for c in chars) == text
    pairs = [i for i in range(len(chars) - 1) if chars[i][0] == "）" and chars[i + 1][0] in "。、"]
    assert len(pairs) == 2
    checked = 0
    for i in pairs:
        (_, box, ink), (_, nxt_box, nxt_ink) = chars[i], chars[i + 1]
        if round(box[1]) != round(nxt_box[1]) or i + 2 == len(chars) or round(chars[i + 2][1][1]) != round(box[1]):
            continue  # the pair split between lines, or ending one (its last mark pushed in past the edge)
        # an em is 10 pt; a justified line may add up to 0.16 em between every two characters
        assert nxt_box[0] - box[0] <= 5.0 + 1.6 + 0.05, (script, ems, nxt_box[0] - box[0])
        assert ink[2] <= nxt_ink[0] + 0.01
        checked += 1
    assert checked, (script, ems)  # a pair inside a line at every width
    rows: dict[int, list] = {}
    for _, loose, ink in chars:
        rows.setdefault(round(loose[1]), []).append((loose, ink))
    lines = [rows[k] for k in sorted(rows, reverse=True)]
    edge = 20 + ems * 10
    for line in lines[:-1]:  # a line-end mark's em reaches the edge (its blank part may pass it), its ink inside
        assert max(loose[2] for loose, _ in line) >= edge - 1.0, (script, ems)
        assert max(ink[2] for _, ink in line) <= edge + 0.01, (script, ems)


def _drawn_chars(para: Paragraph, pdf: Path, size: tuple[float, float], top: float) -> list[tuple[str, Any, Any]]:
    """Draw ``para`` 20 pt from the left of a page of ``size``, its top ``top`` points up, into ``pdf``; return each
    character with ink, read back with pdfium: its text, its em box (loose) and its ink box."""
    import pypdfium2
    from reportlab.pdfgen.canvas import Canvas

    canvas = Canvas(str(pdf), pagesize=size)
    para.drawOn(canvas, 20, top - para.height)
    canvas.save()
    page = pypdfium2.PdfDocument(str(pdf))[0].get_textpage()
    chars = [(page.get_text_range(i, 1), page.get_charbox(i, loose=True), page.get_charbox(i))
             for i in range(page.count_chars())]  # fmt: skip
    return [c for c in chars if c[0].strip()]


@pytest.mark.parametrize("script", ["sc", "tc"])
@pytest.mark.parametrize("bold", [False, True])
def test_a_centred_chinese_line_closes_up_its_pairs_of_marks(script: str, bold: bool, tmp_path: Path) -> None:
    """A centred line (a figure's caption) closes up a pair of marks, "）、", as a justified line does: left at two
    full ems, "頭（V1）、臉頰" read as a hole (rev66a-b). Drawn in Noto Sans SC or TC, plain and with a bold lead-in
    (a paragraph of several styles): pdfium reads the mark after the bracket at most half an em further on than
    the bracket starts past its em, their inks clear of each other, and the line's ink centred in the column."""
    from reportlab.lib.enums import TA_CENTER

    from handouts import cjk
    from handouts.assets import register_family
    from handouts.story.linebreak import CJKParagraph

    pin_reportlab_settings()
    family = register_family(cjk.family(script), "test")
    style = ParagraphStyle("zh", fontName=family.regular, fontSize=10, leading=15, wordWrap="CJK",
                           alignment=TA_CENTER)  # fmt: skip
    text = {"sc": "三条分支负责额头（V1）、脸颊（V2）和下巴", "tc": "三條分支負責額頭（V1）、臉頰（V2）和下巴"}[script]
    if bold:
        text = f'<font name="{family.bold}">部位：</font>{text}'
    para = CJKParagraph(text, style)
    width = 300.0
    para.wrap(width, 1000)
    assert len(para.blPara.lines) == 1
    chars = _drawn_chars(para, tmp_path / "centred.pdf", (width + 40, 100), 80)
    at = next(i for i, c in enumerate(chars) if c[0] == "、")
    (bracket, box, ink), (_, mark_box, mark_ink) = chars[at - 1], chars[at]
    assert bracket == "）"
    assert mark_box[0] - box[0] <= 5.0 + 0.05, (script, bold, mark_box[0] - box[0])  # punct.PAIR: half an em
    assert ink[2] <= mark_ink[0] + 0.01, (script, bold)
    left, right = min(c[2][0] for c in chars) - 20, 20 + width - max(c[2][2] for c in chars)
    assert abs(left - right) < 2.0, (script, bold, left, right)


@pytest.mark.parametrize("script", ["sc", "tc"])
@pytest.mark.parametrize("ems", [14.2, 17.2, 20.2, 23.2])
def test_a_balanced_chinese_caption_breaks_where_a_clause_ends(script: str, ems: float, tmp_path: Path) -> None:
    """A caption of two lines, balanced, broke where its lines came out even, whatever stood there: "額/頭" cut a
    word in two (rev67a-b). Where a break after a mark ("，") leaves its lines as even as a balanced caption is
    (the shorter at least 0.6 of the longer), it breaks there. "像穿了襪子和手套一樣，先從腳開始，之後才到手上。" has
    one such place, after its first comma (ten characters and the mark, then thirteen); the even break falls
    between "先" and "從". Drawn centred at four widths that each take two lines, in Noto Sans SC or TC, and read
    back with pdfium: the first line is the first clause."""
    from reportlab.lib.enums import TA_CENTER

    from handouts import cjk
    from handouts.assets import register_family
    from handouts.story.linebreak import CJKParagraph

    pin_reportlab_settings()
    family = register_family(cjk.family(script), "test")
    style = ParagraphStyle("zh", fontName=family.regular, fontSize=10, leading=15, wordWrap="CJK",
                           alignment=TA_CENTER)  # fmt: skip
    style.balance = True
    text = {"sc": "像穿了袜子和手套一样，先从脚开始，之后才到手上。", "tc": "像穿了襪子和手套一樣，先從腳開始，之後才到手上。"}[script]
    para = CJKParagraph(text, style)
    para.wrap(ems * 10, 1000)
    chars = _drawn_chars(para, tmp_path / "caption.pdf", (ems * 10 + 40, 100), 80)
    rows: dict[int, str] = {}
    for ch, box, _ in chars:
        rows[round(box[1])] = rows.get(round(box[1]), "") + ch
    lines = [rows[top] for top in sorted(rows, reverse=True)]
    assert "".join(lines) == text
    assert lines == [text[: text.index("，") + 1], text[text.index("，") + 1 :]], (script, ems, lines)


@pytest.mark.parametrize("script", ["sc", "tc"])
def test_two_marks_that_end_a_paragraph_close_up_and_read_on_its_last_line(script: str, tmp_path: Path) -> None:
    """A paragraph that ends "…的反应）。" left its last pair at two full ems (rev59a-b: "应）。" read as a hole),
    where a pair inside a line closes up: its last line is ragged, nothing is pushed past the edge there. Drawn at
    three widths in Noto Sans SC or TC: pdfium reads the full stop 0.6 em after the bracket, their inks
    clear of each other, and poppler's pdftotext reads the pair on the paragraph's last line, after its text."""
    import subprocess

    from reportlab.lib.enums import TA_JUSTIFY

    from handouts import cjk
    from handouts.assets import register_family
    from handouts.story.linebreak import CJKParagraph

    pin_reportlab_settings()
    text = {"sc": "针灸可能增加治疗部位的血流，减轻炎症（肿胀和受刺激的反应）。",
            "tc": "針灸可能增加治療部位的血流，減輕發炎（腫脹和受刺激的反應）。"}[script]  # fmt: skip
    style = ParagraphStyle("zh", fontName=register_family(cjk.family(script), "test").regular, fontSize=10,
                           leading=15, wordWrap="CJK", alignment=TA_JUSTIFY)  # fmt: skip
    for ems in (11.3, 14.3, 40.0):
        para = CJKParagraph(text, style)
        para.wrap(ems * 10, 1000)
        pdf = tmp_path / f"{script}-{ems}.pdf"
        chars = _drawn_chars(para, pdf, (460, 200), 180)
        (bracket, box, ink), (stop, stop_box, stop_ink) = chars[-2], chars[-1]
        assert (bracket, stop) == ("）", "。")
        assert round(box[1]) == round(stop_box[1]), (script, ems)  # one line
        assert stop_box[0] - box[0] <= 6.0 + 0.05, (script, ems, stop_box[0] - box[0])  # punct.END_PAIR: 0.4 em
        assert ink[2] <= stop_ink[0] + 0.01, (script, ems)
        read = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
        last = [line for line in read.splitlines() if line.strip()][-1]
        assert last.endswith("）。") and len(last) > 2, (script, ems, read)
