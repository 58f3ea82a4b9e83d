"""Take nothing and give back the declared schema of a clinic.yaml: every key, its type, default and doc.

``config.load_clinic`` applies a clinic's file over these defaults.
"""

from __future__ import annotations

import re

from .i18n import DAYS
from .icc import CMYK_FIELD
from .schema import LANG_CODE, SLUG, Choice, Color, Field, ListOf, Localized, MapOf, Record, Text

PAPERS = ("letter", "a4")
FACES = ("regular", "bold", "italic", "bold_italic")

_URL = re.compile(r"^https?://[^\s<>\"']+$")
_EMAIL = re.compile(r"^[^@\s<>\"']+@[^@\s<>\"']+\.[A-Za-z]{2,}$")
_PHONE = re.compile(r"^[0-9+()\-.\s/]{6,}(\s*(ext\.?|x)\s*\d+)?$")

_FONT_FAMILY = Record(
    {
        "regular": Field(Text(), required=True, doc="TrueType file for normal text"),
        "bold": Field(Text(), doc="TrueType file for bold text (needed if any text is bold)"),
        "italic": Field(Text(), doc="TrueType file for italic text"),
        "bold_italic": Field(Text(), doc="TrueType file for bold italic text"),
    }
)


BRANDING_FIELDS: dict[str, Field] = {
    "primary_color": Field(Color(), default="#2f5d62", doc="header bands, headings"),
    "accent_color": Field(Color(), default="#99531a", doc="rules, numbers, callout borders"),
    "logo": Field(Text(), doc="PNG or JPEG file in the clinic folder, e.g. logo.png"),
    "cover_image": Field(Text(), doc="a photo (PNG or JPEG) in the clinic folder for brochure covers"),
    "cmyk": CMYK_FIELD,
    "fonts": Field(
        Record({"heading": Field(_FONT_FAMILY), "body": Field(_FONT_FAMILY)}),
        default=dict,
        doc="optional TrueType families for headings and body text, files in the clinic folder",
    ),
    "language_fonts": Field(
        MapOf(
            Text(pattern=LANG_CODE, pattern_hint="is not a language code such as en, es, zh-Hans"),
            Record({"heading": Field(_FONT_FAMILY), "body": Field(_FONT_FAMILY)}),
        ),
        default=dict,
        doc="fonts for one language, e.g. zh-Hant: {body: {regular: fonts/MyKai.ttf, bold: ...}}",
    ),
}

CLINIC_FIELDS: dict[str, Field] = {
    "name": Field(Localized(Text(max_len=120)), required=True, doc="clinic name, or {lang: name}"),
    "short_name": Field(
        Localized(Text(max_len=60)),
        doc="shorter name for running headers, footers and card headers, or {lang: text} (default: name)",
    ),
    "tagline": Field(Localized(Text(max_len=200)), doc="short line under the name, or {lang: text}"),
    "practitioners": Field(
        ListOf(
            Record(
                {
                    "name": Field(Text(max_len=120), required=True),
                    "credentials": Field(Text(max_len=120), doc="e.g. L.Ac., Dipl. OM"),
                }
            )
        ),
        default=list,
        doc="who treats patients, with credentials",
    ),
    "phone": Field(
        Text(pattern=_PHONE, pattern_hint="is not a phone number: digits, spaces, + ( ) - ."),
        required=True,
        doc='phone number as text, in quotes: "(555) 010-2233"',
    ),
    "email": Field(Text(pattern=_EMAIL, pattern_hint="is not an email address", ascii_only=True), doc="email address"),
    "website": Field(
        Text(pattern=_URL, pattern_hint="must start with https:// or http://", ascii_only=True), doc="website URL"
    ),
    "address": Field(ListOf(Text(max_len=200), min_items=1, max_items=8), required=True, doc="one list item per line"),
    "hours": Field(
        MapOf(Choice(DAYS), Text(max_len=60)),
        default=dict,
        doc='opening hours per day (mon … sun), as quoted text: "9:00–17:00" or "closed"',
    ),
    "booking_url": Field(
        Text(pattern=_URL, pattern_hint="must start with https:// or http://", ascii_only=True),
        doc="online booking link; printed as a QR code",
    ),
    "paper": Field(Choice(PAPERS, example="paper: a4"), default="letter", doc="letter or a4"),
    "region": Field(
        Text(pattern=re.compile(r"^[A-Z]{2}$"), pattern_hint="is not a country code such as US, GB, CA, AU, IE, NZ"),
        default="US",
        doc="ISO 3166-1 country code: which emergency numbers, regulation and spelling the handouts use",
    ),
    "emergency_number": Field(
        Text(pattern=re.compile(r"^[0-9]{2,6}$"), pattern_hint='is not an emergency number: digits only, e.g. "112"'),
        doc="the number patients call for an ambulance, as text (default: the region's, e.g. 911, 999, 000, 112)",
    ),
    "languages": Field(
        ListOf(
            Text(pattern=LANG_CODE, pattern_hint="is not a language code such as en, es, zh-Hans"),
            min_items=1,
            unique=True,
        ),
        default=lambda: ["en"],
        doc="languages every handout is built in",
    ),
    "handouts": Field(
        ListOf(Text(pattern=SLUG, pattern_hint="is not a handout id"), unique=True),
        doc="only these handouts (default: every handout in content/handouts)",
    ),
    "branding": Field(Record(BRANDING_FIELDS), default=dict, doc="colours, logo, fonts"),
    "print_profile": Field(Text(), doc="the print shop's CMYK ICC profile (.icc) in the clinic folder (--print-shop)"),
}
