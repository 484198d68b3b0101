"""Names as forms and messages write them: spaced characters, pinyin and Latin letters, long transliterations.

* ``李 春 梅``, ``徐  建华``, ``金　鑫``: a name with spaces between its characters (forms, bylines
  aligned with full-width spaces) after a role or label word — the span keeps the spaces;
* ``Zhang Wei``, ``ZhangLei``, ``LI MING``, ``Chen Xiaoling``: a pinyin surname and a one- or
  two-syllable given name, anywhere; ``Tom Smith``, ``Muhammad Ali`` only right after a role or
  label word (姓名：, 来电人, 英文名：) or before a form of address (Tony老师);
* ``阿卜杜热依木·阿不都``: the parts of a name joined by a middle dot run over characters used in
  transliterations, whatever the model's word boundaries.
"""

from __future__ import annotations

import functools
import re

from privacy.recognizers._base import Hit, Verdict
from privacy.recognizers._person_latin import english_label, organisation_words
from privacy.recognizers._person_rules import PREFIX_CONTEXT, surnames

__all__ = ["element_names", "familiar_names", "is_element_name", "is_transliteration", "joined_extent", "latin_names",
           "pet_names", "spaced_names"]

_HAN = re.compile(r"[\u4e00-\u9fff]")
# Characters of Uyghur, Kazakh, Tibetan and Western names written in Chinese.
_TRANSLIT = frozenset(
    "阿艾爱安奥巴拜班邦贝本比彼别波伯博布查察达丹道德迪蒂丁东都杜顿多俄厄恩尔法凡菲费芬丰夫弗伏福甫盖甘冈戈哥格古"
    "瓜哈海罕汗豪合赫黑亨洪胡华霍基吉加贾简江杰金居喀卡凯坎康柯科克肯孔库夸昆拉莱兰朗劳勒雷蕾黎里理莉丽利力连列林"
    "琳琪留隆卢鲁路伦罗洛吕玛马迈麦买曼芒毛梅美门蒙米敏明莫默姆木穆纳娜乃奈南内尼妮涅宁纽努诺欧帕潘佩彭皮珀普齐奇"
    "恰乔琼丘热茹若撒萨塞赛桑森沙莎山尚舍申施什史舒斯松苏索塔泰坦汤唐特提田通图土吐托瓦万旺威维韦温文翁沃乌吾伍西"
    "希锡夏肖谢辛欣休雅亚岩扬耶叶伊依尹因英尤约泽扎詹朱卓孜兹祖佐则逊荪依卜衣娅姗茜莲杜拜木江汗不素守"
    "肉旦地义司玉开再牙排尕"
    "丝佳保埃密廉得怀戴易柏汀汉治珊碧缪翰芙芭茨萝薇鲍黛娃")  # Western names: 约翰·史密斯, 伊丽莎白·泰勒
_DOTS = "·•・"
_SPACE = "[ \u3000]"
_PHONE_AFTER = re.compile("[ \u3000]*(?:[+＋]86|1[3-9][0-9])")
_SPACED_SEP = re.compile("[ \u3000]*[；;、，,][ \u3000]*")
_INITIALS = "(?:zh|ch|sh|[bpmfdtnlgkhjqxrzcsyw])?"
_FINALS = ("(?:iang|iong|uang|ueng|ang|eng|ing|ong|ian|iao|uai|uan|van|ai|ei|ao|ou|an|en|in|un|ia|ie|iu|ua|uo|ui|ue|ve"
           "|er|a|o|e|i|u|v)")
_SYLLABLE = f"{_INITIALS}{_FINALS}"
_PINYIN_SURNAMES = (
    "ouyang sima shangguan zhuge situ dongfang huangfu duanmu gongsun xiahou zhangsun murong yuchi linghu ximen "
    "nangong huyan wenren zhongli "
    "zhang wang li liu chen yang huang zhao wu zhou xu sun ma zhu hu guo he gao lin luo zheng liang xie song tang han "
    "feng deng cao peng zeng xiao tian dong yuan pan yu jiang cai du ye cheng su wei lu ding ren shen yao cui zhong "
    "tan fan jin shi liao jia xia fu fang bai zou meng xiong qin qiu yin xue yan duan lei hou long tao gu mao hao gong "
    "shao wan qian dai mo kong xiang chang wen kang niu ge xing an qi qiao pang ni zhuang nie yue zhai zhan ou geng "
    "guan lan jiao zuo gan bao ning shang shu ruan ke ji mei sheng tong ling huo rao tu mu jing hong bi lyu lv").split()
