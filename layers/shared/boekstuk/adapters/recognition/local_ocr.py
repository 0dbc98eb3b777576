"""Local OCR with RapidOCR (PP-OCRv4 ONNX models shipped inside the ``rapidocr-onnxruntime`` wheel).

RapidOCR returns text *lines* and, on Latin text, often drops the spaces between words
(``Factuurnr2024/51802``). With ``return_word_box`` it also reports where each character sits along the
line (from the CTC decoder's columns); words are cut where the gap between characters is wide, or
moderately wide at a change of kind (lower→upper case, letter↔digit, after a colon). The extractor
tolerates the glued words that remain.

Pages are straightened (``read_upright``): detection runs once; a page lying on its side or upside down is
found from the detected boxes' shapes and RapidOCR's text-direction classifier voting over the longest lines,
and turned by whole quarters before the lines are recognised; a crooked page (a few degrees) keeps its pixels,
its word boxes are turned level about the page's centre (``PageWords.skew``), so the extractor's lines are
straight and ``PageWords.location`` still points at the scan as the user sees it.

Speed (2 cores): the page image is bounded (PDFs rendered at ``dpi``, images scaled down to ``max_side``),
and the direction classifier only sees a sample of lines (not every line, as RapidOCR's ``use_cls`` would).
Lines are recognised one at a time at their own width (``rec_batch=1``, ``rec_min_width=48``)
instead of RapidOCR's batches of six padded to at least 320 px: invoices are full of short boxes ("21%",
"€"), and the padding was most of the recogniser's work (measured: recognition 1.0 -> 0.6 s per page, and
more spaces between words kept). ``threads`` should not exceed the cores a process may use.
"""

from __future__ import annotations

import contextlib
import io
import math
import threading
from collections.abc import Iterator
from typing import Any

import numpy as np
import pypdfium2 as pdfium
from PIL import Image, ImageOps, UnidentifiedImageError

from boekstuk.adapters.recognition.isolation import model_memory
from boekstuk.domain.errors import UnreadableDocument
from boekstuk.domain.recognition import PageWords, Word, turned_about

MAX_PIXELS = 60_000_000
"""Of one image or rendered page: as the intake's ``max_image_pixels`` (an A4 scan at 600 dpi is 35 MP)."""
Image.MAX_IMAGE_PIXELS = MAX_PIXELS  # a decompression bomb fails loudly instead of eating the Lambda's memory


