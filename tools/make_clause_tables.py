"""Write the "Clauses considered" section of docs/rules.md: one table per seed file, by line, with every
clause that bears on the six zone kinds or on new-energy siting and approval — encoded (the rules, read from
the rule base) or deliberately not encoded (NOT_ENCODED below, with the reason).

Run after changing the rule base:  python tools/make_clause_tables.py
tests/test_rules_seed_clauses.py checks that every rule is listed under its seed file and line.
"""

from __future__ import annotations

import re
from pathlib import Path

from ningxia_gis.rules import load_rule_base

DOCS = Path(__file__).resolve().parents[1] / "docs" / "rules.md"
HEADING = "## Clauses considered"

SEED_TITLES = {
    "000": "`000_93e195fdba6286ab.txt` — 宁党办〔2023〕63号 附件1–7 (S000-A 国土空间开发保护格局, S000-B 生态保护红线, "
           "S000-C 水资源, S000-D 节能节水节地, S000-E 产业绿色转型, S000-F 能源清洁低碳转型, S000-G 绿色生活) and "
           "宁政办发〔2023〕46号 (S000-H 行政执法)",
    "001": "`001_dd247d7b9201130e.txt` — 自治区全面推进美丽宁夏建设的实施方案（征求意见稿） (S001, draft)",
    "002": "`002_9817affcdadfa57a.txt` — 宁政发〔2021〕39号 (S002-A 绿色低碳循环发展), 宁政办发〔2021〕93号 (S002-B 乡村振兴), "
           "宁政办发〔2021〕94号 (S002-C 金融), 宁政办发〔2021〕102号 (S002-D 草原保护修复)",
    "003": "`003_5bc54e265a956e1a.txt` — 吴忠市红寺堡区生态环境保护“十四五”规划 (S003, 红寺堡区 only)",
    "004": "`004_1670f7765e53b253.txt` — 宁政发〔2022〕32号 (S004-A 政务服务), 宁政办发〔2022〕61号 (S004-B 社区服务), "
           "宁政办发〔2022〕63号 (S004-C 以工代赈), 宁政办发〔2022〕65号 (S004-D 能源发展“十四五”规划)",
}