PINYIN_SURNAMES = frozenset(_PINYIN_SURNAMES)  # also read by privacy._split_name (姓 | 名 columns)
_SURNAME_ALT = "|".join(sorted(_PINYIN_SURNAMES, key=len, reverse=True))
# Surname first (Zhang Wei, LI MING, WANG Xiu-ying, HE/XIAOLI, ZHANG, Meiling: a passport's or a booking's
# surname in capitals, then a slash or a comma) or a given name of two syllables before a surname (Jianguo LI).
_PINYIN_NAME = re.compile(
    f"(?<![A-Za-z0-9])(?:(?P<s>{_SURNAME_ALT.title()})[ -]?(?P<g>[A-Z][a-z]+(?:[ -][A-Z][a-z]+|-[a-z]+)?)"
    f"|(?P<S>{_SURNAME_ALT.upper()})(?: | ?/ ?|, ?)(?P<G>[A-Z]+(?: [A-Z]+|-[A-Z]+)?|[A-Z][a-z]+(?:-[a-z]+)?)"
    f"|(?P<r>[A-Z][a-z]+) (?P<R>{_SURNAME_ALT.upper()}|{_SURNAME_ALT.title()}))(?![A-Za-z0-9])")
_GIVEN = re.compile(f"(?:{_SYLLABLE}){{1,2}}")
_GIVEN2 = re.compile(f"(?:{_SYLLABLE}){{2}}")
# Letters run into digits are a code (a pseudonym P4b17…, a plate, an account), never a name.
_WESTERN = re.compile(  # a token may go on after a hyphen in lower case (Hsu Chih-ming, Jean-luc)
    "[A-ZÀ-Þ][a-zß-ÿ]+(?:-[a-zß-ÿ]+)?(?:(?:[ ·.\\-]|[ ](?:bin|binti|van|von|de|da|del|der|al|el|le|la)[ ])"
    "[A-ZÀ-Þ][a-zß-ÿ]+(?:-[a-zß-ÿ]+)?){0,3}(?![A-Za-zÀ-ÿ0-9])")
# Letters joined to digits, underscores or @ are a code, a pseudonym or an address (Pb06ada416, li_na@…).
_CODE_CHARS = frozenset("0123456789０１２３４５６７８９_@.-/\\#")
_LATIN_RUN = re.compile(r"[A-Za-zÀ-ÖØ-öø-ÿ]+(?:(?:[ ·.\-]+|[ ]?[/,][ ]?)[A-Za-zÀ-ÖØ-öø-ÿ]+)*")  # HE/XIAOLI
_HYPHENATED_GIVEN = re.compile("[A-Z][a-z]+ [A-Z][a-z]+-[a-z]+")
_TITLE_ALONE = re.compile("Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Madam|Sir")
_LATIN_TITLE = re.compile("老师|先生|女士|小姐|同学|医生|经理|总(?![是共计])")
# In messages: an English name said to or about someone (Kevin说, @Vicky陈, 哈喽Amy, Amy你好).
_CLAUSE_END = frozenset("\n\x00 \u3000，,。！？!?～~…")
_LATIN_GREETED = re.compile("(?:[@＠]|哈喽|嗨|你好|谢谢|感谢|(?<![A-Za-z])(?:Hi|Hello|Hey|Dear|Thanks)[ ,，]?)$")
_LATIN_SAID = re.compile("(?=[ ]?(?:说|你(?!们)|您|在吗|在不在|让|今天|明天|又|，|,|替|请假|值班|负责|"
                         "等[0-9一二两三四五六七八九十]{1,3}[名位人]))")
