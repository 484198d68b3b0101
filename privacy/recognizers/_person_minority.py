"""Names of China's minority peoples without a Han surname, one element or more, where the text says person.

Tibetan, Mongolian, Uyghur, Kazakh and Yi names are built from a small stock of name *elements*
(``data/name_elements.txt``: 扎西, 次仁, 卓玛; 巴特尔, 其其格, 乌云; 买买提, 古丽, 努尔兰; 阿果, 沙马 …);
Dai names are 岩 (men) or 玉/依/咪 (women) and one syllable (岩温, 玉香). Such a name has no surname,
so the surname rules never start on it, and the model often reads 乌云/格桑/宝音 as ordinary words.
A run of two or more elements anywhere is found by ``_person_forms.element_names``; this pass reads
one to three elements (or a Dai name) as a name where the words around it say *person*:

* a role, office or label right before it (副主任其其格, 委员哈斯, 来电人岩温, 户主：扎西, 监护人（父）：巴图);
* a person cue right after it (旺堆村长, 敖登大姐, 多吉说, 苏和的羊, 岩帅（傣族）, 图雅，电话…);
* a verb that takes a person before it and a person cue after it (由乌云代理, 免去满都拉的…职务);
* two or more such names as the items of one 、-list, or one next to a name already found
  (巴特尔、其其格、乌云); a chat line's speaker (拉姆：我到了).

It is refused where the element is part of a word or a place: the next character must end the name
(乌云|密布, 格桑|花, 扎西|德勒 and 多吉|村 are no names), the run must not sit inside a place or
organisation the model found (乌兰察布), and a Han character before it must not be a surname
(侯玉珍 is the model's). A hit only fills a gap or replaces shorter hits it covers (吉日 → 吉日嘎拉,
那仁满 → 那仁满都拉); it never cuts a longer finding. Cost: one compiled trie regex over the text;
texts without an element pay only that search.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence

from privacy.recognizers._base import Hit, Verdict
from privacy.recognizers._person_rules import PREFIX_CONTEXT, surnames
from privacy.recognizers._spans import Around, Placed

__all__ = ["is_people", "minority_names"]

_HAN = re.compile(r"[\u4e00-\u9fff]")
_SCORE = 0.96
# Dai given names: 岩 for men, 玉/依/咪 for women, and one syllable (岩温, 岩罕, 玉香, 依拉).
_DAI_SYLLABLES = "温罕香帅应保庄扁叫光拉糯南喃康丙坎丁伦恩旺涛甩亮胆章养燕论腊叶坦贯等板硬嫩双宰洛"
_DAI = f"[岩玉依咪][{_DAI_SYLLABLES}]"
# Endings that close a Turkic or Mongolian name after an element (艾力江, 吐尔逊别克, 格日乐图).
_ENDINGS = ("江", "汗", "古丽", "别克", "图")
# The peoples of China: a model "name" that is one of them (蒙古族 in a 民族 column) is no person.
_PEOPLES = frozenset(
    "汉 蒙古 回 藏 维吾尔 苗 彝 壮 布依 朝鲜 满 侗 瑶 白 土家 哈尼 哈萨克 傣 黎 傈僳 佤 畲 高山 拉祜 水 东乡 纳西 景颇 "
    "柯尔克孜 土 达斡尔 仫佬 羌 布朗 撒拉 毛南 仡佬 锡伯 阿昌 普米 塔吉克 怒 乌孜别克 俄罗斯 鄂温克 德昂 保安 裕固 京 "
    "塔塔尔 独龙 鄂伦春 赫哲 门巴 珞巴 基诺".split()
)


# Offices, posts and kin words before a name (in addition to the rules' PREFIX_CONTEXT).
_ROLES = tuple(
    (
        "主任 副主任 书记 副书记 支书 村支书 委员 村长 副村长 组长 小组长 村小组长 嘎查长 嘎查达 "
        "苏木达 队长 乡长 副乡长 镇长 县长 局长 所长 站长 校长 院长 理事长 会长 主席 代表 老师 "
        "医生 护士 民警 干部 驻村干部 牧民 牧户 农牧民 村民 阿妈 阿爸 阿佳 妻子 丈夫 儿子 女儿 "
        "弟弟 哥哥 姐姐 妹妹 侄子 侄女 老板 房东 包工头 司机 师傅 同学 学生 战友 同事 朋友 邻居 "
        "牧主 外籍 外宾 留学生 护林员 管护员 护边员 保洁员 专干 姑娘 小伙 小伙子 青年 妇女 大学生 村医 歌手 演员 "
        "运动员 选手 教师 学员 同胞 女孩 男孩 老汉 会计 出纳 对象 通讯员 记者 外教 专家 医师"
    ).split()
)
_ROLE_BEFORE = re.compile(
    "(?:"
    + "|".join(sorted({*PREFIX_CONTEXT, *_ROLES, *(f"{p}族" for p in _PEOPLES)}, key=len, reverse=True))
    + ")[：:]?[ \u3000]{0,2}$"
)
# A form label before a value: 领取人：, 收：, 监护人（父）：, 家属签字：
_LABEL_BEFORE = re.compile(
    "(?:[\u4e00-\u9fff]{0,5}[人员者名主户字收任委师生]|姓名|名字)(?:[（(][^）)\n]{1,4}[）)])?[：:][ \u3000]{0,2}$"
)
# Verbs and words that take a person after them; they count only with a cue after the name too.
_VERB_BEFORE = re.compile(
    "(?:由|让|叫|找|联系|请|问|给|和|与|跟|同|把|免去|任命|授予|推选|选举|推荐|表彰|名叫|我叫|我是|是|听|向|对|替|帮)$"
)
_TITLE_AFTER = re.compile(
    "(?:[村镇乡县区旗]长|嘎查长|嘎查达|书记|支书|主任|委员|老人|老师|医生|大姐|大哥|大叔|大爷|大妈|大娘|阿妈|阿爸|阿姨|"
    "奶奶|爷爷|同志|夫妇|一家|师傅|老板|同学|阿佳)"
)
_CUE_AFTER = re.compile(
    "(?:说(?![明服])|反映|来电|表示|介绍|告诉|回忆|称(?![为号赞])|负责|代理|主持|担任|当选|任(?=[村乡镇县副主书委组])|"
    "通知|请假|在吗|你好|你(?!们)|等[0-9一二两三四五六七八九十]|两口子|夫妻|俩|[两二三四五]人|打电话|签字|按手印|报名|"
    "今年[0-9一二三四五六七八九]|现年|年满|家(?![具居乡园长])|户(?![口籍外型])|"
    "的(?:妻子|丈夫|儿子|女儿|孩子|母亲|父亲|妈妈|爸爸|家|电话|手机|身份证|户口|账户|补贴|低保|工资|房子|羊|牛|马|草场|"
    "申请|职务|合作社|名字|姓名)|的[\u4e00-\u9fff]{1,4}职务)"
)
_ETHNIC_AFTER = re.compile(
    "[（(][^）)\n]{0,10}族|[，,][^，,。；\n]{0,4}族[，,。；）)]|[（(，,][ ]?[男女](?![\u4e00-\u9fff])|[（(][男女][，,]"
)
_PLACE_AFTER = re.compile("嘎查|苏木|[旗镇乡村湖山河路街区县市盟寺沟峰湾桥花草]")
_LIST_SEP = "、"
_SPEAKER_AFTER = re.compile("[：:]")


@functools.cache
def _elements() -> tuple[str, ...]:
    from importlib import resources

    text = (resources.files("privacy.recognizers") / "data" / "name_elements.txt").read_text(encoding="utf-8")
    return tuple(
        sorted(
            {w for line in text.splitlines() if not line.startswith("#") for w in line.split() if len(w) >= 2}
        )
    )


def _trie(words: Iterable[str]) -> str:
    """A regex alternation of ``words`` written as a trie (one branch per first character, longest first)."""
    root: dict = {}
    for word in words:
        node = root
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def emit(node: dict) -> str:
        branches = [re.escape(char) + emit(child) for char, child in sorted(node.items()) if char]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return emit(root)


# Western given names and surnames as Chinese writes them (Xinhua's transliterations): 外教索菲亚, 房东琼斯.
_WESTERN = tuple(
    (
        "约翰 詹姆斯 威廉 乔治 亨利 托马斯 查尔斯 查理 丹尼尔 大卫 戴维 迈克尔 迈克 保罗 史蒂夫 史蒂文 凯文 杰森 安东尼 "
        "克里斯 本杰明 亚历山大 彼得 杰克 汤姆 弗兰克 罗伯特 理查德 爱德华 乔纳森 马修 安德鲁 尼古拉斯 卢卡斯 伊万 "
        "安德烈 谢尔盖 德米特里 弗拉基米尔 汉斯 皮埃尔 卡洛斯 胡安 马里奥 塞巴斯蒂安 玛丽 玛利亚 安娜 露西 艾米 艾米丽 "
        "琳达 苏珊 凯特 艾玛 索菲亚 奥利维亚 伊丽莎白 珍妮 詹妮弗 莎拉 萨拉 劳拉 朱莉 凯瑟琳 克莱尔 娜塔莎 玛格丽特 "
        "维多利亚 史密斯 约翰逊 威廉姆斯 琼斯 米勒 戴维斯 威尔逊 泰勒 安德森 怀特 哈里斯 汤普森 罗宾逊 克拉克 刘易斯 "
        "沃克 斯科特 亚当斯 纳尔逊 坎贝尔 米切尔 罗伯茨 菲利普斯 埃文斯 特纳 帕克 柯林斯 爱德华兹 斯图尔特 莫里斯 墨菲 "
        "罗杰斯 摩根 库珀 彼得森 理查森 沃森 布鲁克斯 施密特 穆勒 施耐德 费舍尔 韦伯 瓦格纳 贝克尔 霍夫曼 伊万诺夫 彼得罗夫"
    ).split()
)


@functools.cache
def _candidates() -> re.Pattern[str]:
    element = _trie((*_elements(), *_WESTERN))
    endings = "|".join(_ENDINGS)
    first = "".join(sorted({w[0] for w in (*_elements(), *_WESTERN)} | set("岩玉依咪")))
    # the look-ahead on the first character lets the regex engine skip most positions at once (~5x faster)
    return re.compile(f"(?=[{first}])(?:(?:{element}){{1,3}}(?:{endings})?|{_DAI})")


def _bounded_after(text: str, end: int) -> bool:
    return end >= len(text) or _HAN.match(text[end]) is None


def _word_after(text: str, start: int, end: int) -> bool:
    """The element and the one or two characters after it are an ordinary word (乌云密布, 格桑花, 扎西德勒), or a Han
    name goes on after it (来电人马海|燕: a surname first, two characters and a character of given names next)."""
    from privacy.recognizers._person_given import given_name_llr
    from privacy.recognizers._person_rules import jieba_word

    if (
        end - start == 2
        and text[start] in surnames()[0]
        and end < len(text)
        and given_name_llr(text[end]) >= 0.4
    ):
        return True
    return any(
        end + k <= len(text)
        and _HAN.match(text[end + k - 1])
        and jieba_word(text[start : end + k], min_freq=3)
        for k in (1, 2)
    )


def _context(text: str, start: int, end: int) -> str | None:
    """The word that makes text[start:end] a person's name, or None."""
    before = text[max(0, start - 14) : start]
    edge = start == 0 or _HAN.match(text[start - 1]) is None
    title = _TITLE_AFTER.match(text, end)
    if _PLACE_AFTER.match(text, end) and title is None:
        return None  # 多吉村, 乌兰|察布 … a place named with the same words
    cue = title or _CUE_AFTER.match(text, end) or _ETHNIC_AFTER.match(text, end)
    role = _ROLE_BEFORE.search(before) or _LABEL_BEFORE.search(before)
    if not (_bounded_after(text, end) or cue is not None or role is not None):
        return None  # 乌云|密布, 格桑|花, 扎西|德勒: the element starts a longer word
    if role is not None and not _word_after(text, start, end):
        return role.group().rstrip(
            "：: \u3000"
        )  # 副主任其其格牵头: after a role the next word may be any verb
    if cue is not None and (edge or _VERB_BEFORE.search(before)):
        return cue.group()
    if (
        cue is not None
        and (title is not None or cue.re is _ETHNIC_AFTER)
        and text[start - 1] not in surnames()[0]
    ):
        return cue.group()  # 听|旺堆村长的: a title after the name vouches for it
    if (start == 0 or text[start - 1] == "\n") and _SPEAKER_AFTER.match(text, end):
        return "："  # 拉姆：我到了 — a message's speaker
    if (
        end - start >= 3
        and (start == 0 or text[start - 1] in "\n\x00")
        and text[end : end + 1] in ("，", ",")
    ):
        return "，"  # 满都拉，羊圈修好了没: a message that opens by calling someone (not 乌云，… — two characters)
    if (
        end - start >= 3
        and (start == 0 or text[start - 1] in _CELL)
        and (end == len(text) or text[end] in _CELL)
    ):
        return (
            "⇥"  # a cell or text that is the name alone (其其格 in a column of names, not the pet name 其其)
        )
    return None


