"""The 避让分析 panel: for the current result, run `review.avoidance.avoidance_analysis` (in a worker) and
show its sentence, the remainder options (areas, parts, the verdict the remainder gets), the distances to
each protected layer and what would change each verdict. Selecting an option draws its remainder on the
map; 导出 writes it as a footprint (TXT / SHP / GPKG) for the applicant. The block is stored in the result
(``result.data["avoidance"]``), so the report exported afterwards has its 避让分析 section."""

from __future__ import annotations

import shapely
from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (QFileDialog, QHBoxLayout, QHeaderView, QLabel, QPushButton, QSplitter, QTreeWidget,
                               QTreeWidgetItem, QVBoxLayout, QWidget)

from ..core.units import m2_to_ha, m2_to_mu
from .errors import guarded
from .i18n import tr, verdict_text
from .results_panel import VERDICT_COLOURS

DATA = Qt.ItemDataRole.UserRole
REMAINDER_STYLE = {"face": (0.1, 0.75, 0.2, 0.30), "edge": "#0a8a1e", "width": 2.4, "linestyle": "--"}


def _item(parent, texts, data=None, verdict_col=None, verdict=None):
    it = QTreeWidgetItem(parent, [str(t) for t in texts])
    for c, t in enumerate(texts):
        it.setToolTip(c, str(t))
    if data is not None:
        it.setData(0, DATA, data)
    if verdict_col is not None and verdict in VERDICT_COLOURS:
        bg, fg = VERDICT_COLOURS[verdict]
        it.setBackground(verdict_col, QBrush(QColor(bg)))
        it.setForeground(verdict_col, QBrush(QColor(fg)))
    return it


class AvoidancePanel(QWidget):
    runRequested = Signal()
    optionSelected = Signal(object)  # option dict or None
    exportRequested = Signal(object)  # option dict

    def __init__(self, parent=None):
        super().__init__(parent)
        self.block: dict | None = None
        self.btn_run = QPushButton()
        self.btn_run.clicked.connect(self.runRequested)
        self.btn_export = QPushButton()
        self.btn_export.clicked.connect(lambda: self.exportRequested.emit(self.current_option()))
        self.sentence = QLabel()
        self.sentence.setWordWrap(True)
        self.sentence.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.options = QTreeWidget()
        self.options.setRootIsDecorated(False)
        self.options.currentItemChanged.connect(self._option_changed)
        self.distances = QTreeWidget()
        self.distances.setRootIsDecorated(False)
        self.what_if = QTreeWidget()
        self.what_if.setColumnCount(1)
        self.what_if.setUniformRowHeights(False)
        for t in (self.options, self.distances, self.what_if):
            t.setWordWrap(True)
            t.header().setStretchLastSection(True)
            t.header().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        top = QHBoxLayout()
        top.addWidget(self.btn_run)
        top.addWidget(self.btn_export)
        top.addStretch(1)
        split = QSplitter(Qt.Orientation.Vertical)
        for t in (self.options, self.distances, self.what_if):
            split.addWidget(t)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(2, 2, 2, 2)
        lay.addLayout(top)
        lay.addWidget(self.sentence)
        lay.addWidget(split, 1)
        self.retranslate()
        self.set_block(None)

    def retranslate(self) -> None:
        self.btn_run.setText(tr("av.run"))
        self.btn_run.setToolTip(tr("av.run.tip"))
        self.btn_export.setText(tr("av.export"))
        self.btn_export.setToolTip(tr("av.export.tip"))
        self.options.setHeaderLabels([tr("av.col.avoid"), tr("av.col.avoided"), tr("av.col.remainder"),
                                      tr("av.col.parts"), tr("av.col.verdict"), tr("av.col.cleared")])
        self.distances.setHeaderLabels([tr("av.col.layer"), tr("av.col.distance"), tr("av.col.sentence")])
        self.what_if.setHeaderLabels([tr("av.col.change")])
        if self.block is None:
            self.sentence.setText(tr("av.none"))

    def set_available(self, on: bool) -> None:
        """A result with an activity exists (the analysis can run)."""
        self.btn_run.setEnabled(on)

    def current_option(self):
        it = self.options.currentItem()
        return it.data(0, DATA) if it is not None else None

    def set_block(self, block: dict | None) -> None:
        self.block = block
        for t in (self.options, self.distances, self.what_if):
            t.clear()
        self.btn_export.setEnabled(False)
        if block is None:
            self.sentence.setText(tr("av.none"))
            return
        self.sentence.setText(block.get("sentence_zh", ""))
        for opt in block.get("options", []):
            rem = opt["remainder"]["area"]["ellipsoidal_m2"]
            _item(self.options, [opt["label"], f"{m2_to_ha(opt['avoided_area']['ellipsoidal_m2']):,.4f} {tr('unit.ha')}",
                                 f"{m2_to_ha(rem):,.4f} {tr('unit.ha')} / {m2_to_mu(rem):,.2f} {tr('unit.mu')}",
                                 opt["remainder"]["part_count"], verdict_text(opt.get("verdict")) or "—",
                                 verdict_text(opt.get("verdict_if_edge_cleared")) or "—"], opt, 4, opt.get("verdict"))
        for d in block.get("distances", []):
            dist = "—" if d["distance_m"] is None else f"{d['distance_m']:,.1f} m"
            _item(self.distances, [d["layer_name"], dist, d["sentence_zh"]], d)
        for w in block.get("what_if", []):
            zone = f"{w.get('layer_name') or w['layer_id']}（{w.get('zone')}）· {w['verdict']}"
            parent = _item(self.what_if, [zone], w, 0, w["verdict"])
            for c in w["facts"]:
                _item(parent, [c["sentence_zh"]], c, 0, c["verdict"])
            for a in w["activities"]:
                _item(parent, [a["sentence_zh"]], a, 0, a["verdict"])
            parent.setExpanded(True)
        rec = block.get("recommended")
        if rec is not None and rec < self.options.topLevelItemCount():
            self.options.setCurrentItem(self.options.topLevelItem(rec))
        for t in (self.options, self.distances):
            t.resizeColumnToContents(0)

    def _option_changed(self, cur, _prev) -> None:
        opt = cur.data(0, DATA) if cur is not None else None
        has_geom = bool(opt) and opt["remainder"]["area"]["ellipsoidal_m2"] > 0
        self.btn_export.setEnabled(has_geom)
        self.optionSelected.emit(opt)


