"""Names in service phrasing: enumerations, households, role words, boundaries, repeats, brands.

Every sentence here is invented for this test (not from the evaluation corpus).
"""

from __future__ import annotations

import pytest

from privacy.scanning import scan_texts


def _names(text: str) -> list[str]:
    return [f.text for f in scan_texts([text]) if f.entity_type == "PERSON"]


@pytest.mark.parametrize(("text", "expected"), [
    # A 、-list with one name the model knows: the other surname-initial items are names too,
    # even when they are ordinary words (宁海, 白露) — and the item after the last 、 ends at the count.
    ("拟纳入救助名单：宁海、白露、邵建明三人。", ["宁海", "白露", "邵建明"]),
    # Households: the trailing 户 is not part of the name.
    ("祁玉成户、闻秀兰户、钱进户共三户通过审核。", ["祁玉成", "闻秀兰", "钱进"]),
    # A list of names one per line / separated by spaces.
    ("慰问对象：\n郝春梅\n甘雨\n向东", ["郝春梅", "甘雨", "向东"]),
    ("二等奖 裘德明 宁静 柯南", ["裘德明", "宁静", "柯南"]),
])
def test_names_in_enumerations(text: str, expected: list[str]) -> None:
    assert _names(text) == expected


def test_list_items_that_are_role_words_or_places_stay_unmarked() -> None:
    assert _names("申请人 栾平  身份证号 略") == ["栾平"]
    assert _names("参加单位：锦城街道、玲珑街道、於潜镇。") == []
    assert _names("金额、时间、地点请以最终通知为准。") == []


@pytest.mark.parametrize(("text", "expected"), [
    ("监护人雷鸣未按时缴费。", ["雷鸣"]),  # the model's word boundary: 雷鸣|未
    ("请网格员秦岭跟进。", ["秦岭"]),
    ("车主石头将车停在消防通道。", ["石头"]),  # a common word after a role word, then what a person does
    ("经办人签字：边疆", ["边疆"]),
    ("谢谢程师傅！", ["程师傅"]),  # not 谢谢程
    ("@苏晓岚 明天把表交上来", ["苏晓岚"]),
])
def test_role_words_and_boundaries(text: str, expected: list[str]) -> None:
    assert _names(text) == expected


def test_a_second_mention_of_a_found_name_is_found_too() -> None:
    assert _names("联系人何方，何方的电话打不通。") == ["何方", "何方"]


def test_a_repeat_is_decided_within_one_text_of_a_batch() -> None:
    found = scan_texts(["联系人何方，电话打不通。", "何方人士来访？"])
    assert [(f.row, f.text) for f in found if f.entity_type == "PERSON"] == [(0, "何方")]


def test_person_nouns_and_brands_are_not_names() -> None:
    assert _names("顾客投诉服务员顾盼态度差。") == ["顾盼"]
    assert _names("张小泉剪刀店门口占道经营。") == []
    assert _names("户主房屋漏雨，请尽快处理。") == []


@pytest.mark.parametrize(("text", "expected"), [
    ("来电人：尚 海 燕，手机号码稍后补充。", ["尚 海 燕"]),  # spaces between the characters, after a role word
    ("联系人：祁  建国  电话另附", ["祁  建国"]),
    ("东 南 西 北 四个方向都有出口。", []),  # no role word: single characters are not a name
])
def test_names_written_with_spaces(text: str, expected: list[str]) -> None:
    assert _names(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("请把材料转给Zhao Yuting处理。", ["Zhao Yuting"]),
    ("护照姓名：WANG JIANHUA", ["WANG JIANHUA"]),
    ("英文名：Olivia Parker", ["Olivia Parker"]),  # a Western name only after a label
    ("Olivia Parker 的讲座改期了。", []),
])
def test_names_in_latin_letters(text: str, expected: list[str]) -> None:
    assert _names(text) == expected