# Between the names of a list: 、 or ；, perhaps after an aside (Nguyen Van Hung（越南）、Tenzin Norbu).
_LATIN_LIST_SEP = re.compile("(?:[（(][^）)]{1,12}[）)])?[ ]*[、；;，,][ ]*")
_LABEL_TAIL = "(?:姓名|签字|签名)?(?:[（(][^）)]{1,6}[）)])?(?:[：:]|是)?[ \u3000]{0,3}$"  # 来电人是Sophie Martin


@functools.cache
def _prefix_before() -> re.Pattern[str]:
    words = sorted({*PREFIX_CONTEXT, "英文名", "英文姓名", "外文名", "拼音", "领取人", "签名", "签字", "名单", "专家", "外教",
                    "外宾", "博士", "学者", "外籍", "教练"}, key=len, reverse=True)
    # a role word before a Latin name: 来电人, 工作人员, 外籍人士David Miller, 专家Tom Harris
    # a contract's party (乙方（承租方）：Kim Minjun) too
    return re.compile(f"(?:{'|'.join(map(re.escape, words))}|[\u4e00-\u9fff]{{1,3}}[人员士]|[甲乙丙丁]方){_LABEL_TAIL}|"
                      f"(?:{'|'.join(map(re.escape, words))})[ \u3000]{{1,3}}[\u4e00-\u9fff]{{2,3}}[ \u3000]{{1,3}}$")


def _right_after_role(text: str, start: int) -> bool:
    """A role word ends right at ``start`` (来电人韦 秀 芬)."""
    return any(text.endswith(word, 0, start) for word in PREFIX_CONTEXT)


def _after_role(text: str, start: int) -> bool:
    return _prefix_before().search(text, max(0, start - 16), start) is not None


@functools.cache
def _spaced() -> re.Pattern[str]:
    single, compound = surnames()
    surname = "|".join(f"{c[0]}{_SPACE}{{0,2}}{c[1:]}" for c in compound) + "|[" + "".join(sorted(single)) + "]"
    return re.compile(
        f"(?:{surname})(?:(?:{_SPACE}{{1,2}}[\u4e00-\u9fff]){{2}}|{_SPACE}{{1,3}}[\u4e00-\u9fff]{{1,2}})"
        f"(?=[^\u4e00-\u9fff]|$|来电|反映|称|投诉|咨询|同志|先生|女士)")


def spaced_names(text: str) -> list[Hit]:
    """Names written with spaces between the characters, right after a role or label word."""
    if " " not in text and "\u3000" not in text:
        return []
    hits: list[Hit] = []
    for match in _spaced().finditer(text):
        start = match.start()
        chained = bool(hits) and _SPACED_SEP.fullmatch(text, hits[-1].end, start) is not None  # 向 楠；谭 晓 红
        phone = match.group().count(" ") + match.group().count("\u3000") >= 2 and _PHONE_AFTER.match(text, match.end())
        if not chained and not phone and (not _after_role(text, start) or (
                start and _HAN.match(text[start - 1]) and not _right_after_role(text, start))):
            continue
        verdict = Verdict("pii.why.person_spaced", {}, 0.96)
        hits.append(Hit("PERSON", match.start(), match.end(), 0.96, verdict, "␣"))
    return hits


def _mention(text: str, start: int) -> bool:
    """An @-mention in a message (@Vicky), not the domain of an e-mail address (li_na@example)."""
    return text[start - 1] in "@＠" and (start < 2 or re.match("[A-Za-z0-9_.\\-]", text[start - 2]) is None)


