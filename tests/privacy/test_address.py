"""ADDRESS (privacy/recognizers/address.py): addresses as people write them, and places that are not addresses.

Sentences are invented for these tests (not taken from the real-text corpus).
"""

from __future__ import annotations

import pytest

from privacy.recognizers._address_parts import gazetteer_names
from privacy.scanning import scan_text


def _found(text: str) -> list[str]:
    return [f.text for f in scan_text(text) if f.entity_type == "ADDRESS"]


@pytest.mark.parametrize(("text", "address"), [
    # Characters of report words (希望, 来电, 将于 …) also occur in place names.
    ("我家在朝阳区望京西园四区207号楼3单元502，", "朝阳区望京西园四区207号楼3单元502"),
    ("住址：望江西路166号", "望江西路166号"),
    ("通知送到电力新村9栋201室。", "电力新村9栋201室"),
    ("快递寄到来福士广场C座2208", "来福士广场C座2208"),
    ("户籍地址将军路27号，已迁出", "将军路27号"),
    ("家住长宁区长宁路999弄3号，", "长宁区长宁路999弄3号"),
])
def test_place_names_holding_characters_of_report_words(text: str, address: str) -> None:
    assert _found(text) == [address]


@pytest.mark.parametrize(("text", "address"), [
    ("市民反映幸福村3组自来水停了两天", "幸福村3组"),
    ("业主来电求助梧桐苑7幢2单元漏水", "梧桐苑7幢2单元"),
    ("希望电信大院5号楼尽快恢复供暖", "电信大院5号楼"),
    ("包裹邮寄到湖北省宜昌市西陵区夷陵大道58号", "湖北省宜昌市西陵区夷陵大道58号"),
    ("现住址为大理市下关镇建设路19号附4号", "大理市下关镇建设路19号附4号"),
    ("现居住于双流区东升街道长顺路二段45号", "双流区东升街道长顺路二段45号"),
])
def test_an_address_begins_after_the_words_of_the_report(text: str, address: str) -> None:
    assert _found(text) == [address]


@pytest.mark.parametrize(("text", "address"), [
    ("收货地址 云南省 红河州 元阳县 新街镇 土锅寨村 5组", "云南省 红河州 元阳县 新街镇 土锅寨村 5组"),
    ("他家住城关镇西大街供销社家属院，门口有棵槐树", "城关镇西大街供销社家属院"),
    ("住机务段宿舍楼3单元的老职工", "机务段宿舍楼3单元"),
    ("我住海珠区工业大道南9号大院4栋", "海珠区工业大道南9号大院4栋"),
    ("现居住在安定门外大街6号院3号楼2门301", "安定门外大街6号院3号楼2门301"),
    ("地址：东城区北新桥三条15号", "东城区北新桥三条15号"),
    ("家住岳麓区桃花岭小区7片2栋，", "岳麓区桃花岭小区7片2栋"),
    ("住阳光小区北区3号楼西单元5楼", "阳光小区北区3号楼西单元5楼"),
    ("户籍地：巴塘县夏邛镇茶雪村", "巴塘县夏邛镇茶雪村"),
    # building and room codes with letters: the whole address was missed, or cut before the room
    ("收货地址 广东省深圳市南山区粤海街道科技园南区R2-B栋", "广东省深圳市南山区粤海街道科技园南区R2-B栋"),
    ("地址：上海市浦东新区张江路88弄5号B1-302室", "上海市浦东新区张江路88弄5号B1-302室"),
])
def test_estates_units_and_spaced_chains(text: str, address: str) -> None:
    assert _found(text) == [address]


@pytest.mark.parametrize("text", [
    "早高峰中山路、人民路部分路段拥堵",  # roads without a number: a traffic report
    "朝阳区明天举办招聘会",  # a district alone
    "希望有关部门尽快处理",
    "来电反映小区停车难",
    "来电人反映，金水区某小区电梯停运",  # an unnamed estate
    "请杨柳镇各村于月底前上报名单",  # every village of a town
    "请于周五到街道三楼会议室开会",  # the sub-district office, not a place's name
    "我是青岛路社区的网格员",  # a road named after a city + 社区, nobody said they live there
    "红星镇五一村村民委员会\n2024年12月1日",  # a signature: the village's committee
    "拟推荐桃源村为省级美丽乡村示范村",
])
def test_places_that_are_not_somebodys_address(text: str) -> None:
    assert _found(text) == []


def test_short_names_of_autonomous_prefectures_and_counties_are_in_the_gazetteer() -> None:
    names = set(gazetteer_names())
    assert {"凉山州", "凉山", "黔东南州", "红河州", "伊犁州", "景宁县", "长白县"} <= names
    assert "东南州" not in names  # the stem is cut before the nationality, never inside the place name