# (seed, first line, last line or None, clause, reason)
NOT_ENCODED = [
    # ------------------------------------------------------------------ 000
    ("000", 115, 119, "S000-N 通知: 7个专项文件的印发与落实要求", "Cover notice: directs governments, no land rule."),
    ("000", 131, 133, "S000-A 一 目标: 耕地保有量、永久基本农田、生态保护红线面积、城镇开发边界扩展倍数",
     "Regional indicators, not decidable for one footprint."),
    ("000", 143, None, "S000-A 二（一）1 坚持先规划、后实施，不得违反国土空间规划进行各类开发建设活动",
     "True of every project, but the plan layers (用途分区) are not in the catalog; the zone rules quote the specific clauses."),
    ("000", 145, 147, "S000-A 二（一）2 开发保护格局; 专项规划目录清单和审核衔接", "Plan-making duty."),
    ("000", 149, None, "S000-A 二（一）3 详细规划、村庄规划编制", "Plan-making duty; the detailed plan inside the boundary is the L179 rule."),
    ("000", 151, None, "S000-A 二（一）4 主体功能区差别化管控", "No 主体功能区 layer; policy direction for whole counties."),
    ("000", 155, None, "S000-A 二（二）5 压实耕地保护主体责任，逐级签订目标责任书", "Duty of the governments."),
    ("000", 159, None, "S000-A 二（二）6 增加的优质耕地优先划定为永久基本农田; 耕地污染检测和防控",
     "Delineation and monitoring duty; farmland improvement itself is encoded on 耕地."),
    ("000", 161, None, "S000-A 二（二）7 依法保障农村村民住宅建设合理用地; 农村低效建设用地整治",
     "No zone named; residents' housing in the red line is the L243 rule."),
    ("000", 163, None, "S000-A 二（二）8 特色农业产业空间", "Industrial layout, no zone rule."),
    ("000", 167, 169, "S000-A 二（三）9 红线 regime (「严格禁止开发性、生产性建设活动…仅允许…」)",
     "Same regime as S000-B 二（一）2 L223–229, which is encoded and cited (the more detailed text)."),
    ("000", 171, None, "S000-A 二（三）10 创建贺兰山、六盘山国家公园; 自然保护地整合归并、分类分级管理体制",
     "Plan-level; the access requirement and the facilities of the same article are encoded."),
    ("000", 173, None, "S000-A 二（三）11 严格控制各类开发利用活动对生态空间的占用和扰动; 黄河岸线、湿地",
     "No layer of 生态空间 beyond the six roles; rivers and wetlands are not among them."),
    ("000", 175, None, "S000-A 二（三）12 生物多样性保护", "No layer and no verdict."),
    ("000", 179, 181, "S000-A 二（四）13 城镇弹性发展区 / 特别用途区",
     "The seeds do not name them: gap, 需人工判定 (listed by `rules lint`)."),
    ("000", 183, 187, "S000-A 二（四）14–16 安全韧性、功能品质、建设用地“增存挂钩”", "Urban design and quotas, plan-level."),
    ("000", 191, 197, "S000-A 二（五）17–19 督察执法、监测预警、体检评估", "Monitoring and enforcement."),
    ("000", 201, 205, "S000-A 三 组织实施、考核、责任追究", "Accountability."),
    ("000", 213, 215, "S000-B 一 目标（红线面积不低于1.2万平方千米）", "Regional indicator."),
    ("000", 221, None, "S000-B 二（一）1 专项规划、详细规划应当严格落实生态保护红线管控要求", "Duty of plan makers, not a test of one footprint."),
    ("000", 231, None, "S000-B 二（一）3 严格控制有限人为活动强度; 减少农药化肥; 绿色勘查; 隧道或桥梁、动物迁徙通道",
     "Encoded as **conditions** of LA1, LA2, LA6 and LA7 (no verdict of its own)."),
    ("000", 233, None, "S000-B 二（一）4 勘界定标、确权登记", "Data duty of the governments."),
    ("000", 237, 239, "S000-B 二（一）6 生态保护红线确需调整 (五年一评估, 国务院批准); 自然保护地边界调整",
     "Plan-level procedure, not a project approval; only the 油气探矿权转采矿权 sentence of L239 is a project case (encoded)."),
    ("000", 239, None, "S000-B 二（一）6 探转采 inside 核心保护区",
     "Not applied in the core zone (conservative; the core-zone ban L223 decides there) — see the rule's note."),
    ("000", 251, 255, "S000-B 二（三）10–11 监测监管、督察执法", "Not decidable per footprint."),
    ("000", 259, 263, "S000-B 三 压实责任、考核、责任追究", "Accountability."),
    ("000", 283, None, "S000-C 二（一）1 “四水四定”; 城镇开发边界扩展倍数不高于1.3倍", "Regional indicator (water and boundary growth)."),
    ("000", 287, 289, "S000-C 二（一）3 开发区、新区建设开展规划水资源论证; 取水许可",
     "Plan-level (规划 approval) and water permits; not a zone verdict. 水资源论证 of energy projects is the 000 L541 step."),
    ("000", 305, 309, "S000-C 二（三）8–9 水源地保护、地下水管理", "Water-source areas are not among the six zone kinds; no layer."),
    ("000", 377, None, "S000-D 二（三）7 严格落实“三区三线”划定成果; 建设用地计划指标管控; 严禁大拆大建",
     "Plan-level and quotas; the 三线 themselves are the zone roles."),
    ("000", 379, None, "S000-D 二（三）8 “长牙齿”的耕地保护制度; 坚决遏制耕地“非农化”、防止“非粮化”; 合理利用林地和草原资源",
     "Same clause as S000-A 二（二）5 L155 (encoded and cited there); the 节地 sentence of L379 is encoded."),
    ("000", 381, None, "S000-D 二（三）9 存量土地; 开发利用农村“四荒地”", "Encouragement and quotas, no zone verdict."),
    ("000", 391, 393, "S000-D 二（五）12 绿色勘查、最低开采规模、绿色矿山", "Mining standards; in the red line the L231 condition of LA7 says the same."),
    ("000", 441, None, "S000-E 二（二）7 园区规划环境影响评价、水资源论证", "Plan-level (parks)."),
    ("000", 443, None, "S000-E 二（二）8 引导风电光伏高质量开发; 绿电园区", "Direction, no land rule."),
    ("000", 487, None, "S000-F 二（一）1 采煤沉陷区生态修复，发展光伏发电等", "Encouragement; 采煤沉陷区 is in the L495 siting note."),
    ("000", 495, None, "S000-F 二（一）4 分散式风电、分布式光伏 near load centres; 老旧新能源场站更新改造",
     "Encouragement, no layer of load centres or existing stations."),
    ("000", 497, None, "S000-F 二（一）5 水风光一体化多能互补基地; 黑山峡水利枢纽", "Plan and named projects."),
    ("000", 521, 523, "S000-F 二（四）13–14 风光互补开发模式; 重点输变电工程", "Operation mode and named projects."),
    ("000", 541, None, "S000-F 二（五）20 在国土空间规划中明确清洁能源开发布局要求; 能耗指标、排污权优先保障",
     "Plan-making duty and quota allocation, not a land verdict."),
    ("000", 559, 601, "S000-G 绿色生活方式", "No land-use clause."),
    ("000", 603, 746, "S000-H 提升行政执法质量三年行动", "Administrative enforcement; no land-use clause."),
    # ------------------------------------------------------------------ 001
    ("001", 12, None, "S001 二（一）1 严守生态保护红线、耕地和永久基本农田红线、城镇开发边界，严控新增城镇建设用地",
     "征求意见稿 (draft with placeholders): no rule decides on a draft; restates S000-A/B (encoded); 严控新增城镇建设用地 is quoted inside the conditions of the urban-boundary rule."),
    ("001", 15, None, "S001 二（一）4 重点依托沙漠、戈壁、荒漠、采煤沉陷区等建设风电光伏基地", "Draft; same siting as 000 L495 (encoded)."),
    ("001", 24, None, "S001 二（二）12 建设用地准入、供地前土壤污染状况调查; 严格保护耕地", "Draft; no zone verdict."),
    ("001", 27, None, "S001 二（三）14 国家公园、自然保护地监测网络、督察执法", "Draft; monitoring."),
    ("001", 28, None, "S001 二（三）15 宜林则林、宜草则草; 草原禁牧封育; 加强封山禁牧", "Draft; the grazing rules are encoded from S002-D and S003."),
    ("001", 29, None, "S001 二（三）16 生物多样性保护空间体系", "Draft; no verdict."),
    # ------------------------------------------------------------------ 002
    ("002", 141, None, "S002-A 二、（四） 落实最严格的耕地保护制度，坚决遏制耕地“非农化”、防止“非粮化”",
     "Same clause as 000 L155 (encoded there); 高标准农田 targets are indicators."),
    ("002", 147, None, "S002-A 二、（七） 开发区、工业集聚区调区扩区，园区规划环评和水资源论证，“三线一单”", "Plan-level (parks)."),
    ("002", 171, None, "S002-A 五、（十四） 固定资产投资项目节能审查; 绿能基地; 农村分布式光伏",
     "节能审查 is the 000 L541 step of every new-energy project; bases are plans."),
    ("002", 177, None, "S002-A 五、（十六） 将生态环保、耕地保护理念贯穿交通基础设施规划、建设、运营和维护全过程",
     "Principle; on 耕地 the L155 rule decides (尽量不占或少占); the 合理避让 sentence of L177 is encoded."),
    ("002", 179, None, "S002-A 五、（十七） 国土空间规划中合理确定开发强度，城市留白增绿", "Plan-making."),
    ("002", 396, 406, "S002-B 第五章 特色产业布局、产业园区、光伏收益", "Industrial policy, no zone rule."),
    ("002", 496, None, "S002-B 第八章第一节 村庄规划; 按照规划许可内容审批建设", "Villages are not among the six zone kinds."),
    ("002", 526, None, "S002-B 第八章第四节 退化草地治理、坡耕地水土流失综合整治", "Works programme; 坡耕地整治 is `farmland_improvement` (000 L159)."),
    ("002", 558, None, "S002-B 第九章 新增建设用地计划指标600亩", "Quota."),
    ("002", 682, 921, "S002-C 金融支持", "No land-use clause."),
    ("002", 949, None, "S002-D 一、（三） 基本草原面积稳定在2600万亩以上; 综合植被盖度", "Regional indicator."),
    ("002", 953, 955, "S002-D 二、（四） 草原调查和监测评价", "Data duty."),
    ("002", 957, None, "S002-D 二、（五） 草原保护修复利用规划、功能分区", "Plan-making; no 功能分区 layer."),
    ("002", 959, None, "S002-D 二、（六） 严格落实生态保护红线制度和国土空间用途管制制度; 禁牧巡查、举报、通报",
     "Cross-reference (the red-line rules apply through the red-line layer) and enforcement."),
    ("002", 959, None, "S002-D 二、（六） 违法开垦、未批先建、私自占用",
     "Enforcement; 「先预审、再立项、后建设」 is encoded as the grassland procedure; there is no activity “开垦草原”."),
    ("002", 961, None, "S002-D 二、（六） 盐池县可先行开展试点", "A pilot; the regional decision rule applies to it."),
    ("002", 963, None, "S002-D 二、（七） 草原自然公园、草原类自然保护地",
     "No layer of grassland parks; protected areas are the 自然保护地 role."),
    ("002", 965, None, "S002-D 二、（八） 支持优质饲草基地建设", "Support, no activity type or condition given."),
    ("002", 967, 969, "S002-D 二、（九） 年降水量400毫米以下干旱半干旱地区的绿化要经过水资源论证",
     "Needs a precipitation layer; stated nowhere as a zone rule."),
    ("002", 971, None, "S002-D 二、（十） 草种业", "No land verdict."),
    ("002", 973, 975, "S002-D 二、（十一） 草原承包经营，杜绝以流转为名改变草原用途", "Tenure management, not a siting verdict."),
    ("002", 977, None, "S002-D 二、（十二） 国有草原有偿使用", "Tenure management."),
    ("002", 979, None, "S002-D 二、（十三） 草原防灾减灾、防火", "Management; facilities in the red line are LA1."),
    ("002", 991, None, "S002-D 三、（十七） 集中连片开展草原生态修复…允许依法依规取得一定份额的自然资源资产使用权",
     "An incentive for restoration subjects, not a land-use verdict."),
    ("002", 985, 1003, "S002-D 三–四 科技、法规、队伍、考核", "No verdict."),
    # ------------------------------------------------------------------ 003
    ("003", 14, 31, "S003 第一章 成效与问题（封山禁牧、退耕还林等五大生态工程）", "Review of past work, not a rule."),
    ("003", 329, None, "S003 第三章第一节 一、（一） 将“三线一单”作为…重大项目选址等的重要依据",
     "No 三线一单 layer; for energy projects the 004 L930 step is attached. Applying it to every activity in 红寺堡区 would add a project entry to every check: recorded as a gap."),
    ("003", 331, None, "S003 一、（二） 环评审批正面清单、投资负面清单", "Policy instruments."),
    ("003", 333, None, "S003 一、（三） 划准划优划实三条红线; 引导产业向工业集聚区集中", "Plan-level; industry into parks is the L342 rule."),
    ("003", 340, None, "S003 二、（二） 严禁承接不符合环保政策、产业政策的过剩和落后产能", "Industrial policy, not a land verdict."),
    ("003", 342, None, "S003 二、（三） 所有新、改、扩建项目严格执行环境影响评价制度; 严禁引进淘汰类和限制类工艺",
     "Would give every activity in 红寺堡区 a project-level entry; EIA is listed for new energy (000 L541). Recorded as a gap."),
    ("003", 347, None, "S003 三、（一） 建设红寺堡百万千瓦级光伏基地，因地制宜推广分布式光电项目", "Plan / named base."),
    ("003", 351, None, "S003 三、（三） 工商业建筑、居民建设独立光伏发电采暖", "Buildings, no zone."),
    ("003", 361, 363, "S003 专栏1 新能源重点工业项目; 4.3GW复合光伏电站", "A project list, not a rule; the 光伏+ line L365 is encoded."),
    ("003", 365, None, "S003 专栏1 2（3） 工业园区、公共建筑及民用住宅屋顶分布式光伏", "Rooftops, no zone."),
    ("003", 366, None, "S003 专栏1 2（4） 风光储一体化建设工程", "Plan."),
    ("003", 374, None, "S003 第二节 城市建成区、集中供热覆盖区及天然气管网覆盖区一律禁止新建燃煤锅炉",
     "建成区 / 供热覆盖区 are not among the six zone kinds and not in the catalog."),
    ("003", 393, 401, "S003 燃煤自备电站; 大宗物料公路运输", "Not about a zone or land use."),
    ("003", 448, None, "S003 第三节 四、（一） 生态保护红线内的重要水源涵养区严格按生态保护红线进行管理",
     "The red-line rules already apply through the red-line layer; 水源涵养区 outside the red line: no layer."),
    ("003", 451, 453, "S003 生态缓冲带、湿地恢复", "Rivers and wetlands are not among the six zone kinds."),
    ("003", 471, None, "S003 第四节 一、（一） 禁止在水源保护区、居民区、学校…周边新建有色金属冶炼、焦化等重污染企业",
     "No buffer distance and no such layers."),
    ("003", 473, None, "S003 一、（三） 新（改、扩）建项目涉及有毒有害物质的，加强土壤环境影响评价", "Procedure for every project, not zone-specific."),
    ("003", 478, None, "S003 二、（一） 制定实施受污染耕地安全利用方案", "Government duty."),
    ("003", 480, 482, "S003 二、（二）–（三） 建设用地土壤环境准入、污染地块管控", "Land supply, not one of the six zone kinds."),
    ("003", 499, None, "S003 第五节 一、（一） 以生态保护红线、国家级自然保护地为重点实施保护修复重大工程", "Works programme."),
    ("003", 501, None, "S003 一、（二） 明确自然保护地功能定位、整合优化; 罗山 restoration works", "Plan-level / works programme."),
    ("003", 503, None, "S003 一、（三） 生物多样性观测; 禁止非法交易野生动物", "Not a land use."),
    ("003", 505, None, "S003 一、（四） 宜林荒山荒地造林、封山育林; 速生丰产林", "Encouragement; no zone of the six."),
    ("003", 507, None, "S003 一、（五） 严格保护耕地，退化农田改良、轮作休耕、坡耕地治理; 移民迁出区生态修复",
     "Farmland improvement is already 允许 on 耕地 (000 L159); no layer of 移民迁出区."),
    ("003", 510, 513, "S003 二、（一）–（三） 执法、评估", "Monitoring."),
    ("003", 516, None, "S003 二、（四） 积极发展“生态＋”模式", "Encouragement."),
    ("003", 519, 520, "S003 专栏5 罗山外围: 固沙、造林、保荒; 中度退化区域围栏禁牧", "Works programme; no layer of the 罗山 periphery or degradation classes."),
    # ------------------------------------------------------------------ 004
    ("004", 111, 209, "S004-A 政务服务标准化", "No land-use clause."),
    ("004", 211, 479, "S004-B 城乡社区服务体系（L477 社区服务设施建设用地可划拨）", "Land supply mode, no zone."),
    ("004", 481, 633, "S004-C 以工代赈（L523 退化草原治理等工程类别）", "Project categories, no land verdict."),
    ("004", 654, 743, "S004-D 一–二 发展基础、目标", "Description and indicators."),
    ("004", 666, None, "S004-D 一（一）3 贺兰山保护区内煤矿和保护区外围重点区域煤矿全部关停",
     "Past achievement, not a rule; mining in protected areas is decided by the core-zone and red-line rules."),
    ("004", 751, None, "S004-D 三（一）1 百万千瓦级光伏基地 places; 屋顶分布式光伏试点; 太阳能热发电",
     "Plan and rooftops; the siting and 光伏+ sentences are encoded."),
    ("004", 751, None, "S004-D 三（一）1 鼓励利用风电场空闲土地建设风光互补电站", "Encouragement; no layer of existing wind farms."),
    ("004", 753, None, "S004-D 三（一）2 以大代小 repowering, 分散式风电", "No activity type; the 电网接入和消纳 sentence is encoded."),
    ("004", 755, 760, "S004-D 三（一）3 抽水蓄能、垃圾发电、生物天然气; 专栏2", "Named projects; no activity type."),
    ("004", 764, 776, "S004-D 三（二） 煤炭先进产能; 专栏3", "Named mines; mining in the red line is LA7."),
    ("004", 770, None, "S004-D 三（二）3 因地制宜通过发展风电、光伏、现代农业、林业等产业，推进矿区生态修复",
     "Encouragement (like 000 L487)."),
    ("004", 778, 812, "S004-D 三（三）–（五） 油气勘探、煤电、电网、管网; 专栏4–6", "Named projects; a grid line in the red line is LA6 or NMP class 4."),
    ("004", 846, None, "S004-D 四（四） 鼓励在服务区、加油站等公路沿线合理布局光伏发电设施", "Encouragement; no layer."),
    ("004", 912, None, "S004-D 七（三）3 以不损害生态环境为前提加强地热资源勘探开发", "No activity type."),
    ("004", 926, None, "S004-D 八（一）2 能源项目的环境影响", "Description."),
    ("004", 930, None, "S004-D 八（二）1 严格遵守《环境保护法》《环境影响评价法》《节约能源法》",
     "National laws not in the seeds (external); EIA and energy review are the 000 L541 steps."),
    ("004", 934, None, "S004-D 八（二）2 输变电工程合理设定防护距离; 油气储备设施按防护距离选址", "No distances given."),
    ("004", 936, None, "S004-D 八（二）3 煤炭开采沉陷治理; 新建机组环保准入; 油气管网布局", "No activity type for these; the wind sentence is encoded."),
    ("004", 942, None, "S004-D 九（二） 规划衔接", "Plan-level; L944 (核准以能源规划为依据) is encoded."),
    ("004", 948, None, "S004-D 九（四） 电网规划投资管理、安全监管、行业统计", "Management; the 电力送出和消纳 sentence is encoded."),
]


