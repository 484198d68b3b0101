"""Vocabulary and patterns of the address recognizer (:mod:`privacy.recognizers.address`).

Components: administrative suffixes (省, 市, 区, 州 …), places (村, 小区, 家属院,
大院 …), roads (路, 街, 巷, 里, 条, 段 …) and numbered units (88号, 附3号,
3号楼, 东单元, 12片 …). Where a place name begins is decided by what stands
before it: function characters that never occur in place names (的, 了, 是, 我 …)
stop a name outright; words of the surrounding report (希望, 反映, 将于 …) are
stop *words*, because their characters do occur in place names (望京, 电力新村,
来福士广场, 将军路).
"""

from __future__ import annotations

import functools
import re

from privacy.recognizers._base import han_class_without

__all__ = [
    "ADMIN_NEXT",
    "ADMIN_RE",
    "BEFORE_START",
    "CHAIN",
    "DWELLING",
    "ESTATE",
    "ESTATE_CHAIN",
    "GENERIC_ENDS",
    "GENERIC_PART",
    "INNER_ADMIN",
    "INNER_BREAK",
    "NAMED_RE",
    "NUMBERED_RE",
    "ORG_AFTER",
    "PART",
    "PLACE_RE",
    "ROAD_RE",
    "ROOM_UNITS",
    "RURAL_UNIT",
    "SECTOR",
    "SEED",
    "STOP_WORD_RE",
    "TRIGGER",
    "TRIGGER_RE",
    "VILLAGE",
    "gazetteer_index",
    "gazetteer_names",
    "trigger_spans",
]

_ADMIN = "自治区|自治州|自治县|自治旗|特别行政区|省|市|地区|盟|区|县|旗|州|街道办事处|街道|镇|乡|苏木"
# Villages: with an administrative name before them they are an address (大屯乡王家屯).
_VILLAGES = "村民小组|自然村|生产队|村(?!民)|屯|寨|嘎查"
# Housing estates: a named one is an address on its own (电力新村, 粮站家属院).
_ESTATES = "小区|花园|新村|家园|公寓|苑|家属院|家属区|家属楼|大院|宿舍楼|宿舍区|宿舍"
_COMMUNITIES = "社区居委会|居委会|村委会|社区"
_DWELLINGS = f"{_COMMUNITIES}|{_ESTATES}|{_VILLAGES}"
# A group with a name (雷允组), not a numbered one (七组: a unit).
_PLACE = f"{_DWELLINGS}|大厦|广场|庭|湾|城|中心|大楼|商城|园区|园|坊|(?<![一二三四五六七八九十])组"
# 道 of a road (知景道), not of 下水道, 楼道, 通道, 味道.
_ROAD = "大道|大街|路|街|巷|胡同|弄|(?<![水楼通车坡过隧渠频轨跑行赛管味知报])道|里|条|段"
_NUMERAL = "[0-9０-９A-Za-z一二三四五六七八九十百零〇两甲乙丙丁]"
_UNIT = (
    "号院(?!子)|号楼(?![上下道里梯顶])|号|弄|栋|幢|座|楼(?![上下道里梯顶])|单元|层|室|户|生产队|村民小组|小组|组|社"
    "|排|门|队|巷|区|片|期"
)
# Characters that never occur in a place name: they end (and start) one.
_STOP = "在住的了是为与及对被把给说称请但也还就又已其他她我你您们这有没不很该到去因从往离距"
# Words of the surrounding report whose characters do occur in place names (希望 / 望京, 反映, 将于 / 将军路,
# 那里 / 那坡县, 等待 / 等秀村).
STOP_WORDS = (
    "反映", "希望", "要求", "请求", "因为", "为了", "并且", "即将", "将于", "将在", "将要", "还将", "来到", "前来",
    "回到", "电话", "表示", "投诉", "举报", "咨询", "发现", "路过", "经过", "告知", "认为", "搬进", "搬入", "入住",
    "住于", "居于", "址于", "处于", "设于", "关于", "至于", "来电", "致电", "求助", "询问", "打听", "说明", "提出",
    "建议", "申请", "办理", "报修", "报警", "看望", "走访", "探望", "联系", "那里", "那边", "那个", "那家", "那些",
    "那栋", "那条", "那片", "那儿", "那天", "等人", "等地", "等处", "等待", "等候", "等到", "等等",
    "今天", "明天", "昨天", "上午", "下午", "晚上", "早上", "中午", "凌晨", "近日", "目前", "现在", "本周", "下周",
    "上周", "今年", "去年", "最近", "一趟", "一下", "一次", "一起", "放在", "放到", "送到", "送达", "寄到", "寄给",
    "获评", "荣获", "评为",
)
DWELLING = re.compile(f"(?:{_DWELLINGS})$")
VILLAGE = re.compile(f"(?:{_VILLAGES})$")
ESTATE = re.compile(f"(?:{_ESTATES})$")
# Below a village: its groups (三组, 雷允组, 四社, 第七生产队, 后黄自然村, 那布屯).
RURAL_UNIT = re.compile("(?:组|社|队|村民小组|自然村|屯)$")
# What a village or estate without a number must not be followed by: it names an organisation.
ORG_AFTER = re.compile(
    "村民委员会|居民委员会|委员会|人民政府|政府|法院|检察院|派出所|公安|医院|卫生院|学校|小学|中学|幼儿园|银行|"
    "分行|支行|办事处|党委|党支部|支部|管委会|村委|居委|业委会|业主委员会|业主大会|物业|项目|工程|楼盘|售楼")
