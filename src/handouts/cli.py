"""Take command-line arguments and call the library; nothing else happens here."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import click

from . import __version__
from . import report as rep

PROJECT = click.option(
    "--project",
    "project",
    type=click.Path(file_okay=False, path_type=Path),
    default=".",
    show_default=True,
    help="Project folder holding content/ and layouts/.",
)


class ShardType(click.ParamType):
    """``K/N``: the K-th of N shares of the clinics (``plan.in_shard``)."""

    name = "K/N"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> tuple[int, int]:
        from .plan import parse_shard  # why: --help loads no YAML

        if isinstance(value, tuple):
            return value
        shard, problem = parse_shard(str(value))
        if shard is None:
            self.fail(problem, param, ctx)
        return shard


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="handouts")
def cli() -> None:
    """Build branded, print-ready patient handouts from YAML content and layouts."""


@cli.command()
@PROJECT
@click.option("--clinic", "clinics", multiple=True, metavar="SLUG", help="Only this clinic (repeatable).")
@click.option("--handout", "handouts", multiple=True, metavar="ID", help="Only this handout (repeatable).")
@click.option("--lang", metavar="CODE", help="Only this language, e.g. es or zh-Hans.")
@click.option("--out", type=click.Path(path_type=Path), help="Output folder (default: output/ in the project).")
@click.option("--print-shop", is_flag=True, help="Bleed, crop and fold marks, TrimBox and BleedBox, for a print shop.")
@click.option("--grayscale", is_flag=True, help="For black-and-white printers: grays that keep text contrast.")
@click.option("--large-print", is_flag=True, help="Body text 16 pt or more (brochures and cards become sheets).")
@click.option("-j", "--jobs", type=click.IntRange(min=1), metavar="N", help="Worker processes (default: one per core).")
@click.option("--force", is_flag=True, help="Rebuild every PDF, even those whose inputs have not changed.")
@click.option("--shard", type=ShardType(), help="Only the K-th of N shares of the clinics, e.g. 2/4 (one per machine).")
def build(project: Path, clinics: tuple[str, ...], handouts: tuple[str, ...], lang: str | None, out: Path | None,
          print_shop: bool, grayscale: bool, large_print: bool, jobs: int | None, force: bool,
          shard: tuple[int, int] | None) -> None:  # fmt: skip
    """Build every handout, for every clinic, in every language it offers.

    PDFs whose inputs have not changed since the last build are kept (see --force).
    """
    from .plan import Options
    from .quick import replay  # why: a no-op build loads no YAML and no reportlab
    from .variant import Variant

    variant = Variant(print_shop=print_shop, grayscale=grayscale, large_print=large_print)
    options = Options(clinics=clinics or None, handouts=handouts or None, lang=lang, out=out, variant=variant,
                      jobs=jobs, force=force, shard=shard)  # fmt: skip
    report = replay(project, options)  # nothing to do, told by the stats of the files alone
    if report is None:
        from .build import build as run  # why: each command imports its stage, so --help loads no reportlab

        with rep.Progress() as progress:
            report = run(project, options, progress.update, notice=lambda text: click.echo(text, err=True))
    click.echo(rep.build_summary(report, project))
    rep.raise_failures(report)


@cli.command()
@PROJECT
@click.option("--out", type=click.Path(path_type=Path), help="Output folder to show (default: output/).")
@click.option("-j", "--jobs", type=click.IntRange(min=1), metavar="N", help="Worker processes for the thumbnails.")
def gallery(project: Path, out: Path | None, jobs: int | None) -> None:
    """Write the gallery (index.html) for every PDF in the output folder, e.g. after merging shards' folders."""
    from .build import write_gallery_only  # why: each command imports its stage

    click.echo(rep.gallery_written(write_gallery_only(project, out, jobs), project))