class LocalOcr:
    """OCR on this machine; the models load once, on first use (not at import time)."""

    READING = 2
    """Raised whenever the words read from the same image change (caches of OCR words key on it): 2 = pages
    turned upright and levelled (issue 13)."""

    def __init__(
        self, *, dpi: int = 150, max_side: int = 1800, threads: int = 2, rec_batch: int = 1, rec_min_width: int = 48,
        max_pixels: int = MAX_PIXELS,
    ) -> None:
        """``max_pixels`` bounds a rendered page: a larger page is rendered at a lower resolution than ``dpi``."""
        self.dpi = dpi
        self.max_pixels = max_pixels
        self.max_side = max_side
        self.threads = threads
        self.rec_batch = rec_batch
        self.rec_min_width = rec_min_width
        self._engine: Any = None
        self._lock = threading.Lock()

    # --- public ---------------------------------------------------------------------------------------

    def settings(self) -> dict[str, Any]:
        """The constructor arguments, to build the same engine in another process."""
        return {"dpi": self.dpi, "max_side": self.max_side, "threads": self.threads, "rec_batch": self.rec_batch,
                "rec_min_width": self.rec_min_width, "max_pixels": self.max_pixels}

    def words_from_image(self, data: bytes, *, page: int = 1) -> PageWords:
        """OCR one image (PNG, JPEG, TIFF's first frame, ...) into positioned words (pixel coordinates of the image
        as a viewer shows it: its EXIF orientation applied)."""
        try:
            opened = Image.open(io.BytesIO(data))
            image = ImageOps.exif_transpose(opened)
            image.load()
        except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
            raise UnreadableDocument(f"The image cannot be read: {exc}") from exc
        return self._ocr(_bounded(image.convert("RGB"), self.max_side), page)

    def words_from_pdf(self, content: bytes, *, max_pages: int) -> list[PageWords]:
        """Render the first ``max_pages`` pages of a (scanned) PDF and OCR each one."""
        try:
            pdf = pdfium.PdfDocument(content)
        except pdfium.PdfiumError as exc:
            raise UnreadableDocument(f"The PDF cannot be opened: {exc}") from exc
        try:
            result: list[PageWords] = []
            for index in range(min(len(pdf), max_pages)):
                page = pdf[index]
                try:
                    image = page.render(scale=self._scale(*page.get_size())).to_pil().convert("RGB")
                finally:
                    page.close()
                result.append(self._ocr(_bounded(image, self.max_side), index + 1))
            return result
        finally:
            pdf.close()

    def _scale(self, width: float, height: float) -> float:
        """Points to pixels: ``dpi``, unless the page would then have more than ``max_pixels`` (a poster-sized
        page at 150 dpi is a bitmap of hundreds of MB; it is scaled down for OCR afterwards anyway)."""
        scale = self.dpi / 72
        if width * height * scale * scale > self.max_pixels:
            scale = math.sqrt(self.max_pixels / (width * height)) * 0.999  # pdfium rounds sizes up
        return scale

    # --- engine ---------------------------------------------------------------------------------------

    def _get_engine(self) -> Any:
        with self._lock:
            if self._engine is None:
                from rapidocr_onnxruntime import RapidOCR  # heavy import: only when OCR is really needed

                with _memory_arena(), model_memory():
                    self._engine = RapidOCR(
                        use_cls=False,
                        print_verbose=False,
                        intra_op_num_threads=self.threads,
                        inter_op_num_threads=1,
                        rec_batch_num=self.rec_batch,
                        rec_img_shape=[3, 48, self.rec_min_width],
                    )
            return self._engine

    def _run(self, image: Image.Image) -> tuple[list[Any], int]:
        """The lines of ``image`` read upright, and the quarter turns clockwise it took (``PageWords.turned``)."""
        engine = self._get_engine()
        # RGB -> BGR as the engine expects, and contiguous: OpenCV copies a strided view on every line it crops.
        array = np.ascontiguousarray(np.asarray(image)[:, :, ::-1])
        with model_memory():  # the models' arena grows with new input shapes and stays: worker memory, not page
            return read_upright(engine, array)

    def _ocr(self, image: Image.Image, page: int) -> PageWords:
        lines, quarters = self._run(image)
        width, height = (image.height, image.width) if quarters % 2 else (image.width, image.height)
        skew = line_skew(lines)
        if abs(skew) < MIN_SKEW:
            skew = 0.0
        else:  # a crooked scan: level the boxes (the extractor pairs labels and values along horizontal lines)
            lines = [level_line(line, skew, width / 2, height / 2) for line in lines]
        words: list[Word] = []
        for line in lines:
            words.extend(split_line(line))
        # Pixels of the image read (turned upright, levelled), top-left origin: PageWords.location turns them
        # back to the page as displayed.
        return PageWords(page=page, width=float(width), height=float(height), words=words, turned=quarters,
                         skew=round(skew, 3))


MIN_SKEW = 0.25
"""Degrees: text lines sloping less than this are left as read (levelling them would move nothing visibly)."""

MAX_SKEW = 20.0
"""Degrees: a line sloping more than this is no evidence of how crooked the page lies (a stamp, a logo)."""

CLS_SAMPLE = 24
"""Text lines the direction classifier looks at to decide whether a page is upside down (the longest ones)."""


