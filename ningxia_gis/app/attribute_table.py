"""Attribute table of a layer (lazy Qt model over the DataFrame: fine with 100k+ rows) and the identify
results tree."""

from __future__ import annotations

import math

import pandas as pd
import numpy as np
from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt, QTimer, Signal
from PySide6.QtWidgets import (QDialog, QHBoxLayout, QLabel, QLineEdit, QTableView, QTreeWidget, QTreeWidgetItem,
                               QVBoxLayout, QWidget)

from .i18n import tr


def cell_text(v) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        if math.isnan(v):
            return ""
        return f"{v:.6g}" if abs(v) < 1e6 else f"{v:,.2f}"
    try:
        if pd.isna(v):
            return ""
    except (TypeError, ValueError):
        pass
    return str(v)


class FrameModel(QAbstractTableModel):
    """A DataFrame as a table: rows shown = ``order`` (positions in the frame), filtered and sorted with
    pandas (vectorised), so 100k+ rows stay quick; cells are formatted only when Qt paints them."""

    def __init__(self, df: pd.DataFrame, parent=None):
        super().__init__(parent)
        self.df = df.reset_index(drop=True)
        self._cols = [str(c) for c in self.df.columns]
        self.order = np.arange(len(self.df))
        self._text: pd.DataFrame | None = None
        self._filter = ""

    def rowCount(self, parent=QModelIndex()):  # noqa: N802 - Qt override
        return 0 if parent.isValid() else len(self.order)

    def columnCount(self, parent=QModelIndex()):  # noqa: N802 - Qt override
        return 0 if parent.isValid() else len(self._cols)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return cell_text(self.df.iat[int(self.order[index.row()]), index.column()])
        if role == Qt.ItemDataRole.UserRole:
            return int(self.order[index.row()])
        return None

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802 - Qt override
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return self._cols[section] if section < len(self._cols) else None
        return str(int(self.order[section]) + 1) if section < len(self.order) else None

    def row_position(self, view_row: int) -> int:
        """Position in the layer's data of a row as shown."""
        return int(self.order[view_row])

    def set_filter(self, text: str) -> None:
        text = text.strip()
        self.beginResetModel()
        self._filter = text
        if not text:
            self.order = np.arange(len(self.df))
        else:
            if self._text is None:
                self._text = self.df.astype(str)
            mask = np.zeros(len(self.df), dtype=bool)
            for c in self._text.columns:
                mask |= self._text[c].str.contains(text, case=False, regex=False, na=False).to_numpy()
            self.order = np.flatnonzero(mask)
        self.endResetModel()

    def sort(self, column, order=Qt.SortOrder.AscendingOrder):
        if column < 0 or column >= len(self._cols) or len(self.order) == 0:
            return
        self.layoutAboutToBeChanged.emit()
        col = self.df.iloc[self.order, column]
        try:
            idx = np.argsort(col.to_numpy(), kind="stable")
        except TypeError:  # mixed types
            idx = np.argsort(col.astype(str).to_numpy(), kind="stable")
        if order == Qt.SortOrder.DescendingOrder:
            idx = idx[::-1]
        self.order = self.order[idx]
        self.layoutChanged.emit()


class AttributeTable(QDialog):
    """Non-modal table; selecting rows highlights (and zooms to) the features on the map."""

    rowsSelected = Signal(object, list)  # layer, row positions in the layer's data

    def __init__(self, layer, df: pd.DataFrame, parent=None):
        super().__init__(parent)
        self.layer = layer
        self.setWindowTitle(tr("at.title", name=layer.name))
        self.resize(820, 460)
        self.model = FrameModel(df, self)
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setSortingEnabled(True)
        self.view.horizontalHeader().setSortIndicatorShown(True)
        self.view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.view.selectionModel().selectionChanged.connect(self._selected)
        self.view.verticalHeader().setDefaultSectionSize(22)
        self.filter = QLineEdit()
        self.filter.setPlaceholderText(tr("at.filter"))
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(300)
        self._timer.timeout.connect(self._apply_filter)
        self.filter.textChanged.connect(lambda _t: self._timer.start())
        self.count = QLabel()
        top = QHBoxLayout()
        top.addWidget(self.filter, 1)
        top.addWidget(self.count)
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(self.view, 1)
        self._update_count()

    def _apply_filter(self) -> None:
        self.model.set_filter(self.filter.text())
        self._update_count()

    def _update_count(self) -> None:
        n, total = self.model.rowCount(), len(self.model.df)
        self.count.setText(tr("at.count", n=f"{n:,}" if n == total else f"{n:,} / {total:,}"))

    def _selected(self, *_):
        if getattr(self, "_quiet", False):
            return
        rows = sorted({self.model.row_position(ix.row()) for ix in self.view.selectionModel().selectedRows()})
        if rows:
            self.rowsSelected.emit(self.layer, rows)

    def show_selection(self, positions) -> None:
        """Select the rows of these positions in the layer's data (a map selection), without zooming."""
        from PySide6.QtCore import QItemSelection, QItemSelectionModel

        wanted = np.isin(self.model.order, np.asarray(list(positions), dtype=np.int64))
        sel = QItemSelection()
        last = self.model.columnCount() - 1
        for r in np.flatnonzero(wanted):
            sel.select(self.model.index(int(r), 0), self.model.index(int(r), last))
        self._quiet = True
        try:
            sm = self.view.selectionModel()
            sm.select(sel, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
            rows = np.flatnonzero(wanted)
            if len(rows):
                self.view.scrollTo(self.model.index(int(rows[0]), 0))
        finally:
            self._quiet = False

    def selected_positions(self) -> list[int]:
        return sorted({self.model.row_position(ix.row()) for ix in self.view.selectionModel().selectedRows()})


class IdentifyPanel(QWidget):
    """Features found under a click: layer → feature → attribute = value."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.tree = QTreeWidget()
        self.tree.setColumnCount(2)
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(2, 2, 2, 2)
        lay.addWidget(self.hint)
        lay.addWidget(self.tree, 1)
        self.retranslate()

    def retranslate(self) -> None:
        self.tree.setHeaderLabels([tr("id.field"), tr("id.value")])
        self.hint.setText(tr("id.hint"))

    def show_features(self, found: list[tuple[str, pd.DataFrame]]) -> None:
        """``found``: (layer name, attribute rows) per layer, top layer first."""
        self.tree.clear()
        if not found:
            QTreeWidgetItem(self.tree, [tr("id.nothing"), ""])
            return
        for name, df in found:
            top = QTreeWidgetItem(self.tree, [name, tr("id.features", n=len(df))])
            for i, (_, row) in enumerate(df.iterrows()):
                f = QTreeWidgetItem(top, [f"#{i + 1}", ""])
                for k, v in row.items():
                    if str(k).startswith("__"):
                        continue
                    QTreeWidgetItem(f, [str(k), cell_text(v)])
                f.setExpanded(i == 0)
            top.setExpanded(True)
        self.tree.resizeColumnToContents(0)
