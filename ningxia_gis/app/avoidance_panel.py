"""避让分析 panel: what the project would have to avoid (remainder options), how far it is from each
protected layer, and which answers or activity types would change a verdict — `review.avoidance` on the
window's current result and the request that produced it, run in a worker."""

from __future__ import annotations

import html
from pathlib import Path

import shapely
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QFileDialog, QHBoxLayout, QHeaderView, QLabel, QPushButton, QSplitter, QTableWidget,
                               QTableWidgetItem, QTextBrowser, QVBoxLayout, QWidget)

from ..core.units import m2_to_mu
from ..domain.errors import NingxiaGisError
from .check_worker import Task
from .errors import user_message
from .i18n import tr, verdict_text
from .results_panel import VERDICT_COLOURS

EXPORT_FILTER = "界址点坐标 TXT (*.txt);;GeoPackage (*.gpkg);;Shapefile (*.shp)"


def _item(text: str, verdict: str | None = None) -> QTableWidgetItem:
    it = QTableWidgetItem(text)
    it.setFlags(it.flags() & ~Qt.ItemFlag.ItemIsEditable)
    if verdict in VERDICT_COLOURS:
        from PySide6.QtGui import QBrush, QColor

        bg, fg = VERDICT_COLOURS[verdict]
        it.setBackground(QBrush(QColor(bg)))
        it.setForeground(QBrush(QColor(fg)))
    return it


