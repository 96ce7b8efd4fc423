"""The window's side of the map tools: creates the measure, select and vertex-editing tools on the canvas,
shows what they report, turns a vertex edit into the session's footprint, opens the style dialog and adds
offline basemaps."""

from __future__ import annotations

import hashlib
from pathlib import Path

import geopandas as gpd
import shapely
from PySide6.QtCore import QObject
from PySide6.QtWidgets import QFileDialog

from ..domain import messages
from .basemap import BasemapLayer
from .errors import guarded
from .i18n import language, tr
from .layers import VectorLayer
from .measure_tool import MeasureTool, measurement_text
from .select_tool import SelectTool
from .style_dialog import apply_style, ask_style
from .vertex_edit import VertexEditTool

BASEMAP_FILTER = "*.tif *.tiff *.mbtiles"


class MapToolsController(QObject):
    def __init__(self, window):
        super().__init__(window)
        self.w = window
        c = window.canvas
        self.measure = MeasureTool(c)
        self.select = SelectTool(c, self.active_layer)
        self.vertex = VertexEditTool(c)
        c.register_tool("measure", self.measure)
        c.register_tool("select", self.select)
        c.register_tool("vertex", self.vertex)
        self.measure.measured.connect(self._measured)
        self.select.selected.connect(self._selected)
        self.select.noLayer.connect(lambda: window.statusBar().showMessage(tr("select.no_layer"), 6000))
        self.vertex.edited.connect(self._footprint_edited)
        self.vertex.undo_stack.indexChanged.connect(self._undo_changed)
        self.vertex.refused.connect(lambda key: window.error(messages.text(key, language())))
        self._editing = False
        window.session.subscribe("footprint", self._footprint_changed)

    # ------------------------------------------------------------------ tools
    def tools(self) -> dict[str, str]:
        """tool name → action attribute of the window"""
        return {"measure": "act_measure", "select": "act_select", "vertex": "act_vertex_edit"}

    def escape(self) -> bool:
        h = self.w.canvas.handler()
        return bool(h is not None and h.escape())

    def active_layer(self):
        return self.w.layer_panel.current_layer()

    def _measured(self, m) -> None:
        self.w.statusBar().showMessage(measurement_text(m).replace("\n", " · "))

    def _selected(self, layer, rows) -> None:
        self.w.statusBar().showMessage(tr("select.count", layer=layer.name, n=len(rows)), 8000)
        for t in self.w.layers.tables:
            if t.layer is layer:
                t.show_selection(rows)
        self.w.update_enabled()

    def selection(self):
        """(layer, rows) of the map selection; rows empty when nothing is selected."""
        return self.select.layer, self.select.rows

    # ------------------------------------------------------------------ vertex editing
    def start_vertex_edit(self) -> None:
        if self.w.session.footprint is None:
            self.w.error(messages.text("edit.no_footprint", language()))
            self.w.set_tool("pan")
            return
        self.w.set_tool("vertex")

    def _footprint_changed(self, _fp) -> None:
        if not self._editing:  # a footprint from elsewhere: earlier edits cannot be undone onto it
            self.vertex.undo_stack.clear()

    @guarded("what.open")
    def _footprint_edited(self, geom) -> None:
        from ..core.footprint import Footprint
        from ..footprint_io import prepare_footprint

        w = self.w
        old = w.session.footprint
        if geom is None or old is None:
            return
        name = old.meta.get("name_before_edit") or old.name
        parts = list(shapely.get_parts(geom))
        gdf = gpd.GeoDataFrame({"name": [name] * len(parts)}, geometry=parts, crs=w.epsg)
        source = old.meta.get("source_before_edit") or old.source
        fp = Footprint(gdf=gdf, source=source, name=messages.text("edit.name", language(), name=name),
                       sha256=hashlib.sha256(shapely.to_wkb(geom)).hexdigest(),
                       meta={"name_before_edit": name, "source_before_edit": source})
        fp = prepare_footprint(fp)
        fp.source = messages.text("edit.source", language(), source=Path(str(source)).name or source)
        view = (w.canvas.center, w.canvas.upp)
        self._editing = True
        try:
            w.footprints.set_footprint(fp)
        finally:
            self._editing = False
        if view[0] is not None:
            w.canvas.set_view(*view)
        if w.canvas.tool != "vertex":
            w.set_tool("vertex")
        area = w.session.footprint_block["area"]["ellipsoidal_ha"] if w.session.footprint_block else 0.0
        w.statusBar().showMessage(messages.text("edit.done", language(), area=f"{area:,.4f}"), 8000)

    def _undo_changed(self, _index) -> None:
        try:
            self.w.update_enabled()
        except RuntimeError:  # the stack is cleared while the window's widgets are destroyed
            pass

    def can_undo(self) -> bool:
        try:
            return self.vertex.undo_stack.canUndo()
        except RuntimeError:  # the stack is gone (the window is being destroyed)
            return False

    def can_redo(self) -> bool:
        try:
            return self.vertex.undo_stack.canRedo()
        except RuntimeError:
            return False

    def undo(self) -> None:
        self.vertex.undo_stack.undo()

    def redo(self) -> None:
        self.vertex.undo_stack.redo()

    # ------------------------------------------------------------------ style
    def ask_layer_style(self, layer=None):
        return ask_style(self.w, layer or self.active_layer())

    def set_layer_style(self, layer: VectorLayer, style) -> None:
        apply_style(self.w, layer, style)

    # ------------------------------------------------------------------ basemap
    def ask_add_basemap(self) -> None:
        start = str(self.w.settings.value("dir/layers", ""))
        path, _ = QFileDialog.getOpenFileName(self.w, tr("dlg.add_basemap"), start,
                                              f"{tr('dlg.basemap_files')} ({BASEMAP_FILTER});;{tr('dlg.all_files')} (*)")
        if path:
            self.add_basemap(path)

    @guarded()
    def add_basemap(self, path) -> BasemapLayer:
        from .style_dialog import LayerStyle

        lyr = BasemapLayer(Path(path))
        # the county layer is an opaque backdrop: its fill would hide the basemap; only its outline stays
        for v in self.w.vector_layers():
            if v.role == "admin_boundary" and v.user_style is None:
                apply_style(self.w, v, LayerStyle(alpha=0.0))
        self.w.layer_panel.add_layers([lyr], top=False)
        self.w.add_recent("recent/layers", str(path))
        return lyr
