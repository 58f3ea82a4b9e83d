"""Draw the four example clinics' logos (run once; the PNGs are committed).

The clinics are fictional; so are their marks. Needs Pillow (installed with reportlab).
"""

import math
from pathlib import Path

from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parent.parent / "content" / "clinics"
S = 4  # supersampling for smooth edges


def _save(img: Image.Image, path: Path) -> None:
    img = img.resize((img.width // S, img.height // S), Image.LANCZOS)
    img.save(path, optimize=True)


def lotus() -> None:
    w, h = 600 * S, 300 * S
    img = Image.new("RGBA", (w, h), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    cx, base = w // 2, int(h * 0.78)
    teal, amber = (31, 95, 91, 255), (200, 112, 42, 255)
    for angle, color in ((-50, teal), (50, teal), (-25, amber), (25, amber), (0, teal)):
        petal = Image.new("RGBA", (w, h), (0, 0, 0, 0))
        pd = ImageDraw.Draw(petal)
        pw, ph = 70 * S, 200 * S
        pd.ellipse((cx - pw // 2, base - ph, cx + pw // 2, base), fill=color)
        petal = petal.rotate(angle, center=(cx, base), resample=Image.BICUBIC)
        img.alpha_composite(petal)
    d.rounded_rectangle((cx - 180 * S, base - 6 * S, cx + 180 * S, base + 14 * S), radius=10 * S, fill=teal)
    _save(img, ROOT / "lotus-acupuncture" / "logo.png")


def riverside() -> None:
    w, h = 600 * S, 300 * S
    img = Image.new("RGB", (w, h), (255, 255, 255))
    d = ImageDraw.Draw(img)
    plum, green = (91, 42, 110), (42, 122, 79)
    d.ellipse((60 * S, 30 * S, 300 * S, 270 * S), outline=plum, width=16 * S)
    for k, color in enumerate((plum, green, plum)):
        pts = [
            (x, 150 * S + k * 40 * S - 60 * S + int(22 * S * math.sin(x / (30 * S)))) for x in range(90 * S, 272 * S, S)
        ]
        d.line(pts, fill=color, width=14 * S)
    for i in range(3):
        x = 340 * S + i * 80 * S
        d.rectangle((x, 90 * S, x + 50 * S, 210 * S), fill=green if i == 1 else plum)
    _save(img, ROOT / "riverside-tcm" / "logo.jpg".replace(".jpg", ".png"))
    Image.open(ROOT / "riverside-tcm" / "logo.png").convert("RGB").save(ROOT / "riverside-tcm" / "logo.jpg", quality=92)
    (ROOT / "riverside-tcm" / "logo.png").unlink()


def north_star() -> None:
    w, h = 500 * S, 300 * S
    img = Image.new("RGBA", (w, h), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    navy, gold = (29, 53, 87, 255), (214, 150, 30, 255)
    cx, cy, r_out, r_in = 150 * S, 150 * S, 130 * S, 40 * S
    pts = []
    for i in range(8):
        a = math.pi / 2 + i * math.pi / 4
        r = r_out if i % 2 == 0 else r_in
        pts.append((cx + r * math.cos(a), cy - r * math.sin(a)))
    d.polygon(pts, fill=navy)
    d.ellipse((cx - 26 * S, cy - 26 * S, cx + 26 * S, cy + 26 * S), fill=gold)
    for i in range(3):
        d.rounded_rectangle(
            (320 * S, (80 + i * 55) * S, (470 - i * 40) * S, (110 + i * 55) * S),
            radius=12 * S,
            fill=gold if i == 0 else navy,
        )
    _save(img, ROOT / "north-star" / "logo.png")


def harmony() -> None:
    """Two leaves curving round a gold centre, in a circle: balance, for a clinic in north London."""
    w, h = 300 * S, 300 * S
    img = Image.new("RGBA", (w, h), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    blue, gold, teal = (36, 80, 107, 255), (200, 160, 20, 255), (46, 125, 120, 255)
    cx, cy, r = 150 * S, 150 * S, 135 * S
    d.ellipse((cx - r, cy - r, cx + r, cy + r), outline=blue, width=14 * S)
    for angle, color in ((35, blue), (215, teal)):
        leaf = Image.new("RGBA", (w, h), (0, 0, 0, 0))
        ld = ImageDraw.Draw(leaf)
        ld.ellipse((cx - 40 * S, cy - 115 * S, cx + 40 * S, cy - 10 * S), fill=color)
        img.alpha_composite(leaf.rotate(angle, center=(cx, cy), resample=Image.BICUBIC))
    d.ellipse((cx - 24 * S, cy - 24 * S, cx + 24 * S, cy + 24 * S), fill=gold)
    _save(img, ROOT / "harmony-centre" / "logo.png")


if __name__ == "__main__":
    lotus()
    riverside()
    north_star()
    harmony()
