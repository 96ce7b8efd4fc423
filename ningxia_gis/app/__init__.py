"""The desktop application (PySide6): map, layers, footprint, check, results, report export.

Entry point: ``ningxia_gis.app.main_window:run`` (``ningxia-gis-app``, ``python main.py``).
Only this package imports Qt; the core, rules and report code stay Qt-free (the PDF writer imports Qt
itself when called).
"""
