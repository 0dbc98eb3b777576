"""Build positioned words for extractor tests: lines of text placed on a page, like a PDF or an OCR engine."""

from __future__ import annotations

from boekstuk.domain.recognition import PageWords, Word

A4 = (595.0, 842.0)


def page(lines: list[tuple[float, float, str]], *, number: int = 1, size: tuple[float, float] = A4,
         font: float = 10.0, glued: bool = False, confidence: float = 1.0) -> PageWords:
    """Place each ``(x, y, text)`` at x/y (points, top-left origin); words get widths from a 0.5 em advance.

    ``glued`` imitates RapidOCR, which drops the spaces between words: each cell (text separated by two or
    more spaces) becomes one word.
    """
    words: list[Word] = []
    advance = font * 0.5
    for x, y, text in lines:
        position = x
        tokens = [t.replace(" ", "") for t in text.split("  ") if t.strip()] if glued else text.split(" ")
        for token in tokens:
            if not token:
                position += advance
                continue
            width = len(token) * advance
            words.append(Word(text=token, x0=position, y0=y, x1=position + width, y1=y + font, confidence=confidence))
            position += width + (4 * advance if glued else advance)
    return PageWords(page=number, width=size[0], height=size[1], words=words)
