"""Take a project, the build's plan and the PDFs on disk and give back the front desk's gallery pages.

``write_gallery()`` writes ``output/<clinic>/index.html`` for every clinic with a built PDF: one
card per handout with a thumbnail, its kind, pages and paper, a button per language and links
to the variants built. ``output/index.html`` is that page when there is one clinic, and a list
of the clinics when there are several. The pages work from disk (``file://``): CSS and script
are inline, images sit beside them, nothing is fetched, and a Content-Security-Policy says so.
Every value is escaped by Jinja's autoescape, so a clinic named ``<script>`` is text.

The cards come from the whole plan (every clinic, language and variant the project can build)
checked against the disk, not from what one run wrote: ``build --clinic X`` keeps the other
clinics' cards, and a PDF skipped as up to date is still listed.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import itertools
import logging
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import babel
import jinja2
from markupsafe import Markup

from ..colors import heading_color, parse_hex, text_on, tint
from ..errors import OutputError, PreviewError
from ..files import write_atomic
from ..incremental import Record, current_keys
from ..load.config import Clinic, localized
from ..load.project import Project, clinic_name
from ..plan import Options, Report, Task, plan
from ..render import page_templates
from ..units import PAPER_SIZES
from ..variant import Variant
from .preview import PdfInfo, Previews

log = logging.getLogger(__name__)

ASSETS = Path(__file__).with_name("assets")
UI_LANG = "en"  # the gallery's own words are English; handout titles show in English when they have it

VARIANT_NAMES = {"large-print": "Large print", "grayscale": "Grayscale", "print-shop": "Print shop"}
KIND_NAMES = {"sheet": "Sheet", "tri-fold": "Tri-fold", "card": "Card"}
PAPER_NAMES = {"letter": "Letter", "a4": "A4", "half-letter": "Half letter", "a5": "A5", "legal": "Legal"}
ALL_VARIANTS = tuple(Variant(*flags) for flags in itertools.product((False, True), repeat=3))


@dataclass(frozen=True)
class Language:
    """A language as the gallery shows it."""

    code: str
    name: str  # in the language itself: "Español"
    english: str  # "Spanish"
    dir: str  # "ltr" or "rtl"

    @property
    def label(self) -> str:
        """Return ``Español (Spanish)``, or just the name when both are the same."""
        return self.name if self.name == self.english else f"{self.name} ({self.english})"


@functools.cache
def language(code: str) -> Language:
    """Return how to show the language ``code``, from CLDR (Babel): its name in itself and in English, its direction.

    ``es`` is ``Español (Spanish)``, ``zh-Hans`` ``简体中文 (Chinese (Simplified))``, ``ar`` right to left; a
    code CLDR does not know shows as itself.
    """
    key = code.replace("-", "_")
    try:
        locale = babel.Locale.parse(key)
    except (ValueError, babel.UnknownLocaleError):
        return Language(code, code, code, "ltr")
    name = locale.languages.get(key) or locale.get_display_name(locale) or code
    # a bare language by its English name ("tl": Tagalog, not the Filipino it is an alias of);
    # a script or a region in brackets: "Chinese (Simplified)"
    english = ("_" not in key and babel.Locale.parse(UI_LANG).languages.get(key)) or locale.get_display_name(UI_LANG)
    direction = "rtl" if locale.character_order == "right-to-left" else "ltr"
    return Language(code, name[:1].upper() + name[1:], english, direction)


@dataclass(frozen=True)
class Link:
    """One built PDF as a link on a card."""

    href: str
    language: Language
    title: str  # the handout's title in this language
    pages: int | None
    stale: bool  # not current: its last rebuild failed, or it changed on disk since it was built
    twin: str | None = None  # its HTML twin, when that is current too
    twin_label: str = "Accessible version"  # in the link's language (strings.yaml: accessible_version)


@dataclass
class Card:
    """One handout of one clinic: everything its card shows."""

    id: str
    title: str
    subtitle: str
    kind: str  # "sheet", "tri-fold", "card"
    kind_name: str
    layout_name: str
    print_note: str
    condition: str
    links: list[Link]  # the standard PDF in each language
    variants: list[tuple[str, list[Link]]]  # ("Grayscale", links per language)
    thumbnail: str | None
    thumbnails: dict[str, str]  # language code: thumbnail href, for the language filter
    thumb_href: str | None  # the current PDF the thumbnail opens; None when every copy is out of date
    thumb_hrefs: dict[str, str]  # language code: that language's current PDF, for the language filter
    thumb_size: tuple[int, int]
    pages: str
    paper: str
    search: str  # lowercase words the search box matches, accents removed
    texts: dict[str, tuple[str, str]] = field(default_factory=dict)  # language code: (title, subtitle), for the filter
    lang: str = UI_LANG  # the language of title and subtitle

    @property
    def languages(self) -> str:
        """Return the codes of the languages built, space-separated (``data-langs``)."""
        return " ".join(link.language.code for link in self.links)


@dataclass
class ClinicPage:
    """One clinic's page: its branding and its cards."""

    slug: str
    name: str
    tagline: str
    logo: str | None
    colors: dict[str, str]
    cards: list[Card]
    conditions: list[tuple[str, str]]  # (tag, label)
    languages: list[Language]
    kinds: list[tuple[str, str]]  # (label, name)
    paper: str
    back: str | None = None  # link to the list of clinics
    prefix: str = ""  # path from the page to the clinic folder


