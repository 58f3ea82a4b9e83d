"""handouts: branded, print-ready patient handouts from YAML content, layouts and clinic branding."""

__version__ = "0.1.0"