class AvoidancePanel(QWidget):
    """Run with `run(result, request)`; `remainderShown(geom, epsg)` asks the map to draw an option's
    remainder (None clears it); `taskStarted(Task)` lets the window track the worker."""

    remainderShown = Signal(object, int)
    taskStarted = Signal(object)
    finished = Signal(object)  # the avoidance block, or None when it failed / was cancelled

    def __init__(self, parent=None):
        super().__init__(parent)
        self.result = None
        self.request = None
        self.block: dict | None = None
        self.task: Task | None = None
        self.last_error: str | None = None
        self.btn_run = QPushButton()
        self.btn_run.clicked.connect(self._run_current)
        self.btn_cancel = QPushButton()
        self.btn_cancel.clicked.connect(self.cancel)
        self.btn_show = QPushButton()
        self.btn_show.setCheckable(True)
        self.btn_show.toggled.connect(self._show_on_map)
        self.btn_export = QPushButton()
        self.btn_export.clicked.connect(self.ask_export)
        self.sentence = QLabel()
        self.sentence.setWordWrap(True)
        self.sentence.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.options = QTableWidget(0, 4)
        self.options.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.options.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        self.options.itemSelectionChanged.connect(self._option_changed)
        self.distances = QTableWidget(0, 3)
        for t in (self.options, self.distances):
            t.verticalHeader().hide()
            t.setWordWrap(True)
        self.options.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.distances.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.what_if = QTextBrowser()
        buttons = QHBoxLayout()
        for b in (self.btn_run, self.btn_cancel, self.btn_show, self.btn_export):
            buttons.addWidget(b)
        buttons.addStretch(1)
        split = QSplitter(Qt.Orientation.Vertical)
        for wdg in (self.options, self.distances, self.what_if):
            split.addWidget(wdg)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(2, 2, 2, 2)
        lay.addLayout(buttons)
        lay.addWidget(self.sentence)
        lay.addWidget(split, 1)
        self.retranslate()
        self.set_context(None, None)

    # ------------------------------------------------------------------ state
    def set_context(self, result, request) -> None:
        """A new check result (or none): the old analysis no longer applies. ``request`` is the request
        that produced it, or a callable returning it."""
        self.cancel()
        self.result, self.request, self.block = result, request, None
        self.btn_show.setChecked(False)
        self.options.setRowCount(0)
        self.distances.setRowCount(0)
        self.what_if.clear()
        self.sentence.setText(tr("av.none") if result is None else tr("av.ready"))
        self._update_enabled()

    def _update_enabled(self) -> None:
        running = self.task is not None and self.task.is_active
        self.btn_run.setEnabled(self.result is not None and self.request is not None and not running)
        self.btn_cancel.setVisible(running)
        has = self.current_option() is not None and bool(self._remainder_wkt(self.current_option()))
        self.btn_show.setEnabled(has)
        self.btn_export.setEnabled(has)

    def retranslate(self) -> None:
        self.btn_run.setText(tr("av.run"))
        self.btn_run.setToolTip(tr("av.run.tip"))
        self.btn_cancel.setText(tr("cp.cancel"))
        self.btn_show.setText(tr("av.show"))
        self.btn_export.setText(tr("av.export"))
        self.options.setHorizontalHeaderLabels([tr("av.col.avoid"), tr("av.col.remainder"), tr("av.col.verdict"),
                                                tr("av.col.cleared")])
        self.distances.setHorizontalHeaderLabels([tr("av.col.layer"), tr("av.col.distance"), tr("av.col.note")])
        if self.block is not None:
            self._fill(self.block)

    # ------------------------------------------------------------------ running
    def _run_current(self) -> None:
        request = self.request
        if callable(request):  # the window's session builds the request of exactly what it shows
            try:
                request = request()
            except NingxiaGisError as exc:
                self._stopped(user_message(exc))
                return
        self.run(self.result, request)

    def run(self, result, request) -> Task | None:
        if result is None or request is None:
            return None
        from ..review.avoidance import add_avoidance
        from ..review.request import Feedback

        self.cancel()
        self.result, self.request, self.block, self.last_error = result, request, None, None
        self.sentence.setText(tr("av.running"))

        def work(progress=None, cancelled=None):
            return add_avoidance(result, request, feedback=Feedback(progress=progress, cancelled=cancelled))

        t = Task(work, name="avoidance")
        t.done.connect(self._done)
        t.failed.connect(self._failed)
        t.cancelled.connect(lambda: self._stopped(tr("av.cancelled")))
        t.finished.connect(self._update_enabled)
        self.task = t
        self.taskStarted.emit(t)
        t.start()
        self._update_enabled()
        return t

    def cancel(self) -> None:
        if self.task is not None and self.task.is_active:
            self.task.cancel()

    def _done(self, block: dict) -> None:
        self.block = block
        self._fill(block)
        self._update_enabled()
        self.finished.emit(block)

    def _failed(self, message: str, _details: str) -> None:
        self._stopped(message)

    def _stopped(self, message: str) -> None:
        self.last_error = message
        self.sentence.setText(message)
        self._update_enabled()
        self.finished.emit(None)

    # ------------------------------------------------------------------ display
    def _fill(self, block: dict) -> None:
        self.sentence.setText(block["sentence_zh"])
        opts = block.get("options") or []
        self.options.setRowCount(len(opts))
        for r, o in enumerate(opts):
            rem = (o.get("remainder") or {}).get("area") or {}
            m2 = rem.get("ellipsoidal_m2") or 0.0
            self.options.setItem(r, 0, _item(o["label"]))
            self.options.setItem(r, 1, _item(f"{m2 / 1e4:,.4f} {tr('unit.ha')} / {m2_to_mu(m2):,.2f} {tr('unit.mu')}"))
            v = o.get("verdict")
            self.options.setItem(r, 2, _item(verdict_text(v) if v else tr("av.no_remainder"), v))
            c = o.get("verdict_if_edge_cleared")
            self.options.setItem(r, 3, _item(verdict_text(c) if c else "", c))
            self.options.item(r, 0).setToolTip(o.get("sentence_zh", ""))
        self.options.resizeRowsToContents()
        dists = block.get("distances") or []
        self.distances.setRowCount(len(dists))
        for r, d in enumerate(dists):
            dist = d.get("distance_m")
            text = tr("av.beyond", km=f"{d['cap_m'] / 1000:g}") if dist is None else f"{dist:,.1f} m"
            self.distances.setItem(r, 0, _item(d["layer_name"]))
            self.distances.setItem(r, 1, _item(text))
            self.distances.setItem(r, 2, _item(d.get("sentence_zh", "")))
        self.distances.resizeColumnToContents(0)
        self.distances.resizeColumnToContents(1)
        self.distances.resizeRowsToContents()
        self.what_if.setHtml(self._what_if_html(block.get("what_if") or []))
        rec = block.get("recommended")
        if rec is not None:
            self.options.selectRow(rec)

    @staticmethod
    def _what_if_html(entries: list[dict]) -> str:
        e = html.escape
        if not entries:
            return f"<p>{e(tr('av.what_if.none'))}</p>"
        out = [f"<h4>{e(tr('av.what_if'))}</h4>"]
        for z in entries:
            name = z.get("layer_name") or z["layer_id"]
            zone = f"（{z['zone']}）" if z.get("zone") and z.get("zone") != name else ""
            out.append(f"<p><b>{e(name + zone)}</b>：{e(verdict_text(z['verdict']))}</p><ul>")
            items = [c["sentence_zh"] for c in z.get("facts") or []] + [a["sentence_zh"] for a in z.get("activities") or []]
            out += [f"<li>{e(s)}</li>" for s in items] or [f"<li>{e(tr('av.what_if.nothing'))}</li>"]
            out.append("</ul>")
        return "".join(out)

    def current_option(self) -> dict | None:
        if self.block is None:
            return None
        rows = self.options.selectionModel().selectedRows()
        opts = self.block.get("options") or []
        if not rows or rows[0].row() >= len(opts):
            return None
        return opts[rows[0].row()]

    @staticmethod
    def _remainder_wkt(option: dict | None) -> str:
        wkt = ((option or {}).get("remainder") or {}).get("geometry_wkt") or ""
        return "" if not wkt or wkt.endswith("EMPTY") else wkt

    def _option_changed(self) -> None:
        self._update_enabled()
        if self.btn_show.isChecked():
            self._show_on_map(True)

    def remainder_geometry(self):
        """The selected option's remainder (analysis CRS), or None."""
        wkt = self._remainder_wkt(self.current_option())
        return shapely.from_wkt(wkt) if wkt else None

    def _show_on_map(self, on: bool) -> None:
        geom = self.remainder_geometry() if on else None
        self.remainderShown.emit(geom, self.result.epsg if self.result is not None else 0)

    # ------------------------------------------------------------------ export
    def ask_export(self) -> None:
        opt = self.current_option()
        if opt is None:
            return
        name = f"{(self.result.data['footprint'].get('name') or 'footprint')}_避让后.txt"
        path, _ = QFileDialog.getSaveFileName(self, tr("av.export"), str(Path.home() / name), EXPORT_FILTER)
        if path:
            self.export(path)

    def export(self, path) -> bool:
        """Write the selected option's remainder as a footprint file (atomically); errors in words."""
        from ..review.avoidance import write_remainder

        opt = self.current_option()
        if opt is None or self.result is None:
            return False
        try:
            write_remainder(opt, path, epsg=self.result.epsg)
        except NingxiaGisError as exc:
            self._stopped(user_message(exc))
            return False
        self.sentence.setText(tr("av.exported", path=Path(path).name))
        return True
