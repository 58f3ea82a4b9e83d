"""Take a project folder (``content/`` and ``layouts/``) and give back everything in it, checked.

Problems are kept per clinic: a broken clinic (or a broken clinic override block) is reported
and the other clinics still build. Problems in shared files (a shared block, a handout, a
layout) are reported once and stop only the handouts that use them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import ConfigError, ContentError, HandoutError
from ..files import path_problem
from .config import Clinic, clinic_context, discover_clinics, load_clinic, localized
from .content import (
    Block,
    Handout,
    Strings,
    languages_of,
    read_block,
    read_folder,
    read_handout,
    read_strings,
    strings_for,
)
from .i18n import day_names, long_date
from .layout import Layout, load_layout
from .schema import SLUG, did_you_mean


@dataclass
class Project:
    """Everything loaded from one project folder, with the problems found along the way."""

    root: Path
    blocks: dict[str, Block]
    handouts: dict[str, Handout]
    layouts: dict[str, Layout]
    strings: dict[str, Strings]
    clinics: dict[str, Clinic]
    clinic_blocks: dict[str, dict[str, Block]]
    shared_problems: list[HandoutError] = field(default_factory=list)
    clinic_problems: dict[str, list[HandoutError]] = field(default_factory=dict)
    broken_files: set[str] = field(default_factory=set)

    def clinic_slugs(self) -> list[str]:
        """Return every clinic folder's slug, loaded or broken, sorted."""
        return sorted(set(self.clinics) | set(self.clinic_problems))

    def block_for(self, clinic: str, block_id: str) -> Block | None:
        """Return the clinic's own block ``block_id`` if it has one, else the shared one, in the clinic's region."""
        block = self.clinic_blocks.get(clinic, {}).get(block_id) or self.blocks.get(block_id)
        loaded = self.clinics.get(clinic)
        return block.in_region(loaded.region) if block is not None and loaded is not None else block

    def strings_for(self, clinic: Clinic, lang: str) -> Strings:
        """Return the page strings of ``lang`` as ``clinic``'s region reads them."""
        return strings_for(self.strings, lang, clinic.region)

    def handouts_for(self, clinic: Clinic) -> list[str]:
        """Return the ids of the handouts ``clinic`` gets, in a stable order."""
        if clinic.handouts is not None:
            return [h for h in clinic.handouts if h in self.handouts]
        return sorted(self.handouts)


def _flatten(exc: HandoutError) -> list[HandoutError]:
    return list(getattr(exc, "problems", [exc]))


def load_project(root: Path) -> Project:
    """Load every file of the project at ``root``.

    Returns a ``Project``; never raises for content problems (they are collected), only
    ``ContentError`` when ``root`` is not a project at all.
    """
    root = root.resolve()
    if not (root / "content").is_dir() or not (root / "layouts").is_dir():
        raise ContentError(
            f"{root} is not a handouts project: it needs content/ and layouts/ folders "
            "(run from the project folder or pass --project DIR)"
        )
    for folder in ("content", "layouts", "content/blocks", "content/handouts", "content/clinics"):
        problem = path_problem(root / folder, root) if (root / folder).exists() else None
        if problem:
            raise ContentError(f"{folder}/ {problem}")
    shared: list[HandoutError] = []
    blocks, problems = read_folder(root, root / "content" / "blocks", read_block)
    shared += problems
    handouts, problems = read_folder(root, root / "content" / "handouts", read_handout)
    shared += problems
    layouts, problems = read_folder(root, root / "layouts", load_layout)
    shared += problems
    try:
        strings = read_strings(root)
    except HandoutError as exc:
        shared += _flatten(exc)
        strings = {}
    project = Project(root, blocks, handouts, layouts, strings, {}, {}, shared)
    project.broken_files = {p.path for p in shared if p.path}
    for slug in discover_clinics(root):
        problems = []
        folder = root / "content" / "clinics" / slug
        if not SLUG.fullmatch(slug):  # as strict as new-clinic: the slug names output folders and files
            project.clinic_problems[slug] = [
                ConfigError(
                    "the folder name must be lowercase letters, digits and hyphens (as handouts new-clinic makes "
                    "them): rename the folder",
                    f"content/clinics/{slug}",
                )
            ]
            continue
        problem = path_problem(folder, root) or path_problem(folder / "clinic.yaml", root)
        if problem:  # a clinic folder (or its clinic.yaml) linked in from outside the project is not read
            shown = f"content/clinics/{slug}" + ("" if path_problem(folder, root) else "/clinic.yaml")
            project.clinic_problems[slug] = [ConfigError(problem, shown)]
            continue
        try:
            project.clinics[slug] = load_clinic(root, slug, languages_of(strings))
        except HandoutError as exc:
            problems += _flatten(exc)
        own, block_problems = read_folder(root, root / "content" / "clinics" / slug / "blocks", read_block)
        project.clinic_blocks[slug] = own
        problems += block_problems
        if slug in project.clinics:
            problems += _override_languages(project.clinics[slug], own)
        project.clinic_problems[slug] = problems
    return project


