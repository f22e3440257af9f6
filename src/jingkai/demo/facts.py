"""The demo zone's data: facts from the source documents and the word lists that generated data is made of.

Everything here is DATA (names of enterprises, people, places, honours), so Chinese literals belong here and
nowhere else in the demo's code. Sources: /work/shared/seeds/ 000 (first half of 2023) and 001 (the year 2022),
summarised in /work/shared/domain/SEED-FACTS.md. Amounts are in base units (元, 美元) as the models store them.

Zone-level figures (ZONE_TARGETS) are what the generator builds the data to reproduce; the platform and the
tests recompute them from rows, never from these constants.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from jingkai.core.money import WAN, YI

ZONE_NAME = "平湖经济技术开发区"
REGION_CODE = "330482"  # GB/T 2260: 平湖市

# Figures the documents state for end-2022 (file 001); the generator makes the rows carry them.
ZONE_TARGETS = {
    "above_size_2022": 254,  # 规上工业企业
    "above_size_output_2022": 645 * YI,  # 645亿元 (the demo's 2022 规上 revenue sums to it)
    "high_tech_valid_end_2022": 158,  # 国家高新技术企业 in total
    "high_tech_new_2022": 34,
    "tech_sme_valid_end_2022": 338,  # 省科技型中小企业 in total
    "tech_sme_new_2022": 63,
    "little_giant_new_2022": 4,  # 国家级专精特新“小巨人”
    "nidec_members": 17,
    "nidec_industrial": 14,
    "nidec_registered_capital": 55475 * WAN,  # USD
    "nidec_total_investment": 142987 * WAN,  # USD
    "nidec_output_2022": Decimal("159.7") * YI,
}

# ---------------------------------------------------------------------------------------------------
# Departments of the 管委会 (code, name)
DEPARTMENTS = [
    ("econ", "经济发展局"),
    ("invest", "招商服务局"),
    ("tech", "科技和人才局"),
    ("planning", "自然资源和规划分局"),
    ("construction", "建设局"),
    ("hrss", "人力社保服务中心"),
    ("ecology", "生态环境分局"),
    ("safety", "应急管理局"),
    ("market", "市场监督管理分局"),
    ("finance", "财政局"),
]
INVESTMENT_STAFF_NAME = "陆招商"  # the `investment` demo login (招商服务局)

# ---------------------------------------------------------------------------------------------------
# Grids and village communities
CHINESE_NUMERALS = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十",
                    "十一", "十二", "十三", "十四", "十五", "十六"]  # fmt: skip
GRID_NAME = "第{numeral}网格"
GRID_DESCRIPTION = "{road_a}以东、{road_b}以北片区"

COMMUNITIES = [  # (name, kind) — invented names, a mix of 社区 and 村
    ("兴平社区", "community"),
    ("东湖社区", "community"),
    ("新港社区", "community"),
    ("虹霓社区", "community"),
    ("富强社区", "community"),
    ("金桥村", "village"),
    ("联丰村", "village"),
    ("荷花村", "village"),
    ("永安村", "village"),
    ("南塘村", "village"),
    ("大齐村", "village"),
    ("徐埭村", "village"),
]

# ---------------------------------------------------------------------------------------------------
# People: generated names, never the real people of the articles.
SURNAMES = list(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝龚邵万钱严武戴莫孔汤"
)
GIVEN_CHARS = list(
    "伟芳敏静丽强磊军洋勇艳涛明超秀霞平刚华建国文斌辉鹏宇浩晨婷雪琳健峰俊红玲倩燕凯欣宁海波亮佳颖嘉晓振志立新永春丹梅蓉雯萍瑶慧君清正卫东方远诚毅翔帆雨晴"
)
# People named in the source articles: generated names must not collide with them.
REAL_PEOPLE = {"沈毅峰", "胡佳英", "曹金凤", "黄雨欣", "张洪", "李杰", "毛军发", "庄松林"}
CONTACT_TITLES = [
    "总经理",
    "副总经理",
    "行政经理",
    "财务经理",
    "人事经理",
    "办公室主任",
    "厂长",
    "总经理助理",
]

# ---------------------------------------------------------------------------------------------------
# Parks (code, name, kind, status, description) and their buildings
PARKS = [
    ("sino-japan", "中日（平湖）产业园", "country", "建成运营",
     "国别产业园；2021年度全省建成类国际产业园评价第一（连续两年位列第一），日资企业集聚。"),
    ("sino-german", "中德（平湖）产业园", "country", "加快建设",
     "国别产业园，一大批德资企业落地生根。"),
    ("zhichuang", "智创园", "platform", "一期建成、二期在建", "标准厂房平台园区。"),
    ("yingyuan", "樱园", "platform", "一期建成、二期三期规划", "标准厂房平台园区。"),
    ("liangchuang", "两创产业园", "platform", "建成运营", "标准厂房平台园区。"),
    ("youxianfeng", "平湖右先锋国际创新中心", "incubator", "建成运营", "域外孵化器。"),
    ("qingtian-enclave", "平湖-青田山海协作“飞地”产业园", "enclave", "建成运营", "山海协作“飞地”产业园。"),
]  # fmt: skip
BUILDINGS = {
    "zhichuang": [("一期1号楼", 12000), ("一期2号楼", 12000), ("一期3号楼", 9600), ("一期4号楼", 9600)],
    "yingyuan": [("一期A幢", 8800), ("一期B幢", 8800), ("一期C幢", 6400)],
    "liangchuang": [("1号楼", 16000), ("2号楼", 16000), ("3号楼", 18000), ("4号楼", 14000), ("5号楼", 14000)],
    "youxianfeng": [("孵化楼", 6000)],
    "qingtian-enclave": [("1号厂房", 10000), ("2号厂房", 10000)],
}

# ---------------------------------------------------------------------------------------------------
# Industry chains (code, name, digital-economy matrix, description)
CHAINS = [
    ("auto-electronics", "汽车电子", True, "百亿级产业链培育方向；数字经济产业矩阵之一。"),
    (
        "machine-tools",
        "高端机床",
        False,
        "百亿级产业链培育方向：高档数控机床、机床材料、机加工、钣金和核心零部件。",
    ),
    ("semiconductor", "半导体", True, "数字经济产业矩阵之一。"),
    ("optoelectronics", "光电通信", True, "数字经济产业矩阵之一。"),
    ("food", "食品", False, ""),
    ("new-materials", "新材料", False, ""),
    ("biomedicine", "生物医药", False, ""),
]
SUPPLIER_NOTE_TSUGAMI = "津上精密长期协作配套企业"
SUPPLIER_NOTE_NIDEC = "日本电产汽车马达驱动电机旗舰工厂配套"

# ---------------------------------------------------------------------------------------------------
# Honours: titles and issuers as the certificates write them
HONOUR_TEXT = {
    "high_tech": ("高新技术企业", "浙江省科学技术厅、浙江省财政厅、国家税务总局浙江省税务局"),
    "tech_sme": ("浙江省科技型中小企业", "浙江省科学技术厅"),
    "specialised": ("浙江省专精特新中小企业", "浙江省经济和信息化厅"),
    "little_giant": ("国家级专精特新“小巨人”企业", "工业和信息化部"),
    "rnd_centre_provincial": ("省级企业研究开发中心", "浙江省科学技术厅"),
    "rnd_centre_city": ("嘉兴市企业研究开发中心", "嘉兴市科学技术局"),
    "mu_leader_provincial": ("浙江省亩均效益领跑者", "浙江省经济和信息化厅"),
    "mu_leader_county": ("平湖市亩均效益领跑者", "平湖市人民政府"),
}

# ---------------------------------------------------------------------------------------------------
# Word lists for generated enterprises
ADDRESS = "平湖经济技术开发区{road}{number}号"
ROADS = ["新兴一路", "新兴二路", "新兴三路", "兴平一路", "兴平二路", "经一路", "经二路", "经三路", "平成路",
         "新明路", "昌盛路", "东方路", "港城大道", "富民路", "嘉兴路", "科创路", "湖滨路", "兴业路"]  # fmt: skip
DOMESTIC_PREFIXES = ["平湖", "平湖市", "浙江", "嘉兴"]
TRADE_CHARS = list(
    "华恒瑞盛达鑫诚顺利昌隆丰泰康宏兴源金嘉信德永远博创科智联和凯卓晟弘辰宸奥力天明光中美亚威腾飞龙海润佳安福祥荣"
)
FOREIGN_TRADES = {
    "JP": ["东和", "三和", "丸山", "大森", "山田", "小林", "中村", "竹内", "松本", "井上", "木村", "北川", "藤田",
           "岩田", "石川", "冈本", "菊池", "青木", "横山", "千叶", "吉冈", "荒木", "野村", "安藤", "樱井"],
    "DE": ["博勒", "克劳斯", "瓦格纳", "霍夫曼", "舒尔茨", "费舍尔", "韦伯", "迈耶", "贝克", "沃尔夫", "科赫",
           "鲍尔", "里希特", "克莱因", "施罗德", "诺依曼", "哈特曼", "莱曼"],
    "US": ["艾默", "安德森", "维斯特", "凯斯", "泰勒", "摩尔", "杰克逊", "哈里斯"],
    "KR": ["大韩", "东亚", "新韩", "现成", "韩一", "世宇"],
    "SG": ["狮城", "亚太", "新亚"],
    "FR": ["博雷", "杜邦特", "勒克莱"],
    "CH": ["阿尔卑", "苏黎"],
    "IT": ["马里诺", "罗西"],
    "HK": ["港丰", "恒信", "嘉华", "永利", "联兴"],
    "TW": ["台荣", "正新达", "巨丰", "宏碁达", "联茂"],
}  # fmt: skip
FOREIGN_SUFFIXES = ["（平湖）有限公司", "（浙江）有限公司", "（嘉兴）有限公司"]
DOMESTIC_SUFFIX = "有限公司"

# Generated industries: (GB/T 4754 code, weight, name words, main products, chain code or None)
INDUSTRIES = [
    ("C3421", 4, ["数控机床", "精密机床"], "数控车床、加工中心、磨床", "machine-tools"),
    ("C3422", 2, ["锻压机床", "成形机床"], "折弯机、冲床", "machine-tools"),
    ("C3425", 3, ["机床部件", "精密传动"], "主轴、刀塔、导轨等机床功能部件", "machine-tools"),
    ("C3484", 10, ["精密机械", "机械"], "精密机加工零部件", "machine-tools"),
    ("C3391", 4, ["铸造", "精密铸造"], "机床铸件、汽车铸件", "machine-tools"),
    ("C3311", 4, ["钣金", "钢结构"], "钣金件、钢结构件", "machine-tools"),
    ("C3360", 3, ["热处理", "表面处理"], "热处理、表面处理加工", None),
    ("C3451", 2, ["轴承"], "精密轴承", "machine-tools"),
    ("C3444", 2, ["液压", "液压机械"], "液压元件", "machine-tools"),
    ("C3499", 3, ["机电", "通用机械"], "通用机械设备", None),
    ("C3670", 16, ["汽车部件", "汽车零部件", "汽配"], "汽车零部件", "auto-electronics"),
    ("C3812", 3, ["电机"], "电动机", "auto-electronics"),
    ("C3813", 3, ["微电机", "微特电机"], "微特电机及组件", "auto-electronics"),
    ("C3824", 2, ["电力电子", "电控"], "电力电子元器件", "auto-electronics"),
    ("C3983", 3, ["传感器", "传感技术"], "汽车传感器、敏感元件", "auto-electronics"),
    ("C3831", 3, ["电线电缆", "线束"], "电线电缆、汽车线束", "auto-electronics"),
    ("C3972", 3, ["半导体", "微电子"], "功率半导体分立器件", "semiconductor"),
    ("C3973", 2, ["集成电路", "芯片"], "集成电路封装测试", "semiconductor"),
    ("C3562", 2, ["半导体设备", "智能装备"], "半导体器件专用设备", "semiconductor"),
    ("C3985", 2, ["电子材料"], "电子专用材料", "semiconductor"),
    ("C3976", 3, ["光电", "光电子"], "光电子器件、光模块", "optoelectronics"),
    ("C3921", 2, ["通信设备", "通讯"], "通信系统设备", "optoelectronics"),
    ("C3832", 1, ["光纤", "光通信"], "光纤及光纤预制棒", "optoelectronics"),
    ("C3982", 3, ["电路", "线路板"], "印制电路板", None),
    ("C3981", 2, ["电子元件", "电子"], "电容器、电感元件", None),
    ("C1391", 1, ["淀粉制品", "食品科技"], "淀粉及淀粉制品", "food"),
    ("C1419", 2, ["食品", "烘焙食品"], "饼干及焙烤食品", "food"),
    ("C1431", 1, ["食品", "面制品"], "米、面制品", "food"),
    ("C1495", 2, ["食品添加剂", "生物食品"], "食品添加剂", "food"),
    ("C1525", 1, ["饮品", "饮料"], "固体饮料", "food"),
    ("C2651", 2, ["新材料", "高分子材料"], "工程塑料及合成树脂", "new-materials"),
    ("C2669", 2, ["化工新材料", "功能材料"], "专用化学产品", "new-materials"),
    ("C2922", 3, ["塑业", "新型材料"], "塑料板、管、型材", "new-materials"),
    ("C3062", 1, ["复合材料"], "玻璃纤维增强塑料制品", "new-materials"),
    ("C2929", 5, ["塑胶", "塑料制品"], "塑料零件", None),
    ("C2761", 2, ["生物科技", "生物制药"], "生物药品", "biomedicine"),
    ("C2770", 2, ["医用材料", "医疗用品"], "卫生材料及医药用品", "biomedicine"),
    ("C3581", 1, ["医疗器械", "医疗设备"], "医疗诊断、监护设备", "biomedicine"),
    ("C2720", 1, ["药业", "制药"], "化学药品制剂", "biomedicine"),
    ("C1819", 10, ["服饰", "服装"], "机织服装", None),
    ("C1922", 6, ["箱包", "旅游用品"], "箱包", None),
    ("C2231", 3, ["包装", "纸业"], "纸箱、包装材料", None),
    ("C2110", 2, ["家具", "家居"], "木质家具", None),
    ("C4011", 2, ["自动化", "智能控制"], "工业自动控制系统装置", None),
    ("C3130", 1, ["钢板", "金属材料"], "钢板剪切加工", "machine-tools"),
]  # fmt: skip
# Utilities are industrial (section D) and usually above designated size.
UTILITIES = [("D4430", ["热电", "能源"], "蒸汽、热力供应")]
# Non-industrial enterprises: no 规上/规下 status, covered by a community.
SERVICES = [
    ("F5179", ["贸易", "进出口"], "机械设备及电子产品批发"),
    ("G5920", ["物流", "仓储"], "仓储物流"),
    ("I6513", ["软件", "信息技术"], "工业软件开发"),
    ("M7590", ["科技服务", "技术服务"], "科技推广和技术服务"),
    ("L7269", ["人力资源", "企业服务"], "人力资源服务"),
]

# Scale-test names use wider prefixes (a province's worth of enterprises).
SCALE_PREFIXES = [
    "平湖",
    "浙江",
    "嘉兴",
    "嘉善",
    "海盐",
    "海宁",
    "桐乡",
    "杭州",
    "宁波",
    "绍兴",
    "湖州",
    "温州",
]

# ---------------------------------------------------------------------------------------------------
# The named enterprises. Keys are stable identifiers for the generator and the tests.
# revenue: 营业收入 by year (元); None = no 规上/规下 status (not industrial).
# grid / community: where the enterprise is covered (chosen by its latest-year status).


def _d(year: int, month: int, day: int) -> dt.date:
    return dt.date(year, month, day)


NIDEC_GROUP = {
    "name": "尼得科集团",
    "short_name": "尼得科",
    "origin_country": "JP",
    "description": "日本电产（尼得科）在平湖经开的企业集群：工业生产型企业14家、研发公司1家、管理型公司1家、酒店1家。",
}

TSUGAMI = {
    "key": "tsugami",
    "name": "津上精密机床（浙江）有限公司",
    "short_name": "津上精密",
    "english_name": "Tsugami Precision Machine Tool (Zhejiang) Co., Ltd.",
    "founded_on": _d(2003, 9, 18),
    "industry_code": "C3421",
    "main_products": "精密自动车床、精密刀塔车床、精密加工中心、精密磨床等高精密数控机床",
    "origin_country": "JP",
    "employees": 2030,
    "technical_staff": 385,
    "land_area_mu": Decimal("186.50"),
    "listing_market": "hkex",
    "stock_code": "01651",
    "listed_on": _d(2017, 12, 19),
    "park": "sino-japan",
    "grid": "G01",
    "revenue": {2021: Decimal("2702000000"), 2022: Decimal("2834000000"), 2023: Decimal("2615000000")},
    # 170万/240万美元 at founding, 11 increases to 11370万/30850万美元 (file 000).
    "capital_founding": (170 * WAN, 240 * WAN),
    "capital_final": (11370 * WAN, 30850 * WAN),
    "capital_increases": 11,
    "capital_increase_years": (2004, 2022),
}

NIDEC_MEMBERS = [
    # key, name, short, industry, founded, park, grid/community, products, 2022 revenue (None = generated share)
    {"key": "nidec_motor", "name": "日本电产汽车马达（浙江）有限公司", "short_name": "日本电产汽车马达",
     "english_name": "Nidec Automotive Motor (Zhejiang) Corporation", "industry_code": "C3812",
     "founded_on": _d(2013, 5, 20), "park": "sino-japan", "grid": "G02",
     "main_products": "新能源汽车驱动电机",
     # 2022 output nearly 34亿元, up 25.74% (file 001); 2023 aims at ≥ 40亿元.
     "revenue": {2021: Decimal("2688086528.55"), 2022: Decimal("3380000000"), 2023: Decimal("4120000000")},
     "employees": 2600, "technical_staff": 420},
    {"key": "nidec_machine", "name": "尼得科机床（浙江）有限公司", "short_name": "尼得科机床",
     "industry_code": "C3421", "founded_on": _d(2022, 6, 15), "park": "qingtian-enclave", "building": "1号厂房",
     "grid": "G03", "main_products": "数控机床（2022年9月起租赁“飞地”产业园生产）",
     "revenue": {2022: Decimal("18000000"), 2023: Decimal("186000000")}, "employees": 160, "technical_staff": 38},
    {"key": "nidec_read", "name": "日本电产理德机器装置（浙江）有限公司", "short_name": "日本电产理德",
     "industry_code": "C3562", "founded_on": _d(2022, 7, 8), "park": "sino-japan", "community": "C03",
     "main_products": "半导体封测设备",
     "revenue": {2022: Decimal("6000000"), 2023: Decimal("17500000")}, "employees": 45, "technical_staff": 16},
    {"key": "nidec_zhejiang", "name": "日本电产（浙江）有限公司", "short_name": "日本电产浙江",
     "industry_code": "C3813", "founded_on": _d(1999, 4, 12), "park": "sino-japan", "grid": "G02",
     "main_products": "精密微特电机"},
    {"key": "nidec_shimpo", "name": "日本电产新宝（浙江）有限公司", "short_name": "日本电产新宝",
     "industry_code": "C3453", "founded_on": _d(2002, 3, 6), "park": "sino-japan", "grid": "G02",
     "main_products": "精密减速机"},
    {"key": "nidec_tosok", "name": "日本电产东测（浙江）有限公司", "short_name": "日本电产东测",
     "industry_code": "C3670", "founded_on": _d(2005, 8, 22), "park": "sino-japan", "grid": "G02",
     "main_products": "汽车油压控制阀、电动油泵"},
    {"key": "nidec_sankyo", "name": "日本电产三协（浙江）有限公司", "short_name": "日本电产三协",
     "industry_code": "C3813", "founded_on": _d(2004, 11, 2), "park": "sino-japan", "grid": "G02",
     "main_products": "微型马达、光学组件"},
    {"key": "nidec_copal", "name": "日本电产科宝（浙江）有限公司", "short_name": "日本电产科宝",
     "industry_code": "C3983", "founded_on": _d(2006, 6, 30), "park": "sino-japan", "grid": "G03",
     "main_products": "精密传感器、开关元件"},
    {"key": "nidec_shibaura", "name": "日本电产芝浦（浙江）有限公司", "short_name": "日本电产芝浦",
     "industry_code": "C3813", "founded_on": _d(2003, 1, 16), "park": "sino-japan", "grid": "G03",
     "main_products": "家电用无刷电机"},
    {"key": "nidec_precision", "name": "日本电产精密（浙江）有限公司", "short_name": "日本电产精密",
     "industry_code": "C3484", "founded_on": _d(2008, 9, 9), "park": "sino-japan", "grid": "G03",
     "main_products": "精密机加工零部件"},
    {"key": "nidec_electric", "name": "日本电产电机（平湖）有限公司", "short_name": "日本电产电机",
     "industry_code": "C3812", "founded_on": _d(2010, 4, 26), "park": "sino-japan", "grid": "G02",
     "main_products": "工业电机"},
    {"key": "nidec_compressor", "name": "日本电产压缩机（平湖）有限公司", "short_name": "日本电产压缩机",
     "industry_code": "C3442", "founded_on": _d(2012, 10, 18), "park": "sino-japan", "grid": "G03",
     "main_products": "电动压缩机"},
    {"key": "nidec_servo", "name": "日本电产伺服（平湖）有限公司", "short_name": "日本电产伺服",
     "industry_code": "C3819", "founded_on": _d(2011, 7, 5), "park": "sino-japan", "grid": "G03",
     "main_products": "伺服电机"},
    {"key": "nidec_auto_parts", "name": "尼得科汽车部件（平湖）有限公司", "short_name": "尼得科汽车部件",
     "industry_code": "C3670", "founded_on": _d(2016, 3, 14), "park": "sino-japan", "grid": "G02",
     "main_products": "汽车电动泵、电子部件"},
    {"key": "nidec_rnd", "name": "日本电产（浙江）研究开发有限公司", "short_name": "日本电产研发",
     "industry_code": "M7320", "founded_on": _d(2015, 5, 8), "park": "sino-japan", "community": "C05",
     "main_products": "电机及控制技术研究开发", "revenue": None, "employees": 120, "technical_staff": 105},
    {"key": "nidec_management", "name": "尼得科（平湖）投资管理有限公司", "short_name": "尼得科管理",
     "industry_code": "L7211", "founded_on": _d(2014, 9, 1), "community": "C05",
     "main_products": "集团企业管理服务", "revenue": None, "employees": 35, "technical_staff": 4},
    {"key": "nidec_hotel", "name": "平湖尼得科国际酒店有限公司", "short_name": "尼得科酒店",
     "industry_code": "H6110", "founded_on": _d(2009, 12, 1), "community": "C06",
     "main_products": "住宿、餐饮服务", "revenue": None, "employees": 88, "technical_staff": 0},
]  # fmt: skip

# Fixed capital facts of some members (万美元: registered, total investment); the rest is allocated so that
# the group sums to ZONE_TARGETS exactly.
NIDEC_FIXED_CAPITAL = {"nidec_management": (3000, 3000), "nidec_hotel": (600, 1500), "nidec_rnd": (800, 2000)}

OTHER_NAMED = [
    {"key": "cargill", "name": "嘉吉食品科技（平湖）有限公司", "short_name": "嘉吉",
     "english_name": "Cargill Food Technology (Pinghu) Co., Ltd.", "industry_code": "C1391",
     "founded_on": _d(2007, 4, 16), "origin_country": "US", "grid": "G04",
     "main_products": "高果糖浆（年产30万吨）、葡萄糖浆（10万吨）、小包装风味糖浆（5万吨）",
     "revenue": {2021: Decimal("2218000000"), 2022: Decimal("2462000000"), 2023: Decimal("2686000000")},
     "employees": 460, "technical_staff": 62, "land_area_mu": Decimal("210.00"),
     # 2007 phase 1, 2012 phase 2, 2023-06 phase 3; 1.15亿美元 registered in total (file 000).
     "capital_history": [(_d(2007, 4, 16), 4500, 9800, "一期项目新建"), (_d(2012, 8, 3), 8000, 18000, "二期项目扩建"),
                         (_d(2022, 3, 18), 11500, 26000, "三期餐饮创新生产基地（2023年6月投产）")]},
    {"key": "xuantian", "name": "浙江轩田智能科技有限公司", "short_name": "轩田智能",
     "industry_code": "C3562", "founded_on": _d(2021, 3, 22), "origin_country": "", "grid": "G09",
     "park": "liangchuang", "building": "3号楼",
     "main_products": "半导体、军工领域智能设备及智能生产方案（租赁两创产业园3号楼约1.5万平方米，2023年新增约800平方米）",
     # moved from Shanghai and producing in 2021; 1亿元 in 2022, 3.5亿元 expected in 2023 (file 000).
     "revenue": {2021: Decimal("16500000"), 2022: Decimal("100000000"), 2023: Decimal("350000000")},
     "employees": 200, "technical_staff": 58, "registered_capital_cny": 5000},
    {"key": "bogelong", "name": "博格隆（浙江）生物技术有限公司", "short_name": "博格隆",
     "industry_code": "C2662", "founded_on": _d(2013, 6, 18), "origin_country": "", "grid": "G10",
     "main_products": "生物分离纯化介质（层析填料等100余种）",
     "revenue": {2021: Decimal("98000000"), 2022: Decimal("132000000"), 2023: Decimal("161000000")},
     "employees": 260, "technical_staff": 96, "registered_capital_cny": 12000, "land_area_mu": Decimal("45.00")},
    {"key": "kautex", "name": "考泰斯（平湖）塑料技术有限公司", "short_name": "考泰斯",
     "english_name": "Kautex (Pinghu) Plastic Technology Co., Ltd.", "industry_code": "C3670",
     "founded_on": _d(2008, 5, 12), "origin_country": "DE", "park": "sino-german", "grid": "G05",
     "main_products": "汽车塑料燃油系统；考泰斯亚洲技术中心（2023年投用）",
     "revenue": {2021: Decimal("868000000"), 2022: Decimal("921000000"), 2023: Decimal("978000000")},
     "employees": 780, "technical_staff": 132, "land_area_mu": Decimal("96.00"),
     "capital_history": [(_d(2008, 5, 12), 1200, 2400, ""), (_d(2016, 10, 9), 2800, 6000, "")]},
    {"key": "nashi", "name": "纳狮新材料有限公司", "short_name": "纳狮新材料",
     "industry_code": "C2659", "founded_on": _d(2019, 8, 26), "origin_country": "", "grid": "G06",
     "main_products": "高性能新材料（总部型企业）",
     "revenue": {2021: Decimal("986000000"), 2022: Decimal("1238000000"), 2023: Decimal("1352000000")},
     "employees": 620, "technical_staff": 118, "registered_capital_cny": 50000, "land_area_mu": Decimal("120.00")},
    {"key": "kawaden", "name": "浙江川电钢板加工有限公司", "short_name": "川电钢板",
     "industry_code": "C3130", "founded_on": _d(2005, 2, 28), "origin_country": "JP", "park": "sino-japan",
     "grid": "G03", "main_products": "电工钢板剪切加工",
     "revenue": {2021: Decimal("402000000"), 2022: Decimal("461000000"), 2023: Decimal("538000000")},
     "employees": 210, "technical_staff": 28, "land_area_mu": Decimal("52.00"),
     "capital_history": [(_d(2005, 2, 28), 600, 1200, ""), (_d(2013, 7, 1), 1000, 2200, ""),
                         (_d(2022, 11, 15), 2200, 5600, "增资新项目，为日本电产汽车马达驱动电机旗舰工厂配套")]},
    {"key": "gkn", "name": "纳铁福传动系统（平湖）有限公司", "short_name": "纳铁福",
     "industry_code": "C3670", "founded_on": _d(2010, 9, 27), "origin_country": "GB", "grid": "G07",
     "main_products": "汽车传动轴及零部件",
     "revenue": {2021: Decimal("139000000"), 2022: Decimal("152000000"), 2023: Decimal("171000000")},
     "employees": 380, "technical_staff": 72,
     "capital_history": [(_d(2010, 9, 27), 1500, 3000, "")]},
    {"key": "lewei", "name": "浙江勒威半导体科技有限公司", "short_name": "勒威半导体",
     "industry_code": "C3972", "founded_on": _d(2020, 4, 9), "origin_country": "", "community": "C01",
     "main_products": "功率半导体器件",
     "revenue": {2021: Decimal("3200000"), 2022: Decimal("8600000"), 2023: Decimal("14200000")},
     "employees": 48, "technical_staff": 20, "registered_capital_cny": 1000},
    {"key": "hexin", "name": "平湖赫芯电子科技有限公司", "short_name": "赫芯",
     "industry_code": "C3973", "founded_on": _d(2019, 11, 5), "origin_country": "", "community": "C02",
     "main_products": "集成电路封装测试",
     "revenue": {2021: Decimal("7600000"), 2022: Decimal("12400000"), 2023: Decimal("16800000")},
     "employees": 36, "technical_staff": 15, "registered_capital_cny": 500},
    {"key": "viessmann", "name": "菲斯曼供热技术（浙江）有限公司", "short_name": "菲斯曼",
     "english_name": "Viessmann Heating Technology (Zhejiang) Co., Ltd.", "industry_code": "C3411",
     "founded_on": _d(2016, 7, 19), "origin_country": "DE", "park": "sino-german", "grid": "G05",
     "main_products": "冷凝燃气锅炉、热泵",
     "revenue": {2021: Decimal("552000000"), 2022: Decimal("610000000"), 2023: Decimal("648000000")},
     "employees": 430, "technical_staff": 66, "land_area_mu": Decimal("80.00"),
     "capital_history": [(_d(2016, 7, 19), 3000, 6800, "")]},
    {"key": "nobo", "name": "诺博汽车零部件（平湖）有限公司", "short_name": "诺博汽车",
     "industry_code": "C3670", "founded_on": _d(2018, 3, 30), "origin_country": "", "grid": "G07",
     "main_products": "汽车座椅、内外饰件",
     "revenue": {2021: Decimal("468000000"), 2022: Decimal("529000000"), 2023: Decimal("583000000")},
     "employees": 520, "technical_staff": 64, "registered_capital_cny": 10000, "land_area_mu": Decimal("68.00")},
    {"key": "jusu", "name": "浙江聚速光电科技有限公司", "short_name": "聚速",
     "industry_code": "C3976", "founded_on": _d(2017, 10, 11), "origin_country": "", "grid": "G08",
     "main_products": "光通信器件、光模块",
     "revenue": {2021: Decimal("246000000"), 2022: Decimal("311000000"), 2023: Decimal("362000000")},
     "employees": 340, "technical_staff": 86, "registered_capital_cny": 8000},
    {"key": "jinzhao", "name": "平湖金兆电子科技有限公司", "short_name": "金兆",
     "industry_code": "C3921", "founded_on": _d(2020, 1, 15), "origin_country": "", "grid": "G08",
     "main_products": "光通信系统设备",
     "revenue": {2021: Decimal("6800000"), 2022: Decimal("15800000"), 2023: Decimal("26000000")},
     "employees": 62, "technical_staff": 21, "registered_capital_cny": 2000},
    {"key": "zhenqu", "name": "臻驱科技（平湖）有限公司", "short_name": "臻驱",
     "industry_code": "C3824", "founded_on": _d(2019, 5, 28), "origin_country": "", "grid": "G08",
     "main_products": "新能源汽车电机控制器、功率模块",
     "revenue": {2021: Decimal("312000000"), 2022: Decimal("458000000"), 2023: Decimal("566000000")},
     "employees": 410, "technical_staff": 138, "registered_capital_cny": 6000},
    {"key": "dmgmori", "name": "德马吉森精机机床（平湖）有限公司", "short_name": "德马吉森精机",
     "industry_code": "C3421", "founded_on": _d(2022, 10, 20), "origin_country": "JP", "park": "sino-japan",
     "community": "C04", "main_products": "高端数控机床（平湖项目建设中）",
     "revenue": {2022: Decimal("0"), 2023: Decimal("12000000")}, "employees": 40, "technical_staff": 12,
     "capital_history": [(_d(2022, 10, 20), 3000, 9000, "")]},
]  # fmt: skip

# Chain memberships of named enterprises: (chain code, enterprise key, role)
NAMED_CHAIN_ROLES = [
    ("auto-electronics", "nidec_motor", "leader"),
    ("machine-tools", "tsugami", "leader"),
    ("food", "cargill", "leader"),
    ("new-materials", "nashi", "leader"),
    ("biomedicine", "bogelong", "leader"),
    ("machine-tools", "nidec_machine", "member"),
    ("machine-tools", "dmgmori", "member"),
    ("auto-electronics", "nidec_tosok", "member"),
    ("auto-electronics", "nidec_auto_parts", "member"),
    ("auto-electronics", "nidec_electric", "member"),
    ("auto-electronics", "kautex", "member"),
    ("auto-electronics", "gkn", "member"),
    ("auto-electronics", "nobo", "member"),
    ("auto-electronics", "zhenqu", "member"),
    ("auto-electronics", "kawaden", "supplier"),
    ("semiconductor", "nidec_read", "member"),
    ("semiconductor", "xuantian", "member"),
    ("semiconductor", "lewei", "member"),
    ("semiconductor", "hexin", "member"),
    ("optoelectronics", "jusu", "member"),
    ("optoelectronics", "jinzhao", "member"),
]

# Honours of named enterprises: (key, kind, level, title key, certified_on, with_expiry)
NAMED_HONOURS = [
    ("tsugami", "high_tech", "national", "high_tech", _d(2014, 9, 29)),
    ("tsugami", "high_tech", "national", "high_tech", _d(2017, 11, 13)),
    ("tsugami", "high_tech", "national", "high_tech", _d(2020, 12, 1)),
    ("tsugami", "rnd_centre", "provincial", "rnd_centre_provincial", _d(2012, 12, 20)),
    ("tsugami", "mu_leader", "provincial", "mu_leader_provincial", _d(2021, 6, 25)),
    ("nidec_motor", "high_tech", "national", "high_tech", _d(2018, 11, 30)),
    ("nidec_motor", "high_tech", "national", "high_tech", _d(2021, 12, 16)),
    ("nidec_motor", "rnd_centre", "provincial", "rnd_centre_provincial", _d(2019, 12, 18)),
    ("bogelong", "high_tech", "national", "high_tech", _d(2018, 11, 30)),
    ("bogelong", "high_tech", "national", "high_tech", _d(2021, 12, 16)),
    ("bogelong", "tech_sme", "provincial", "tech_sme", _d(2021, 6, 28)),
    ("bogelong", "specialised", "provincial", "specialised", _d(2020, 12, 28)),
    ("bogelong", "little_giant", "national", "little_giant", _d(2022, 8, 12)),
    ("kautex", "high_tech", "national", "high_tech", _d(2020, 12, 1)),
    ("nashi", "high_tech", "national", "high_tech", _d(2020, 12, 1)),
    ("zhenqu", "high_tech", "national", "high_tech", _d(2021, 12, 16)),
    ("viessmann", "high_tech", "national", "high_tech", _d(2022, 12, 24)),
    ("nobo", "high_tech", "national", "high_tech", _d(2022, 12, 24)),
    ("gkn", "tech_sme", "provincial", "tech_sme", _d(2022, 6, 28)),
    ("lewei", "tech_sme", "provincial", "tech_sme", _d(2022, 3, 25)),
    ("hexin", "tech_sme", "provincial", "tech_sme", _d(2022, 9, 26)),
]

# Batch dates of each honour kind (month, day): every year's batch falls on the same day, so a 3-year
# certificate renewed in its third year never overlaps its successor.
BATCH_DAYS = {
    "high_tech": {2014: (9, 29), 2015: (9, 17), 2016: (11, 21), 2017: (11, 13), 2018: (11, 30), 2019: (12, 4),
                  2020: (12, 1), 2021: (12, 16), 2022: (12, 24), 2023: (12, 8)},
    "tech_sme": [(3, 25), (6, 28), (9, 26)],
    "specialised": (12, 28),
    "little_giant": {2021: (7, 19), 2022: (8, 12), 2023: (7, 14)},
}  # fmt: skip