def _lines(first: int, last: int | None) -> str:
    return f"L{first}" if not last or last == first else f"L{first}–{last}"


def section(rb) -> str:
    rows: dict[str, list[tuple[int, int, str]]] = {k: [] for k in SEED_TITLES}
    for r in rb.rules:
        src = rb.sources[r.source.doc]
        seed = src.seed_file[:3]
        kind = "程序 (procedure step)" if r.kind == "procedure" else r.verdict
        where = "" if not r.applies_in else f", {'、'.join(r.applies_in)}"
        row = (f"| {_lines(r.source.line, r.source.line_end)} | {r.source.doc} {r.source.section} {r.title} "
               f"| encoded | `{r.id}` — {kind}, {r.status}{where} |")
        rows[seed].append((r.source.line, 0, row))
    for seed, first, last, clause, reason in NOT_ENCODED:
        rows[seed].append((first, 1, f"| {_lines(first, last)} | {clause} | not encoded | {reason} |"))
    out = [f"{HEADING} (rule base {rb.version})", "",
           "Every seed was read line by line for permitted-activity, prohibition, condition and procedure clauses on the",
           "six zone kinds (生态保护红线 incl. 核心保护区, 永久基本农田, 耕地, 城镇开发边界, 草原/基本草原, 自然保护地) and",
           "for new-energy siting and approval. One table per seed file, by line: **encoded** (the rule, its verdict or",
           "`程序` for a procedure step, and its status) or **not encoded** with the reason. Generated by",
           "`tools/make_clause_tables.py` from the rule base and the tool's list of clauses not encoded;",
           "`tests/test_rules_seed_clauses.py` checks that every rule is listed under its seed file and line.", ""]
    for seed, title in SEED_TITLES.items():
        out += [f"#### Seed {seed} — {title}", "", "| line | clause (document · article) | decision | rule / reason |",
                "|---|---|---|---|"]
        out += [row for _l, _k, row in sorted(rows[seed], key=lambda t: (t[0], t[1]))]
        out.append("")
    out += ["Not in any seed (do not invent): the national 重大建设项目范围 and the PBF approving authority; 基本草原",
            "exceptions and the grassland approval authority; 占补平衡 mechanics; access lists of dominant-use zones;",
            "buffer distances. The catalog files `../shared/reference/rules_seeds_*.md` list the remaining (non-zone) clauses.", ""]
    return "\n".join(out)


def main() -> None:
    text = DOCS.read_text(encoding="utf-8")
    start = text.index(HEADING)
    DOCS.write_text(text[:start] + section(load_rule_base()), encoding="utf-8")
    print(f"{DOCS}: clause tables written")


if __name__ == "__main__":
    main()
