"""Take content blocks and a clinic's branding and give back the flowables of each slot.

``theme`` holds the paragraph styles and the colour rules, ``flowables`` the custom boxes
(``ShrinkToFit``, ``Rows``, ``SideBySide``, ``QrCode``), ``linebreak`` the Chinese
line-breaking rules, and ``writer`` turns each kind of block into flowables.
"""