@pytest.mark.parametrize(("text", "address"), [
    ("通知：化工新村周三全天停水", "化工新村"),  # a named housing estate
    ("网格员上报，平安乡红旗村有人烧秸秆", "平安乡红旗村"),  # a village after its township
    ("户籍：吉木乃县 托斯特乡 阔克舍木村 二组", "吉木乃县 托斯特乡 阔克舍木村 二组"),
    ("现居住地：孟连县勐马镇芒海村帕亮组21号", "孟连县勐马镇芒海村帕亮组21号"),  # a named group
    ("住平坝区乐平镇大屯村第三生产队", "平坝区乐平镇大屯村第三生产队"),
    ("牧户住址：新巴尔虎右旗呼伦镇达石莫嘎查", "新巴尔虎右旗呼伦镇达石莫嘎查"),
    ("地址：南岸区 南坪 工贸路 12号 附 3号", "南岸区 南坪 工贸路 12号 附 3号"),  # a bare word between spaced parts
    ("我们搬到了浑南区万科·春河里7号楼", "浑南区万科·春河里7号楼"),
    ("送达地址：雁塔区丈八街道 枫林绿洲 9号楼 2单元 1702，", "雁塔区丈八街道 枫林绿洲 9号楼 2单元 1702"),
    ("起火点位于新华区中山路15号院内", "新华区中山路15号院"),
    ("其租住的碑林区东关正街36号之3", "碑林区东关正街36号之3"),
    ("寄到越秀区环市东路339号广东国际大厦1608", "越秀区环市东路339号广东国际大厦1608"),  # a building's bare room
    ("网格员走访吕梁市离石区凤山路21号3幢", "吕梁市离石区凤山路21号3幢"),  # 离 stops names, not 离石区
    ("我们搬到红谷滩区 丰和中大道 1099号 万达星城 6栋 2单元 1801了", "红谷滩区 丰和中大道 1099号 万达星城 6栋 2单元 1801"),
    ("家住解放路88号三楼，", "解放路88号三楼"),  # a floor of a numbered building
    ("房子在城中村石岗西路 12巷 9号 502，押一付三", "城中村石岗西路 12巷 9号 502"),  # a spaced bare room
])
def test_villages_estates_and_groups_as_forms_and_tickets_write_them(text: str, address: str) -> None:
    assert _found(text) == [address]


@pytest.mark.parametrize(("text", "expected"), [
    ("平安乡红旗村村民委员会\n2024年12月1日", []),  # the village names an organisation
    ("金桂小区业主委员会换届公告", []),
    ("雷雨天气时小区配电房进水", []),  # a phrase before 小区, not an estate's name
    ("反映锦绣花园门口下水道堵塞", ["锦绣花园"]),  # 下水道 is no road
    ("各位业主，后天下午小区停电检修", []),  # a time, then 小区
    ("反映其居住的老旧小区加装电梯的事", []),  # a description, not a name
    ("西区5栋的入户登记已经做完了", []),  # a sector without a place above it
    ("家住攀枝花市东区炳草岗大街15号", ["攀枝花市东区炳草岗大街15号"]),  # the city's district 东区
    ("你明天去一趟石板滩村6组看看", ["石板滩村6组"]),
    ("请前往区政务服务中心二楼办理", []),  # a venue's floor
    ("碧桂园花园项目三期工程明年交付", []),  # a building project named after an estate
    ("人才公寓是面向新就业大学生的保障房", []),
    ("东门社区锦华里小区获评市级示范小区", ["东门社区锦华里小区"]),  # the estate after its community; a title
    ("听取了城南片区老旧小区改造的汇报", []),
])
def test_organisations_and_phrases_are_not_estates(text: str, expected: list[str]) -> None:
    assert _found(text) == expected


@pytest.mark.parametrize("value", [
    "浙江省杭州市临安区钱王街18号3幢2单元501室", "杭州市西湖区文三路", "朝阳区望京西园三区312号楼2单元601 ",
    "凉山州昭觉县解放乡火普村3组", "杭州市临安区反映问题", "杭州市西湖区 地址：文三路259号", "西湖区", "北京市东城区东四十条22号",
    "成都市锦江区东门社区锦华里小区获评示范小区", "成都市锦江区锦华里小区物业",
])
def test_a_column_cell_is_one_whole_address_or_none(value: str) -> None:
    from privacy.recognizers.address import AddressRecognizer

    recognizer = AddressRecognizer()
    hits = recognizer.find(value.strip(), use_context=False)
    whole = len(hits) == 1 and hits[0].end - hits[0].start >= len(value.strip()) * 0.8
    verdict = recognizer.fullmatch(value)  # a quicker path for cells that are one chain
    assert (verdict is not None) == whole
    assert verdict is None or verdict.params == hits[0].verdict.params
