"""Layers of the window: open a catalog or folder, add files (asking or detecting each layer's kind), read
them in a worker, attribute tables and identify. The panel's list is the session's ``layers``."""

from __future__ import annotations

import logging
from pathlib import Path

import shapely
from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QFileDialog, QInputDialog

from ..domain.errors import InputError, NingxiaGisError
from ..paths import SAMPLE_CATALOG
from .attribute_table import AttributeTable
from .errors import guarded, user_message
from .i18n import tr
from .layer_panel import ask_role
from .style_dialog import restore_styles
from .layers import (RASTER_SUFFIXES, BaseLayer, ImageLayer, RasterLayer, VectorLayer, file_layers, layers_from_catalog,
                     raster_kind)

log = logging.getLogger("ningxia_gis.app")

LAYER_FILTER = "*.shp *.gpkg *.geojson *.json *.kml *.kmz *.fgb *.tif *.tiff *.mbtiles"


class LayersController(QObject):
    def __init__(self, window):
        super().__init__(window)
        self.w = window
        self.load_task = None
        self._reload_pending = False
        self._zoom_after_load = False
        self.tables: list[AttributeTable] = []

    @property
    def panel(self):
        return self.w.layer_panel

    def all_layers(self) -> list:
        return self.panel.layers()

    def vector_layers(self) -> list[VectorLayer]:
        return [lyr for lyr in self.all_layers() if isinstance(lyr, VectorLayer)]

    def layers_loaded(self) -> bool:
        return all(lyr.is_loaded(self.w.epsg) or lyr.error for lyr in self.vector_layers())

    # ------------------------------------------------------------------ catalogs and files
    def default_catalog(self):
        last = self.w.settings.value("catalog", "")
        if last and Path(str(last)).exists():
            return str(last)
        return SAMPLE_CATALOG

    def open_catalog(self, path, quiet: bool = False) -> None:
        """Replace the layers with those of a catalog (TOML) or a folder / data file of layers."""
        from ..core.catalog import load_catalog

        try:
            cat = load_catalog(path)
        except Exception as exc:  # noqa: BLE001 - shown in words (guarded would lose the quiet fallback)
            if quiet and Path(str(path)) != Path(SAMPLE_CATALOG):
                log.warning("last catalog not usable (%s); sample layers instead", exc)
                return self.open_catalog(SAMPLE_CATALOG, quiet=True)
            if not isinstance(exc, NingxiaGisError):
                log.exception("catalog")
            self.w.error(user_message(exc))
            return
        self.w.session.base_catalog = cat
        layers: list[BaseLayer] = layers_from_catalog(cat)
        layers += [RasterLayer(r, visible=False) for r in cat.rasters]

        # panel order (top first) from the styles' zorder: boundaries above zones above parcels, the
        # admin boundary (an opaque backdrop) and the rasters at the bottom
        def rank(lyr):
            if not isinstance(lyr, VectorLayer):
                return (1, 0)
            return (0, -float(getattr(lyr.style(), "zorder", 5)))

        layers.sort(key=rank)
        restore_styles(self.w.session, layers)  # before the panel draws their swatches
        self.panel.set_layers(layers)
        if Path(str(path)) != Path(SAMPLE_CATALOG):
            self.w.settings.setValue("catalog", str(path))
            self.w.add_recent("recent/layers", str(path))
        else:
            self.w.settings.remove("catalog")
        self.w.canvas.center = None
        self._zoom_after_load = True  # to the new layers' extent once they are all loaded
        self.layers_changed()
        self.check_changed()
        self.load_layers()

    def ask_open_catalog(self) -> None:
        start = str(self.w.settings.value("dir/layers", str(SAMPLE_CATALOG.parent)))
        path, _ = QFileDialog.getOpenFileName(self.w, tr("dlg.open_catalog"), start,
                                              f"{tr('dlg.catalog_files')} (*.toml *.gpkg *.gdb);;{tr('dlg.all_files')} (*)")
        if path:
            self.open_catalog(path)

    def ask_open_folder(self) -> None:
        start = str(self.w.settings.value("dir/layers", str(SAMPLE_CATALOG.parent)))
        path = QFileDialog.getExistingDirectory(self.w, tr("dlg.open_folder"), start)
        if path:
            self.open_catalog(path)

    def ask_add_layers(self) -> None:
        start = str(self.w.settings.value("dir/layers", str(SAMPLE_CATALOG.parent)))
        paths, _ = QFileDialog.getOpenFileNames(self.w, tr("dlg.add_layer"), start,
                                                f"{tr('dlg.gis_files')} ({LAYER_FILTER});;{tr('dlg.all_files')} (*)")
        if paths:
            self.w.settings.setValue("dir/layers", str(Path(paths[0]).parent))
            self.add_layer_files(paths)

    def raster_layer(self, p: Path, role: str | None, ask: bool):
        """An image (display only) or a DEM / land-cover raster: given, detected, or asked."""
        from ..core.raster import as_spec

        kind = role or raster_kind(p)
        if kind is None and ask:
            kind = ask_raster_kind(self.w, p.name)
            if kind is False:
                return None
        if kind is None:
            raise InputError("layer.raster_kind", path=p)
        if kind == "image":
            return ImageLayer(p)
        return RasterLayer(as_spec(str(p), role=kind), visible=True)

    def add_layer_files(self, paths, ask: bool = True, roles: dict | None = None) -> list:
        """Add the layers of vector files (every layer of a GeoPackage / FileGDB) and rasters.

        A vector layer whose role cannot be recognised is asked for (``ask``) or shown only; a raster's
        kind (image / DEM / land cover) is detected or asked. ``roles`` maps a file or layer name to a role
        id ("display" = display only, "image", "dem", "landcover") to skip the question."""
        added, images = [], []
        roles = roles or {}
        for p in map(Path, paths):
            try:
                if p.is_dir() and p.suffix.lower() != ".gdb":
                    from ..core.layers import VECTOR_SUFFIXES
                    inner = sorted(f for f in p.iterdir() if f.suffix.lower() in (VECTOR_SUFFIXES | RASTER_SUFFIXES))
                    added += self.add_layer_files(inner, ask=ask, roles=roles)
                    continue
                if p.suffix.lower() == ".mbtiles":
                    from .basemap import BasemapLayer

                    images.append(BasemapLayer(p))
                    self.w.add_recent("recent/layers", str(p))
                    continue
                if p.suffix.lower() in RASTER_SUFFIXES:
                    lyr = self.raster_layer(p, roles.get(p.name) or roles.get(p.stem), ask)
                    if lyr is not None:
                        (images if isinstance(lyr, ImageLayer) else added).append(lyr)
                    self.w.add_recent("recent/layers", str(p))
                    continue
                for lyr_name, fields, role in file_layers(p):
                    given = roles.get(lyr_name) or roles.get(p.name) or roles.get(p.stem)
                    if given is not None:
                        role = None if given == "display" else given
                    elif role is None and ask:
                        r = ask_role(self.w, f"{p.name} / {lyr_name}" if lyr_name != p.stem else p.name)
                        if r is False:
                            continue
                        role = r
                    name = lyr_name if lyr_name and lyr_name != p.stem else p.stem
                    added.append(VectorLayer(name, p, lyr_name, role, fields=fields,
                                             colour_index=len(self.all_layers()) + len(added)))
                self.w.add_recent("recent/layers", str(p))
            except Exception as exc:  # noqa: BLE001 - one bad file does not stop the others
                if not isinstance(exc, NingxiaGisError):
                    log.exception("adding %s", p)
                self.w.error(tr("msg.cannot_add", name=p.name, error=user_message(exc)))
        restore_styles(self.w.session, added)
        if added:
            self.panel.add_layers(added, top=True)
        if images:  # backdrops go under everything
            self.panel.add_layers(images, top=False)
        if added or images:
            self.load_layers()
        return added + images

    # ------------------------------------------------------------------ reading
    def load_layers(self) -> None:
        """Read (in a thread) every vector layer not yet loaded in the display CRS."""
        if self.load_task is not None and self.load_task.is_running:
            self._reload_pending = True
            return
        epsg = self.w.epsg
        todo = [lyr for lyr in self.vector_layers() if not lyr.is_loaded(epsg) and not lyr.error]
        if not todo:
            self.w.layersLoaded.emit()
            return

        def work(progress=None, cancelled=None):
            errors = []
            for i, lyr in enumerate(todo):
                if cancelled():
                    break
                progress(i / len(todo), lyr.name)
                try:
                    lyr.load(epsg)
                except Exception as exc:  # noqa: BLE001 - the layer is marked, the others load
                    if not isinstance(exc, NingxiaGisError):
                        log.exception("loading layer %s", lyr.name)
                    lyr.error = user_message(exc)
                    errors.append(f"{lyr.name}: {lyr.error}")
            return errors

        self.w.statusBar().showMessage(tr("sb.loading_layers"))
        self.load_task = self.w.run_task(work, done=self._loaded, name="load_layers")
        self.load_task.progress.connect(lambda f, t: self.w.statusBar().showMessage(f"{tr('sb.loading_layers')} {t}"))
        self.load_task.finished.connect(self._load_finished)

    def _pending(self) -> bool:
        return any(not lyr.is_loaded(self.w.epsg) and not lyr.error for lyr in self.vector_layers())

    def _load_finished(self) -> None:
        """The loading thread ended: load what was added (or reprojected) meanwhile."""
        if self.w.closing:
            return
        if self._reload_pending or self._pending():
            self._reload_pending = False
            QTimer.singleShot(0, self.load_layers)

    def _loaded(self, errors) -> None:
        self.panel.refresh()
        self.refresh_canvas()
        if errors:
            self.w.error(tr("msg.layer_errors") + "\n" + "\n".join(errors))
        self.w.statusBar().showMessage(tr("sb.layers_ready"), 4000)
        if self._reload_pending or self._pending():
            return  # _load_finished starts the next round
        if self.w.canvas.center is None or self._zoom_after_load:
            self._zoom_after_load = False
            if self.w.session.footprint_geom is not None:
                self.w.canvas.zoom_footprint()
            else:
                self.w.canvas.zoom_full()
        self.w.layersLoaded.emit()

    def refresh_canvas(self) -> None:
        restore_styles(self.w.session, self.all_layers())
        self.w.canvas.set_epsg(self.w.epsg)
        self.w.canvas.set_layers(list(reversed(self.all_layers())))

    def layers_changed(self) -> None:
        """Order or visibility changed: redraw."""
        self.w.session.layers = self.all_layers()
        self.refresh_canvas()

    def check_changed(self) -> None:
        """What takes part in the check changed (layers added or removed, a role, a 参与审查 tick): the
        result no longer matches the panel and is dropped."""
        self.w.session.layers = self.all_layers()
        self.w.session.layers_changed()

    # ------------------------------------------------------------------ tables, identify
    def zoom_current_layer(self) -> None:
        lyr = self.panel.current_layer()
        if lyr is not None:
            self.w.canvas.zoom_layer(lyr)

    def open_attribute_table(self, layer) -> AttributeTable | None:
        if not isinstance(layer, VectorLayer):
            return None
        df = layer.attribute_frame(self.w.epsg)
        if df is None:
            self.w.error(tr("msg.not_loaded", name=layer.name))
            return None
        t = AttributeTable(layer, df, self.w)
        t.rowsSelected.connect(self._table_rows_selected)
        t.finished.connect(lambda *_: self.tables.remove(t) if t in self.tables else None)
        self.tables.append(t)
        t.show()
        return t

    def _table_rows_selected(self, layer, rows) -> None:
        d = layer.data(self.w.epsg)
        if d is None:
            return
        geoms = list(d.geoms[rows[:5000]])
        self.w.canvas.set_highlight(geoms)
        if geoms:
            self.w.canvas.zoom_to(shapely.bounds(shapely.union_all(geoms[:2000])), pad=0.3)

    @guarded()
    def identify_at(self, x: float, y: float, tol: float) -> list:
        found, geoms = [], []
        for lyr in self.all_layers():  # top first
            if not (isinstance(lyr, VectorLayer) and lyr.visible):
                continue
            d = lyr.data(self.w.epsg)
            if d is None:
                continue
            rows = d.query_point(x, y, tol)
            if len(rows):
                df = lyr.attribute_frame(self.w.epsg).iloc[rows[:50]]
                found.append((f"{lyr.name} ({lyr.role_label or tr('lp.display_only')})", df))
                geoms.extend(d.geoms[rows[:50]])
        self.w.identify.show_features(found)
        self.w.dock_identify.show()
        self.w.dock_identify.raise_()
        self.w.canvas.set_highlight(geoms or None)
        return found

    def close_tables(self) -> None:
        for t in list(self.tables):
            t.close()


def ask_raster_kind(parent, name: str):
    """"image" / "dem" / "landcover" chosen by the user, or False (cancelled)."""
    kinds = ["image", "dem", "landcover"]
    labels = [tr("lp.kind.image"), tr("lp.kind.dem"), tr("lp.kind.landcover")]
    text, ok = QInputDialog.getItem(parent, tr("lp.kind.title"), tr("lp.kind.label", name=name), labels, 0, False)
    return kinds[labels.index(text)] if ok else False