def test_compound_surnames_the_model_splits_and_long_transliterations() -> None:
    assert _names("紧急联系人：司徒佩琳，电话另附。") == ["司徒佩琳"]
    assert _names("据了解，阿卜杜萨拉木·吐尔洪是村里的养殖能手。") == ["阿卜杜萨拉木·吐尔洪"]


def test_pet_names_sibling_forms_and_any_role_label() -> None:
    assert _names("果果今天发烧了，请假一天") == ["果果"]
    assert _names("哈哈哈，谢谢谢谢，拜拜") == []
    assert _names("复核人：尉建平　日期：2024-05-06") == ["尉建平"]
    assert _names("负责人：待定") == []


def test_familiar_forms_without_a_title() -> None:
    assert _names("楼下小郑家的空调外机一直滴水。") == ["小郑"]
    assert _names("请大家在小区门口集合，老百姓的事再小也要办。") == []
    assert _names("王老吉还是加多宝？") == []


@pytest.mark.parametrize(("text", "expected"), [
    ("原工单来电人戚美琳补充了材料。", ["戚美琳"]),  # 来电人 is a role word, 原工单 no name
    ("申请人：甄小宇，父母双亡，由外婆闵秋月照顾。", ["甄小宇", "闵秋月"]),  # 父|母双亡 is no kin + name
    ("反映人柴胜称快递丢失。", ["柴胜"]),  # 称 never ends a name
    ("备注：由宫德明代为领取。", ["宫德明"]),  # 代为 starts a word
    ("镇党总支书记芮建东到场。", ["芮建东"]),  # 党总|支 is no title form
    ("请卫健部门核实。", []),
    ("学生名单\n骆思远　高三　1500元", ["骆思远"]),  # a school year is no name
])
def test_role_nouns_kin_words_and_word_boundaries(text: str, expected: list[str]) -> None:
    assert _names(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("振华你到家了没", ["振华"]),  # addressed at the start of a message
    ("桂芳啊 明天记得带户口本", ["桂芳"]),
    ("红军哥明天几点出发", ["红军哥"]),  # a sibling form is said as one name
    ("等下叫永刚把梯子搬过来", ["永刚"]),  # after a verb that takes a person, before a verb
    ("老公你几点回来", []),  # words for people are not names
    ("明天你来不来", []),
    ("物业你们管不管啊", []),
    ("电梯又坏了，谁打个电话", []),
    ("慰问金由其子代领", []),  # 慰问|金: the verb ends a longer word
    ("谢谢丽珍！", ["丽珍"]),  # thanked by name
    ("永贵叔明天来吗", ["永贵叔"]),
    ("今天天气不错，出去走走", []),
    ("满秀芬阿婆：好的 明天去村委拿", ["满秀芬"]),  # a full name's title is not part of it
])
def test_given_names_and_nicknames_in_messages(text: str, expected: list[str]) -> None:
    assert _names(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("户主：庞立新　门牌号：5-2-301", ["庞立新"]),  # a whole field is a name even with 大/立 in it
    ("签名：白露　日期：2024/3/1", ["白露"]),
    ("乳名：铁柱　学名：何建设", ["铁柱", "何建设"]),
    ("被保险人：舒心　投保人：舒国强（父）", ["舒心", "舒国强"]),
    ("填表人：本人　联系电话略", []),
    ("联系人：社区柯敏，电话另附。", ["柯敏"]),  # the organisation word before the name is not part of it
    ("联系人：阳光同志，电话另附。", ["阳光"]),
    ("联系人:Zhao Lanying Tel:略", ["Zhao Lanying"]),
    ("联系人：甘 丽；邝 海 燕", ["甘 丽", "邝 海 燕"]),  # a second spaced name after the first
])
def test_form_fields(text: str, expected: list[str]) -> None:
    assert _names(text) == expected


