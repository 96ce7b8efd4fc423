"""Report maps (matplotlib, Qt-free): location map, per-layer overlay maps and raster maps."""

from .context import MapContext, MapPiece, map_context
from .figures import MapInfo, avoidance_map, location_map, overlay_map, raster_map, render_maps, save_map, touched_layers

__all__ = ["MapContext", "MapInfo", "MapPiece", "avoidance_map", "location_map", "map_context", "overlay_map", "raster_map",
           "render_maps", "save_map", "touched_layers"]