def _override_languages(clinic: Clinic, own: dict[str, Block]) -> list[HandoutError]:
    """Return one problem per clinic override block that lacks languages the clinic offers, naming them."""
    out: list[HandoutError] = []
    for block in own.values():
        lacking = [lang for lang in clinic.languages if lang not in block.text]
        if lacking:
            out.append(
                ContentError(
                    f"text: this override of block {block.id!r} has no {', '.join(lacking)}, which the clinic "
                    f"offers: add text.{lacking[0]} (copy it from content/blocks/{block.id}.yaml)",
                    block.display,
                    block.lines.line_of("text"),
                )
            )
    return out


def check_references(project: Project, clinic: Clinic, handout_id: str, lang: str) -> list[HandoutError]:
    """Return the problems that stop ``handout_id`` building for ``clinic`` in ``lang``.

    Checks the layout exists and has each slot, each block exists and has the language, and
    the page strings have the language. Does not render anything.
    """
    out: list[HandoutError] = []
    handout = project.handouts[handout_id]
    lines = handout.lines
    if handout_id == "index":  # its HTML twin, output/<clinic>/index.html, would replace the clinic's gallery page
        message = "a handout may not be called 'index': its web page would replace the gallery's index.html: rename it"
        out.append(ContentError(message, handout.display))
    if handout.layout not in project.layouts:
        if f"layouts/{handout.layout}.yaml" in project.broken_files:
            out.append(
                ContentError(
                    f"layout: {handout.layout!r} has errors (see layouts/{handout.layout}.yaml)",
                    handout.display,
                    lines.line_of("layout"),
                )
            )
        else:
            out.append(
                ContentError(
                    f"layout: no layout {handout.layout!r} in layouts/{did_you_mean(handout.layout, project.layouts)}",
                    handout.display,
                    lines.line_of("layout"),
                )
            )
        return out
    layout = project.layouts[handout.layout]
    slots = layout.slots()
    slot_lines = lines.get("slots") or {}
    for slot, ids in handout.slots.items():
        sline = slot_lines.line_of(slot) if hasattr(slot_lines, "line_of") else lines.line
        if slot not in slots:
            out.append(
                ContentError(
                    f"slots.{slot}: layout {layout.id!r} has no slot {slot!r} "
                    f"(it has: {', '.join(slots)}){did_you_mean(slot, slots)}",
                    handout.display,
                    sline,
                )
            )
            continue
        id_lines = slot_lines.get(slot)
        for i, block_id in enumerate(ids):
            bline = id_lines.line_of(i) if hasattr(id_lines, "line_of") else sline
            block = project.block_for(clinic.slug, block_id)
            if block is None:
                broken = f"content/blocks/{block_id}.yaml" in project.broken_files
                detail = (
                    "has errors (see that file)"
                    if broken
                    else f"does not exist in content/blocks/{did_you_mean(block_id, project.blocks)}"
                )
                out.append(ContentError(f"slots.{slot}[{i + 1}]: block {block_id!r} {detail}", handout.display, bline))
            elif lang not in block.text and block_id not in project.clinic_blocks.get(clinic.slug, {}):
                # (a clinic's own override that lacks a language is reported once, at the override)
                out.append(
                    ContentError(
                        f"text.{lang}: block {block_id!r} has no {lang!r} translation, "
                        f"needed by clinic {clinic.slug!r} "
                        f"for handout {handout_id!r}: add text.{lang} to the block",
                        block.display,
                        block.lines.line_of("text"),
                    )
                )
    if lang not in handout.text:
        out.append(
            ContentError(
                f"text.{lang}: handout {handout_id!r} has no {lang!r} title: add text.{lang}.title",
                handout.display,
                lines.line_of("text"),
            )
        )
    if "content/strings.yaml" in project.broken_files or not project.strings:
        out.append(ContentError("the page strings have errors: see the messages for this file", "content/strings.yaml"))
    elif lang not in project.strings or "@" in lang:
        out.append(
            ContentError(f"{lang}: no page strings for {lang!r}: add a {lang}: section", "content/strings.yaml", 1)
        )
    return out


def handout_context(project: Project, clinic: Clinic, handout: Handout, lang: str) -> dict[str, Any]:
    """Return the names Jinja text may use: ``clinic``, ``handout``, ``lang``, ``today`` is not one of them.

    (Dates would make builds unrepeatable; the newest review date is given as ``reviewed``.)
    """
    words = handout.text.get(lang, {})
    blocks = [b for ids in handout.slots.values() for i in ids if (b := project.block_for(clinic.slug, i))]
    reviewed = min((b.reviewed for b in blocks), default=None)
    return {
        "clinic": clinic_context(clinic, lang, day_names(lang)),
        "handout": {"id": handout.id, "title": words.get("title", ""), "subtitle": words.get("subtitle") or ""}
        | {"headline": words.get("headline") or words.get("title", ""), "disclaimer": ""}  # disclaimer: see Writer
        | {"review": ""},  # "Reviewed <month> · rev <code>": set by handout.render, which computes the code
        "lang": lang,
        "reviewed": long_date(reviewed, lang) if reviewed else "",
    }


def clinic_name(clinic: Clinic, lang: str) -> str:
    """Return the clinic's name in ``lang``."""
    return localized(clinic.name, lang) or clinic.slug
