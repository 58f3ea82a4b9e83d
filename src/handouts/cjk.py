"""Take a language and give back the built-in TrueType family that can draw its script.

Chinese handouts use Noto Sans SC (``zh-Hans``) or Noto Sans TC (``zh-Hant``), SIL Open Font
License, installed with handouts from the ``justmytype-intl-cjk`` package. That package ships
them as *variable* fonts, whose default master is Thin, and reportlab draws only the default
master, so the first time a script is needed its Regular (400) and Bold (700) instances are
made with fontTools and kept in a cache folder (``$HANDOUTS_CACHE``, else
``$XDG_CACHE_HOME/handouts``, else ``~/.cache/handouts``). That takes about 20 seconds per
face, once per machine; later builds read the cached files. Each prepared file has a
``.sha256`` beside it, written after the font: a file that does not match it (cut short by a
full disk, changed by hand) is made again, since it is derived data.

A clinic that wants another Chinese font sets ``branding.language_fonts`` in its clinic.yaml.
"""

from __future__ import annotations

import functools
import hashlib
import io
from pathlib import Path

from .errors import OutputError
from .files import cache_dir, locked, sha256_file, write_atomic
from .load.config import Clinic, FontFamily
from .pool import process_pool

PACKAGE = "justmytype-intl-cjk"
FACES = {"regular": 400, "bold": 700}
_SOURCES = {"sc": "notosanssc/NotoSansSC[wght].ttf", "tc": "notosanstc/NotoSansTC[wght].ttf"}
LABELS = {"sc": "Noto Sans SC", "tc": "Noto Sans TC"}
_TRADITIONAL = ("zh-hant", "zh-tw", "zh-hk", "zh-mo")


def script_for(lang: str) -> str | None:
    """Return ``"sc"`` or ``"tc"`` for a Chinese language code, else None (Latin-script languages)."""
    code = lang.lower()
    if not (code == "zh" or code.startswith("zh-")):
        return None
    return "tc" if any(code == t or code.startswith(t + "-") for t in _TRADITIONAL) else "sc"


def builtin_script(clinic: Clinic, lang: str) -> str | None:
    """Return the script whose built-in font ``clinic``'s handouts in ``lang`` use, or None when
    the language is not Chinese or the clinic names its own body font for it."""
    return None if clinic.language_fonts.get(lang, {}).get("body") else script_for(lang)


def is_cjk(lang: str) -> bool:
    """True when ``lang`` is written in Chinese characters (line breaks between characters, not at spaces)."""
    return script_for(lang) is not None


def _source(script: str) -> Path:
    from importlib import resources

    try:
        root = resources.files("justmytype_intl_cjk")
    except ModuleNotFoundError:
        raise OutputError(
            f"the Chinese fonts package {PACKAGE} is not installed: run pip install -e . again "
            "(or set branding.language_fonts in clinic.yaml)"
        ) from None
    path = Path(str(root / "fonts" / "ofl" / _SOURCES[script]))
    if not path.is_file():
        raise OutputError(f"{PACKAGE} is installed but lacks {_SOURCES[script]}: reinstall it")
    return path


def _target(script: str, face: str) -> Path:
    from importlib import metadata

    source = _source(script)
    tools = metadata.version("fonttools")  # the version, without importing fontTools into a build that needs none of it
    key = f"{metadata.version(PACKAGE)} {source.stat().st_size} {tools} {FACES[face]} fixed-dates"
    digest = hashlib.sha256(key.encode()).hexdigest()[:12]
    return cache_dir() / f"{LABELS[script].replace(' ', '')}-{FACES[face]}-{digest}.ttf"


def ready(script: str) -> bool:
    """True when both faces of ``script`` are in the cache and intact."""
    return all(_intact(_target(script, face)) for face in FACES)


def _seal(target: Path) -> Path:
    return target.with_name(target.name + ".sha256")


def _intact(target: Path) -> bool:
    """True when ``target`` is a regular file whose SHA-256 is the one written beside it when it was made."""
    try:
        if target.is_symlink() or not target.is_file():
            return False
        font, seal = target.stat(), _seal(target).stat()
        return _digest_matches(target, (font.st_size, font.st_mtime_ns, font.st_ino, seal.st_mtime_ns, seal.st_ino))
    except OSError:
        return False


@functools.lru_cache(maxsize=8)
def _digest_matches(target: Path, stamp: tuple[int, ...]) -> bool:  # stamp: a changed file is read again
    try:
        expected = _seal(target).read_text(encoding="ascii").strip()
        # read in chunks: a whole 10 MB face read at once stayed in the parent's heap, and so in every worker
        return sha256_file(target) == expected
    except (OSError, UnicodeDecodeError):
        return False


def prepare(script: str, face: str) -> Path:
    """Return the cached static instance of ``script``'s ``face``, making it first if needed."""
    target = _target(script, face)
    if _intact(target):
        return target
    folder = target.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with locked(folder / ".lock"):
            if _intact(target):
                return target
            data = _instance(script, face)
            if target.is_symlink():
                target.unlink()  # write_atomic replaces the link itself, never what it points to
            write_atomic(target, data)
            write_atomic(_seal(target), hashlib.sha256(data).hexdigest().encode("ascii"))
    except OSError as exc:
        raise OutputError(
            f"cannot prepare the {LABELS[script]} font in {folder} ({exc.strerror or exc}): "
            "set HANDOUTS_CACHE to a writable folder"
        ) from None
    if not _intact(target):
        raise OutputError(
            f"the prepared {LABELS[script]} font {target} does not match what was just written: delete the folder "
            f"{folder} (derived data, made again by the next build) or set HANDOUTS_CACHE to another folder"
        )
    return target


def _instance(script: str, face: str) -> bytes:
    """Return the static ``face`` instance of ``script``'s variable font, as TrueType bytes (about 20 s)."""
    from fontTools.ttLib import TTFont
    from fontTools.varLib import instancer

    font = TTFont(_source(script))
    static = instancer.instantiateVariableFont(font, {"wght": FACES[face]}, updateFontNames=True)
    static.recalcTimestamp = False  # keep the source's dates: the PDFs embed this font's head table
    data = io.BytesIO()
    static.save(data)
    return data.getvalue()


def _prepare_pair(pair: tuple[str, str]) -> str:
    return str(prepare(*pair))


def prepare_all(scripts: set[str], jobs: int) -> None:
    """Make every missing face of ``scripts``, several at once when ``jobs`` allows."""
    missing = [(s, f) for s in sorted(scripts) for f in FACES if not _intact(_target(s, f))]
    if len(missing) <= 1 or jobs <= 1:
        for pair in missing:
            prepare(*pair)
        return
    with process_pool(min(jobs, len(missing))) as pool:
        list(pool.map(_prepare_pair, missing))


def family(script: str) -> FontFamily:
    """Return the built-in family for ``script`` (Regular and Bold; no italic, as is usual for Chinese)."""
    return FontFamily(
        regular=prepare(script, "regular"),
        bold=prepare(script, "bold"),
        italic=None,
        bold_italic=None,
        field=f"(built-in {LABELS[script]})",
    )
