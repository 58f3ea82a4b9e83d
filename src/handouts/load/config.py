"""Take a clinic folder (``content/clinics/<slug>/clinic.yaml``) and give back a checked ``Clinic``.

Defaults live in ``CLINIC_FIELDS`` (one declared field each, with what it means); the file is
applied over them. File references (logo, fonts) must stay inside the clinic's own folder.
"""

from __future__ import annotations

import difflib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import ConfigError, raise_all
from .clinic_fields import CLINIC_FIELDS, FACES
from .i18n import DAYS, known, language_alias, territories
from .icc import check_print_profile
from .regions import emergency_number
from .schema import (
    Checker,
    Record,
    did_you_mean,
)
from .yamlio import YMap, load_yaml


@dataclass(frozen=True)
class FontFamily:
    """Paths of one TrueType family; faces not given are ``None``."""

    regular: Path
    bold: Path | None = None
    italic: Path | None = None
    bold_italic: Path | None = None
    field: str = ""
    lines: tuple[tuple[str, int], ...] = ()  # (face, line in clinic.yaml), for error messages

    def line_of(self, face: str) -> int | None:
        """Return the clinic.yaml line that names ``face``, or None for a built-in family."""
        return dict(self.lines).get(face)


@dataclass(frozen=True)
class Clinic:
    """A checked clinic: what a handout may say about it and how it should look."""

    slug: str
    folder: Path
    display: str
    name: dict[str, str]
    tagline: dict[str, str] | None
    short_name: dict[str, str] | None
    region: str
    emergency_number: str
    practitioners: tuple[tuple[str, str | None], ...]
    phone: str
    email: str | None
    website: str | None
    address: tuple[str, ...]
    hours: dict[str, str]
    booking_url: str | None
    paper: str
    languages: tuple[str, ...]
    handouts: tuple[str, ...] | None
    primary_color: str
    accent_color: str
    logo: Path | None
    heading_font: FontFamily | None
    body_font: FontFamily | None
    lines: YMap
    language_fonts: dict[str, dict[str, FontFamily]] = field(default_factory=dict)
    cover_image: Path | None = None
    print_profile: Path | None = None  # the shop's CMYK profile (default: the shipped FOGRA39 one)
    cmyk: dict[str, tuple[float, ...]] = field(default_factory=dict)  # "primary"/"accent" -> C, M, Y, K 0-100

    def files(self) -> list[Path]:
        """Return the files of the clinic's folder its handouts are made from, sorted.

        clinic.yaml, its claims list, the logo, the cover photo and every font file; its own blocks
        are not listed (a handout uses them one by one). Nothing else in the folder is an input.
        """
        used = {self.folder / "clinic.yaml", self.folder / "claims.yaml"}
        used.update(p for p in (self.logo, self.cover_image, self.print_profile) if p is not None)
        families = [self.heading_font, self.body_font]
        families += [f for faces in self.language_fonts.values() for f in faces.values()]
        for family in (f for f in families if f is not None):
            used.update(p for p in (family.regular, family.bold, family.italic, family.bold_italic) if p)
        return sorted(used)


def inside(folder: Path, relative: str, display: str, where: str, line: int) -> Path:
    """Resolve ``relative`` against ``folder``, refusing paths that leave it.

    Returns the resolved path (which must exist and be a file); raises ``ConfigError``.
    """
    if Path(relative).is_absolute() or relative.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", relative):
        raise ConfigError(
            f"{where}: {relative!r} is an absolute path: give a file inside {folder.name}/", display, line
        )
    candidate = folder / relative
    try:
        resolved = candidate.resolve(strict=True)
    except FileNotFoundError:
        files = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
        close = difflib.get_close_matches(relative, files, n=1, cutoff=0.6) or [
            f for f in files if f.lower() == relative.lower()
        ]
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise ConfigError(f"{where}: file {relative!r} not found in {folder.name}/{hint}", display, line) from None
    except (OSError, RuntimeError):
        raise ConfigError(f"{where}: cannot open {relative!r}", display, line) from None
    if not resolved.is_relative_to(folder.resolve()):
        raise ConfigError(
            f"{where}: {relative!r} leads outside the clinic folder: copy the file into {folder.name}/",
            display,
            line,
        )
    if not resolved.is_file():
        raise ConfigError(f"{where}: {relative!r} is not a file", display, line)
    return resolved