_CELL = "\x00\t"
# The contexts that are a place in the text, not a word: said as such (not "next to the context ⇥").
_WHY = {
    "⇥": "pii.why.person_minority_cell",
    "：": "pii.why.person_minority_speaker",
    "，": "pii.why.person_minority_called",
    "、": "pii.why.person_minority_list",
}


def _whole_item(text: str, start: int, end: int) -> bool:
    """text[start:end] is one item of a 、-list (a list separator or a list's start on each side)."""
    left = start == 0 or text[start - 1] in "、：:，,（(\n\t \u3000"
    right = (
        end >= len(text)
        or text[end] in "、，,。；;）)（(\n\t \u3000"
        or _ETHNIC_AFTER.match(text, end) is not None
    )
    return left and right and (text[start - 1 : start] == _LIST_SEP or text[end : end + 1] == _LIST_SEP)


def _listed(text: str, spans: list[tuple[int, int]], found: Sequence[Hit]) -> set[tuple[int, int]]:
    """Items of a 、-list that sit next to another element name or a name already found."""
    items = [(a, b) for a, b in spans if _whole_item(text, a, b)]
    names = {(h.start, h.end) for h in found} | set(items)
    ends = {y for _, y in names}
    starts = {x for x, _ in names}
    # Another name ends at the 、 before the item or starts after the 、 after it (the item itself cannot).
    return {
        (a, b)
        for a, b in items
        if (text[a - 1 : a] == _LIST_SEP and a - 1 in ends)
        or (text[b : b + 1] == _LIST_SEP and b + 1 in starts)
    }