def latin_names(text: str) -> list[Hit]:
    """Pinyin names anywhere (Zhang Wei, LI MING); other Latin-letter names after a role or label word."""
    runs = [m.span() for m in _LATIN_RUN.finditer(text)
            if not (m.start() and text[m.start() - 1] in _CODE_CHARS and not _mention(text, m.start()))
            and text[m.end() : m.end() + 1] not in _CODE_CHARS]
    if not runs:
        return []
    hits: list[Hit] = []
    for run, match in (((x, y), m) for x, y in runs for m in _PINYIN_NAME.finditer(text, x, y)):
        group = next(g for g in "gGr" if match.group(g))
        given = match.group(group)
        end = match.end()
        if group == "r" and (match.span() != run or _GIVEN2.fullmatch(given.lower()) is None
                             or given.lower() in _PINYIN_SURNAMES):
            continue  # Jianguo LI: the whole Latin run, a given name of two syllables that is no surname (Li Na)
        if _GIVEN.fullmatch(given.replace(" ", "").replace("-", "").lower()) is None:
            first = re.split("[ -]", given)[0]
            if first == given or _GIVEN.fullmatch(first.lower()) is None:
                continue
            end = match.start(group) + len(first)  # Wang Xiuying|Tel: the next word is not a syllable
        verdict = Verdict("pii.why.person_pinyin", {}, 0.85)
        hits.append(Hit("PERSON", match.start(), end, 0.85, verdict, ""))
    taken = [(h.start, h.end) for h in hits]
    for match in (m for a, b in runs for m in _WESTERN.finditer(text, a, b)):
        start, end = match.span()
        if any(a < end and start < b for a, b in taken):
            continue
        if (start and re.match("[A-Za-z0-9]", text[start - 1])) or english_label(text[start:end]) \
                or _TITLE_ALONE.fullmatch(text, start, end) or organisation_words(text[start:end]):
            continue  # 申请人 Applicant: …: the English label is no name; nor is Ms. before Gao Yan
        if end < len(text) and text[end] in surnames()[0] and (end + 1 == len(text) or not _HAN.match(text[end + 1])):
            end += 1  # Vicky陈: an English name with the Chinese surname after it
        said = _LATIN_SAID.match(text, end)
        listed = bool(hits) and _LATIN_LIST_SEP.fullmatch(text, hits[-1].end, start) is not None
        speaker = ((start == 0 or text[start - 1] in "\n\x00") and text[end : end + 1] in ("：", ":")
                   and _HAN.match(text[end - 1]) is not None)  # Mike王：… (a message's speaker with a surname)
        # Hsu Chih-ming, Chan Ka-yan, Kim Min-jun: a given name in two parts joined in lower case is a person's
        hyphenated = _HYPHENATED_GIVEN.fullmatch(text, start, end) is not None
        if not (listed or speaker or hyphenated or _after_role(text, start) or _LATIN_TITLE.match(text, end)
                or _LATIN_GREETED.search(text, max(0, start - 16), start)  # ≤ 7 characters, not the whole batch
                or (said is not None and (start == 0 or text[start - 1] in _CLAUSE_END))):
            continue
        verdict = Verdict("pii.why.person_context", {"context": "Latin"}, 0.85)
        if _PLURAL_ADDRESS.match(text, end) and " " in text[start:end]:
            # Jason Coco 你俩…: names said one after another to two people, each a name of its own
            hits += [Hit("PERSON", start + m.start(), start + m.end(), 0.85, verdict, "")
                     for m in re.finditer("[^ ]+", text[start:end])]
            continue
        hits.append(Hit("PERSON", start, end, 0.85, verdict, ""))
    return hits


_PLURAL_ADDRESS = re.compile("[ ]?(?:你们俩|你俩|你们|两位|二位|你们两个|俩)")


_PET = re.compile("(?:(?<![\u4e00-\u9fff])|(?<=[让叫把给跟和找问@＠])|(?<=[你我他她咱们]家))([\u4e00-\u9fff])\\1(?!\\1)")
_NOT_PET = frozenset("拜哈嘿呵嘻嗯哦啦哇呜对好是行谢妈爸哥姐弟妹爷奶宝叔舅姥姑婆公伯嫂嘀滴咚噢喔嗨一二三四五六七八九十零幺两")


def pet_names(text: str) -> list[Hit]:
    """Reduplicated pet names in messages (宁宁, 乐乐, 豆豆): not a common word, characters used in names."""
    from privacy.recognizers._person_rules import jieba_word, name_char_score

    hits = []
    for match in _PET.finditer(text):
        char = match.group(1)
        value = match.group()
        if char in _NOT_PET or jieba_word(value, min_freq=100) or name_char_score(char) < -9:
            continue
        if jieba_word(text[match.start() : match.start() + 4], min_freq=5):
            continue  # 欣欣向荣, 井井有条: the start of an idiom
        verdict = Verdict("pii.why.person_pet", {}, 0.7)
        hits.append(Hit("PERSON", match.start(), match.end(), 0.7, verdict, ""))
    return hits


