"""Turn a rendered PDF into images: a clean raster (PNG) or a scanned-looking photo copy (JPEG)."""

from __future__ import annotations

import io
import random
from typing import Literal

import numpy as np
import pypdfium2 as pdfium
from PIL import Image, ImageFilter


def render_pages(pdf: bytes, dpi: int) -> list[Image.Image]:
    """Rasterise every page of a PDF at ``dpi`` with pdfium."""
    document = pdfium.PdfDocument(pdf)
    try:
        return [page.render(scale=dpi / 72).to_pil().convert("RGB") for page in document]
    finally:
        document.close()


def stack(pages: list[Image.Image]) -> Image.Image:
    """One tall image of all pages (an image file holds one page; multi-page scans are sent as one long strip)."""
    if len(pages) == 1:
        return pages[0]
    width = max(page.width for page in pages)
    sheet = Image.new("RGB", (width, sum(page.height for page in pages)), "white")
    top = 0
    for page in pages:
        sheet.paste(page, (0, top))
        top += page.height
    return sheet


def clean_png(pdf: bytes, *, dpi: int = 150) -> bytes:
    """A straight rendering, as a screenshot or a "save as image" produces."""
    out = io.BytesIO()
    stack(render_pages(pdf, dpi)).save(out, format="PNG", optimize=False)
    return out.getvalue()


def scanned_jpeg(pdf: bytes, rng: random.Random, *, dpi: int = 200) -> bytes:
    """A scan look-alike: slightly rotated, blurred, grey paper with noise, JPEG-compressed."""
    image = stack(render_pages(pdf, dpi)).convert("L")
    angle = rng.uniform(-1.8, 1.8)
    image = image.rotate(angle, resample=Image.Resampling.BILINEAR, expand=True, fillcolor=235)
    image = image.filter(ImageFilter.GaussianBlur(radius=rng.uniform(0.4, 1.0)))
    # Paper is never white and sensors add noise: blend in Gaussian noise around a light grey.
    # Seeded numpy noise (PIL's effect_noise uses C rand() and would break determinism per seed).
    pixels = np.asarray(image, dtype=np.float32)
    noise = np.random.default_rng(rng.randrange(2**32)).normal(0.0, rng.uniform(6, 14), pixels.shape)
    paper = rng.uniform(0.85, 0.93)  # white becomes light grey, ink stays dark
    pixels = np.clip(pixels * paper + 12 + noise, 0, 255).astype(np.uint8)
    image = Image.fromarray(pixels, mode="L")
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=rng.randrange(55, 80))
    return out.getvalue()


ScanProfile = Literal["flatbed", "skewed", "rotated", "thermal"]
SCAN_PROFILES: tuple[ScanProfile, ...] = ("flatbed", "skewed", "rotated", "thermal")
"""How a paper document came back as pixels:

- ``flatbed``: a flatbed scan or a careful photo: within 1.8 degrees of straight, slightly blurred, grey paper.
- ``skewed``: fed crooked or photographed at an angle: 2.5 to 6 degrees off, more blur.
- ``rotated``: scanned sideways or upside down (a quarter, half or three-quarter turn) and slightly skewed.
- ``thermal``: a faded thermal till roll photographed on a table: light-grey ink on off-white paper, fading
  towards one side, a dark border around the paper.
"""


def degrade(image: Image.Image, rng: random.Random, profile: ScanProfile) -> Image.Image:
    """Make a clean greyscale page look like ``profile`` (see ``SCAN_PROFILES``); deterministic per ``rng``."""
    pixels = np.asarray(image.convert("L"), dtype=np.float32)
    if profile == "thermal":
        ink, paper = rng.uniform(95, 150), rng.uniform(222, 240)
        pixels = ink + (pixels / 255.0) * (paper - ink)  # ink never gets dark: low contrast
        fade = np.linspace(0.0, rng.uniform(0.25, 0.45), pixels.shape[1], dtype=np.float32)
        if rng.random() < 0.5:
            fade = fade[::-1]
        pixels = pixels + (paper - pixels) * fade[np.newaxis, :]  # the print fades towards one side
    image = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8), mode="L")
    if profile == "thermal":
        border = int(0.08 * image.width)
        table = Image.new("L", (image.width + 2 * border, image.height + 2 * border), color=rng.randrange(40, 90))
        table.paste(image, (border, border))
        image = table.rotate(rng.uniform(-3.0, 3.0), resample=Image.Resampling.BILINEAR, expand=True,
                             fillcolor=rng.randrange(40, 90))
    elif profile == "rotated":
        image = image.rotate(rng.choice((90, 180, 270)), expand=True)
        image = image.rotate(rng.uniform(-1.5, 1.5), resample=Image.Resampling.BILINEAR, expand=True, fillcolor=235)
    else:
        low, high = (0.0, 1.8) if profile == "flatbed" else (2.5, 6.0)
        angle = rng.uniform(low, high) * rng.choice((-1, 1))
        image = image.rotate(angle, resample=Image.Resampling.BILINEAR, expand=True, fillcolor=235)
    blur = (0.4, 1.0) if profile == "flatbed" else (0.5, 1.2)
    image = image.filter(ImageFilter.GaussianBlur(radius=rng.uniform(*blur)))
    pixels = np.asarray(image, dtype=np.float32)
    noise = np.random.default_rng(rng.randrange(2**32)).normal(0.0, rng.uniform(5, 12), pixels.shape)
    if profile != "thermal":
        pixels = pixels * rng.uniform(0.85, 0.93) + 12  # white paper becomes light grey, ink stays dark
    return Image.fromarray(np.clip(pixels + noise, 0, 255).astype(np.uint8), mode="L")


def _jpeg(image: Image.Image, rng: random.Random) -> bytes:
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=rng.randrange(55, 80))
    return out.getvalue()


def scan_image(pdf: bytes, rng: random.Random, profile: ScanProfile, *, dpi: int = 200) -> bytes:
    """One JPEG of all pages (stacked, as ``scanned_jpeg``) scanned the ``profile`` way."""
    return _jpeg(degrade(stack(render_pages(pdf, dpi)), rng, profile), rng)


def scanned_pdf(pdf: bytes, rng: random.Random, profile: ScanProfile, *, dpi: int = 200) -> bytes:
    """An image-only PDF as a scanner or a phone's scan app writes it: one JPEG page per page, no text layer."""
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen.canvas import Canvas

    out = io.BytesIO()
    canvas = Canvas(out, invariant=1)
    for page in render_pages(pdf, dpi):
        image = degrade(page, rng, profile)
        width, height = image.width * 72 / dpi, image.height * 72 / dpi
        canvas.setPageSize((width, height))
        canvas.drawImage(ImageReader(io.BytesIO(_jpeg(image, rng))), 0, 0, width, height)
        canvas.showPage()
    canvas.save()
    return out.getvalue()
