"""Files for the de-identification tests (not a test module): the issue's five tickets, unknown headers."""

from __future__ import annotations

import csv
import io
import random
import unicodedata
from pathlib import Path

from privacy.checksums import id_card_check_char, luhn_check_digit

__all__ = ["TICKETS", "TICKET_SECRETS", "plain_text", "write_tickets", "write_unknown_headers"]

_CARD = "622202123456789012" + str(luhn_check_digit("622202123456789012"))
_CARD_GROUPED = " ".join(_CARD[i : i + 4] for i in range(0, len(_CARD), 4))
_ID = "33011219530428971" + id_card_check_char("33011219530428971")  # 330112195304289713
_ID_GROUPED = "3301 1219 5304 2897 13"
assert _ID_GROUPED.replace(" ", "") == _ID

TICKETS = [
    ("GD20250301001", "2025-03-01 09:12", "本报讯（记者王吉瑛）昨日有市民来电反映城西路段路灯损坏，来电号码13905710021。", "市城管局"),
    ("GD20250301002", "2025-03-01 10:40", f"用户张强的账号被冻结，身份证号{_ID_GROUPED}，要求尽快解冻。", "市人社局"),
    ("GD20250301003", "2025-03-01 11:05", "请联系唐琳18533355261，住址：浙江省杭州市西湖区北山街道宝石山路12号。", "西湖区政府"),
    ("GD20250301004", "2025-03-01 14:30", f"经核验，王淑英的养老金发放账户为{_CARD_GROUPED}，已恢复发放。", "市人社局"),
    ("GD20250301005", "2025-03-01 16:02", "沈东军认为补贴标准太低，要求重新核定。", "市民政局"),
]
# Every piece of personal information in the tickets: none may survive de-identification.
TICKET_SECRETS = ("王吉瑛", "张强", "唐琳", "王淑英", "沈东军", "13905710021", "18533355261", _ID_GROUPED, _ID,
                  "1219 5304", _CARD_GROUPED, _CARD, "3456 7890", "宝石山路", "12号")


def write_tickets(path: Path) -> Path:
    """The issue's five 12345 tickets as a GBK CSV whose free-text column is 来电内容."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["工单编号", "来电时间", "来电内容", "承办部门"])
    writer.writerows(TICKETS)
    path.write_bytes(buffer.getvalue().encode("gbk"))
    return path


_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
_GIVEN = ["伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "艳", "勇", "杰", "娟", "涛", "明", "超"]
_REGIONS = ["330106", "330102", "330105", "330110", "330112"]


def _id(rng: random.Random) -> str:
    body = f"{rng.choice(_REGIONS)}{rng.randint(1940, 2000)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}" \
           f"{rng.randint(0, 999):03d}"
    return body + id_card_check_char(body)


def write_unknown_headers(path: Path, *, rows: int = 60, seed: int = 5) -> tuple[Path, list[str]]:
    """Personal information under headers no policy names (客户, 证件, 手机, 备注); returns the path and its values."""
    rng = random.Random(seed)
    records = []
    secrets: list[str] = []
    for i in range(rows):
        name = rng.choice(_SURNAMES) + rng.choice(_GIVEN)
        ident, phone = _id(rng), f"1{rng.choice('3589')}{rng.randint(0, 999_999_999):09d}"
        note = "已回访" if i % 3 else f"客户要求回电至{phone}，已登记"
        records.append({"序号": str(i + 1), "客户": name, "证件": ident, "手机": phone, "备注": note,
                        "满意度": rng.choice(["满意", "基本满意", "不满意"])})
        secrets += [name, ident, phone]
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(records[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(records)
    path.write_bytes(buffer.getvalue().encode("utf-8-sig"))
    return path, secrets


def plain_text(path: Path) -> str:
    """A written file as text, NFKC and without spaces (so ``1953 03 12`` still counts as a date)."""
    return "".join(unicodedata.normalize("NFKC", path.read_text(encoding="utf-8-sig")).split())
