"""Words with positions from a PDF's own text layer (no OCR), via pdfium's text page API.

pypdfium2 was measured against pdfplumber on the dev set (``bench/visual_check.py --speed``): pdfium reads a
page in a few milliseconds, pdfplumber (pdfminer, pure Python) needs tens to hundreds. Characters are
grouped into words here: pdfium reports every glyph with its box plus "generated" spaces and line breaks.

Coordinates are converted once, here: pdfium's points with the origin at the bottom left of the unrotated page
become points with the origin at the top-left of the page *as displayed*: pages with a ``/Rotate`` entry are
turned the way a viewer shows them, so the extractor's notion of "top", "left" and "same line" holds for every
page. A page whose text runs sideways is turned further, and ``PageWords.turned`` says how far, so that
locations are given on the page as displayed.
"""

from __future__ import annotations

import ctypes
import math
import statistics
import unicodedata
from collections import Counter
from dataclasses import dataclass

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from boekstuk.domain.errors import UnreadableDocument
from boekstuk.domain.recognition import PageWords, Word

MIN_WORDS_FOR_TEXT_LAYER = 8
"""Fewer real words than this on every page: treat the PDF as scanned (a stray page number is no text layer)."""


@dataclass(slots=True)
class _Char:
    text: str
    x0: float
    y0: float
    x1: float
    y1: float
    turn: int = 0  # reading direction on the displayed page in quarter turns (0 = left to right)


def extract_words(content: bytes, *, max_pages: int) -> list[PageWords]:
    """Return the words of the first ``max_pages`` pages of a PDF from its text layer.

    Raises ``UnreadableDocument`` for a PDF pdfium cannot open (corrupt, encrypted with a password).
    A page without text yields ``PageWords`` with no words (the caller then falls back to OCR).
    """
    try:
        pdf = pdfium.PdfDocument(content)
    except pdfium.PdfiumError as exc:
        raise UnreadableDocument(f"The PDF cannot be opened: {exc}") from exc
    try:
        result: list[PageWords] = []
        for index in range(min(len(pdf), max_pages)):
            page = pdf[index]
            try:
                result.append(_page_words(page, index + 1))
            finally:
                page.close()
        return result
    finally:
        pdf.close()


def has_text_layer(pages: list[PageWords]) -> bool:
    """Whether the pages carry a usable text layer (enough real words), rather than only a scan."""
    for page in pages:
        real = [w for w in page.words if sum(ch.isalnum() for ch in w.text) >= 2]
        if len(real) >= MIN_WORDS_FOR_TEXT_LAYER:
            return True
    return False


def _page_words(page: pdfium.PdfPage, number: int) -> PageWords:
    width, height = page.get_size()  # of the unrotated page
    rotation = page.get_rotation()
    if rotation in (90, 270):
        width, height = height, width  # as displayed
    textpage = page.get_textpage()
    try:
        chars = _chars(page, textpage, width, height, rotation)
    finally:
        textpage.close()
    chars, width, height, turned = _upright(chars, width, height)
    return PageWords(page=number, width=round(width, 2), height=round(height, 2), words=_group_words(chars),
                     turned=turned)


def _upright(chars: list[_Char], width: float, height: float) -> tuple[list[_Char], float, float, int]:
    """Keep the text running in the page's main direction, turned to read left to right; also return how many
    quarter turns clockwise that took.

    Sideways margin notes (printer marks, vertical legal lines) would otherwise break lines apart; a page
    whose whole text runs sideways (a landscape table on a portrait page) is turned upright.
    """
    turns = Counter(c.turn for c in chars if c.text != " ")
    if not turns:
        return chars, width, height, 0
    group = turns.most_common(1)[0][0]
    kept = [c for c in chars if c.text == " " or c.turn == group]
    main = _direction([c for c in kept if c.text != " "])
    if main == 0:
        return kept, width, height, 0
    upright: list[_Char] = []
    for c in kept:
        if c.text == " ":
            upright.append(c)
        elif main == 1:  # text runs upwards: turn the page clockwise
            upright.append(_Char(c.text, height - c.y1, c.x0, height - c.y0, c.x1))
        elif main == 3:  # text runs downwards: turn the page counter-clockwise
            upright.append(_Char(c.text, c.y0, width - c.x1, c.y1, width - c.x0))
        else:  # upside down
            upright.append(_Char(c.text, width - c.x1, height - c.y1, width - c.x0, height - c.y0))
    size = (height, width) if main in (1, 3) else (width, height)
    # Text running in direction 1 (upwards), 2 (upside down) or 3 (downwards) reads left to right after that
    # many quarter turns clockwise: ``main`` is also ``PageWords.turned``.
    return upright, size[0], size[1], main


