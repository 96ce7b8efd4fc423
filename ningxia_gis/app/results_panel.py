"""Results of a check: per-layer overlaps and verdicts, colour-coded, each row expandable to the quoted
rule and the procedure; selecting a row shows the full text and zooms the map to its overlap pieces.
A zone with an officer verdict shows both, labelled 机器判定 / 审查人员意见; 「记录审查人员意见」 asks the
window to record one for the selected zone (``overrideRequested``)."""

from __future__ import annotations

import html
import re

import shapely
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (QCheckBox, QHBoxLayout, QHeaderView, QLabel, QMenu, QPushButton, QSplitter,
                               QTextBrowser, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget)

from .i18n import language, status_text, tr, verdict_text, zone_text

VERDICT_ORDER = ["禁止", "需人工判定", "有条件允许", "允许", "不涉及"]
#: background (light) and text (dark) colours per verdict
VERDICT_COLOURS = {
    "禁止": ("#f8d0cc", "#a01010"),
    "需人工判定": ("#fde3b5", "#8a4b00"),
    "有条件允许": ("#fff3b0", "#6b5a00"),
    "允许": ("#cdebd3", "#0b6b2a"),
    "不涉及": ("#ececec", "#555555"),
}
STATUS_COLOURS = {"occupied": "#c0392b", "touching": "#b9770e", "not_touched": "#7f8c8d", "no_coverage": "#5d6d7e"}

COL_NAME, COL_VERDICT, COL_STATUS, COL_MU, COL_HA, COL_M2, COL_SHARE = range(7)
ROLE_DATA = Qt.ItemDataRole.UserRole
AREA_DATA = Qt.ItemDataRole.UserRole + 1


def strictest(verdicts) -> str | None:
    vs = [v for v in verdicts if v]
    if not vs:
        return None
    return min(vs, key=lambda v: VERDICT_ORDER.index(v) if v in VERDICT_ORDER else 1)


_RULE_ID = re.compile(r"〔[A-Za-z0-9_.]+〕")


def plain_summary(text: str) -> str:
    """A verdict summary for the officer: no internal rule ids, no 「。；」 double punctuation."""
    text = _RULE_ID.sub("", text or "")
    text = re.sub(r"[。．]\s*([；;，,。])", r"\1", text)
    return text.strip()


def plain_item(text: str) -> str:
    """A condition / list item without its closing full stop (items are shown one per line)."""
    return (text or "").strip().rstrip("。；;")


def citation(src: dict) -> str:
    """《文件》文号 条款 — the document, its number and the article; never the seed file or line numbers."""
    parts = [f"《{src.get('title')}》"] if src.get("title") else []
    for k in ("doc_number", "section"):
        if src.get(k):
            parts.append(str(src[k]))
    if src.get("draft"):
        parts.append(tr("res.draft"))
    return " ".join(parts)


def _fmt(v: float, nd: int) -> str:
    return f"{v:,.{nd}f}"


