"""handouts: branded, print-ready patient handouts from YAML content, layouts and clinic branding."""

import os
import sys
from types import ModuleType

__version__ = "0.1.0"

# reportlab takes settings from RL_* variables when it is first imported, and from SOURCE_DATE_EPOCH
# on every PDF; it also *runs* a reportlab_settings.py found on sys.path (the current folder, with
# ``python -m``) or ~/.reportlab_settings. Output must depend on the project alone and nothing from
# outside it may run, so all of these are hidden here, before any handouts module imports reportlab
# (an empty reportlab_settings module stops both file lookups). pdf.pin_reportlab_settings then sets
# the values that keep rendering safe again, in code.
for _name in [n for n in os.environ if n.startswith("RL_") or n == "SOURCE_DATE_EPOCH"]:
    del os.environ[_name]
sys.modules.setdefault("reportlab_settings", ModuleType("reportlab_settings"))
