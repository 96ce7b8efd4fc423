"""A small string table: Chinese (default) and English. ``tr(key, **fmt)`` returns the text in the
current language; ``set_language("en")`` switches (the window re-applies its texts)."""

from __future__ import annotations

_LANG = "zh"

STRINGS: dict[str, tuple[str, str]] = {
    "app.title": ("宁夏国土空间管控审查工具", "Ningxia Spatial Control Review Tool"),
    "about.text": ("宁夏国土空间管控审查工具 {version}\n离线叠加分析、准入规则判定与审查报告。\n"
                   "示例图层为合成数据，仅用于演示和培训。\n日志文件：{log}",
                   "Ningxia spatial control review tool {version}\nOffline overlay analysis, permitted-activity "
                   "rules and review reports.\nThe sample layers are synthetic (demos and training only).\nLog file: {log}"),
    # menus
    "menu.file": ("文件(&F)", "&File"),
    "menu.view": ("视图(&V)", "&View"),
    "menu.check": ("审查(&C)", "&Check"),
    "menu.language": ("语言(&L)", "&Language"),
    "menu.help": ("帮助(&H)", "&Help"),
    "menu.recent": ("最近打开", "Recent files"),
    "menu.recent.catalog": ("图层目录", "Catalog"),
    "menu.recent.layer": ("图层", "Layer"),
    "menu.export": ("导出", "Export"),
    # actions
    "act.open_footprint": ("打开项目用地…", "Open footprint…"),
    "act.open_footprint.tip": ("导入项目用地范围（TXT 界址点、SHP、GPKG、GeoJSON、KML、DXF、CSV、XLSX）",
                               "Import the project footprint (TXT, SHP, GPKG, GeoJSON, KML, DXF, CSV, XLSX)"),
    "act.add_layer": ("添加图层…", "Add layer…"),
    "act.add_layer.tip": ("添加矢量或栅格图层（也可拖放到图层列表）", "Add vector or raster layers (or drop them on the layer list)"),
    "act.open_catalog": ("打开图层目录…", "Open layer catalog…"),
    "act.open_catalog.tip": ("打开图层目录文件（.toml）或图层文件夹，替换当前图层",
                             "Open a catalog (.toml) or a folder of layers, replacing the current layers"),
    "act.sample_layers": ("加载示例图层", "Load sample layers"),
    "act.save_footprint": ("保存项目用地范围…", "Save footprint as…"),
    "act.export_pdf": ("导出 PDF 报告…", "Export PDF report…"),
    "act.export_docx": ("导出 Word 报告…", "Export Word report…"),
    "act.export_xlsx": ("导出 Excel 表格…", "Export Excel tables…"),
    "act.export_gpkg": ("导出压占图斑 GPKG…", "Export overlap pieces (GPKG)…"),
    "act.export_json": ("导出结果 JSON…", "Export result JSON…"),
    "act.export_png": ("导出地图 PNG…", "Export map as PNG…"),
    "act.export_svg": ("导出地图 SVG…", "Export map as SVG…"),
    "act.print": ("打印报告…", "Print report…"),
    "act.print_map": ("打印地图…", "Print map…"),
    "act.quit": ("退出", "Quit"),
    "act.pan": ("平移", "Pan"),
    "act.pan.tip": ("拖动平移地图；滚轮缩放", "Drag to pan; wheel to zoom"),
    "act.zoom_box": ("拉框放大", "Box zoom"),
    "act.zoom_box.tip": ("拖出矩形放大；单击放大一倍", "Drag a rectangle to zoom in; click to zoom ×2"),
    "act.identify": ("识别", "Identify"),
    "act.identify.tip": ("单击要素查看属性", "Click a feature to see its attributes"),
    "act.draw": ("绘制用地", "Draw footprint"),
    "act.draw.tip": ("在地图上单击添加顶点，双击或右键结束，Esc 取消，退格删除上一点",
                     "Click to add vertices, double-click or right-click to finish, Esc to cancel, Backspace to undo"),
    "act.zoom_full": ("全图", "Full extent"),
    "act.zoom_footprint": ("缩放至用地", "Zoom to footprint"),
    "act.zoom_layer": ("缩放至图层", "Zoom to layer"),
    "act.zoom_in": ("放大", "Zoom in"),
    "act.zoom_out": ("缩小", "Zoom out"),
    "act.run": ("开始审查", "Run check"),
    "act.run.tip": ("将项目用地与各管控图层叠加分析，并按所选项目类型判定准入（F5）",
                    "Overlay the footprint on the protected layers and apply the rules of the chosen activity (F5)"),
    "act.cancel": ("取消审查", "Cancel check"),
    "act.trainer": ("培训模式", "Trainer mode"),
    "act.trainer.tip": ("示例场景一键审查；按分区浏览规则库", "Sample scenarios in one click; rule browser by zone"),
    "act.lang_zh": ("中文", "中文 (Chinese)"),
    "act.lang_en": ("English", "English"),
    "act.about": ("关于", "About"),
    "act.log": ("日志文件位置", "Log file location"),
    "act.open_folder": ("打开图层文件夹…", "Open a folder of layers…"),
    "act.print_preview": ("打印预览…", "Print preview…"),
    "act.clear_selection": ("清除选择", "Clear selection"),
    "act.clear_selection.tip": ("清除地图上的选中高亮（Esc）", "Clear the highlight on the map (Esc)"),
    "act.help": ("使用说明", "User guide"),
    "help.title": ("使用说明", "User guide"),
    "help.missing": ("未找到使用说明文件。", "The user guide file is missing."),
    "what.export": ("导出", "The export"),
    "what.print": ("打印", "Printing"),
    "what.open": ("读取项目用地", "Reading the footprint"),
    "what.save": ("保存项目用地", "Saving the footprint"),
    "msg.open_failed": ("无法读取项目用地：", "Cannot read the footprint: "),
    "exp.title": ("正在导出 {name}", "Exporting {name}"),
    "exp.model": ("正在整理报告内容…", "Preparing the report…"),
    "exp.maps": ("正在绘制地图 {i}/{n} …", "Drawing map {i} of {n} …"),
    "exp.writing": ("正在写入 {name} …", "Writing {name} …"),
    "sb.export_cancelled": ("导出已取消，未写入文件", "Export cancelled; no file written"),
    "sb.closing": ("正在停止后台任务，随后关闭…", "Stopping background work, then closing…"),
    "dlg.print_preview": ("打印预览", "Print preview"),
    "lp.in_check": ("参与审查", "In check"),
    "lp.in_check.tip": ("勾选的图层参与审查，报告列出这些图层；未勾选的只显示", "Ticked layers are checked and listed in the report; unticked ones are only shown"),
    "lp.in_check.on": ("参与审查（报告中列出）", "Part of the check (listed in the report)"),
    "lp.in_check.off": ("不参与审查（仅显示）", "Not checked (display only)"),
    "lp.in_check.never": ("仅显示的图层不参与审查；可通过“类型…”设置管控类型", "Display-only layers are never checked; set a role with “Role…”"),
    "lp.kind.title": ("栅格类型", "Raster kind"),
    "lp.kind.label": ("“{name}” 是哪类栅格？", "What kind of raster is “{name}”?"),
    "lp.kind.image": ("影像底图（仅显示，不参与审查）", "Image backdrop (display only, not checked)"),
    "lp.kind.dem": ("高程（DEM，参与坡度分析）", "Elevation (DEM, slope analysis)"),
    "lp.kind.landcover": ("地表覆盖分类（参与分析）", "Land-cover classes (analysed)"),
    "lp.kind.image_short": ("影像 · 仅显示", "image · display only"),
    "lp.kind.dem_short": ("高程 DEM", "elevation DEM"),
    "lp.kind.landcover_short": ("地表覆盖", "land cover"),
    "res.activity": ("审查项目类型", "Activity"),
    "res.rule_id": ("规则编号", "Rule id"),
    "res.seed": ("原文位置", "Text location"),
    "res.details": ("技术细节（供核对）", "Technical details (for checking)"),
    "res.show_details": ("显示技术细节（规则编号、原文行号）", "Show technical details (rule ids, text lines)"),
    "fp.legacy.title": ("旧坐标系（西安80 / 北京54）", "Legacy datum (Xi'an 80 / Beijing 54)"),
    "fp.legacy.text": ("“{name}” 的坐标为西安80或北京54坐标系。转换到2000国家大地坐标系需要本地七参数，本工具不作猜测。\n\n"
                       "建议先将文件转换为2000国家大地坐标系再导入。也可按原坐标读取：位置可能偏差数十米，结果不得用于正式审查。",
                       "“{name}” is in Xi'an 80 or Beijing 54. Converting it to CGCS2000 needs the local 7-parameter "
                       "transformation, which the tool does not guess.\n\nConvert the file to CGCS2000 first, or read it as "
                       "it is: positions can be tens of metres off and the result must not be used for a formal review."),
    "fp.legacy.read": ("按原坐标读取", "Read as it is"),
    "fp.legacy.cancel": ("不读取", "Do not read"),
    # docks
    "dock.layers": ("图层", "Layers"),
    "dock.check": ("项目用地与审查", "Footprint and check"),
    "dock.results": ("审查结果", "Results"),
    "dock.identify": ("要素识别", "Identify"),
    "dock.trainer": ("培训", "Training"),
    # layer panel
    "lp.name": ("图层", "Layer"),
    "lp.role": ("类型", "Role"),
    "lp.count": ("要素数", "Features"),
    "lp.add": ("添加", "Add"),
    "lp.add.tip": ("添加图层文件", "Add layer files"),
    "lp.remove": ("移除", "Remove"),
    "lp.remove.tip": ("移除所选图层", "Remove the selected layer"),
    "lp.up": ("上移", "Up"),
    "lp.up.tip": ("在地图上置于更上层", "Draw above"),
    "lp.down": ("下移", "Down"),
    "lp.down.tip": ("在地图上置于更下层", "Draw below"),
    "lp.set_role": ("类型…", "Role…"),
    "lp.set_role.tip": ("设置/更改图层类型（决定是否参与审查及适用规则）",
                        "Set or change the layer's role (whether and how it is checked)"),
    "lp.table": ("属性表", "Table"),
    "lp.table.tip": ("打开属性表", "Open the attribute table"),
    "lp.zoom": ("缩放", "Zoom"),
    "lp.zoom.tip": ("缩放至图层", "Zoom to the layer"),
    "lp.drop.tip": ("名称前的勾选控制显示，“参与审查”列的勾选决定是否审查；可将图层文件拖放到此处添加",
                    "The tick by the name shows the layer, the “In check” tick checks it; drop layer files here to add them"),
    "lp.display_only": ("仅显示", "display only"),
    "lp.display_only_long": ("仅显示（不参与审查）", "Display only (not checked)"),
    "lp.raster": ("栅格", "raster"),
    "lp.error": ("读取失败", "error"),
    "lp.role_dialog.title": ("图层类型", "Layer role"),
    "lp.role_dialog.label": ("“{name}” 是哪类管控图层？", "Which protected layer is “{name}”?"),
    # check panel
    "cp.footprint": ("项目用地", "Project footprint"),
    "cp.open": ("导入…", "Import…"),
    "cp.open.tip": ("导入用地文件；也可将文件拖放到地图上", "Import a footprint file; or drop it on the map"),
    "cp.draw": ("绘制", "Draw"),
    "cp.draw.tip": ("在地图上绘制用地范围", "Draw the footprint on the map"),
    "cp.save": ("保存…", "Save…"),
    "cp.save.tip": ("将用地范围另存为 GPKG / TXT / DXF …", "Save the footprint as GPKG / TXT / DXF …"),
    "cp.clear": ("清除", "Clear"),
    "cp.check": ("审查", "Check"),
    "cp.activity.placeholder": ("搜索项目类型：中文、拼音首字母或英文（如 gl = 公路）", "Search: Chinese, pinyin initials or English (gl = 公路)"),
    "cp.activity.search_tip": ("输入后下拉列表只保留匹配的项目类型；项目类型只能从列表中选择",
                               "Typing narrows the list; the activity is always one picked from the list"),
    "cp.chosen": ("审查项目类型：{name}", "Activity checked: {name}"),
    "cp.chosen_none": ("审查项目类型：未指定（仅叠加分析）", "Activity: none (overlay only)"),
    "cp.activity.tip": ("项目类型（用地用途）：决定适用的准入规则", "Activity type: decides which rules apply"),
    "cp.no_activity": ("（不指定项目类型：仅叠加分析）", "(no activity: overlay only)"),
    "cp.no_activity.hint": ("未选择项目类型时只计算压占面积，不作准入判定。",
                            "Without an activity only the overlaps are measured, no verdicts."),
    "cp.questions": ("请回答与本类项目相关的问题（未回答的按默认或“需人工判定”处理）：",
                     "Answer the questions for this activity (unanswered: default or 'needs human judgment'):"),
    "cp.no_questions": ("本类项目无需回答其他问题。", "No questions for this activity."),
    "cp.unanswered": ("未回答", "not answered"),
    "cp.default": ("默认", "default"),
    "cp.run": ("开始审查", "Run check"),
    "cp.cancel": ("取消", "Cancel"),
    "cp.rules_missing": ("规则库不可用，只能做叠加分析：{error}", "Rule base unavailable, overlay only: {error}"),
    "yes": ("是", "yes"),
    "no": ("否", "no"),
    # footprint
    "fp.none": ("尚未导入项目用地。导入文件、拖放文件到地图，或在地图上绘制。",
                "No footprint yet. Import a file, drop one on the map, or draw it."),
    "fp.area": ("面积", "Area"),
    "fp.planar": ("高斯平面面积", "Planar (Gauss-Krüger)"),
    "fp.counts": ("{parcels} 个地块，{rings} 个环，{vertices} 个顶点", "{parcels} parcel(s), {rings} ring(s), {vertices} vertices"),
    "fp.crs": ("原坐标系", "Input CRS"),
    "fp.drawn_name": ("绘制范围{n}", "drawn footprint {n}"),
    "fp.drawn_source": ("（在地图上绘制）", "(drawn on the map)"),
    # units
    "unit.mu": ("亩", "mu"),
    "unit.ha": ("公顷", "ha"),
    "unit.m2": ("平方米", "m²"),
    # results
    "res.col.layer": ("图层 / 分区", "Layer / zone"),
    "res.col.status": ("情况", "Status"),
    "res.col.share": ("占比", "Share"),
    "res.col.verdict": ("结论", "Verdict"),
    "res.none": ("尚无审查结果。导入项目用地、选择项目类型后点击“开始审查”。",
                 "No result yet. Import a footprint, choose the activity and click “Run check”."),
    "res.overall": ("总体结论", "Overall verdict"),
    "res.no_activity": ("未指定项目类型：仅叠加分析，未作准入判定。", "No activity given: overlay only, no verdicts."),
    "res.synthetic": ("注意：示例图层为合成数据，仅用于演示和培训，不得用于实际审查。",
                      "Note: the sample layers are synthetic, for demos and training only."),
    "res.unknown_county": ("行政区未知", "county unknown"),
    "res.planar": ("高斯平面面积", "planar area"),
    "res.derived": ("推算", "derived"),
    "res.located": ("所在区域", "location"),
    "res.rule": ("规则", "Rule"),
    "res.quote": ("原文", "Quoted clause"),
    "res.source": ("依据", "Source"),
    "res.procedure": ("程序", "Procedure"),
    "res.conditions": ("条件", "Conditions"),
    "res.reasons": ("判定理由", "Reasons"),
    "res.question": ("待回答问题", "Open question"),
    "res.if_occupied": ("若占用则为", "if occupied"),
    "res.line": ("第 {n} 行", "line {n}"),
    "res.draft": ("（征求意见稿）", "(draft)"),
    "res.pieces": ("压占图斑", "Overlap pieces"),
    "res.covered": ("全覆盖", "covered"),
    "res.partly_covered": ("部分覆盖", "partly covered"),
    "res.not_covered": ("无数据", "not covered"),
    "res.slope_above": ("坡度 >", "slope >"),
    "res.elevation": ("高程 最小/平均/最大", "elevation min/mean/max"),
    # identify / attribute table
    "id.field": ("字段", "Field"),
    "id.value": ("值", "Value"),
    "id.hint": ("选择“识别”工具后单击地图上的要素。", "Choose the Identify tool and click a feature on the map."),
    "id.nothing": ("此处没有要素", "No feature here"),
    "id.features": ("{n} 个要素", "{n} feature(s)"),
    "at.title": ("属性表 — {name}", "Attributes — {name}"),
    "at.filter": ("筛选（任意字段包含）…", "Filter (any field contains)…"),
    "at.count": ("共 {n} 条", "{n} rows"),
    # trainer
    "tr.scenarios": ("示例场景", "Scenarios"),
    "tr.rules": ("规则浏览", "Rule browser"),
    "tr.run": ("加载并审查", "Load and check"),
    "tr.run.tip": ("加载场景的用地和项目类型并立即审查（也可双击）", "Load the scenario's footprint and activity and check it (or double-click)"),
    "tr.footprint": ("用地文件", "Footprint"),
    "tr.activity": ("项目类型", "Activity"),
    "tr.facts": ("已答问题", "Answers"),
    "rb.rule": ("规则", "Rule"),
    "rb.verdict": ("结论", "Verdict"),
    "rb.all_zones": ("全部分区", "all zones"),
    "rb.procedures": ("审批程序", "procedures"),
    "rb.procedure": ("程序", "procedure"),
    "rb.unavailable": ("规则库不可用", "Rule base unavailable"),
    "rb.priority": ("优先级", "priority"),
    "rb.activities": ("适用项目类型", "Activities"),
    "rb.when": ("适用条件", "When"),
    "rb.inference": ("推断说明", "Inference"),
    # case metadata
    "meta.title": ("案卷信息（打印在报告中）", "Case details (printed in the report)"),
    "meta.edition": ("报告版本", "Edition"),
    "meta.edition.full": ("完整版（全部图表、界址点、数据来源）", "Full (all maps, tables, boundary points, sources)"),
    "meta.edition.summary": ("摘要版（基本信息、结论、压占汇总、位置图、签章）", "Summary (information, conclusion, totals, location map, signatures)"),
    "meta.hint": ("以下信息打印在报告封面和签字栏；项目名称留空时使用用地名称。",
                  "Printed on the report's cover and signature block; an empty project name prints the footprint's name."),
    "meta.project_name": ("项目名称", "Project name"),
    "meta.applicant": ("申请单位", "Applicant"),
    "meta.case_number": ("案卷编号", "Case number"),
    "meta.reviewer": ("审查人", "Reviewer"),
    "meta.organisation": ("审查单位", "Organisation"),
    # dialogs
    "dlg.add_layer": ("添加图层", "Add layers"),
    "dlg.open_catalog": ("打开图层目录（取消则选择文件夹）", "Open a layer catalog (cancel to choose a folder)"),
    "dlg.open_folder": ("选择图层文件夹", "Choose a folder of layers"),
    "dlg.open_footprint": ("打开项目用地", "Open footprint"),
    "dlg.save_footprint": ("保存项目用地范围", "Save footprint"),
    "dlg.export": ("导出", "Export"),
    "dlg.export_map": ("导出地图", "Export map"),
    "dlg.gis_files": ("GIS 文件", "GIS files"),
    "dlg.footprint_files": ("用地文件", "Footprint files"),
    "dlg.catalog_files": ("图层目录", "Layer catalogs"),
    "dlg.all_files": ("所有文件", "All files"),
    "export.suffix": ("审查报告", "review"),
    "export.map": ("地图", "map"),
    # messages
    "msg.error.title": ("无法完成", "Could not complete"),
    "msg.error.details": ("技术细节已写入日志：{path}", "Technical details are in the log: {path}"),
    "msg.internal": ("程序内部错误：{error}", "Internal error: {error}"),
    "msg.no_footprint": ("请先导入或绘制项目用地范围。", "Import or draw the project footprint first."),
    "msg.no_result": ("请先运行审查。", "Run the check first."),
    "msg.check_failed": ("审查未能完成：{error}", "The check could not be completed: {error}"),
    "msg.export_failed": ("导出失败：", "Export failed: "),
    "msg.print_failed": ("打印失败：", "Printing failed: "),
    "msg.layer_errors": ("以下图层无法读取：", "These layers could not be read:"),
    "msg.cannot_add": ("无法添加 {name}：{error}", "Cannot add {name}: {error}"),
    "msg.not_loaded": ("图层“{name}”尚未读取完成。", "Layer “{name}” is not loaded yet."),
    "msg.log": ("日志文件：{path}", "Log file: {path}"),
    # status bar
    "sb.scale": ("比例尺", "Scale"),
    "sb.lon": ("经度", "Lon"),
    "sb.lat": ("纬度", "Lat"),
    "sb.loading_layers": ("正在读取图层…", "Reading layers…"),
    "sb.layers_ready": ("图层已就绪", "Layers ready"),
    "sb.reading": ("正在读取 {name} …", "Reading {name} …"),
    "sb.footprint_ready": ("已导入项目用地：{name}", "Footprint loaded: {name}"),
    "sb.draw_hint": ("单击添加顶点，双击或右键结束，Esc 取消", "Click to add vertices, double-click or right-click to finish, Esc to cancel"),
    "sb.vertices": ("{n} 个顶点", "{n} vertices"),
    "sb.checking": ("正在审查…", "Checking…"),
    "sb.cancelling": ("正在取消…", "Cancelling…"),
    "sb.cancelled": ("审查已取消", "Check cancelled"),
    "sb.check_done": ("审查完成", "Check finished"),
    "sb.exporting": ("正在导出 {name} …", "Exporting {name} …"),
    "sb.exported": ("已导出：{path}", "Exported: {path}"),
    "sb.saved": ("已保存：{path}", "Saved: {path}"),
    "sb.preparing_print": ("正在准备打印…", "Preparing to print…"),
    "sb.printed": ("已发送到打印机", "Sent to the printer"),
}