_AND = "和与跟同及"


def _paired(text: str, start: int, end: int, found: Sequence[Hit]) -> str | None:
    """和/与/跟 between the element name and a name already found (巴特尔和其其格两口子)."""
    before = start >= 2 and text[start - 1] in _AND and any(h.end == start - 1 for h in found)
    after = text[end : end + 1] in _AND and end + 1 < len(text) and any(h.start == end + 1 for h in found)
    if (before and (_bounded_after(text, end) or not _word_after(text, start, end))) or (
        after and (start == 0 or _HAN.match(text[start - 1]) is None)
    ):
        return text[start - 1] if before else text[end]
    return None


# Kin words of Tibetan, Mongolian and Uyghur speakers (阿妈 mother, 阿佳 elder sister, 额吉 mother): no names.
_KIN_WORDS = frozenset(("阿妈", "阿爸", "阿佳", "阿妈啦", "阿爸啦", "阿佳啦", "额吉", "阿帕", "阿塔", "阿恰"))


def is_people(value: str) -> bool:
    """True for the name of one of China's peoples (蒙古族, 藏族): a 民族 cell, never a person's name."""
    return value.endswith("族") and value[:-1] in _PEOPLES


def _no_person(text: str, hit: Hit) -> bool:
    """A people (蒙古族) or a kin word (阿妈) the model read as a name."""
    value = text[hit.start : hit.end]
    return value in _KIN_WORDS or is_people(value)


