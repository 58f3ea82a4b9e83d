"""A fixture project for the gallery: a clinic offering English and Spanish, a second clinic on A4, and a built output.

``demo`` (en, es; named ``Chen & Wu <Acupuncture>``) gets a welcome sheet, two condition sheets
(sciatica and carpal tunnel) and an aftercare card; ``harbour`` (en, A4) gets the same in English.
``build_gallery_project`` builds everything, plus a grayscale sciatica sheet for ``demo``.
"""

from __future__ import annotations

import re
from pathlib import Path

from conftest import REPO, base_files, write_tree

from handouts.build import build
from handouts.plan import Options
from handouts.variant import Variant

HARBOUR = """\
name: Harbour Acupuncture
tagline: Care by the sea
phone: "+44 5550 000 111"
address: [1 Quay Street, Harbourtown]
paper: a4
languages: [en]
branding:
  primary_color: "#7a2e2e"
  accent_color: "#d9a441"
  logo: logo.jpg
"""

SPANISH_STRINGS = {
    "page_of": "Página {{ page }} de {{ pages }}",
    "hours": "Horario",
    "call_us": "Llámenos",
    "book_online": "Reserve en línea",
    "scan_to_book": "Escanee para reservar",
    "closed": "Cerrado",
    "day_mon": "Lunes",
    "day_tue": "Martes",
    "day_wed": "Miércoles",
    "day_thu": "Jueves",
    "day_fri": "Viernes",
    "day_sat": "Sábado",
    "day_sun": "Domingo",
    "symptoms": "Síntomas comunes",
    "causes": "Causas comunes",
    "how_acupuncture_may_help": "Cómo puede ayudar la acupuntura",
    "what_research_says": "Lo que dice la investigación",
    "warning_signs": "Vea a un médico ahora si tiene",
    "references": "Referencias",
    "disclaimer_short": "Solo para informarse. No es un diagnóstico. Siga viendo a su médico.",
    "reviewed": "Contenido revisado {{ reviewed }}",
}


def _strings() -> str:
    """Return the shipped page strings with an ``es:`` section (added here unless the shipped file has one)."""
    text = (REPO / "content" / "strings.yaml").read_text(encoding="utf-8")
    if re.search(r"^es:", text, re.M):
        return text
    return text + "es:\n" + "".join(f'  {k}: "{v}"\n' for k, v in SPANISH_STRINGS.items())


def _block(kind: str, en: str, es: str) -> str:
    return f"kind: {kind}\nreviewed: 2026-11-01\nsources: [test]\ntext:\n  en:\n{en}  es:\n{es}"


def _handout(layout: str, en: str, es: str, slots: str, condition: str | None = None) -> str:
    tags = f"tags: {{condition: {condition}}}\n" if condition else ""
    return f"layout: {layout}\ntext:\n  en:\n    title: {en}\n  es:\n    title: {es}\n{tags}slots:\n  {slots}\n"


def gallery_files() -> dict[str, str | bytes | None]:
    """Return the fixture project's files."""
    files = base_files()
    clinic = str(files["content/clinics/demo/clinic.yaml"]).replace("languages: [en]", "languages: [en, es]")
    files.update(
        {
            "layouts/card.yaml": (REPO / "layouts" / "card.yaml").read_text(encoding="utf-8"),
            "content/strings.yaml": _strings(),
            "content/clinics/demo/clinic.yaml": clinic,
            "content/clinics/harbour/clinic.yaml": HARBOUR,
            "content/clinics/harbour/logo.jpg": (REPO / "content/clinics/riverside-tcm/logo.jpg").read_bytes(),
            "content/blocks/intro.yaml": _block(
                "prose",
                "    title: Welcome\n    body: Welcome to {{ clinic.name }}.\n",
                "    title: Bienvenida\n    body: Bienvenido a {{ clinic.name }}.\n",
            ),
            "content/blocks/steps.yaml": _block(
                "steps",
                "    title: What happens\n    items: [We talk about your health., The needles go in.]\n",
                "    title: Qué pasa\n    items: [Hablamos de su salud., Ponemos las agujas.]\n",
            ),
            "content/blocks/leg-pain.yaml": _block(
                "prose",
                "    title: Pain down the leg\n    body: Sciatica is pain along the sciatic nerve.\n",
                "    title: Dolor en la pierna\n    body: La ciática es dolor a lo largo del nervio ciático.\n",
            ),
            "content/blocks/wrist.yaml": _block(
                "prose",
                "    title: A squeezed nerve\n    body: Carpal tunnel syndrome affects the hand.\n",
                "    title: Un nervio apretado\n    body: El síndrome del túnel carpiano afecta la mano.\n",
            ),
            "content/blocks/contact.yaml": _block("contact", "    title: Contact us\n", "    title: Contacto\n"),
            "content/blocks/see-a-doctor-now.yaml": _block(
                "callout",
                "    title: See a doctor\n    items: [New weakness in a leg or hand]\n",
                "    title: Vea a un médico\n    items: [Debilidad nueva en una pierna o mano]\n",
            ),
            "content/blocks/disclaimer.yaml": _block(
                "disclaimer", "    body: For education only.\n", "    body: Solo para informarse.\n"
            ),
            "content/handouts/welcome.yaml": _handout(
                "sheet", "Welcome sheet", "Hoja de bienvenida", "body: [intro, steps, contact, disclaimer]"
            ),
            "content/handouts/condition-sciatica.yaml": _handout(
                "sheet", "Sciatica", "Ciática", "body: [leg-pain, see-a-doctor-now, contact, disclaimer]", "sciatica"
            ),
            "content/handouts/condition-carpal-tunnel.yaml": _handout(
                "sheet",
                "Carpal tunnel syndrome",
                "Síndrome del túnel carpiano",
                "body: [wrist, see-a-doctor-now, disclaimer]",
                "carpal-tunnel",
            ),
            "content/handouts/aftercare.yaml": _handout(
                "card", "After your visit", "Después de su visita", "card: [steps, disclaimer]"
            ),
        }
    )
    return files


def build_gallery_project(root: Path) -> Path:
    """Write the fixture project under ``root``, build it all (and a grayscale sciatica sheet); return the project."""
    project = write_tree(root, gallery_files())
    for options in (
        Options(),
        Options(clinics=("demo",), handouts=("condition-sciatica",), variant=Variant(grayscale=True)),
    ):
        report = build(project, options)
        assert report.ok, [e.format_message() for _, _, e in report.failed]
    return project
