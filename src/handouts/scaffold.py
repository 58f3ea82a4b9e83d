"""Take a new clinic's slug and give back a commented ``clinic.yaml`` and a placeholder logo that build as is."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

from .errors import ConfigError
from .load.schema import SLUG

TEMPLATE = """\
# {slug}: clinic settings. Every handout for this clinic is built from this file.
# Text values with ':' or a leading '#' (colours) must be in quotes.

name: {name}                       # or per language: {{en: ..., zh-Hans: ...}}
tagline: Acupuncture and Chinese medicine   # short line under the name (optional)

practitioners:                      # who treats patients (optional)
  - name: Your Name
    credentials: L.Ac.

phone: "(555) 010-0000"             # in quotes, or YAML may read it as a number
email: hello@example.com
website: https://example.com
booking_url: https://example.com/book   # printed as a QR code (optional)

address:                            # one item per printed line
  - 1 Example Street
  - Springfield, ST 00000

hours:                              # mon ... sun, in quotes; "closed" for closed days
  mon: "9:00-17:00"
  tue: "9:00-17:00"
  wed: "9:00-17:00"
  thu: "9:00-17:00"
  fri: "9:00-17:00"
  sat: closed
  sun: closed

paper: letter                       # letter or a4
region: US                          # country code: US, GB, CA, AU, IE, NZ, ... (emergency numbers, wording)
# emergency_number: "112"           # only if handouts does not know your region's ambulance number
languages: [en]                     # every handout is built in each of these

branding:
  primary_color: "#2f5d62"          # header band and headings
  accent_color: "#99531a"           # bullets, rules, callout borders (dark enough to read on white)
  logo: logo.png                    # PNG or JPEG in this folder
  # fonts:                          # optional TrueType files in this folder
  #   heading: {{regular: fonts/MyFont-Regular.ttf, bold: fonts/MyFont-Bold.ttf}}
  #   body: {{regular: ..., bold: ..., italic: ..., bold_italic: ...}}
"""


def _png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """Return a plain one-colour PNG (no imaging library needed)."""
    row = b"\x00" + bytes(rgb) * width
    raw = row * height

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


ACRONYMS = frozenset({"tcm", "aom", "llc", "ltd", "pc", "pllc", "usa", "uk", "nyc", "dc", "ny", "la", "sf"})
SMALL_WORDS = frozenset({"and", "of", "the", "for", "at", "in", "on", "by", "de", "del", "la"})


def default_name(slug: str) -> str:
    """Return a readable clinic name from its slug: ``my-clinic`` is ``My Clinic``, ``city-tcm-and-wellness``
    ``City TCM and Wellness``, ``st-johns-acupuncture`` ``St Johns Acupuncture`` (to be corrected in clinic.yaml).
    """
    words = []
    for n, word in enumerate(w for w in slug.split("-") if w):
        if word in ACRONYMS and not (word == "la" and 0 < n):
            words.append(word.upper())
        elif word in SMALL_WORDS and n > 0:
            words.append(word)
        else:
            words.append(word[:1].upper() + word[1:])
    return " ".join(words) or slug


def new_clinic(project: Path, slug: str) -> list[Path]:
    """Create ``content/clinics/<slug>/`` with ``clinic.yaml`` and ``logo.png``.

    Returns the created paths; raises ``ConfigError`` for a bad slug or an existing clinic.
    """
    if not SLUG.fullmatch(slug) or len(slug) > 60:
        raise ConfigError(f"{slug!r} is not a usable clinic slug: use lowercase letters, digits and hyphens")
    folder = project / "content" / "clinics" / slug
    if folder.exists():
        raise ConfigError(f"content/clinics/{slug} already exists: choose another slug or edit that clinic.yaml")
    if not (project / "content").is_dir():
        raise ConfigError(f"{project} has no content/ folder: run this in a handouts project or pass --project")
    folder.mkdir(parents=True)
    name = default_name(slug)
    (folder / "clinic.yaml").write_text(TEMPLATE.format(slug=slug, name=name), encoding="utf-8")
    (folder / "logo.png").write_bytes(_png(240, 80, (47, 93, 98)))
    return [folder / "clinic.yaml", folder / "logo.png"]