def read_upright(engine: Any, array: np.ndarray) -> tuple[list[Any], int]:
    """RapidOCR's detection, then its text-direction classifier on a sample of lines, then recognition, on the
    page turned upright: ``(lines, quarter turns clockwise)``.

    RapidOCR's own pipeline (``engine(array)``) classifies and flips each line on its own (``use_cls``) but
    leaves the page as it lies, so an upside-down page keeps its lines in reverse order. Here the detected
    boxes decide: mostly tall boxes mean a page lying on its side, and the classifier's vote over the longest
    lines (RapidOCR turns a tall line's crop a quarter counter-clockwise, so the vote also tells which side)
    whether the text is upside down. The page and its boxes are then turned by whole quarters (exactly, no
    resampling) and the lines recognised once: an upright page costs only the classifier, a turned page
    nothing more. Detection is not repeated.

    An image RapidOCR would pad or rescale before detection (a strip wider than 8:1, a side under 30 px or
    over ``max_side_len``) is read by its own pipeline as it lies.
    """
    height, width = array.shape[:2]
    if not _plain(engine, width, height):
        result, _ = engine(array, use_cls=False, return_word_box=True)
        return list(result or []), 0
    boxes, _ = engine.text_det(array)
    if boxes is None or len(boxes) == 0:
        return [], 0
    quarters = _orientation(engine, array, list(boxes))
    if quarters:
        array = np.ascontiguousarray(np.rot90(array, k=-quarters))  # np.rot90 turns counter-clockwise
        boxes = np.array([_turn_box(box, quarters, width, height) for box in boxes], dtype=np.float32)
    boxes = engine.sorted_boxes(boxes)
    crops = engine.get_crop_img_list(array, boxes)
    recognised, _ = engine.text_rec(crops, True)
    recognised = engine.cal_rec_boxes(crops, boxes, recognised)
    threshold = float(getattr(engine, "text_score", 0.5))
    return [[np.asarray(box).tolist(), *result] for box, result in zip(boxes, recognised, strict=True)
            if float(result[1]) >= threshold], quarters


def _plain(engine: Any, width: int, height: int) -> bool:
    """Whether RapidOCR's pipeline would hand the image to detection as it is (no padding, no rescaling)."""
    max_side = getattr(engine, "max_side_len", 2000)
    min_side = getattr(engine, "min_side_len", 30)
    ratio = getattr(engine, "width_height_ratio", 8)
    min_height = getattr(engine, "min_height", 30)
    if max(width, height) > max_side or min(width, height) < min_side or height <= min_height:
        return False
    return bool(ratio == -1 or width / height <= ratio)


def _orientation(engine: Any, array: np.ndarray, boxes: list[np.ndarray]) -> int:
    """Quarter turns clockwise that make the page read upright, from the detected boxes' shapes and the
    direction classifier's vote."""
    lines: list[tuple[float, bool, np.ndarray]] = []
    for box in boxes:
        points = np.asarray(box, dtype=float)
        across = float(max(np.linalg.norm(points[0] - points[1]), np.linalg.norm(points[2] - points[3])))
        down = float(max(np.linalg.norm(points[0] - points[3]), np.linalg.norm(points[1] - points[2])))
        if max(across, down) < 3 * max(min(across, down), 1.0):
            continue  # a short word or a mark: its shape says little about the direction of the text
        lines.append((max(across, down), down > across, box))
    tall = sum(1 for _, is_tall, _ in lines if is_tall)
    sideways = tall > max(3, 2 * (len(lines) - tall))
    sample = [box for _, is_tall, box in sorted(lines, key=lambda item: -item[0]) if is_tall == sideways]
    if not sample:
        return 0
    crops = engine.get_crop_img_list(array, [np.asarray(box, dtype=np.float32) for box in sample[:CLS_SAMPLE]])
    _, votes, _ = engine.text_cls(crops)
    flipped = sum(float(score) for label, score in votes if str(label) == "180")
    upright = sum(float(score) for label, score in votes if str(label) != "180")
    upside_down = flipped > upright
    if sideways:
        # A tall line's crop is turned counter-clockwise: it reads upright when the text runs down the page
        # (the page lies turned clockwise: turn it back counter-clockwise, 3 quarters clockwise).
        return 1 if upside_down else 3
    return 2 if upside_down else 0


