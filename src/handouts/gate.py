"""Take a project and the planned tasks and give back, per task, the content errors that stop it from building.

``build`` refuses what ``lint`` calls an error: an overclaim, a research finding without a
reference, a handout without its disclaimer or warning signs. A finding stops every task that
prints the file it is in (a block the handout uses, for that clinic; the recipe; the clinic's
clinic.yaml; the layout; strings.yaml; a claims list), and, when the finding is about one
language's text, only the tasks in that language. Nothing on the command line overrides it: an
honest use of a flagged word is allowed in ``claims.yaml`` (``allow:``), next to the rule.
"""

from __future__ import annotations

import re
from collections import defaultdict

from .errors import ContentError, HandoutError
from .lint import Finding, build_errors
from .lint.visible import emergency_errors
from .load.project import Project
from .plan import Task

# the language a finding's field belongs to: text.es.body, tagline.zh-Hans, es.page_of (strings.yaml)
_FIELD_LANG = re.compile(r"^(?:text\.|name\.|tagline\.)?(?P<lang>[a-z]{2,3}(?:-[A-Za-z]{2,4})*)[.:]")


def refused(project: Project, tasks: list[Task]) -> dict[Task, list[HandoutError]]:
    """Return the tasks that must not build, each with the lint errors (as ``ContentError``) that stop it."""
    by_file: dict[str, list[Finding]] = defaultdict(list)
    for finding in build_errors(project):
        by_file[finding.file or ""].append(finding)
    out: dict[Task, list[HandoutError]] = {}
    for task in tasks:
        problems = [
            ContentError(f"[{f.check}] {f.message}", f.file, f.line)
            for name in _files_of(project, task)
            for f in by_file.get(name, ())
            if _language_of(f) in (None, task.lang)
        ]
        problems += emergency_errors(project, task.clinic, task.handout, task.lang)
        if problems:
            out[task] = list({p.format_message(): p for p in problems}.values())
    return out


def _files_of(project: Project, task: Task) -> list[str]:
    """Return the project files whose words ``task``'s PDF prints, as lint names them."""
    handout = project.handouts[task.handout]
    clinic = project.clinics[task.clinic]
    files = [handout.display, clinic.display, f"layouts/{handout.layout}.yaml", "content/strings.yaml"]
    files += ["content/claims.yaml", f"content/clinics/{task.clinic}/claims.yaml"]
    for ids in handout.slots.values():
        files += [block.display for i in ids if (block := project.block_for(task.clinic, i))]
    return files


def _language_of(finding: Finding) -> str | None:
    """Return the language whose text a finding is about, or None when it concerns every language."""
    field = finding.message.split(": ", 1)[0] if finding.check == "claims" else ""
    match = _FIELD_LANG.match(field + ":")
    return match["lang"] if match else None