class ResultsPanel(QWidget):
    """Tree of layers → zones → rule details, a verdict banner and a detail pane."""

    piecesSelected = Signal(object)  # list of shapely geometries (analysis CRS) to highlight and zoom to
    overrideRequested = Signal(str, str)  # layer id, zone

    def __init__(self, parent=None):
        super().__init__(parent)
        self.result = None
        self.banner = QLabel()
        self.banner.setWordWrap(True)
        self.banner.setTextFormat(Qt.TextFormat.RichText)
        self.banner.setObjectName("verdictBanner")
        self.banner.setMargin(6)
        self.tree = QTreeWidget()
        self.tree.setColumnCount(7)
        self.tree.setAlternatingRowColors(False)
        self.tree.setUniformRowHeights(False)
        self.tree.setWordWrap(True)
        self.tree.itemSelectionChanged.connect(self._on_selection)
        self.tree.itemClicked.connect(lambda *_: self._on_selection())
        h = self.tree.header()
        h.setStretchLastSection(True)
        h.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.detail = QTextBrowser()
        self.detail.setOpenExternalLinks(False)
        self.show_tech = QCheckBox()  # the details view: rule ids, seed files and lines
        self.show_tech.toggled.connect(lambda _on: self._refresh_detail())
        self.btn_override = QPushButton()
        self.btn_override.setEnabled(False)
        self.btn_override.clicked.connect(self._request_override)
        self.tree.itemSelectionChanged.connect(lambda: self.btn_override.setEnabled(self.selected_zone() is not None))
        self.tree.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.tree.customContextMenuRequested.connect(self._context_menu)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.tree)
        bottom = QWidget()
        bl = QVBoxLayout(bottom)
        bl.setContentsMargins(0, 0, 0, 0)
        bl.addWidget(self.detail, 1)
        row = QHBoxLayout()
        row.addWidget(self.show_tech, 1)
        row.addWidget(self.btn_override)
        bl.addLayout(row)
        split.addWidget(bottom)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(2, 2, 2, 2)
        lay.addWidget(self.banner)
        lay.addWidget(split, 1)
        self.retranslate()

    # ------------------------------------------------------------------ texts
    def retranslate(self) -> None:
        self.show_tech.setText(tr("res.show_details"))
        self.btn_override.setText(tr("act.override"))
        self.btn_override.setToolTip(tr("act.override.tip"))
        self.tree.setHeaderLabels([tr("res.col.layer"), tr("res.col.verdict"), tr("res.col.status"), tr("unit.mu"),
                                   tr("unit.ha"), tr("unit.m2"), tr("res.col.share")])
        self.set_result(self.result)

    # ------------------------------------------------------------------ content
    def clear(self) -> None:
        self.set_result(None)

    def set_result(self, result) -> None:
        self.result = result
        self.tree.clear()
        self.detail.clear()
        self.btn_override.setEnabled(False)
        if result is None:
            self.banner.setText(tr("res.none"))
            self.banner.setStyleSheet("")
            return
        data = result.data
        verdicts = data.get("verdicts") or {}
        zones = verdicts.get("zones") or []
        self._banner(data, verdicts)
        for layer in data["layers"]:
            self._add_layer(layer, [z for z in zones if z.get("layer_id") == layer["id"]])
        for r in data.get("rasters") or []:
            self._add_raster(r)
        for c in range(1, 7):
            self.tree.resizeColumnToContents(c)
        self.tree.setColumnWidth(COL_NAME, max(self.tree.columnWidth(COL_NAME), 190))

    def _banner(self, data, verdicts) -> None:
        fp = data["footprint"]
        a = fp["area"]
        loc = (data.get("location") or {}).get("county") or tr("res.unknown_county")
        text = (f"<b>{html.escape(fp.get('name') or '')}</b> — {tr('fp.area')}: "
                f"{_fmt(a['ellipsoidal_mu'], 2)} {tr('unit.mu')} / {_fmt(a['ellipsoidal_ha'], 4)} {tr('unit.ha')} / "
                f"{_fmt(a['ellipsoidal_m2'], 2)} m² · {html.escape(loc)} · {html.escape(data['analysis_crs']['label'])}")
        overall = (verdicts or {}).get("overall") or {}
        style = ""
        if overall.get("verdict"):
            bg, fg = VERDICT_COLOURS.get(overall["verdict"], ("#ffffff", "#000000"))
            summary = overall.get("summary_zh" if language() == "zh" else "summary_en") or ""
            act = data.get("activity") or {}
            name = act.get("name_zh" if language() == "zh" else "name_en") or act.get("id") or ""
            machine = overall.get("machine_verdict")
            machine_text = (f" （{tr('res.overall_machine')}: {html.escape(verdict_text(machine))}）"
                            if machine and machine != overall["verdict"] else "")
            text += (f"<br><span style='font-size:13pt'><b>{tr('res.overall')}: "
                     f"{html.escape(verdict_text(overall['verdict']))}</b></span>{machine_text}"
                     f"<br>{tr('res.activity')}: <b>{html.escape(name)}</b>"
                     f"<br>{html.escape(plain_summary(summary))}")
            alts = verdicts.get("alternatives") or []
            if alts:  # under 禁止: what the officer can advise instead of a to-do list
                text += (f"<br><b>{tr('res.alternatives')}</b>:<br>"
                         + "<br>".join(f"· {html.escape(plain_item(plain_summary(a)))}" for a in alts))
            style = f"QLabel#verdictBanner {{ background:{bg}; color:{fg}; border:1px solid {fg}; }}"
        else:
            text += f"<br>{tr('res.no_activity')}"
            style = "QLabel#verdictBanner { background:#eef3f8; border:1px solid #9fb3c8; }"
        if (data.get("catalog") or {}).get("synthetic"):
            text += f"<br><span style='color:#a05000'>{tr('res.synthetic')}</span>"
        self.banner.setText(text)
        self.banner.setStyleSheet(style)

    def _paint(self, item: QTreeWidgetItem, verdict: str | None, status: str | None) -> None:
        if status:
            item.setForeground(COL_STATUS, QBrush(QColor(STATUS_COLOURS.get(status, "#000000"))))
        if verdict:
            bg, fg = VERDICT_COLOURS.get(verdict, ("#ffffff", "#000000"))
            item.setBackground(COL_VERDICT, QBrush(QColor(bg)))
            item.setForeground(COL_VERDICT, QBrush(QColor(fg)))
            f = item.font(COL_VERDICT)
            f.setBold(True)
            item.setFont(COL_VERDICT, f)
            if verdict in ("禁止", "需人工判定"):
                item.setBackground(COL_NAME, QBrush(QColor(bg)))

    def _area_cols(self, item, area: dict | None, share: float | None) -> None:
        if not area:
            return
        item.setText(COL_MU, _fmt(area["ellipsoidal_mu"], 2))
        item.setText(COL_HA, _fmt(area["ellipsoidal_ha"], 4))
        item.setText(COL_M2, _fmt(area["ellipsoidal_m2"], 2))
        item.setData(COL_M2, AREA_DATA, float(area["ellipsoidal_m2"]))
        item.setToolTip(COL_M2, f"{tr('res.planar')}: {_fmt(area['planar_m2'], 2)} m²")
        for c in (COL_MU, COL_HA, COL_M2, COL_SHARE):
            item.setTextAlignment(c, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if share is not None:
            item.setText(COL_SHARE, f"{100 * share:.2f}%")

    def _add_layer(self, layer: dict, vzones: list[dict]) -> None:
        item = QTreeWidgetItem(self.tree)
        item.setText(COL_NAME, layer["name"])
        item.setToolTip(COL_NAME, f"{layer.get('role_name', '')} · {layer['source']}")
        item.setText(COL_STATUS, status_text(layer["status"]) + (f" ({layer['hit_count']})" if layer["hit_count"] else ""))
        self._area_cols(item, layer["area"], layer["share_of_footprint"])
        lv = strictest(z.get("verdict") for z in vzones)
        if lv:
            item.setText(COL_VERDICT, verdict_text(lv))
        item.setData(COL_NAME, ROLE_DATA, {"kind": "layer", "layer_id": layer["id"], "verdict": lv,
                                           "status": layer["status"]})
        self._paint(item, lv, layer["status"])
        if layer["role"] == "admin_boundary":  # context, not a control zone: where the footprint lies
            item.setText(COL_VERDICT, "")
            zones = [z["zone"] for z in layer.get("by_zone") or []]
            item.setText(COL_STATUS, tr("res.located") if zones else status_text(layer["status"]))
            item.setForeground(COL_STATUS, QBrush(QColor("#1f4e79")))
            item.setToolTip(COL_STATUS, "、".join(zones))
        shown = set()
        for bz in layer.get("by_zone") or []:
            vz = next((z for z in vzones if z.get("zone") == bz["zone"]), None)
            self._add_zone(item, layer, bz["zone"], bz.get("status"), bz["area"], bz.get("share_of_footprint"), vz)
            shown.add(bz["zone"])
        for vz in vzones:
            if vz.get("zone") in shown:
                continue
            if layer["status"] == "not_touched" and vz.get("verdict") == "不涉及" and not vz.get("derived"):
                # the layer row already says it; keep the rule text reachable on the layer row
                self._add_rule_children(item, vz)
                item.setData(COL_NAME, ROLE_DATA, {**item.data(COL_NAME, ROLE_DATA), "vzone": vz})
                continue
            self._add_zone(item, layer, vz.get("zone") or "", vz.get("status"), vz.get("area"),
                           vz.get("share_of_footprint"), vz)
        has_zone_rows = any((item.child(k).data(COL_NAME, ROLE_DATA) or {}).get("kind") == "zone"
                            for k in range(item.childCount()))
        item.setExpanded(has_zone_rows and layer["role"] != "admin_boundary"
                         and (layer["status"] != "not_touched" or bool(lv and lv != "不涉及")))

    def _add_zone(self, parent, layer, zone, status, area, share, vz) -> None:
        it = QTreeWidgetItem(parent)
        label = zone_text(zone)
        if label != zone:
            it.setToolTip(COL_NAME, zone)
        if vz and vz.get("derived"):
            label += f" ({tr('res.derived')})"
        it.setText(COL_NAME, label)
        if status:
            it.setText(COL_STATUS, tr("res.located") if layer["role"] == "admin_boundary" else status_text(status))
        self._area_cols(it, area, share)
        verdict = vz.get("verdict") if vz else None
        officer = (vz or {}).get("officer") or None
        if verdict:
            it.setText(COL_VERDICT, verdict_text(verdict))
        if officer:  # the officer's verdict decides; the machine's stays beside it
            it.setText(COL_VERDICT, f"{verdict_text(officer['verdict'])}（{tr('res.officer_short')}）")
            it.setToolTip(COL_VERDICT, f"{tr('res.machine')}: {verdict_text(verdict)}\n"
                                       f"{tr('res.officer')}: {verdict_text(officer['verdict'])}\n"
                                       f"{tr('res.officer_reason')}: {officer.get('reason') or ''}")
        it.setData(COL_NAME, ROLE_DATA, {"kind": "zone", "layer_id": layer["id"], "zone": zone, "verdict": verdict,
                                         "officer": officer["verdict"] if officer else None,
                                         "status": status, "vzone": vz})
        self._paint(it, officer["verdict"] if officer else verdict, status if layer["role"] != "admin_boundary" else None)
        if vz:
            self._add_rule_children(it, vz)

    def _add_rule_children(self, parent, vz: dict) -> None:
        def child(label: str, text: str) -> None:
            c = QTreeWidgetItem(parent)
            c.setText(COL_NAME, f"{label}: {text}")
            c.setToolTip(COL_NAME, text)
            c.setFirstColumnSpanned(True)
            c.setData(COL_NAME, ROLE_DATA, {**(parent.data(COL_NAME, ROLE_DATA) or {}), "kind": "detail"})
            c.setForeground(COL_NAME, QBrush(QColor("#333333")))

        officer = vz.get("officer")
        if officer:
            child(tr("res.machine"), verdict_text(vz.get("verdict")))
            child(tr("res.officer"), f"{verdict_text(officer['verdict'])} — {tr('res.officer_reason')}: "
                                     f"{officer.get('reason') or ''}"
                                     + (f"（{officer['officer']}，{officer.get('recorded_at') or ''}）"
                                        if officer.get("officer") else ""))
        if vz.get("rule_id"):
            title = vz.get("rule_title") if language() == "zh" else (vz.get("rule_title_en") or vz.get("rule_title"))
            child(tr("res.rule"), title or "")
        if vz.get("quote"):
            child(tr("res.quote"), f"「{vz['quote']}」")
        src = vz.get("source") or {}
        if src.get("title"):
            child(tr("res.source"), citation(src))
        steps = (vz.get("procedure") or {}).get("steps") or []
        if steps:
            child(tr("res.procedure"), " → ".join(steps))
        for q in vz.get("open_questions") or []:
            child(tr("res.question"), q.get("question_zh" if language() == "zh" else "question_en") or q.get("fact"))
        for a in vz.get("alternatives") or []:
            child(tr("res.alternative"), plain_item(plain_summary(a)))

    def _add_raster(self, r: dict) -> None:
        item = QTreeWidgetItem(self.tree)
        item.setText(COL_NAME, r.get("name") or r.get("id"))
        item.setText(COL_STATUS, {"covered": tr("res.covered"), "partly_covered": tr("res.partly_covered"),
                                  "not_covered": tr("res.not_covered")}.get(r.get("status"), r.get("status") or ""))
        item.setData(COL_NAME, ROLE_DATA, {"kind": "raster", "raster_id": r.get("id")})
        font = QFont(item.font(COL_NAME))
        font.setItalic(True)
        item.setFont(COL_NAME, font)
        stats = r.get("stats") or {}
        for a in stats.get("slope_above") or []:
            it = QTreeWidgetItem(item)
            it.setText(COL_NAME, f"{tr('res.slope_above')} {a['threshold_deg']:g}°")
            self._area_cols(it, a["area"], a.get("share_of_footprint"))
            it.setData(COL_NAME, ROLE_DATA, {"kind": "raster_row"})
        el = stats.get("elevation_m")
        if el:
            it = QTreeWidgetItem(item)
            it.setText(COL_NAME, f"{tr('res.elevation')}: {el['min']:.1f} / {el['mean']:.1f} / {el['max']:.1f} m")
            it.setFirstColumnSpanned(True)
        for c in r.get("classes") or []:
            it = QTreeWidgetItem(item)
            it.setText(COL_NAME, f"{c['code']} {c.get('name_zh') if language() == 'zh' else c.get('name_en')}")
            self._area_cols(it, c["area"], c.get("share_of_footprint"))
            if c.get("color"):
                it.setBackground(COL_NAME, QBrush(QColor(c["color"])))
            it.setData(COL_NAME, ROLE_DATA, {"kind": "raster_row"})

    # ------------------------------------------------------------------ selection
    def rows(self) -> list[dict]:
        """Every layer and zone row: what the tests compare with the CLI's JSON."""
        out = []

        def walk(item, depth):
            d = item.data(COL_NAME, ROLE_DATA) or {}
            if d.get("kind") in ("layer", "zone"):
                out.append({"kind": d["kind"], "layer_id": d.get("layer_id"), "zone": d.get("zone"),
                            "verdict": d.get("verdict"), "officer": d.get("officer"), "status": d.get("status"),
                            "m2": item.data(COL_M2, AREA_DATA), "text": [item.text(c) for c in range(7)]})
            for i in range(item.childCount()):
                walk(item.child(i), depth + 1)

        for i in range(self.tree.topLevelItemCount()):
            walk(self.tree.topLevelItem(i), 0)
        return out

    def item_for(self, layer_id: str, zone: str | None = None) -> QTreeWidgetItem | None:
        for i in range(self.tree.topLevelItemCount()):
            top = self.tree.topLevelItem(i)
            d = top.data(COL_NAME, ROLE_DATA) or {}
            if d.get("layer_id") != layer_id:
                continue
            if zone is None:
                return top
            for k in range(top.childCount()):
                c = top.child(k)
                if (c.data(COL_NAME, ROLE_DATA) or {}).get("zone") == zone:
                    return c
        return None

    def pieces_for(self, layer_id: str, zone: str | None = None) -> list:
        if self.result is None:
            return []
        data = self.result.data
        for layer in data["layers"]:
            if layer["id"] != layer_id:
                continue
            geoms = [shapely.from_wkt(p["geometry_wkt"]) for p in layer["pieces"]
                     if zone is None or p.get("zone") == zone]
            if not geoms and zone is not None and zone.endswith("外") and layer["role"] == "urban_boundary":
                # the footprint outside the urban boundary (a derived zone)
                inside = shapely.union_all([shapely.from_wkt(p["geometry_wkt"]) for p in layer["pieces"]])
                rest = self.result.footprint_geom.difference(inside)
                geoms = [rest] if not rest.is_empty else []
            return geoms
        return []

    def selected_zone(self) -> tuple[str, str] | None:
        """(layer id, zone) of the selected zone row (or one of its detail rows) when it has a verdict."""
        items = self.tree.selectedItems()
        if not items or self.result is None:
            return None
        d = items[0].data(COL_NAME, ROLE_DATA) or {}
        vz = d.get("vzone") or {}
        if d.get("kind") in ("zone", "detail") and d.get("layer_id") and vz.get("verdict"):
            return d["layer_id"], vz.get("zone") or d.get("zone") or ""
        return None

    def _request_override(self) -> None:
        z = self.selected_zone()
        if z is not None:
            self.overrideRequested.emit(*z)

    def _context_menu(self, pos) -> None:
        item = self.tree.itemAt(pos)
        if item is None:
            return
        self.tree.setCurrentItem(item)
        if self.selected_zone() is None:
            return
        menu = QMenu(self.tree)
        menu.addAction(tr("act.override"), self._request_override)
        menu.exec(self.tree.viewport().mapToGlobal(pos))

    def _refresh_detail(self) -> None:
        items = self.tree.selectedItems()
        if items and self.result is not None:
            self.detail.setHtml(self._detail_html(items[0], items[0].data(COL_NAME, ROLE_DATA) or {}))

    def _on_selection(self) -> None:
        items = self.tree.selectedItems()
        if not items or self.result is None:
            return
        item = items[0]
        d = item.data(COL_NAME, ROLE_DATA) or {}
        self.detail.setHtml(self._detail_html(item, d))
        if d.get("layer_id"):
            zone = d.get("zone") if d.get("kind") in ("zone", "detail") else None
            geoms = self.pieces_for(d["layer_id"], zone)
            self.piecesSelected.emit(geoms)

    def _detail_html(self, item, d) -> str:
        e = html.escape
        vz = d.get("vzone")
        if vz is None and d.get("kind") == "layer":
            # a layer row: list its zones' verdicts
            parts = [f"<h3>{e(item.text(COL_NAME))}</h3>"]
            for k in range(item.childCount()):
                c = item.child(k)
                cd = c.data(COL_NAME, ROLE_DATA) or {}
                if cd.get("kind") == "zone":
                    parts.append(f"<p>{e(c.text(COL_NAME))}: <b>{e(c.text(COL_VERDICT) or c.text(COL_STATUS))}</b></p>")
            layer = next((x for x in self.result.data["layers"] if x["id"] == d.get("layer_id")), None)
            if layer and layer["pieces"]:
                parts.append(f"<p>{tr('res.pieces')}: {len(layer['pieces'])}</p><ul>")
                for p in layer["pieces"][:30]:
                    key = ", ".join(f"{k}={v}" for k, v in (p.get("key") or {}).items())
                    parts.append(f"<li>#{p['piece_id']} {e(p.get('zone') or '')} — "
                                 f"{p['area']['ellipsoidal_m2']:,.2f} m² {e(key)}</li>")
                parts.append("</ul>")
            return "".join(parts)
        if not vz:
            return f"<p>{e(item.text(COL_NAME))}</p>"
        zh = language() == "zh"
        v = vz.get("verdict") or ""
        bg, fg = VERDICT_COLOURS.get(v, ("#ffffff", "#000000"))
        officer = vz.get("officer")
        out = [f"<h3>{e(vz.get('layer_name') or '')} · {e(zone_text(vz.get('zone')))}</h3>",
               f"<p style='background:{bg}; color:{fg}; padding:4px'>"
               + (f"{tr('res.machine')}: " if officer else "") + f"<b>{e(verdict_text(v))}</b>"]
        if vz.get("verdict_if_occupied"):
            out.append(f" ({tr('res.if_occupied')}: {e(verdict_text(vz['verdict_if_occupied']))})")
        out.append("</p>")
        if officer:
            obg, ofg = VERDICT_COLOURS.get(officer["verdict"], ("#ffffff", "#000000"))
            who = f"（{e(officer['officer'])}，{e(officer.get('recorded_at') or '')}）" if officer.get("officer") else ""
            out.append(f"<p style='background:{obg}; color:{ofg}; padding:4px'>{tr('res.officer')}: "
                       f"<b>{e(verdict_text(officer['verdict']))}</b>{who}<br>{tr('res.officer_reason')}: "
                       f"{e(officer.get('reason') or '')}</p>")
        if vz.get("rule_id"):
            title = vz.get("rule_title") if zh else (vz.get("rule_title_en") or vz.get("rule_title"))
            out.append(f"<p><b>{tr('res.rule')}</b>: {e(title or '')}</p>")
        if vz.get("quote"):
            out.append(f"<p><b>{tr('res.quote')}</b>:</p><blockquote style='background:#f4f4f4'>「{e(vz['quote'])}」"
                       "</blockquote>")
            if not zh and vz.get("gloss_en"):
                out.append(f"<p><i>{e(vz['gloss_en'])}</i></p>")
        src = vz.get("source") or {}
        if src.get("title"):
            out.append(f"<p><b>{tr('res.source')}</b>: {e(citation(src))}</p>")
        if vz.get("conditions"):
            out.append(f"<p><b>{tr('res.conditions')}</b>:</p><ul>" +
                       "".join(f"<li>{e(plain_item(c))}</li>" for c in vz["conditions"]) + "</ul>")
        steps = (vz.get("procedure") or {}).get("steps") or []
        if steps:
            out.append(f"<p><b>{tr('res.procedure')}</b>:</p><ol>" + "".join(f"<li>{e(s)}</li>" for s in steps) + "</ol>")
        qs = vz.get("open_questions") or []
        if qs:
            seen = dict.fromkeys(q.get("question_zh" if zh else "question_en") or q.get("fact") for q in qs)
            out.append(f"<p><b>{tr('res.question')}</b>:</p><ul>" + "".join(f"<li>{e(t)}</li>" for t in seen) + "</ul>")
        if not zh and (vz.get("quote") or vz.get("conditions") or steps):
            out.append(f"<p style='color:#555'><i>{e(tr('res.chinese_note'))}</i></p>")
        # the details view: ids, rule status, seed file and lines, the engine's reasons
        tech = []
        if vz.get("rule_id"):
            tech.append(f"{tr('res.rule_id')}: <code>{e(vz['rule_id'])}</code> ({e(vz.get('rule_status') or '')})")
        if src.get("file") or src.get("line"):
            tech.append(f"{tr('res.seed')}: {e(_source_text(src))} {e(src.get('file') or '')}")
        tech += [e(r) for r in vz.get("reasons") or []]
        if tech and self.show_tech.isChecked():
            out.append(f"<p style='color:#777; font-size:9pt'><b>{tr('res.details')}</b><br>" + "<br>".join(tech) + "</p>")
        return "".join(out)


def _source_text(src: dict) -> str:
    line = src.get("line")
    lines = f"{line}" + (f"–{src['line_end']}" if src.get("line_end") else "") if line else ""
    parts = [f"《{src.get('title')}》"]
    if src.get("doc_number"):
        parts.append(str(src["doc_number"]))
    if src.get("section"):
        parts.append(str(src["section"]))
    if lines:
        parts.append(tr("res.line", n=lines))
    if src.get("draft"):
        parts.append(tr("res.draft"))
    if src.get("status") == "external":
        parts.append("external")
    return " ".join(parts)