# What a file's first bytes say it is: a logo or font that is not what its name says is refused
# here, naming the field, before any parser meets it.
_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"%PDF", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive"),
    (b"\x00\x01\x00\x00", "a TrueType font"),
    (b"true", "a TrueType font"),
    (b"OTTO", "an OpenType (CFF) font"),
    (b"ttcf", "a font collection"),
    (b"wOF", "a web font (WOFF)"),
)
_KINDS = {".png": "a PNG image", ".jpg": "a JPEG image", ".jpeg": "a JPEG image", ".ttf": "a TrueType font"}


def check_kind(path: Path, display: str, where: str, line: int) -> None:
    """Raise ``ConfigError`` when the first bytes of ``path`` are not what its file name says."""
    expected = _KINDS[path.suffix.lower()]
    try:
        with path.open("rb") as fh:
            head = fh.read(16)
    except OSError as exc:
        raise ConfigError(f"{where}: cannot read {path.name}: {exc.strerror}", display, line) from None
    found = next((kind for signature, kind in _SIGNATURES if head.startswith(signature)), None)
    if found == expected:
        return
    if expected == "a TrueType font":
        fix = "use the .ttf file from the font's download (.otf, .woff and collections do not work)"
    elif found in ("a PNG image", "a JPEG image"):
        fix = f"rename it to {path.stem}{'.png' if found == 'a PNG image' else '.jpg'}"
    else:
        fix = "save the logo as a PNG or JPEG image"
    what = "is empty" if not head else f"is {found}, not {expected}" if found else f"is not {expected}"
    raise ConfigError(f"{where}: {path.name} {what}: {fix}", display, line)