@cli.command("list")
@PROJECT
@click.option("--out", type=click.Path(path_type=Path), help="Output folder to check (default: output/).")
def list_(project: Path, out: Path | None) -> None:
    """List clinics, handouts, layouts and languages, and the built PDFs that are out of date."""
    from .gallery import gallery_tasks  # why: YAML and jinja2 load only for commands that read a project
    from .incremental import current_keys, out_of_date
    from .load.project import load_project
    from .plan import output_folder

    loaded = load_project(project)
    folder = output_folder(loaded.root, out)
    keys = current_keys(loaded, gallery_tasks(loaded, []))
    click.echo(rep.listing(loaded, out_of_date(folder, keys), folder, project))


@cli.command()
@PROJECT
def validate(project: Path) -> None:
    """Check every file and reference without building; report every problem found."""
    from .checks import validate as run  # why: validate imports no reportlab; build's stages would

    loaded, problems = run(project)
    click.echo(rep.validate_summary(loaded, problems))
    rep.raise_problems(problems)


@cli.command()
@PROJECT
@click.option("--strict", is_flag=True, help="Treat warnings as errors (exit 1 on any warning).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="Findings as text grouped by file, or as a JSON list.")  # fmt: skip
@click.option("--max-grade", type=click.FloatRange(min=0), help="Highest reading grade allowed (default: 8).")
@click.option("--max-age-months", type=click.IntRange(min=1), help="Months before a review goes stale (default: 12).")
@click.option("--today", type=click.DateTime(["%Y-%m-%d"]), help="Measure review ages from this date, YYYY-MM-DD.")
def lint(project: Path, strict: bool, fmt: str, max_grade: float | None, max_age_months: int | None,
         today: datetime | None) -> None:  # fmt: skip
    """Check what the content says: reading grade, claims, safety, evidence, unused blocks, TCM terms, translations."""
    from .lint import lint as run  # why: textstat loads dictionaries; only lint needs it
    from .lint import make_options, raise_errors, render_report

    options = make_options(strict=strict, max_grade=max_grade, max_age_months=max_age_months, today=today)
    report = run(project, options)
    click.echo(render_report(report, fmt))
    raise_errors(report)


@cli.command("new-clinic")
@PROJECT
@click.argument("slug")
def new_clinic(project: Path, slug: str) -> None:
    """Create content/clinics/SLUG/ with a commented clinic.yaml and a placeholder logo."""
    from .scaffold import new_clinic as make  # why: each command imports only its own module

    click.echo(rep.created(make(project, slug), project))


@cli.command()
@PROJECT
@click.argument("clinic")
@click.argument("handout")
@click.option("--lang", metavar="CODE", help="Language of the PDF (default: the clinic's first).")
@click.option("--dpi", type=click.IntRange(36, 600), default=150, show_default=True, help="Resolution of the PNGs.")
@click.option("--out", type=click.Path(path_type=Path), help="Output folder the PDF was built in (default: output/).")
@click.option("--print-shop", is_flag=True, help="Preview the print-shop PDF.")
@click.option("--grayscale", is_flag=True, help="Preview the grayscale PDF.")
@click.option("--large-print", is_flag=True, help="Preview the large-print PDF.")
def preview(project: Path, clinic: str, handout: str, lang: str | None, dpi: int, out: Path | None,
            print_shop: bool, grayscale: bool, large_print: bool) -> None:  # fmt: skip
    """Render every page of a built handout as PNG images and print where they are."""
    from .gallery.preview import preview_handout  # why: pypdfium2 loads a native library
    from .variant import Variant

    variant = Variant(print_shop=print_shop, grayscale=grayscale, large_print=large_print)
    paths = preview_handout(project, clinic, handout, lang=lang, variant=variant, out=out, dpi=dpi)
    click.echo(rep.preview_paths(paths, project))


@cli.command("merge-translations")
@PROJECT
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.argument("lang")
def merge_translations(project: Path, folder: Path, lang: str) -> None:
    """Paste a translator's FOLDER (blocks/, handouts/, strings.yaml) into the content as language LANG."""
    from .translations import merge_translations as merge  # why: YAML loads only for commands that read files

    click.echo(rep.merged(merge(project, folder, lang), project))