ROOM_UNITS = "室户层元楼栋幢座"


def _first_chars(*alternations: str) -> str:
    """A class of the first characters of the words (after a leading look-behind) in ``alternations``."""
    words = (re.sub(r"^\(\?<!\[[^\]]*\]\)", "", word) for alt in alternations for word in alt.split("|"))
    return "[" + "".join(sorted({word[0] for word in words})) + "]"


_HAN = han_class_without(_STOP)
# Greedy: the longest run of characters that ends in a suffix (青山湖街道大园路 is one part).
# A part never ends right before an estate or road word (东阳市吴宁街道|西街村, not …西街|村;
# 韭菜园路, not 韭菜园|路).
# A road may end in a direction before its number (工业大道南9号).
_NAMED = (f"{_HAN}{{1,8}}(?={_first_chars(_PLACE, _ROAD, _ADMIN)})"
          f"(?:{_PLACE}|(?:{_ROAD})(?:[东南西北中](?=[0-9０-９]))?|{_ADMIN})(?!{_DWELLINGS}|{_ROAD})")
_NUMBERED = (
    f"(?:\\d+(?:[-－]\\d+){{1,3}}(?:室|号)?"
    # a building or room code with letters (科技园南区R2-B栋, 5号B1-302室, A-3座): a digit in it, a unit after it
    f"|(?=[0-9A-Za-z－-]{{0,8}}\\d)[0-9A-Za-z]{{1,4}}(?:[-－][0-9A-Za-z]{{1,4}}){{1,2}}(?:号楼|栋|幢|座|单元|室)"
    f"|附\\s?{_NUMERAL}{{1,5}}\\s?号|之(?:[0-9０-９]{{1,3}}(?![0-9０-９])|[一二三四五六七八九十]{{1,3}})"
    f"|[东西南北中]单元|第?{_NUMERAL}{{1,5}}(?={_first_chars(_UNIT)})(?:{_UNIT}))"
)
TRIGGER = ("住在", "住址", "家住", "地址", "位于", "居住", "现住", "户籍", "住于", "搬到", "租住", "家庭住址")
# Where an address not starting with a gazetteer name may begin: the start of the text and the end
# of a match of BEFORE_START (punctuation, a label's last character, a stop character) or STOP_WORD_RE.
_BEFORE_START = "[\\x00\\s，。；：:,、（()）\"“”址于至" + _STOP + "]"
# Words that introduce an address; a chain that swallowed one restarts after it.
_TRIGGERS = ("走访", "居住地址", "现居住地", "现住址", "住所地", "联系地址", "通讯地址", "收货地址", "详细地址",
             "所在地", "居住地", "户口所在地", "家庭住址", "户籍地址", "户籍地", "户籍", "地址", "住址", "家住", "住在",
             "位于", "居住在", "居住", "现住", "来自", "搬到", "租住", "前往", "途经", "送至", "寄往", "发往",
             "门牌号", "门牌")