def load_clinic(root: Path, slug: str, have_languages: tuple[str, ...] = ()) -> Clinic:
    """Load and check ``content/clinics/<slug>/clinic.yaml`` under the project ``root``.

    ``have_languages`` are the languages the project's content is written in (``strings.yaml``); a
    clinic language outside them is one error at ``languages``, with CLDR's alias as did-you-mean.

    Returns a ``Clinic``; raises ``ConfigError`` (or a ``ProblemList`` of them) naming file,
    line and field for every problem in the file.
    """
    folder = root / "content" / "clinics" / slug
    display = f"content/clinics/{slug}/clinic.yaml"
    data = load_yaml(folder / "clinic.yaml", display, ConfigError)
    ck = Checker(display, ConfigError)
    values = Record(CLINIC_FIELDS).check(data, ck, "", data.line)
    if isinstance(values["languages"], list) and isinstance(values["name"], dict) and "*" not in values["name"]:
        for lang in values["languages"]:
            if lang not in values["name"]:
                ck.fail(
                    data["name"].line_of(next(iter(values["name"]))) if isinstance(data.get("name"), YMap) else 1,
                    "name",
                    f'no name for {lang!r}, which the clinic offers: add {lang}: (or "*": for every other language)',
                )
    if isinstance(values["languages"], list):
        lmap = data.get("languages")
        line = data.line_of("languages")
        if lmap is not None and hasattr(lmap, "item_lines") and lmap.item_lines:
            line = lmap.item_lines[0]
        unknown = [lang for lang in values["languages"] if lang not in have_languages]
        if have_languages and unknown:
            hints = [f"{lang!r} → {alias!r}" for lang in unknown if (alias := language_alias(lang, have_languages))]
            fix = f"did you mean {', '.join(hints)}?" if hints else "use one of: " + ", ".join(have_languages)
            names = ", ".join(repr(lang) for lang in unknown)
            ck.fail(line, "languages", f"no content in {names}: {fix}")
        for i, lang in enumerate(values["languages"]):
            if not have_languages and not known(lang):
                ck.fail(
                    line,
                    f"languages[{i + 1}]",
                    f"{lang!r} is not a language the locale library (CLDR) knows: use a code such as es or zh-Hant",
                )
    if isinstance(values["region"], str) and values["region"] not in territories():
        ck.fail(
            data.line_of("region"),
            "region",
            f"{values['region']!r} is not an ISO 3166-1 country code{did_you_mean(values['region'], territories())}"
            " (for example US, GB, CA, AU, IE, NZ)",
        )
    elif isinstance(values["region"], str) and not (values["emergency_number"] or emergency_number(values["region"])):
        ck.fail(
            data.line_of("region"),
            "region",
            f"handouts does not know the emergency number of {values['region']!r}: add the number patients call "
            'for an ambulance there, e.g. emergency_number: "112"',
        )
    # file references are checked even when other fields are wrong, so every problem shows at once
    branding = values["branding"] if isinstance(values["branding"], dict) else {}
    bmap = data.get("branding") if isinstance(data.get("branding"), YMap) else YMap()
    logo = None
    if isinstance(branding.get("logo"), str):
        try:
            logo = inside(folder, branding["logo"], display, "branding.logo", bmap.line_of("logo"))
            if logo.suffix.lower() not in (".png", ".jpg", ".jpeg"):
                raise ConfigError("branding.logo: must be a .png or .jpg file", display, bmap.line_of("logo"))
            check_kind(logo, display, "branding.logo", bmap.line_of("logo"))
        except ConfigError as exc:
            ck.errors.append(exc)
    cover_image = None
    if isinstance(branding.get("cover_image"), str):
        try:
            where = "branding.cover_image"
            cover_image = inside(folder, branding["cover_image"], display, where, bmap.line_of("cover_image"))
            if cover_image.suffix.lower() not in (".png", ".jpg", ".jpeg"):
                raise ConfigError(f"{where}: must be a .png or .jpg file", display, bmap.line_of("cover_image"))
            check_kind(cover_image, display, where, bmap.line_of("cover_image"))
        except ConfigError as exc:
            ck.errors.append(exc)
    print_profile = None
    if isinstance(values["print_profile"], str):
        try:
            line = data.line_of("print_profile")
            print_profile = check_print_profile(
                inside(folder, values["print_profile"], display, "print_profile", line), display, line
            )
        except ConfigError as exc:
            ck.errors.append(exc)

    def family(value: object, fmap: YMap, prefix: str) -> FontFamily | None:
        """Check one family's files (inside the clinic folder, .ttf) and return it."""
        if not isinstance(value, dict):
            return None
        faces: dict[str, Path | None] = {}
        for face in FACES:
            where = f"{prefix}.{face}"
            if isinstance(value.get(face), str):
                try:
                    faces[face] = inside(folder, value[face], display, where, fmap.line_of(face))
                    if faces[face].suffix.lower() != ".ttf":
                        raise ConfigError(f"{where}: must be a TrueType .ttf file", display, fmap.line_of(face))
                    check_kind(faces[face], display, where, fmap.line_of(face))
                except ConfigError as exc:
                    ck.errors.append(exc)
        if not faces.get("regular"):
            return None
        lines = tuple((face, fmap.line_of(face)) for face in faces)
        return FontFamily(field=prefix, lines=lines, **faces)  # type: ignore[arg-type]

    def _sub(m: object, key: str) -> YMap:
        return m.get(key) if isinstance(m, YMap) and isinstance(m.get(key), YMap) else YMap()

    fonts_value = branding.get("fonts") if isinstance(branding.get("fonts"), dict) else {}
    fonts = {
        role: family(fonts_value.get(role), _sub(_sub(bmap, "fonts"), role), f"branding.fonts.{role}")
        for role in ("heading", "body")
    }
    language_fonts: dict[str, dict[str, FontFamily]] = {}
    by_lang = branding.get("language_fonts") if isinstance(branding.get("language_fonts"), dict) else {}
    for lang, roles in by_lang.items():
        lmap = _sub(_sub(bmap, "language_fonts"), lang)
        found = {
            role: fam
            for role in ("heading", "body")
            if (fam := family(roles.get(role), _sub(lmap, role), f"branding.language_fonts.{lang}.{role}"))
        }
        if found:
            language_fonts[lang] = found
    raise_all(ck.errors)
    return Clinic(
        slug=slug,
        folder=folder,
        display=display,
        name=values["name"],
        tagline=values["tagline"],
        short_name=values["short_name"],
        region=values["region"],
        emergency_number=values["emergency_number"] or emergency_number(values["region"]) or "",
        practitioners=tuple((p["name"], p.get("credentials")) for p in values["practitioners"]),
        phone=values["phone"],
        email=values["email"],
        website=values["website"],
        address=tuple(values["address"]),
        hours={d: values["hours"][d] for d in DAYS if d in values["hours"]},
        booking_url=values["booking_url"],
        paper=values["paper"],
        languages=tuple(values["languages"]),
        handouts=tuple(values["handouts"]) if values["handouts"] is not None else None,
        primary_color=branding["primary_color"],
        accent_color=branding["accent_color"],
        logo=logo,
        heading_font=fonts["heading"],
        body_font=fonts["body"],
        lines=data,
        language_fonts=language_fonts,
        cover_image=cover_image,
        print_profile=print_profile,
        cmyk={role: tuple(v) for role, v in (branding.get("cmyk") or {}).items() if v},
    )


