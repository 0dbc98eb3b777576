"""Turn a rendered PDF into images: a clean raster (PNG) or a scanned-looking photo copy (JPEG)."""

from __future__ import annotations

import io
import random

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