def fold(text: str) -> str:
    """Return ``text`` lowercased and without accents, the way the search box compares (``Ciática`` → ``ciatica``)."""
    decomposed = unicodedata.normalize("NFD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def paper_label(width: float, height: float, metric: bool) -> str:
    """Return the paper a page needs: ``Letter``, ``A4, landscape``, or its size when it has no name."""
    for key, (w, h) in PAPER_SIZES.items():
        if abs(min(width, height) - w) < 2 and abs(max(width, height) - h) < 2:
            name = PAPER_NAMES.get(key, key)
            break
    else:
        if metric:
            name = f"{width * 25.4 / 72:.0f} × {height * 25.4 / 72:.0f} mm"
        else:
            name = f"{width / 72:.3g} × {height / 72:.3g} in"
        return name
    return f"{name}, landscape" if width > height else name


def gallery_tasks(project: Project, tasks: Iterable[Task]) -> list[Task]:
    """Return every task the project can build, for every clinic and variant, then this run's ``tasks`` not among them.

    Planning is cheap (no drawing); the gallery keeps the ones whose PDF exists.
    """
    every: dict[Task, None] = {}
    for variant in ALL_VARIANTS:
        for task in plan(project, Options(variant=variant), Report(out=project.root)):
            every[task] = None
    for task in tasks:
        every.setdefault(task, None)
    return list(every)


def _colors(clinic: Clinic) -> dict[str, str]:
    """Return the page's colours from the clinic's brand, each pair readable (WCAG AA for text)."""
    primary, accent = clinic.primary_color, clinic.accent_color
    parse_hex(primary), parse_hex(accent)  # only checked colours reach the stylesheet
    strong = heading_color(primary)
    return {
        "primary": primary,
        "on-primary": text_on(primary),
        "accent": accent,
        "strong": strong,  # headings, links and focus rings on white
        "tint": tint(primary, 0.9),
    }


def _css_block(selector: str, colors: dict[str, str]) -> str:
    return selector + " {" + " ".join(f"--{k}: {v};" for k, v in colors.items()) + "}\n"


def _copy_logo(clinic: Clinic, folder: Path) -> str | None:
    """Copy the clinic's logo next to its page (only when it changed); return its file name."""
    if clinic.logo is None:
        return None
    target = folder / ("logo" + clinic.logo.suffix.lower())
    try:
        data = clinic.logo.read_bytes()
        if not target.is_file() or target.read_bytes() != data:
            write_atomic(target, data)
    except OSError as exc:
        raise OutputError(f"cannot copy the logo to {target}: {exc.strerror}") from None
    return target.name


def _title(project: Project, handout: str, lang: str) -> tuple[str, str]:
    text = project.handouts[handout].text
    words = text.get(lang) or text.get(UI_LANG) or next(iter(text.values()))
    return words["title"], words.get("subtitle") or ""


def _card(
    project: Project,
    clinic: Clinic,
    handout: str,
    tasks: list[Task],
    previews: Previews,
    record: Record,
    keys: Callable[[str], str | None],
) -> Card | None:
    """Return the card of one handout from its tasks whose PDFs exist, or ``None`` when no PDF can be read."""
    recipe = project.handouts[handout]
    order = {code: n for n, code in enumerate(clinic.languages)}
    tasks = sorted(tasks, key=lambda t: (order.get(t.lang, len(order)), t.lang))
    infos: dict[Task, PdfInfo] = {}
    for task in tasks:
        pdf = previews.folder / task.filename()
        try:
            infos[task] = previews.thumbnail(pdf)
        except PreviewError as exc:
            log.warning("%s: left out of the gallery", exc.format_message())
    if not infos:
        return None

    # built from today's inputs too; a name the project cannot build has no key of today ("?" matches none)
    current = {t: record.is_current(t.name(), previews.digest(previews.folder / t.filename()), keys(t.name()) or "?")
               for t in infos}  # fmt: skip

    def link(task: Task) -> Link:
        title = _title(project, handout, task.lang)[0]
        twin = previews.folder / task.twin_filename()
        twin_current = current[task] and twin.is_file() and record.current(task.twin_name(), twin)
        strings = project.strings_for(clinic, task.lang) if task.lang in project.strings else {}
        label = strings.get("accessible_version")
        return Link(
            quote(task.filename()),
            language(task.lang),
            title,
            infos[task].pages,
            not current[task],
            quote(task.twin_filename()) if twin_current else None,
            label or "Accessible version",
        )

    standard = [t for t in tasks if t in infos and t.variant == Variant()]
    variants: dict[Variant, list[Task]] = {}
    for task in tasks:
        if task in infos and task.variant != Variant():
            variants.setdefault(task.variant, []).append(task)
    shown = standard or [t for t in tasks if t in infos]
    main = next((t for t in shown if current[t]), shown[0])  # the picture is of a copy that may be printed
    info = infos[main]
    counts = sorted({infos[t].pages for t in standard} or {info.pages})
    pages = f"{counts[0]} page" + ("s" if counts[0] > 1 else "")
    if len(counts) > 1:
        pages = f"{counts[0]}–{counts[-1]} pages"
    layout = project.layouts.get(recipe.layout)
    title, subtitle = _title(project, handout, UI_LANG if UI_LANG in recipe.text else main.lang)
    return Card(
        id=handout,
        title=title,
        subtitle=subtitle,
        kind=layout.label if layout else "",
        kind_name=KIND_NAMES.get(layout.label, layout.label) if layout else "",
        layout_name=layout.name if layout else recipe.layout,
        print_note=(layout.print_note or "") if layout else "",
        condition=recipe.tags.get("condition", ""),
        links=[link(t) for t in standard],
        variants=[
            (_variant_name(v), [link(t) for t in ts])
            for v, ts in sorted(variants.items(), key=lambda kv: (kv[0].suffix().count("."), kv[0].suffix()))
        ],
        thumbnail="previews/" + quote(info.thumbnail.name),
        thumbnails={t.lang: "previews/" + quote(infos[t].thumbnail.name) for t in standard if current[t]},
        thumb_href=quote(main.filename()) if current[main] else None,
        thumb_hrefs={t.lang: quote(t.filename()) for t in standard if current[t]},
        thumb_size=info.thumb_size,
        pages=pages,
        paper=paper_label(info.width, info.height, clinic.paper == "a4"),
        search=_search_text(project, handout),
        texts={t.lang: _title(project, handout, t.lang) for t in standard if t.lang in recipe.text},
        lang=UI_LANG if UI_LANG in recipe.text else main.lang,
    )


def _variant_name(variant: Variant) -> str:
    """Return ``Grayscale`` or ``Large print, grayscale``."""
    return ", ".join(VARIANT_NAMES[p] for p in variant.suffix().strip(".").split(".")).capitalize()


def _search_text(project: Project, handout: str) -> str:
    """Return what the search box matches: id, tags, symptom words, kind, and titles in every language, folded."""
    recipe = project.handouts[handout]
    words = [handout, *recipe.tags.values()]
    for text in recipe.text.values():
        words += [text["title"], text.get("subtitle") or ""]
    for symptoms in recipe.symptoms.values():
        words += symptoms  # the words patients use: "back pain", "pies dormidos"
    layout = project.layouts.get(recipe.layout)
    if layout:
        words.append(KIND_NAMES.get(layout.label, layout.label))
    return fold(" ".join(w.replace("-", " ") for w in words if w))


def _clinic_page(
    project: Project,
    clinic: Clinic,
    tasks: list[Task],
    folder: Path,
    record: Record,
    keys: Callable[[str], str | None],
    jobs: int | None = None,
) -> ClinicPage:
    previews = Previews(folder, record.digest)
    previews.prepare([folder / t.filename() for t in tasks], jobs)
    per_handout: dict[str, list[Task]] = {}
    for task in tasks:
        per_handout.setdefault(task.handout, []).append(task)
    cards = [c for h, ts in per_handout.items() if (c := _card(project, clinic, h, ts, previews, record, keys))]
    previews.save()
    cards.sort(key=lambda c: (bool(c.condition), fold(c.title)))
    conditions: dict[str, str] = {}
    for card in sorted(cards, key=lambda c: c.id):
        if card.condition:
            conditions.setdefault(card.condition, card.title)
    codes = {link.language.code for card in cards for link in card.links}
    order = {code: n for n, code in enumerate(clinic.languages)}
    rank = {kind: n for n, kind in enumerate(KIND_NAMES)}
    kinds = sorted({(c.kind, c.kind_name) for c in cards if c.kind}, key=lambda k: (rank.get(k[0], len(rank)), k[0]))
    lang = UI_LANG if localized(clinic.name, UI_LANG) else clinic.languages[0]
    return ClinicPage(
        slug=clinic.slug,
        name=clinic_name(clinic, lang),
        tagline=localized(clinic.tagline, lang) or "",
        logo=_copy_logo(clinic, folder),
        colors=_colors(clinic),
        cards=cards,
        conditions=sorted(conditions.items(), key=lambda kv: fold(kv[1])),
        languages=[language(c) for c in sorted(codes, key=lambda c: (order.get(c, len(order)), c))],
        kinds=kinds,
        paper=PAPER_NAMES.get(clinic.paper, clinic.paper),
    )


def _hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"


def _render(env: jinja2.Environment, template: str, css: str, **context: object) -> bytes:
    """Render a page with its stylesheet and script inline, and a policy allowing only those and local images."""
    script = (ASSETS / "gallery.js").read_text(encoding="utf-8")
    policy = (
        f"default-src 'none'; img-src 'self'; style-src {_hash(css)}; script-src {_hash(script)}; "
        "base-uri 'none'; form-action 'none'"
    )
    html = env.get_template(template).render(css=Markup(css), script=Markup(script), policy=Markup(policy), **context)
    return html.encode("utf-8")


def _write(path: Path, data: bytes) -> None:
    """Write ``data`` atomically, leaving the file alone (and its date) when it already holds it."""
    try:
        if path.is_file() and path.read_bytes() == data:
            return
        write_atomic(path, data)
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {exc.strerror}") from None


def write_gallery(
    project: Project,
    tasks: Iterable[Task],
    out: Path,
    jobs: int | None = None,
    keys: Callable[[str], str | None] | None = None,
) -> Path:
    """Write the gallery pages for every PDF of the project's plan (plus ``tasks``) that exists under ``out``.

    Whether a PDF may be printed comes from the output folder's build record, whatever this run
    built: a PDF marked stale there (its rebuild failed), changed on disk since it was written,
    built from other inputs than the project's files give it now (a variant no build has redone
    since), or not recorded at all is shown as out of date and never linked. Renders the thumbnails it
    needs (``keys``: the build's lookup of today's inputs keys, from ``incremental.current_keys``).
    Returns the path of ``out/index.html``; raises ``OutputError`` when a page, image or
    record cannot be written.
    """
    env = page_templates(ASSETS)
    record = Record(out)
    found: dict[str, list[Task]] = {}
    every = gallery_tasks(project, tasks)
    for task in every:
        if task.clinic in project.clinics and (out / task.clinic / task.filename()).is_file():
            found.setdefault(task.clinic, []).append(task)
    keys = keys or current_keys(project, every)  # a PDF built from other inputs than today's is out of date
    base_css = (ASSETS / "gallery.css").read_text(encoding="utf-8")
    pages = [
        _clinic_page(project, project.clinics[slug], found[slug], out / slug, record, keys, jobs)
        for slug in sorted(found)
    ]
    pages = [p for p in pages if p.cards]
    for page in pages:
        page.back = "../index.html" if len(pages) > 1 else None
        css = _css_block(":root", page.colors) + base_css
        _write(out / page.slug / "index.html", _render(env, "clinic.html", css, page=page))
    index = out / "index.html"
    if len(pages) == 1:
        page = pages[0]
        page.back, page.prefix = None, quote(page.slug) + "/"
        css = _css_block(":root", page.colors) + base_css
        _write(index, _render(env, "clinic.html", css, page=page))
    else:
        css = "".join(_css_block(f".clinic-{n}", p.colors) for n, p in enumerate(pages)) + base_css
        _write(index, _render(env, "index.html", css, pages=pages))
    record.save_stamps()
    return index