def test_table_columns_flattened_into_lines() -> None:
    # A column headed 姓名: every cell below is a name, surname known or not.
    table = "序号\t姓名\t金额\n1\t满秀云\t600\n2\t佘立\t450\n3\t仝小雅\t500"
    assert _names(table) == ["满秀云", "佘立", "仝小雅"]
    # No header: a column holding one found name makes its other short cells names too.
    rows = "资助名单\n冯晓宇\t南方医科大学\t4000\n伍可\t华南理工大学\t4000\n禤敏\t暨南大学\t4000"
    assert _names(rows) == ["冯晓宇", "伍可", "禤敏"]
    assert _names("项目\t金额\t备注\n水费\t120\t已缴\n电费\t86\t未缴") == []


@pytest.mark.parametrize(("text", "expected"), [
    ("来电人洛桑平措反映家中停电。", ["洛桑平措"]),  # Tibetan: two name elements
    ("申请人吐尔逊江咨询廉租房。", ["吐尔逊江"]),  # Uyghur: an element and 江
    ("委员：阿依古丽·艾山、扎西", ["阿依古丽·艾山", "扎西"]),  # a dotted name is found whole
    ("扎西德勒！新年快乐", []),  # a greeting, not two elements
])
def test_names_made_of_name_elements(text: str, expected: list[str]) -> None:
    assert _names(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("Grace说她晚点到", ["Grace"]),
    ("@Nina王 表格发我一下", ["Nina王"]),
    ("哈喽Ben 周六的球赛改时间了", ["Ben"]),
    ("Excel表格发我一份", []),
    ("资助名单：Tran Van Minh（越南）、Dilnoza Karimova（乌兹别克斯坦）", ["Tran Van Minh", "Dilnoza Karimova"]),
    ("用Excel、Word做好发我", []),
    ("发到li_na@Example.com就行", []),
])
def test_latin_names_in_messages(text: str, expected: list[str]) -> None:
    assert _names(text) == expected


def test_idioms_estates_and_person_nouns_are_not_names() -> None:
    assert _names("祝大家的事业欣欣向荣。") == []
    assert _names("我住万科·壹号院，门口见") == []
    assert _names("老人孙子韩一帆在外地上学。") == ["韩一帆"]


@pytest.mark.parametrize(("text", "expected"), [
    ("开户人：Yusuf bin Ahmad　证件：护照", ["Yusuf bin Ahmad"]),  # a particle between the parts
    ("授予Lucía Fernández女士荣誉称号", ["Lucía Fernández"]),  # accented letters
    ("签名：ZHAO Yuning　日期：略", ["ZHAO Yuning"]),
    ("雨萱妈妈：明天的春游几点集合", ["雨萱妈妈"]),  # the child's name with 妈妈 names the mother: one name
    ("我姓张 弓长张 扬帆的帆", ["张"][:0]),  # how a caller spells a surname out is no name
    ("电话是幺三八 七七幺二 五五六八", []),  # spoken digits are no pet name
    ("共有12项入选名录", []),  # a measure word after a number
    ("报名人：吉克阿依　民族：彝族", ["吉克阿依"]),  # Yi: clan name + given name
    ("住址：乌兰布和嘎查", []),  # a place named with the same words
])
def test_messages_transcripts_and_more_traditions(text: str, expected: list[str]) -> None:
    assert _names(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("来电人和丈夫一起到窗口办理。", []),  # 和 is "and" before a word for people
    ("为社区老人包饺子。", []),
    ("工作暂由郜敏同志负责。", ["郜敏"]),  # 暂由|郜敏: the function word, then the name
    ("请向东、向红两位同志参会。", ["向东", "向红"]),  # 向 is still a surname
    ("工作人员已向来电人解释，请耐心等候。", []),  # a verb after the role word
    ("我们家朵朵今天请假。", ["朵朵"]),
    ("由市住建局邵工负责。", ["邵工"]),  # 工 as a title (an engineer)
])
def test_function_words_that_are_surnames(text: str, expected: list[str]) -> None:
    assert _names(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("楼下老蔡家的狗又叫了一晚上", ["老蔡"]),  # 老蔡家: the household of 老蔡, not 蔡家
    ("分两组：小沈、小樊一组", ["小沈", "小樊"]),
    ("表彰谭春生家庭、尤丰年家庭为最美家庭", ["谭春生", "尤丰年"]),
    ("序号 姓名 单位 联系电话\n1 甄美玲 城建办", ["甄美玲"]),  # a header row holds labels, not names
    ("任命宓建华为区农业农村局副局长", ["宓建华"]),  # the model's long organisation word keeps the name whole
    ("荀 国 栋 +86 158 0751 3392 帮我登记", ["荀 国 栋"]),  # spaced, before a phone number
])
def test_households_lists_and_boundaries(text: str, expected: list[str]) -> None:
    assert _names(text) == expected