VERDICTS = {"禁止": "prohibited", "需人工判定": "needs human judgment", "有条件允许": "conditionally permitted",
            "允许": "permitted", "不涉及": "not affected"}
STATUS = {"occupied": ("占用", "occupied"), "touching": ("相接(未占用)", "touching only"),
          "not_touched": ("不涉及", "not touched"), "no_coverage": ("无数据覆盖", "no data coverage")}


def language() -> str:
    return _LANG


def set_language(lang: str) -> None:
    global _LANG
    _LANG = "en" if str(lang).lower().startswith("en") else "zh"


def has(key: str) -> bool:
    from ..domain import messages

    return key in STRINGS or messages.has(key)


def tr(key: str, **fmt) -> str:
    """The text of ``key`` in the UI language: this table, else the message catalog (newer UI texts live
    there, resources/messages/*.toml), else the key itself."""
    pair = STRINGS.get(key)
    if pair is None:
        from ..domain import messages

        if messages.has(key):
            return messages.text(key, _LANG, **fmt)
    text = key if pair is None else pair[0 if _LANG == "zh" else 1]
    return text.format(**fmt) if fmt else text


def verdict_text(verdict: str | None) -> str:
    if not verdict:
        return ""
    return verdict if _LANG == "zh" else VERDICTS.get(verdict, verdict)


def status_text(status: str | None) -> str:
    if not status:
        return ""
    pair = STATUS.get(status)
    return status if pair is None else pair[0 if _LANG == "zh" else 1]


def role_name(role: str | None) -> str:
    if not role:
        return ""
    from ..domain.roles import ROLES

    r = ROLES.get(role)
    if r is None:
        return role
    return r.name_zh if _LANG == "zh" else r.name_en