def _yields(text: str, old: Hit, new: Hit) -> bool:
    """An earlier hit gives way to a minority name: it lies inside it (吉日 in 吉日嘎拉), or it is a weak reading
    that only adds a function word before it (由|乌云 read as surname 由 + 乌云)."""
    if new.start <= old.start and old.end <= new.end:
        return True
    if old.start == new.start and old.end == new.end + 1 and text[new.end] in "家户":
        return True  # 玉罕家的橡胶林: the household word is not part of the name
    if old.start == new.start and old.end > new.end and text[new.end : old.end] in _KIN_WORDS:
        return True  # 旺姆|阿佳: a kin title after a full name stays outside it
    if new.start < old.start < new.end < old.end and _TITLE_AFTER.fullmatch(text, new.end, old.end):
        return True  # 尼玛大叔 read as the nickname 玛大叔: the name is 尼玛, 大叔 its title
    return (
        old.score < 0.9 and old.end <= new.end and new.start - old.start == 1 and text[old.start] in _FUNCTION
    )


_FUNCTION = frozenset("由让叫找给和与跟同把向对替帮听是")


def _inside(a: int, b: int, x: int, y: int, text: str) -> bool:
    """text[a:b] lies inside the model's place or organisation text[x:y] (乌兰|察布), not a household (玉罕|家)."""
    return x <= a and b <= y and (x, y) != (a, b) and not (x == a and y == b + 1 and text[b] in "家户")