def _turn_box(box: np.ndarray, quarters: int, width: int, height: int) -> np.ndarray:
    """A detected box on the page turned ``quarters`` times clockwise (the page ``width`` x ``height`` before),
    its corners again top-left, top-right, bottom-right, bottom-left as RapidOCR orders them."""
    points = [(float(x), float(y)) for x, y in np.asarray(box, dtype=float)]
    w, h = float(width), float(height)
    for _ in range(quarters):
        points = [(h - y, x) for x, y in points]  # clockwise: the left edge becomes the top
        w, h = h, w
    return _clockwise_from_top_left(np.array(points, dtype=np.float32))


def _clockwise_from_top_left(points: np.ndarray) -> np.ndarray:
    """Order four corners as RapidOCR's detector does: by x, the left pair and the right pair each by y."""
    by_x = sorted(points.tolist(), key=lambda p: p[0])
    left = sorted(by_x[:2], key=lambda p: p[1])
    right = sorted(by_x[2:], key=lambda p: p[1])
    return np.array([left[0], right[0], right[1], left[1]], dtype=np.float32)


def line_skew(lines: list[Any]) -> float:
    """Degrees the text lines slope (clockwise as seen: positive when they fall towards the right): the median
    slope of the long lines' top and bottom edges, weighted by length; 0.0 when too few lines say so."""
    slopes: list[tuple[float, float]] = []
    for line in lines:
        points = np.asarray(line[0], dtype=float)
        if points.shape != (4, 2):
            continue
        height = float(np.linalg.norm(points[0] - points[3])) or 1.0
        for start, end in ((points[0], points[1]), (points[3], points[2])):
            dx, dy = float(end[0] - start[0]), float(end[1] - start[1])
            length = math.hypot(dx, dy)
            if dx <= 0 or length < 4 * height:
                continue  # a short box: the detector's rectangle around a word is a poor ruler
            angle = math.degrees(math.atan2(dy, dx))
            if abs(angle) <= MAX_SKEW:
                slopes.append((angle, length))
    if len(slopes) < 6:
        return 0.0
    slopes.sort()
    half, running = sum(weight for _, weight in slopes) / 2, 0.0
    for angle, weight in slopes:
        running += weight
        if running >= half:
            return angle
    return slopes[-1][0]


def level_line(line: list[Any], skew: float, cx: float, cy: float) -> list[Any]:
    """A RapidOCR line (``[box, text, score, char boxes, chars, char scores]``) with its box and character boxes
    turned by ``-skew`` degrees about (cx, cy): lying level."""

    def turn(points: Any) -> list[list[float]]:
        return turned_about(np.asarray(points, dtype=float).reshape(-1, 2).tolist(), -skew, cx, cy)

    levelled = list(line)
    levelled[0] = turn(line[0])
    if len(line) > 3 and line[3]:
        levelled[3] = [turn(box) for box in line[3]]
    return levelled


@contextlib.contextmanager
def _memory_arena() -> Iterator[None]:
    """Build RapidOCR's onnxruntime sessions with the CPU memory arena on (RapidOCR turns it off).

    Lines are recognised one at a time at their own width, so every call has a new input shape; without
    the arena each one allocates and frees its buffers (measured: 10-25 % of the OCR time per page on one
    thread). RapidOCR offers no option for it, so its session-options factory is wrapped while the engine
    is built; if a RapidOCR version lacks that factory, the engine is built as it comes.
    """
    from rapidocr_onnxruntime.utils import infer_engine

    session_class = getattr(infer_engine, "OrtInferSession", None)
    original = getattr(session_class, "_init_sess_opts", None)
    if session_class is None or original is None:
        yield
        return

    def with_arena(config: dict[str, Any]) -> Any:
        options = original(config)
        options.enable_cpu_mem_arena = True
        return options

    session_class._init_sess_opts = staticmethod(with_arena)
    try:
        yield
    finally:
        session_class._init_sess_opts = staticmethod(original)


