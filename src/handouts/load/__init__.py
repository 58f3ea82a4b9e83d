"""Take a project folder and give back its parsed, checked files: the first stage of every command.

``yamlio`` reads YAML with line numbers, ``schema`` checks values against declared fields,
``config`` loads clinics, ``content`` blocks, recipes and strings, ``layout`` page designs and
their geometry, and ``project`` ties them into one ``Project``.
"""
