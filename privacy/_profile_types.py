"""What a scan says about a table: per-column summaries (:class:`ColumnSummary`), the whole table
(:class:`TableScan`), and the entity type a column's header suggests (:func:`name_hint`).

Split out of :mod:`privacy._profile` (which re-exports all of it) to keep that module short.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from privacy._findings import Finding

__all__ = ["NAME_HINTS", "ColumnKind", "ColumnSummary", "TableScan", "name_hint"]

ColumnKind = Literal["identifier", "free_text", "none"]

NAME_HINTS: dict[str, tuple[str, ...]] = {
    "CN_RESIDENT_ID": ("身份证", "证件号", "身份号", "公民身份", "idcard", "id_card", "id_no", "idno", "sfz"),
    "PHONE_NUMBER": ("电话", "手机", "联系方式", "联系号码", "phone", "mobile", "tel", "telephone"),
    "BANK_CARD": ("银行卡", "卡号", "银行账号", "账号", "帐号", "账户", "帐户", "存折", "bank", "card", "account"),
    "CN_USCC": ("信用代码", "uscc", "税号", "纳税人识别号"),
    "PASSPORT": ("护照", "passport"),
    "CN_HMT_PERMIT": ("通行证", "台胞证", "回乡证", "permit"),
    "CN_LICENSE_PLATE": ("车牌", "号牌", "plate"),
    "EMAIL_ADDRESS": ("邮箱", "邮件", "电邮", "email", "e-mail", "mail"),
    "IP_ADDRESS": ("ip", "ip地址", "ipv4", "ipv6", "ip_address"),
    "WECHAT_ID": ("微信", "wechat", "weixin", "wx", "vx", "wxid"),
    "QQ_NUMBER": ("qq", "扣扣"),
    "PERSON": ("姓名", "名字", "联系人", "户主", "申请人", "监护人", "负责人", "客户", "当事人", "来电人", "反映人",
               "诉求人", "经办人", "领取人", "收款人", "户名", "持卡人", "家属", "配偶", "代理人", "被救助人",
               "救助对象", "name", "full_name", "contact"),
    "ADDRESS": ("地址", "住址", "住所", "居住地", "户籍地", "家庭住址", "address", "addr"),
}
_HAN = re.compile(r"[\u4e00-\u9fff]")
_WORDS = re.compile(r"[a-z0-9]+")


@dataclass(kw_only=True)
class ColumnSummary:
    """What one column holds."""

    column: str
    kind: ColumnKind
    entity_type: str | None
    entity_types: dict[str, int] = field(default_factory=dict)
    cells: int = 0
    distinct: int = 0
    hit_cells: int = 0
    share: float = 0.0
    confidence: float = 0.0
    name_hint: str | None = None

    @property
    def has_pii(self) -> bool:
        return self.hit_cells > 0

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["has_pii"] = self.has_pii
        return data


@dataclass(kw_only=True)
class TableScan:
    """The result of scanning a table: per-column summaries and every finding."""

    rows: int
    columns: list[ColumnSummary]
    findings: list[Finding]

    @property
    def has_pii(self) -> bool:
        return any(c.has_pii for c in self.columns)

    @property
    def entity_types(self) -> dict[str, int]:
        counts: Counter[str] = Counter()
        for column in self.columns:
            counts.update(column.entity_types)
        return dict(counts.most_common())

    def pii_columns(self) -> list[str]:
        return [c.column for c in self.columns if c.has_pii]

    def to_dict(self, *, unmask: bool = False) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "has_pii": self.has_pii,
            "entity_types": self.entity_types,
            "columns": [c.to_dict() for c in self.columns],
            "findings": [f.to_dict(unmask=unmask) for f in self.findings],
        }


def name_hint(column: str) -> str | None:
    """The entity type a column name suggests (身份证号 → CN_RESIDENT_ID), or None."""
    lowered = column.strip().lower()
    words = set(_WORDS.findall(lowered))
    for entity, hints in NAME_HINTS.items():
        for hint in hints:
            if _HAN.search(hint) or "_" in hint or "-" in hint:
                if hint in lowered:
                    return entity
            elif hint in words or lowered == hint:
                return entity
    return None