_NOT_FAMILIAR = frozenset(("老乡", "小巷", "小伙", "老街", "小牛", "小米", "小麦", "小屋", "小区", "小组", "老年", "小路",
                           "小姐", "老实", "小心", "小型", "小于"))
_FOLLOWERS = "家说来的也让把给和跟哥姐今明昨在去要已还又就都帮电"
_FAMILIAR_AFTER = re.compile(f"[{_FOLLOWERS}]|[^\u4e00-\u9fff]|$")


@functools.cache
def _familiar() -> re.Pattern[str]:
    single, _ = surnames()
    return re.compile(f"[小老][{''.join(sorted(single))}]")


# Numerals written in characters only: 7栋小刘 is whoever lives in building 7, 两层小楼 a small building.
_COUNT_CHARS = frozenset("一二两三四五六七八九十几")
_THING_MEASURES = frozenset("层栋幢座间辆只条片块棵头匹张本台部所处艘架套把件")


def familiar_names(text: str) -> list[Hit]:
    """小杨, 老周: 小/老 and a surname, not a common word (小区, 老师), not the end of a word (很小|, 养老|)."""
    if "小" not in text and "老" not in text:
        return []
    from privacy.recognizers._person_rules import _jieba_tables

    _, freq, _ = _jieba_tables()
    single, _ = surnames()
    hits = []
    for match in _familiar().finditer(text):
        start, end = match.span()
        value = match.group()
        if value in _NOT_FAMILIAR or freq.get(value, 0) > 400 or _FAMILIAR_AFTER.match(text, end) is None:
            continue
        if start >= 2 and text[start - 2] in _COUNT_CHARS and text[start - 1] in _THING_MEASURES:
            continue  # 两层|小楼, 一辆|小车: a numeral and a measure word for things before it: 小 is "small"
        if start and _HAN.match(text[start - 1]) and (
                freq.get(text[start - 1 : start + 1], 0) > 50 or text[start - 1] in single):
            continue  # 很小|, 养老|; 王|老吉, 李|小龙: part of a longer word or of a full name
        if end < len(text) and text[end] not in _FOLLOWERS and freq.get(text[start + 1 : end + 1], 0) > 50:
            continue  # 小|李子, 老|王府: the surname starts a word
        score = 0.9 if text[end : end + 1] == "家" else 0.6  # 老何家: the household's name, not 何家
        verdict = Verdict("pii.why.person_title", {"surname": value[1], "context": value[0]}, score)
        hits.append(Hit("PERSON", start, end, score, verdict, value[0]))
    return hits


@functools.cache
def _elements() -> tuple[re.Pattern[str], ...]:
    """One pattern per naming tradition in ``data/name_elements.txt``: a run of two or more of its elements."""
    from importlib import resources

    text = (resources.files("privacy.recognizers") / "data" / "name_elements.txt").read_text(encoding="utf-8")
    patterns = []
    for line in text.splitlines():
        words = sorted(set(line.split()), key=len, reverse=True)
        if words and not line.startswith("#"):
            alternatives = "|".join(words)
            patterns.append(re.compile(f"(?:{alternatives})(?:{alternatives})+"))
    return tuple(patterns)


@functools.cache
def _element_words() -> frozenset[str]:
    from importlib import resources

    text = (resources.files("privacy.recognizers") / "data" / "name_elements.txt").read_text(encoding="utf-8")
    return frozenset(w for line in text.splitlines() if not line.startswith("#") for w in line.split() if len(w) >= 2)


def is_element_name(value: str) -> bool:
    """True for a name element alone (扎西, 卓玛, 艾力) or a run of them: a list item that is a name."""
    return value in _element_words() or any(p.fullmatch(value) for p in _elements())


_PLACE_AFTER = re.compile("嘎查|苏木|[旗镇乡村湖山河路街区县市盟寺沟]")