def _bounded(image: Image.Image, max_side: int) -> Image.Image:
    """Scale an image down so its long side is at most ``max_side`` (OCR time grows with the pixels)."""
    long_side = max(image.size)
    if long_side <= max_side:
        return image
    factor = max_side / long_side
    return image.resize((round(image.width * factor), round(image.height * factor)), Image.Resampling.LANCZOS)


def _kind(char: str) -> str:
    if char.isdigit():
        return "digit"
    if char.isupper():
        return "upper"
    if char.isalpha():
        return "lower"
    return "other"


def split_line(line: Any) -> list[Word]:
    """Cut one RapidOCR line (``[box, text, score, char_boxes, chars, char_scores]``) into words."""
    box, text, score = line[0], str(line[1]), float(line[2])
    char_boxes = line[3] if len(line) > 3 else None
    chars = line[4] if len(line) > 4 else None
    scores = line[5] if len(line) > 5 else None
    points = np.asarray(box, dtype=float)
    if not char_boxes or not chars or len(char_boxes) != len(chars):
        # No character positions: keep the line's own spaces and share its width out by character count.
        return _split_evenly(text, score, points)
    boxes = [np.asarray(b, dtype=float) for b in char_boxes]
    char_scores = [float(s) for s in scores] if scores and len(scores) == len(chars) else [score] * len(chars)
    height = float(np.ptp(points[:, 1])) or 1.0
    words: list[Word] = []
    current: list[int] = []

    def flush() -> None:
        if not current:
            return
        xs = np.concatenate([boxes[i][:, 0] for i in current])
        ys = np.concatenate([boxes[i][:, 1] for i in current])
        word_text = "".join(chars[i] for i in current)
        conf = float(np.mean([char_scores[i] for i in current]))
        words.append(Word(text=word_text, x0=float(xs.min()), y0=float(ys.min()), x1=float(xs.max()),
                          y1=float(ys.max()), confidence=round(conf, 3)))
        current.clear()

    for index, char in enumerate(chars):
        if not char.strip():
            flush()
            continue
        if current:
            previous = current[-1]
            gap = float(boxes[index][:, 0].min() - boxes[previous][:, 0].max())
            before, now = chars[previous], char
            change = _kind(before) != _kind(now) and not (_kind(before) == "upper" and _kind(now) == "lower")
            after_colon = before == ":" and now not in "/\\"
            # Inside an amount ("382,66", "1.234,56") the separator sits in a gap of its own: never cut there.
            in_number = (now in ",." and before.isdigit()) or (before in ",." and now.isdigit()
                                                                and len(current) > 1 and chars[current[-2]].isdigit())
            if in_number and gap < 0.5 * height:
                pass
            elif gap > 0.3 * height or (gap > 0.14 * height and change) or (after_colon and gap > 0.1 * height):
                flush()
        current.append(index)
    flush()
    return words


def _split_evenly(text: str, score: float, points: np.ndarray) -> list[Word]:
    x0, x1 = float(points[:, 0].min()), float(points[:, 0].max())
    y0, y1 = float(points[:, 1].min()), float(points[:, 1].max())
    per_char = (x1 - x0) / max(len(text), 1)
    words: list[Word] = []
    position = 0
    for token in text.split(" "):
        if token:
            start = x0 + position * per_char
            words.append(Word(text=token, x0=start, y0=y0, x1=start + len(token) * per_char, y1=y1,
                              confidence=round(score, 3)))
        position += len(token) + 1
    return words
