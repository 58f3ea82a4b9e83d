"""Run the command-line interface as ``python -m handouts``."""

from .cli import cli

cli(prog_name="handouts")