def discover_clinics(root: Path) -> list[str]:
    """Return the slugs of every folder under ``content/clinics`` holding a ``clinic.yaml``, sorted."""
    base = root / "content" / "clinics"
    if not base.is_dir():
        return []
    return sorted(p.name for p in base.iterdir() if p.is_dir() and os.path.lexists(p / "clinic.yaml"))


def localized(value: dict[str, str] | None, lang: str) -> str | None:
    """Pick the text for ``lang`` from a ``{lang: text}`` value (``*`` means every language)."""
    if value is None:
        return None
    return value.get(lang, value.get("*"))


class Fields(dict):
    """A read-only record for templates whose missing names are reported with a did-you-mean."""

    label = "clinic"

    def __str__(self) -> str:
        return str(self.get("name", ""))


class TextList(tuple):
    """A list of lines that prints joined (``{{ clinic.address }}`` → "1 Mill Lane, Riverside"), and can be indexed."""

    joiner = ", "

    def __str__(self) -> str:
        return self.joiner.join(str(v) for v in self)


def _person(name: str, credentials: str | None) -> Fields:
    person = Fields(name=name, credentials=credentials or "", text=f"{name}, {credentials}" if credentials else name)
    person.label = "practitioner"
    return person


def clinic_context(clinic: Clinic, lang: str, days: dict[str, str] | None = None) -> dict[str, Any]:
    """Return the read-only view of a clinic that Jinja text may use as ``clinic`` (see the README's clinic table).

    Lists print as text: ``address`` joined with commas (``address_lines`` one per item),
    ``practitioners`` as "Name, credentials; …", ``hours`` as "Monday: 9:00–17:00; …" with day
    names in ``lang`` (``hours.mon`` is one day's text).
    """
    name = localized(clinic.name, lang) or clinic.slug
    people = TextList(_person(n, c) for n, c in clinic.practitioners)
    people.joiner = "; "  # type: ignore[misc]
    hours = Fields(clinic.hours)
    hours.label = "clinic.hours"
    names = days or {}
    hours_text = "; ".join(f"{names.get(d, d)}: {h}" for d, h in clinic.hours.items())
    hours_view = _Hours(hours, hours_text)
    return Fields(
        name=name,
        short_name=localized(clinic.short_name, lang) or name,
        tagline=localized(clinic.tagline, lang) or "",
        phone=clinic.phone.replace(" ", "\u00a0"),  # a phone number never breaks across lines
        email=clinic.email or "",
        website=clinic.website or "",
        web_address=re.sub(r"^https?://(www\.)?", "", clinic.website or "").rstrip("/"),  # as printed on paper
        booking_url=clinic.booking_url or "",
        address=TextList(clinic.address),
        address_lines=list(clinic.address),
        hours=hours_view,
        practitioners=people,
        region=clinic.region,
        emergency_number=clinic.emergency_number,
        slug=clinic.slug,
    )


class _Hours(Fields):
    """Opening hours by day (``hours.mon``) that print as one line."""

    label = "clinic.hours"

    def __init__(self, by_day: dict[str, str], text: str) -> None:
        super().__init__(by_day)
        self._text = text

    def __str__(self) -> str:
        return self._text
