"""Draw the app's icons with Pillow: a white heart on the brand colour, at every size a browser asks for.

    .venv/bin/python tools/make_icons.py

Writes ``static/icons/`` (favicon.ico with 16, 32 and 48 px; icon-192.png, icon-512.png, a maskable
icon-maskable-512.png with a safe zone; apple-touch-icon.png at 180 px). The PNGs are committed; run this
again only when the design changes.
"""

from pathlib import Path

from PIL import Image, ImageDraw

BRAND = (194, 65, 12)  # --brand in static/css/app.css
WHITE = (255, 255, 255)
OUT = Path(__file__).resolve().parents[1] / "static" / "icons"
SCALE = 4  # draw large, shrink smoothly


def heart(draw: ImageDraw.ImageDraw, size: int, inset: float) -> None:
    """A heart centred in a ``size`` square, filling it but for ``inset`` (a fraction) on each side."""
    box = size * (1 - 2 * inset)
    left, top = size * inset, size * inset + box * 0.08
    radius = box / 4
    draw.ellipse((left, top, left + 2 * radius, top + 2 * radius), fill=WHITE)
    draw.ellipse((left + 2 * radius, top, left + 4 * radius, top + 2 * radius), fill=WHITE)
    draw.polygon([(left + box * 0.02, top + radius * 1.3), (left + box * 0.98, top + radius * 1.3),
                  (left + box / 2, top + box * 0.86)], fill=WHITE)


def icon(size: int, *, rounded: bool = True, inset: float = 0.2) -> Image.Image:
    """One square icon: the brand colour (rounded corners unless ``rounded`` is false) with the heart."""
    big = size * SCALE
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    if rounded:
        draw.rounded_rectangle((0, 0, big - 1, big - 1), radius=big // 5, fill=BRAND)
    else:
        draw.rectangle((0, 0, big, big), fill=BRAND)
    heart(draw, big, inset)
    return image.resize((size, size), Image.Resampling.LANCZOS)


def main() -> None:
    """Write every icon file into ``static/icons/``."""
    OUT.mkdir(parents=True, exist_ok=True)
    icon(48).save(OUT / "favicon.ico", sizes=[(16, 16), (32, 32), (48, 48)])
    icon(192).save(OUT / "icon-192.png", optimize=True)
    icon(512).save(OUT / "icon-512.png", optimize=True)
    icon(512, rounded=False, inset=0.28).save(OUT / "icon-maskable-512.png", optimize=True)
    icon(180, rounded=False).convert("RGB").save(OUT / "apple-touch-icon.png", optimize=True)


if __name__ == "__main__":
    main()