def _direction(chars: list[_Char]) -> int:
    """Which way the text runs on the displayed page, from where consecutive characters sit:
    0 left to right, 1 upwards, 2 right to left (upside down), 3 downwards."""
    dx: list[float] = []
    dy: list[float] = []
    # A few hundred neighbouring pairs, spread over the page, settle the direction as well as all of them.
    stride = max(1, len(chars) // 400)
    for index in range(1, len(chars), stride):
        prev, char = chars[index - 1], chars[index]
        step_x = (char.x0 + char.x1 - prev.x0 - prev.x1) / 2
        step_y = (char.y0 + char.y1 - prev.y0 - prev.y1) / 2
        size = max(prev.x1 - prev.x0, prev.y1 - prev.y0, 1.0)
        if abs(step_x) + abs(step_y) < 3 * size:  # neighbours in a word, not a jump to the next line
            dx.append(step_x)
            dy.append(step_y)
    if not dx:
        return 0
    mx, my = statistics.median(dx), statistics.median(dy)
    if abs(mx) >= abs(my):
        return 0 if mx >= 0 else 2
    return 3 if my > 0 else 1


def _chars(
    page: pdfium.PdfPage, textpage: pdfium.PdfTextPage, width: float, height: float, rotation: int
) -> list[_Char]:
    """Every character with its box in displayed top-left coordinates; whitespace kept as separators."""
    raw_text = textpage.raw
    count = pdfium_c.FPDFText_CountChars(raw_text)
    rect = pdfium_c.FS_RECTF()
    rotate = {0: 0, 90: 1, 180: 2, 270: 3}.get(rotation, 0)
    ox, oy, a, b, c, d = _display_transform(page, width, height, rotate)
    chars: list[_Char] = []
    # The whole page's UTF-16 units in one call (one unit per character index, as FPDFText_GetUnicode).
    loose_box, char_angle, quarter = pdfium_c.FPDFText_GetLooseCharBox, pdfium_c.FPDFText_GetCharAngle, math.pi / 2
    units = (ctypes.c_ushort * (count + 1))()
    pdfium_c.FPDFText_GetText(raw_text, 0, count, units)
    for i in range(count):
        code = units[i]
        if code == 0:
            continue
        text = chr(code) if code < 0xD800 or code > 0xDFFF else "\ufffd"
        if text.isspace() or code in (0xFFFE, 0xFFFF, 0x2):
            chars.append(_Char(" ", 0, 0, 0, 0))
            continue
        # Loose boxes span the font's advance and line height: neighbours touch, so gaps mean spacing.
        if not loose_box(raw_text, i, rect):
            continue
        left, top, right, bottom = rect.left, rect.top, rect.right, rect.bottom
        # The affine map and min/max written out: this loop runs once per character of the page.
        ax, ay = ox + a * left + b * top, oy + c * left + d * top
        bx, by = ox + a * right + b * bottom, oy + c * right + d * bottom
        angle = char_angle(raw_text, i)
        turn = (round(angle / quarter) - rotate) % 4 if angle >= 0 else 0
        if code > 0x7F:  # ligatures (fi, fl, ...) and full-width forms become plain letters
            text = unicodedata.normalize("NFKC", text)
        chars.append(_Char(text, ax if ax < bx else bx, ay if ay < by else by, bx if ax < bx else ax,
                           by if ay < by else ay, turn))
    return chars


def _display_transform(
    page: pdfium.PdfPage, width: float, height: float, rotate: int
) -> tuple[float, float, float, float, float, float]:
    """Page space -> displayed top-left coordinates as ``(ox, oy, a, b, c, d)``: x' = ox + a x + b y,
    y' = oy + c x + d y, measured once per page.

    pdfium's ``FPDF_PageToDevice`` knows the page's origin and rotation; calling it for three points and
    solving the affine map spares two foreign calls per character (the text layer's main cost).
    """
    scale = 100.0  # device space at 100x the size keeps integer rounding below 0.01 pt
    dev_w, dev_h = int(width * scale), int(height * scale)
    dev_x, dev_y = ctypes.c_int(), ctypes.c_int()
    span = 1000.0

    def device(px: float, py: float) -> tuple[float, float]:
        pdfium_c.FPDF_PageToDevice(page.raw, 0, 0, dev_w, dev_h, rotate, px, py, dev_x, dev_y)
        return dev_x.value / scale, dev_y.value / scale

    ox, oy = device(0.0, 0.0)
    xx, xy = device(span, 0.0)
    yx, yy = device(0.0, span)
    a, b = (xx - ox) / span, (yx - ox) / span
    c, d = (xy - oy) / span, (yy - oy) / span
    return ox, oy, a, b, c, d


def _group_words(chars: list[_Char]) -> list[Word]:
    """Join characters into words: split at whitespace, at line changes and at gaps wider than a space."""
    sizes = [c.y1 - c.y0 for c in chars if c.text != " " and c.y1 > c.y0]
    typical = statistics.median(sizes) if sizes else 10.0
    floor = typical * 0.5
    words: list[Word] = []
    text: list[str] = []
    # The current word's bounds, kept as it grows (this loop runs once per character of the page).
    x0 = y0 = x1 = y1 = 0.0
    prev: _Char | None = None
    for char in chars:
        if char.text == " ":
            if text:
                words.append(Word(text="".join(text), x0=round(x0, 2), y0=round(y0, 2), x1=round(x1, 2),
                                  y1=round(y1, 2)))
                text = []
            prev = None
            continue
        if prev is not None:
            height = prev.y1 - prev.y0
            if char.y1 - char.y0 > height:
                height = char.y1 - char.y0
            if floor > height:
                height = floor
            gap = char.x0 - prev.x1
            # Text drawn without space characters (positioned glyph runs) still has visible gaps.
            if (abs(char.y0 + char.y1 - prev.y0 - prev.y1) > height * 1.2 or gap > height * 0.2
                    or gap < -height * 0.8):
                words.append(Word(text="".join(text), x0=round(x0, 2), y0=round(y0, 2), x1=round(x1, 2),
                                  y1=round(y1, 2)))
                text = []
        if text:
            x0 = char.x0 if char.x0 < x0 else x0
            y0 = char.y0 if char.y0 < y0 else y0
            x1 = char.x1 if char.x1 > x1 else x1
            y1 = char.y1 if char.y1 > y1 else y1
        else:
            x0, y0, x1, y1 = char.x0, char.y0, char.x1, char.y1
        text.append(char.text)
        prev = char
    if text:
        words.append(Word(text="".join(text), x0=round(x0, 2), y0=round(y0, 2), x1=round(x1, 2), y1=round(y1, 2)))
    return words