TRIGGER_RE = re.compile("|".join(sorted(_TRIGGERS, key=len, reverse=True)))
STOP_WORD_RE = re.compile(f"(?={_first_chars('|'.join(STOP_WORDS))})(?:{'|'.join(STOP_WORDS)})")

ROAD_RE = re.compile(f"(?:{_ROAD})[东南西北中]?$")
PLACE_RE = re.compile(f"(?:{_PLACE})$")
ADMIN_RE = re.compile(f"(?:{_ADMIN})$")
ADMIN_NEXT = re.compile(f"(?:{_ADMIN})")
SEED = re.compile(f"{_NUMBERED}|{_VILLAGES}|{_ESTATES}")
BEFORE_START = re.compile(f"(?:{_BEFORE_START})(?=[\\u4e00-\\u9fff0-9０-９A-Za-z])")
NAMED_RE = re.compile(_NAMED)
NUMBERED_RE = re.compile(_NUMBERED)
_SEP = "[\\s,，]?"
# A room number without its unit after a building part (3幢2单元401, A座1102, 3门201, 1层F1-12,
# 4单元 102, 6号 301).
_BARE_ROOM = (
    "(?:(?<=[幢栋座元楼层门])[A-Za-z]{0,2}\\d{1,4}(?:[-－]\\d{1,4})?|(?<=[幢栋座元楼层门号]\\s)\\d{3,4})"
    "(?![0-9０-９A-Za-z年月日时点分天人元个岁次份件])"
)
# After a house number: a building and its units or bare room number (233号中信广场5102), an estate
# without a suffix (1008号 绿地新都会 9栋) or an estate word without a name of its own (9号大院3栋,
# C区公寓2号楼).
_BARE_PLACE = "大院|家属院|家属区|宿舍楼|宿舍区|宿舍|公寓"
# An estate's name without a suffix word before its building (金域蓝湾9号楼, 万科·金域蓝湾3栋).
_ESTATE_NAME = f"(?:{_HAN}|·){{2,10}}?(?={_SEP}{_NUMERAL}{{1,5}}(?:号楼|栋|幢|座|号院))"
# In a chain written with spaces, a word without a suffix between two parts (江北区 观音桥 建新北路).
_BARE_WORD = f"\\s{_HAN}{{2,5}}(?=\\s)"
CHAIN = re.compile(
    f"(?:{_NAMED}(?:{_SEP}{_NAMED}|{_BARE_WORD})*(?:{_SEP}{_ESTATE_NAME})?(?:{_SEP}{_NUMBERED})*"
    f"(?:{_SEP}(?:{_NAMED}|{_BARE_PLACE}|{_ESTATE_NAME})(?:(?:{_SEP}{_NUMBERED})+|[0-9０-９]{{3,5}}(?![0-9０-９])))?"
    f"|{_NUMBERED}(?:{_SEP}{_NUMBERED})+)(?:{_SEP}{_BARE_ROOM})?"
)
# Right after a trigger word: an estate without a suffix (东方名都) followed by building and room numbers.
ESTATE_CHAIN = re.compile(f"{_HAN}{{2,8}}?(?:{_SEP}{_NUMBERED}){{2,}}")
PART = re.compile(f"{_NAMED}|{_NUMBERED}")
# An administrative suffix inside a part after a name of two characters (城关镇|东大街粮站家属院).
INNER_ADMIN = re.compile("(?<=[\\u4e00-\\u9fff]{2})(?:省|市|县|镇|乡|街道|州)(?![级委村场民区内外直])")
# Parts that name no particular place: a generic word (街道, 社区) or a village or estate after a
# determiner (各村, 本小区, 某小区, 农村, 乡村).
GENERIC_PART = re.compile(
    f"^(?:街道|社区|小区|村里|镇上|县城|城区|市区)$|(?:^某+|[各本该全邻每此某农乡个])(?:{_DWELLINGS})$"
    f"|(?:老旧|新建|周边|附近|整个|所在|其他|多个|各个|部分|回迁|安置|高档|封闭式|开放式|示范|文明|先进|平安|绿色"
    f"|智慧|星级|青年|人才|教师|职工|员工|学生|单身)(?:{_ESTATES})$"
    "|(?:家|委会|政府)大院$")
