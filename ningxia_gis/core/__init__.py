"""Qt-free core: I/O, CRS, overlay, areas and the check result model."""