def minority_names(text: str, hits: list[Hit], places: Sequence[tuple[int, int]]) -> list[Hit]:
    """``hits`` with the minority names this pass finds added (see the module docstring).

    Parameters
    ----------
    text : str
        The text (or a batch of texts joined by the separator).
    hits : list of Hit
        The person hits found so far, without overlaps.
    places : sequence of (int, int)
        The model's LOC/ORG words: a run inside a longer one is part of a place name.

    Returns
    -------
    list of Hit
        The hits, with each new name added where it fills a gap or covers shorter hits whole.
    """
    if "族" in text or "阿" in text or "额吉" in text:
        hits = [h for h in hits if not _no_person(text, h)]
    spans = [m.span() for m in _candidates().finditer(text)]
    if not spans:
        return hits
    around = Around(places)
    spans = [
        (a, b) for a, b in spans if not any(_inside(a, b, x, y, text) for x, y in around.containing(a, b))
    ]
    listed = _listed(text, spans, hits)
    found = []
    for start, end in spans:
        context = (
            "、" if (start, end) in listed else _context(text, start, end) or _paired(text, start, end, hits)
        )
        if context is None:
            continue
        found.append(
            Hit(
                "PERSON",
                start,
                end,
                _SCORE,
                Verdict(_WHY.get(context, "pii.why.person_minority"), {"context": context}, _SCORE),
                context,
            )
        )
    out = Placed(hits)  # the hits as a list, with overlaps looked up by start (a batch holds thousands)
    for new in found:
        overlapping = out.overlapping(new.start, new.end)
        if all(_yields(text, h, new) for h in overlapping) and not any(
            (h.start, h.end) == (new.start, new.end) for h in overlapping
        ):
            out.replace(overlapping, new)
    return _dotted(text, sorted(out.in_order(), key=lambda h: h.start))


# A middle dot as people type it: a full stop, a hyphen or a dash (买买提.艾力, 热依拉-吐尔逊, 约翰．史密斯).
_TYPED_DOTS = frozenset(".．-－‐")


def _dotted(text: str, hits: list[Hit]) -> list[Hit]:
    """Two parts of one transliterated name joined by a typed dot are one name (买买提.艾力 was 买买提 and 艾力)."""
    from privacy.recognizers._person_forms import is_transliteration

    out: list[Hit] = []
    for hit in hits:
        last = out[-1] if out else None
        if (
            last is not None
            and hit.start == last.end + 1
            and text[last.end] in _TYPED_DOTS
            and is_transliteration(text[last.start : last.end])
            and is_transliteration(text[hit.start : hit.end])
            and max(hit.end - hit.start, last.end - last.start) >= 3
            and text[hit.end : hit.end + 1] != text[last.end]  # 巴特尔-乌云-苏和: a list, not one name
            and (last.start == 0 or text[last.start - 1] != text[last.end])
        ):
            verdict = Verdict("pii.why.person_minority", {"context": text[last.end]}, _SCORE)
            out[-1] = Hit("PERSON", last.start, hit.end, _SCORE, verdict, text[last.end])
            continue
        out.append(hit)
    return out
