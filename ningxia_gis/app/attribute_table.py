"""Attribute table of a layer (lazy Qt model over the DataFrame: fine with 100k+ rows) and the identify
results tree."""

from __future__ import annotations

import math

import pandas as pd
from PySide6.QtCore import QAbstractTableModel, QModelIndex, QSortFilterProxyModel, Qt, Signal
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
    def __init__(self, df: pd.DataFrame, parent=None):
        super().__init__(parent)
        self.df = df.reset_index(drop=True)
        self._cols = [str(c) for c in self.df.columns]

    def rowCount(self, parent=QModelIndex()):  # noqa: N802 - Qt override
        return 0 if parent.isValid() else len(self.df)

    def columnCount(self, parent=QModelIndex()):  # noqa: N802 - Qt override
        return 0 if parent.isValid() else len(self._cols)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return cell_text(self.df.iat[index.row(), index.column()])
        if role == Qt.ItemDataRole.UserRole:
            return index.row()
        return None

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802 - Qt override
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            return self._cols[section] if section < len(self._cols) else None
        return str(section + 1)


class AttributeTable(QDialog):
    """Non-modal table; selecting rows highlights (and zooms to) the features on the map."""

    rowsSelected = Signal(object, list)  # layer, row positions in the layer's data

    def __init__(self, layer, df: pd.DataFrame, parent=None):
        super().__init__(parent)
        self.layer = layer
        self.setWindowTitle(tr("at.title", name=layer.name))
        self.resize(820, 460)
        self.model = FrameModel(df, self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setFilterKeyColumn(-1)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.view = QTableView()
        self.view.setModel(self.proxy)
        self.view.setSortingEnabled(len(df) <= 200_000)
        self.view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.view.selectionModel().selectionChanged.connect(self._selected)
        self.view.verticalHeader().setDefaultSectionSize(22)
        self.filter = QLineEdit()
        self.filter.setPlaceholderText(tr("at.filter"))
        self.filter.textChanged.connect(self.proxy.setFilterFixedString)
        self.count = QLabel(tr("at.count", n=f"{len(df):,}"))
        top = QHBoxLayout()
        top.addWidget(self.filter, 1)
        top.addWidget(self.count)
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(self.view, 1)

    def _selected(self, *_):
        rows = sorted({self.proxy.mapToSource(ix).row() for ix in self.view.selectionModel().selectedRows()})
        if rows:
            self.rowsSelected.emit(self.layer, rows)


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