# Where a division or road inside one part ends, before an estate's own name (红星社区|幸福里小区).
INNER_BREAK = re.compile("社区|街道|路|街|巷|镇|乡|村|区|县|市")
# The last characters a part naming no place can end with (a quick test before looking for one).
GENERIC_ENDS = frozenset(
    re.sub(r"\(\?[^)]*\)", "", word)[-1] for word in f"{_DWELLINGS}|街道|村里|镇上|县城|城区|市区|大院".split("|"))
# A sector of an estate (东区3栋), not the district of a city, when no administrative name comes first.
SECTOR = frozenset(("东区", "西区", "南区", "北区", "中区"))

# The nationalities in the names of autonomous prefectures and counties (凉山彝族自治州 → 凉山州, 凉山).
_NATIONALITIES = (
    "蒙古|回|藏|维吾尔|苗|彝|壮|布依|朝鲜|满|侗|瑶|白|土家|哈尼|哈萨克|傣|黎|傈僳|佤|畲|高山|拉祜|水|东乡|纳西|景颇|"
    "柯尔克孜|土|达斡尔|仫佬|羌|布朗|撒拉|毛南|仡佬|锡伯|阿昌|普米|塔吉克|怒|乌孜别克|俄罗斯|鄂温克|德昂|保安|裕固|"
    "京|塔塔尔|独龙|鄂伦春|赫哲|门巴|珞巴|基诺|各"
)
_AUTONOMOUS = re.compile(
    f"(.{{2,}}?)(?:(?:{'|'.join(sorted(_NATIONALITIES.split('|'), key=len, reverse=True))})族?)+自治(州|县|旗)")


@functools.cache
def gazetteer_names() -> tuple[str, ...]:
    """Administrative names (full and short) from the GB/T 2260 table, longest first."""
    from sandbox.regions import region_table

    names: set[str] = set()
    for code, name in region_table().items():
        if len(name) < 2 or name in {"市辖区", "县"}:
            continue
        names.add(name)
        autonomous = _AUTONOMOUS.fullmatch(name)
        if autonomous is not None:
            stem, level = autonomous.groups()
            names.update((stem + level, stem) if level == "州" else (stem + level,))
        elif name.endswith("族自治旗"):
            names.add(name[: -len("族自治旗")] + "旗")  # 鄂温克族自治旗 → 鄂温克旗
        if code.endswith("0000") or code.endswith("00"):
            for suffix in ("维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "特别行政区", "省", "市"):
                if name.endswith(suffix) and len(name) - len(suffix) >= 2:
                    names.add(name[: -len(suffix)])
                    break
    return tuple(sorted(names, key=lambda n: (-len(n), n)))


@functools.cache
def gazetteer_index() -> tuple[frozenset[str], frozenset[str], int]:
    """(names, their two-character prefixes, the longest name's length)."""
    names = gazetteer_names()
    return frozenset(names), frozenset(n[:2] for n in names), max(len(n) for n in names)


def trigger_spans(text: str) -> dict[int, int]:
    """For every position strictly inside a trigger word of ``text``: where that word ends."""
    inside: dict[int, int] = {}
    for match in TRIGGER_RE.finditer(text):
        for position in range(match.start() + 1, match.end()):
            inside[position] = match.end()
    return inside
