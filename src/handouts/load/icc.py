"""Take a clinic's print-shop colour settings and give back checked values: its ICC profile, its CMYK brand colours.

``print_profile:`` must be a CMYK output (printer) profile; ``branding.cmyk`` is declared here.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import ConfigError
from .schema import Field, ListOf, Number, Record

_CMYK = ListOf(Number(0, 100), min_items=4, max_items=4)  # as a brand guide gives it: [C, M, Y, K] in percent
CMYK_FIELD = Field(
    Record({role: Field(_CMYK, doc=f"{role}_color as [C, M, Y, K] in percent") for role in ("primary", "accent")}),
    default=dict,
    doc="the print shop's CMYK values of the brand colours, e.g. primary: [86, 38, 59, 26] (--print-shop)",
)

_WHERE = "print_profile"


def check_print_profile(path: Path, display: str, line: int) -> Path:
    """Return ``path`` when it is an ICC profile a PDF/X output intent can carry: CMYK, for a printer.

    Raises ``ConfigError`` at ``display``:``line`` saying what the file is instead and what to do.
    """
    if path.suffix.lower() not in (".icc", ".icm"):
        raise ConfigError(f"{_WHERE}: {path.name} must be an ICC profile (.icc or .icm)", display, line)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{_WHERE}: cannot read {path.name}: {exc.strerror}", display, line) from None
    if len(data) < 132 or data[36:40] != b"acsp":
        raise ConfigError(
            f"{_WHERE}: {path.name} is not an ICC profile: ask your print shop for the .icc file of its press",
            display,
            line,
        )
    space, kind = data[16:20].decode("latin-1").strip(), data[12:16]
    if space != "CMYK":
        raise ConfigError(
            f"{_WHERE}: {path.name} is an ICC profile for {space or 'an unknown'} colour, not CMYK: "
            "ask your print shop for its CMYK press profile",
            display,
            line,
        )
    if kind != b"prtr":
        raise ConfigError(
            f"{_WHERE}: {path.name} is a CMYK profile but not one for a printing condition (its class is "
            f"{kind.decode('latin-1')!r}, not 'prtr'): ask your print shop for its output profile",
            display,
            line,
        )
    from PIL import ImageCms  # only clinics that name a profile need it here

    try:
        ImageCms.ImageCmsProfile(str(path))
    except (OSError, ImageCms.PyCMSError) as exc:
        raise ConfigError(f"{_WHERE}: {path.name} is a damaged ICC profile ({exc})", display, line) from None
    return path