def test_a_name_before_a_count_of_people() -> None:
    assert _names("关于表扬宁海等3名同志的通报") == ["宁海"]
    assert _names("社区党员等30人参加了活动") == []
    assert _names("干部群众等100人到场") == []


def test_a_name_marked_as_a_nickname_by_an_aside() -> None:
    assert _names("来电人称其儿子铁柱（小名）今年六岁") == ["铁柱"]
    assert _names("受访者王某（化名）表示") == []  # a pseudonymised form stays unreported by default


@pytest.mark.parametrize(("text", "expected"), [
    # The model took a neighbour of the name: a kin word before it, a form label or a verb after it,
    # a class before a full name, a time word after a familiar surname.
    ("申请表由其孙谭志远代填。", ["谭志远"]),
    ("能不能把约翰拉进群里", ["约翰"]),
    ("群主把阿卜杜拉拉进来了", ["阿卜杜拉"]),
    ("麻烦小罗明天来一趟", ["小罗"]),
    ("感谢郑国庆同志", ["郑国庆"]),  # 国庆 is a festival, but not a time of day after a surname
])
def test_a_model_name_gives_back_what_it_took(text: str, expected: list[str]) -> None:
    assert _names(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    # A context word that belongs to a word, not to a name.
    ("该户获评“星级文明户”，户主葛春来。", ["葛春来"]),  # 文明户 is a word, not 文明 + 户
    ("小区居民楼发生漏水，请物业处理。", []),  # 居民楼, not 居民 + 楼发生
    ("发现卢秀琴、卢秀芳姐妹家中无人", ["卢秀琴", "卢秀芳"]),  # 姐妹 is no given name
    # A column headed 备注 holds remarks, however name-like (单亲 = single parent; 单 is a surname).
    ("受助对象\t金额\t备注\n钟丽华\t600\t残疾\n钟小勇\t400\t单亲", ["钟丽华", "钟小勇"]),
])
def test_context_words_that_belong_to_a_word(text: str, expected: list[str]) -> None:
    assert _names(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    # A pair joined to a found name: the other side is a name when it can be one.
    ("建国和秀英明年想回老家养老", ["建国", "秀英"]),
    ("王建军和物业吵了一架", ["王建军"]),  # a word for people is no name
    # Latin items of a 、-list holding a found name.
    ("周末加班的有：Kevin、Mike、冯晓军", ["Kevin", "Mike", "冯晓军"]),
    ("苹果、华为、Vivo都有货", []),  # no name in the list: brands stay brands
    # A duty roster: weekday + name items in a text about 值班.
    ("本周值班安排：周一鲁平，周二闻涛，周三柏林。", ["鲁平", "闻涛", "柏林"]),
    ("值班调整：周一休息，周二开会。", []),
    # An @-mention standing alone names a member; pulled into a group.
    ("群主@大海 能不能把上次的文件再发一遍", ["大海"]),
    ("@所有人 今晚停电", []),
    ("把海燕也拉进来吧 她是新来的会计", ["海燕"]),
    ("把桌子搬进来", []),
    # The caller speaking in a form field is no name; 家 after a name said before is not part of it.
    ("来电人：我姓邬，住在桥头", []),
    ("来电人是麦克的邻居，反映麦克家养的狗半夜狂叫。", ["麦克", "麦克"]),
])
def test_names_next_to_names_and_in_messages(text: str, expected: list[str]) -> None:
    assert _names(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    # A message line's speaker when the word reads as a given name; a form's labels do not.
    ("金花：我明天请假 孩子打疫苗", ["金花"]),
    ("性别：女", []),
    ("备注：已核实", []),
    # Latin and familiar names joined by 和; a pronoun + 和/跟 + title is no surname.
    ("Sam和阿雅这周末的班互换一下", ["Sam", "阿雅"]),
    ("我和阿姨说过了", []),
    # Items led by a numbered unit, one of them a found name; households counted after 等.
    ("楼栋长名单：1栋訾国平，2栋益秀兰，3栋麻建民。", ["訾国平", "益秀兰", "麻建民"]),
    ("现对尤宝山等3户危房改造对象进行公示。", ["尤宝山"]),
    # A transliterated name spelt out word by word after the caller's label is one name; a list is not.
    ("来电人：买买提 阿力木 电话未留", ["买买提 阿力木"]),
    ("获奖名单：\n古丽 米拉 阿依", ["古丽", "米拉", "阿依"]),
    # A caller spelling the surname out: the spelling is no name.
    ("来电人：喂 我姓李 木子李 叫李文博", ["李文博"]),
])
def test_speakers_pairs_and_numbered_items(text: str, expected: list[str]) -> None:
    assert _names(text) == expected