# Yi clan names (the first part of a Yi name: 吉克|曲布, 曲比|阿果) and the characters that never
# continue one (a verb or function word after the clan name); Turkic women's names end in 古丽.
_YI_CLANS = "吉克|沙马|阿说|阿苏|吉伍|俄木|勒古|曲比|瓦扎|吉木|阿硕|倮伍|阿牛|阿木|莫色|日古|伍各"
_YI_NAME = re.compile(f"(?:{_YI_CLANS})[\u4e00-\u9fff]{{2}}")
_GULI_NAME = re.compile("[\u4e00-\u9fff]{2,4}古丽")
_NOT_IN_GIVEN = frozenset("的了在是和与及说称讲问反映来电去到把被给向对也都还就又已将我你他她们这那不没有很")


def _clan_and_suffix_names(text: str) -> list[Hit]:
    """A Yi clan name and two characters (曲比阿果, 吉伍依果), and a transliterated name ending in 古丽
    (巴哈尔古丽: every character before 古丽 one of names written by sound)."""
    hits = []
    if any(clan in text for clan in _YI_CLANS.split("|")):
        for match in _YI_NAME.finditer(text):
            if not any(c in _NOT_IN_GIVEN for c in match.group()[2:]) and _PLACE_AFTER.match(text, match.end()) is None:
                hits.append(Hit("PERSON", *match.span(), 0.96, Verdict("pii.why.person_elements", {}, 0.96), ""))
    if "古丽" in text:
        for match in _GULI_NAME.finditer(text):
            start = match.start()
            while start < match.end() - 4 and text[start] not in _TRANSLIT:
                start += 1
            if all(c in _TRANSLIT for c in text[start : match.end() - 2]) and (
                    start == 0 or text[start - 1] not in _TRANSLIT) and text[match.end() : match.end() + 1] not in _DOTS:
                hits.append(Hit("PERSON", start, match.end(), 0.96, Verdict("pii.why.person_elements", {}, 0.96), ""))
    return hits


def element_names(text: str) -> list[Hit]:
    """Tibetan, Uyghur or Kazakh names written as a run of name elements (次仁多吉, 白玛央金, 艾合买提江)."""
    hits = _clan_and_suffix_names(text)
    for pattern in _elements():
        for match in pattern.finditer(text):
            start, end = match.span()
            if end - start < 3 or text[end : end + 1] in _DOTS or (start and text[start - 1] in _DOTS):
                continue  # a part of a name joined by a middle dot: that name is found whole
            if _PLACE_AFTER.match(text, end):
                continue  # 乌兰布和嘎查: places are named with the same words
            verdict = Verdict("pii.why.person_elements", {}, 0.96)
            hits.append(Hit("PERSON", match.start(), match.end(), 0.96, verdict, ""))
    return hits


def is_transliteration(value: str) -> bool:
    """Two or more characters, all of them characters of names written by sound (热西提, 吾买尔)."""
    return len(value) >= 2 and all(c in _TRANSLIT for c in value)


def joined_extent(text: str, start: int, end: int) -> tuple[int, int]:
    """A ·-joined name's span grown or cut to the transliteration characters around its dots."""
    dots = [i for i in range(start, end) if text[i] in _DOTS]
    if not dots:
        return start, end
    left = dots[0]
    while left > 0 and text[left - 1] in _TRANSLIT and dots[0] - left < 10:
        left -= 1
    right = dots[-1] + 1
    while right < len(text) and text[right] in _TRANSLIT and right - dots[-1] <= 10:
        right += 1
    if left == dots[0]:
        left = start
    if right == dots[-1] + 1:
        right = end
    cell_start = max(text.rfind(c, 0, dots[0]) for c in _CELL_EDGES) + 1
    cell_end = min((i for i in (text.find(c, dots[-1]) for c in _CELL_EDGES) if i >= 0), default=len(text))
    tabbed = text[cell_start - 1 : cell_start] in ("\t", "\u3000") or text[cell_end : cell_end + 1] in ("\t", "\u3000")
    if tabbed and cell_end - cell_start <= 14 and _JOINED_CELL.fullmatch(text, cell_start, cell_end):
        return cell_start, cell_end  # 1⇥爱新觉罗·恒瑞⇥90: a table cell holding the name whole (the clan name too)
    return left, right


_CELL_EDGES = ("\t", "\n", "\u3000", "\x00")
_JOINED_CELL = re.compile("[\u4e00-\u9fff]{1,8}(?:[·•・][\u4e00-\u9fff]{1,8}){1,2}")
