"""Take one handout's stories and its layout geometry and give back the PDF as bytes, in two passes.

``place`` puts every flowable of a slot into the slot's panels (adding pages where the layout
repeats) and returns the measured pages: plain positions, nothing drawn. ``paint`` then draws
furniture and the placed flowables, now that the page count for "Page X of Y" is known.
Nothing is clipped: what does not fit is an error naming the block and panel.
"""

from __future__ import annotations

from reportlab import rl_config


def pin_reportlab_settings() -> None:
    """Fix the reportlab settings that keep rendering safe and repeatable.

    reportlab reads ``RL_*`` environment variables and settings files at import; these values
    are set again in code so nothing outside the project can loosen them.
    """
    rl_config.invariant = 1  # identical bytes for identical input
    rl_config.trustedHosts = []  # never fetch images or fonts from the network
    rl_config.trustedSchemes = []
    rl_config.toColorCanUse = "rl_extended_literal_eval"  # literals only, never eval
    rl_config.allowTableBoundsErrors = 0
    rl_config.shapeChecking = 1
    rl_config.pageCompression = 1
    rl_config.useA85 = 0  # binary streams: smaller files, and no slow pure-Python ASCII85 encoding
    rl_config.warnOnMissingFontGlyphs = 0  # checked ourselves, as an error naming the block
    rl_config.hyphenationLang = ""
    rl_config.embeddedHyphenation = 0
    rl_config.platypus_link_underline = 0
    rl_config.allowTTFSubsetting = []
    rl_config.autoGenerateMissingTTFName = 0
    rl_config.ttfAsciiReadable = 1
    rl_config.documentLang = None