class AvoidanceController(QObject):
    """Runs the analysis for the window's current result and draws / exports the chosen remainder."""

    analysed = Signal(object)  # the block

    def __init__(self, window, panel: AvoidancePanel):
        super().__init__(window)
        self.w, self.panel = window, panel
        self.task = None
        panel.runRequested.connect(self.run)
        panel.optionSelected.connect(self.show_option)
        panel.exportRequested.connect(self.ask_export)
        window.session.subscribe("result", self._result_changed)
        self._result_changed(window.session.result)

    def _result_changed(self, result) -> None:
        self.w.canvas.set_overlay("avoidance", None)
        block = (result.data.get("avoidance") if result is not None else None)
        self.panel.set_block(block)
        self.panel.set_available(result is not None and bool((result.data.get("verdicts") or {}).get("activity")))

    def run(self):
        """The analysis of the current result in a worker; the block is shown and kept in the result."""
        from ..review.avoidance import add_avoidance
        from ..review.request import Feedback

        w = self.w
        result = w.session.result
        if result is None:
            w.error(tr("msg.no_result"))
            return None
        request = w.session.request()  # an input change drops the result: this is the request it came from

        def work(progress=None, cancelled=None):
            return add_avoidance(result, request, feedback=Feedback(progress, cancelled))

        def done(block):
            if w.session.result is result:
                self.panel.set_block(block)
                w.dock_avoidance.show()
                w.dock_avoidance.raise_()
                w.statusBar().showMessage(block.get("sentence_zh", ""), 10000)
                self.analysed.emit(block)

        self.panel.btn_run.setEnabled(False)
        w.statusBar().showMessage(tr("av.running"))
        self.task = w.run_task(work, done=done, name="avoidance", failed_key="av.failed")
        self.task.progress.connect(lambda f, _t: w.show_progress(f, tr("av.running")))
        self.task.finished.connect(lambda: self.panel.set_available(w.session.result is not None))
        return self.task

    def show_option(self, opt) -> None:
        if not opt or not opt["remainder"].get("geometry_wkt"):
            self.w.canvas.set_overlay("avoidance", None)
            return
        geom = shapely.from_wkt(opt["remainder"]["geometry_wkt"])
        self.w.canvas.set_overlay("avoidance", None if geom.is_empty else [geom], **REMAINDER_STYLE)

    def ask_export(self, opt) -> None:
        if not opt:
            return
        from pathlib import Path

        start = Path(str(self.w.settings.value("dir/export", str(Path.home()))))
        name = f"{(self.w.session.footprint.name if self.w.session.footprint else '') or 'footprint'}_避让后.gpkg"
        path, _ = QFileDialog.getSaveFileName(self.w, tr("av.export"), str(start / name),
                                              "GeoPackage (*.gpkg);;Shapefile (*.shp);;TXT (*.txt)")
        if path:
            self.export(opt, path)

    @guarded("what.export")
    def export(self, opt, path) -> list[str]:
        from ..review.avoidance import write_remainder

        notes = write_remainder(opt, path, epsg=self.w.session.result.epsg)
        self.w.statusBar().showMessage(tr("sb.exported", path=str(path)), 8000)
        return notes
