"""ningxia_gis — offline review of project footprints against Ningxia's protected layers."""

__version__ = "0.1.0"
