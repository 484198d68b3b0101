"""12345 热线工单: ticket texts with inline personal information, and departments.

Texts are the PII-scan showcase: names, mobile and landline numbers in
several spellings, full addresses and 身份证 numbers written into Chinese
prose. Elderly callers in rural 镇 often call in dialect; the historical
routing sent many of their tickets to the 属地镇街 by default — the planted
disparity the baseline learns.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sandbox.demo._features import elderly_rural

__all__ = ["DEPARTMENTS", "LOCAL_DEPARTMENT", "HotlineColumns", "hotline"]

LOCAL_DEPARTMENT = "属地镇街"

# department → (plain issues, colloquial issues of elderly callers)
_ISSUES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "综合行政执法局": (
        ("小区门口有人占道经营，晚上烧烤油烟很大", "隔壁违章搭建阳光房，已经封到公共通道", "工地夜间施工噪音扰民，凌晨还在打桩",
         "路边垃圾桶满了好几天没人清运", "店铺招牌破损有掉落风险", "共享单车乱停堵住盲道"),
        ("门口摆摊的天天吵到半夜，烟都飘进屋里", "隔壁在搭棚子，路都给堵了"),
    ),
    "住房和城乡建设局": (
        ("楼道灯坏了一个多月物业不修", "电梯经常困人，维保单位不处理", "楼上卫生间漏水渗到我家天花板",
         "物业擅自提高物业费且不公示", "老旧小区加装电梯进度停滞", "新房交付后墙体开裂开发商推诿"),
        ("楼里的灯一直不亮，上下楼看不见", "屋顶下雨就漏，墙都湿了"),
    ),
    "交通运输局": (
        ("公交车经常不按时刻表发车", "出租车拒载还绕路", "村口公交站被取消出行不便",
         "道路坑洼不平电瓶车容易摔倒", "网约车司机态度恶劣并多收费", "客运班车票价上涨未公示"),
        ("去城里的车子少了，等半天等不到", "门口路上坑太多，走路要摔跤"),
    ),
    "市场监督管理局": (
        ("在超市买到过期食品商家拒绝退换", "健身房预付卡跑路无法退费", "餐馆后厨卫生状况差",
         "药店出售的保健品虚假宣传", "网购家电质量问题商家不予售后", "菜市场电子秤缺斤少两"),
        ("买的保健品说能治病，吃了没用，钱也不退", "菜场称东西不准，少了好多"),
    ),
    "生态环境分局": (
        ("附近工厂夜间偷排废气有刺鼻气味", "河道发黑发臭疑似有企业排污", "养殖场污水直排农田",
         "搅拌站粉尘污染严重", "餐饮店油烟直排居民楼", "废品收购站焚烧垃圾"),
        ("厂里晚上冒黑烟，气味呛得睡不着", "门口小河水变黑了，臭得很"),
    ),
    "人力社保局": (
        ("公司拖欠三个月工资不发", "单位未依法缴纳社会保险", "离职后公司不出具离职证明",
         "劳务派遣公司克扣加班费", "社保转移接续办理不了", "工伤认定进度缓慢"),
        ("儿子打工的钱老板一直不给", "我的社保不知道怎么断了"),
    ),
    "民政局": (
        ("低保申请提交后一直没有结果", "居家养老服务补贴未按时发放", "残疾人两项补贴停发原因不明",
         "养老院收费不透明", "临时救助申请被退回", "公墓收费过高"),
        ("我一个人过，低保的钱这个月没到", "想去养老院不知道找谁"),
    ),
    "卫生健康局": (
        ("社区卫生服务中心看病排队太久", "医院乱收检查费", "疫苗接种预约不上",
         "家庭医生签约后从未上门", "诊所无证行医", "医院停车难影响就医"),
        ("去卫生院看病要排老半天，腿脚不方便", "签约医生一次也没来过"),
    ),
    "农业农村局": (
        ("农田灌溉渠堵塞无法放水", "农药店出售假农药导致减产", "村里土地流转费没有按时支付",
         "茶园受冻灾申请补助无人受理", "山核桃病虫害需要技术指导", "农机补贴迟迟未到账"),
        ("田里的水放不进来，庄稼都要干死了", "买的药打了没用，菜都死了"),
    ),
    LOCAL_DEPARTMENT: (
        ("村里路灯坏了很久没人修", "邻里宅基地边界纠纷需要调解", "村务公开不及时",
         "小区门口积水严重需要疏通", "村道两侧杂草丛生", "文化礼堂长期锁门无法使用"),
        ("村里路灯不亮，晚上出门怕摔", "跟隔壁为地界吵起来了，想找人评评理"),
    ),
}

DEPARTMENTS: tuple[str, ...] = tuple(_ISSUES)

_REQUESTS = ("请尽快处理", "希望派人来看看", "要求给个说法", "请相关部门核实并答复", "希望尽快解决", "请督促整改")
_CHANNELS = np.array(["电话", "浙里办", "微信公众号", "政府网站"])
_DIALECT = "（来电人讲方言，话务员转述）"


@dataclass(frozen=True, kw_only=True)
class HotlineColumns:
    """Hotline scenario columns: features (channel, text), label, training label."""

    features: pd.DataFrame
    label: np.ndarray
    train_label: np.ndarray


def _phone_text(phone: str, style: int) -> str:
    if style == 1:
        return f"{phone[:3]}-{phone[3:7]}-{phone[7:]}"
    if style == 2:
        return f"{phone[:3]} {phone[3:7]} {phone[7:]}"
    if style == 3:
        return f"+86 {phone}"
    return phone


def _ticket(
    *, template: int, name: str, title: str, phone: str, address: str, id_card: str, district: str,
    issue: str, request: str, landline: str, dialect: bool, with_id: bool,
) -> str:
    prefix = _DIALECT if dialect else ""
    id_part = f"身份证号{id_card}" if with_id else ""
    if template == 0:
        text = f"市民{name}（电话{phone}）反映：{address}{issue}，{request}。{id_part}"
    elif template == 1:
        text = f"来电人{name}，联系方式：{phone}，住{address}。诉求：{issue}，{request}。"
        if with_id:
            text += f"来电人身份证：{id_card}。"
    elif template == 2:
        text = f"{name}{title}来电称其位于{address}的住处附近{issue}，{request}。来电号码{phone}"
        text += f"，证件号码：{id_card}。" if with_id else "。"
    elif template == 3:
        text = f"网友留言：我是{district}居民，{issue}，已经好几天了，{request}！联系人{name} {phone}"
    elif template == 4:
        text = f"申请人：{name}；身份证：{id_card}；手机：{phone}；地址：{address}；内容：{issue}，{request}。"
    else:
        text = f"{name}（{title}，座机{landline}，手机{phone}）投诉：{issue}。地点：{address}。{request}。{id_part}"
    return prefix + text


def hotline(people: pd.DataFrame, rng: np.random.Generator) -> HotlineColumns:
    """Ticket channel and text for each caller, the true and the historical department."""
    n = len(people)
    age = people["年龄"].to_numpy()
    town = people["街道镇"].str.endswith("镇").to_numpy()
    planted = elderly_rural(people)
    # Rural villagers file more 农业 and 属地 matters; everyone files the rest.
    base = np.ones(len(DEPARTMENTS))
    rural_p = base.copy()
    rural_p[DEPARTMENTS.index("农业农村局")] = 3.0
    rural_p[DEPARTMENTS.index(LOCAL_DEPARTMENT)] = 1.6
    urban_p = base.copy()
    urban_p[DEPARTMENTS.index("农业农村局")] = 0.25
    dept_idx = np.where(
        town,
        rng.choice(len(DEPARTMENTS), size=n, p=rural_p / rural_p.sum()),
        rng.choice(len(DEPARTMENTS), size=n, p=urban_p / urban_p.sum()),
    )
    dialect = rng.random(n) < np.where(planted, 0.85, np.where(town & (age >= 60), 0.12, 0.02))
    colloquial = rng.random(n) < np.where(age >= 75, 0.7, 0.05)
    channel = np.where(age >= 70, "电话", _CHANNELS[rng.integers(0, _CHANNELS.size, n)])
    templates = rng.integers(0, 6, n)
    phone_styles = rng.integers(0, 4, n)
    with_id = rng.random(n) < 0.6
    picks = rng.random((n, 2))
    landlines = rng.integers(61_000_000, 64_000_000, n)
    confusing = rng.random(n) < 0.08
    misleading = rng.integers(0, len(DEPARTMENTS), n)
    cols = {c: people[c].tolist() for c in ("姓名", "性别", "联系电话", "住址", "身份证号", "街道镇")}
    texts: list[str] = []
    for i in range(n):
        dept = DEPARTMENTS[dept_idx[i]]
        # Some citizens describe a matter another department handles (jurisdiction):
        # the text then reads like that department's — routing cannot be perfect.
        shown = DEPARTMENTS[misleading[i]] if confusing[i] else dept
        plain, spoken = _ISSUES[shown]
        pool = spoken if colloquial[i] else plain
        texts.append(
            _ticket(
                template=int(templates[i]),
                name=cols["姓名"][i],
                title="先生" if cols["性别"][i] == "男" else "女士",
                phone=_phone_text(cols["联系电话"][i], int(phone_styles[i])),
                address=cols["住址"][i],
                id_card=cols["身份证号"][i],
                district=cols["街道镇"][i],
                issue=pool[int(picks[i, 0] * len(pool))],
                request=_REQUESTS[int(picks[i, 1] * len(_REQUESTS))],
                landline=f"0571-{landlines[i]}",
                dialect=bool(dialect[i]),
                with_id=bool(with_id[i]),
            )
        )
    label = np.array(DEPARTMENTS, dtype=object)[dept_idx]
    train = label.copy()
    dumped = planted & (rng.random(n) < 0.6)
    train[dumped] = LOCAL_DEPARTMENT
    features = pd.DataFrame({"受理渠道": channel, "工单内容": texts})
    return HotlineColumns(features=features, label=label, train_label=train)