def test_given_name_statistics_tell_names_from_labels() -> None:
    from privacy.recognizers._person_given import given_name_llr

    assert min(given_name_llr(w) for w in ("晓丽", "冬梅", "海波", "婉清")) > 0.4
    assert max(given_name_llr(w) for w in ("性别", "地址", "备注", "内容", "结果")) < 0


@pytest.mark.parametrize(("text", "expected"), [
    # 大 starts a given name after a role word when the next character is common in names.
    ("补贴打到这张卡上，户名甘大勇，开户行农商行", ["甘大勇"]),
    ("户主大家都认识", []),
    # After a role word, three characters up to a pause are a full name even when the first two
    # are a word (万一|帆 is not 万一 + 帆).
    ("经执法人员万一帆、高婷到场核查", ["万一帆", "高婷"]),
    ("委托代理人：胡律师（某律师事务所）", ["胡律师"]),  # 代理人 itself is a role word, not 代 + 理人
    ("农民工资拖欠问题要重视", []),
])
def test_role_words_before_given_names_with_common_starts(text: str, expected: list[str]) -> None:
    assert _names(text) == expected


def test_the_shipped_given_name_table_is_the_one_jieba_gives() -> None:
    from privacy.recognizers._person_given import _given_name_table, given_name_table_from_jieba

    assert _given_name_table() == given_name_table_from_jieba()


@pytest.mark.parametrize(("text", "expected"), [
    # A post in brackets after a word says a person was named, even by a common word.
    ("东片责任人江河（护林员），西片责任人沈伟（治保主任）", ["江河", "沈伟"]),
    ("经过村里（会计）核对", []),  # a place word before the post
])
def test_a_post_in_brackets_after_a_name(text: str, expected: list[str]) -> None:
    assert _names(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    # An English name at a clause start before what only a person does (替, 请假, 值班, 等N名).
    ("Lily说她周六不来了，Max替她的班", ["Lily", "Max"]),
    ("昨天，Peter Brown等三名外籍教师参加了义卖", ["Peter Brown"]),
    ("，Excel已经发给你了", []),  # a program, not a person
])
def test_english_names_before_what_a_person_does(text: str, expected: list[str]) -> None:
    assert _names(text) == expected
