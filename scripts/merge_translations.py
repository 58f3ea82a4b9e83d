"""Paste translated text into the content files: ``python scripts/merge_translations.py FOLDER LANG``.

Kept for translators used to it; it runs ``handouts merge-translations FOLDER LANG`` (see its --help).
"""

from __future__ import annotations

import sys

from handouts.cli import cli

if __name__ == "__main__":
    cli(["merge-translations", *sys.argv[1:]], prog_name="merge_translations.py")
