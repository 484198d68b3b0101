"""The versioned de-identification policy (YAML) and its validation.

A policy maps each personal-information *entity type* (PERSON,
CN_RESIDENT_ID, PHONE_NUMBER, ADDRESS …, found by content) to an operator;
``columns`` name operators for particular columns and override the
classification (record numbers, dates of birth, ages, a column to drop). It
also names the quasi-identifiers and sensitive attributes for the risk
check, the anonymisation test (only a pass allows the label 匿名化), and the
differential-privacy settings (ε/δ total per dataset, small-cell rule).
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml

from sandbox.errors import InputError

__all__ = [
    "ENTITY_OPERATORS",
    "OPERATORS",
    "DPSettings",
    "DeidPolicy",
    "OperatorSpec",
    "RiskSettings",
    "canonical_header",
    "list_policies",
    "load_policy",
    "same_header",
]

OperatorName = Literal[
    "keep", "drop", "redact", "label", "mask", "pseudonym",
    "generalize_age", "generalize_date", "generalize_region", "generalize_address", "text",
]
OPERATORS: tuple[str, ...] = (
    "keep", "drop", "redact", "label", "mask", "pseudonym",
    "generalize_age", "generalize_date", "generalize_region", "generalize_address", "text",
)
# Operators that leave a (pseudonymous or partial) direct identifier in the output.
IDENTIFYING_OPERATORS = frozenset({"keep", "mask", "pseudonym"})
# Headers that name the same thing in real exports (出生年月 for 出生日期, 年龄（岁） for 年龄, 户主姓名 for 姓名): a
# policy's ``columns`` entry for one of them applies to the others, so a birth-date column is generalised (and a
# name column dropped) whatever the office called it. Compared after :func:`canonical_header`.
_HEADER_ALIASES: tuple[frozenset[str], ...] = (
    frozenset({"出生日期", "出生年月", "出生年月日", "出生时间", "生日", "出生日", "出生年月份"}),
    frozenset({"年龄", "周岁", "实足年龄", "年龄岁", "年龄周岁", "岁数", "现年龄", "实际年龄"}),
    frozenset({"姓名", "户主姓名", "申请人姓名", "人员姓名", "参保人姓名", "领取人姓名", "成员姓名", "家庭成员姓名",
               "救助对象姓名", "老人姓名"}),
    frozenset({"身份证号", "身份证号码", "公民身份号码", "居民身份证号", "居民身份证号码", "身份证", "户主身份证号",
               "户主身份证号码", "申请人身份证号", "申请人身份证号码", "证件号码", "证件号"}),
    frozenset({"联系电话", "手机号码", "手机号", "电话号码", "联系方式", "手机", "电话", "联系手机", "本人电话"}),
    frozenset({"住址", "家庭住址", "户籍地址", "居住地址", "现住址", "详细地址", "家庭地址", "现居住地址",
               "户籍所在地", "通讯地址"}),
)
# Quasi-identifier headers only (a policy's ``quasi_identifiers``): a column rule such as 街道镇's
# generalize_region with its code column does not carry over to 所属街道, the risk test does.
QUASI_ALIASES: tuple[frozenset[str], ...] = (
    frozenset({"街道镇", "街道", "乡镇街道", "街道乡镇", "所属街道", "所在街道", "镇街", "街镇", "乡镇", "所属乡镇",
               "所属镇街", "所在乡镇", "所属街道乡镇", "街道名称", "乡镇名称"}),
)
_BRACKETED = re.compile(r"[（(【\[［][^）)】\]］]*[）)】\]］]")


def canonical_header(name: str) -> str:
    """A header as compared with a policy's ``columns``: NFKC, no spaces, no bracketed note, no trailing colon.

    ``年龄（岁）`` → ``年龄``, ``姓　名`` → ``姓名``, ``出生日期(YYYY-MM-DD)`` → ``出生日期``.
    """
    text = "".join(unicodedata.normalize("NFKC", str(name)).split())
    return _BRACKETED.sub("", text).rstrip(":*") or text


def same_header(a: str, b: str, *, quasi: bool = False) -> bool:
    """Whether two headers name the same thing: equal after :func:`canonical_header`, or synonyms
    (``出生年月`` / ``出生日期``; with ``quasi`` also ``所属街道`` / ``街道镇``)."""
    left, right = canonical_header(a), canonical_header(b)
    groups = _HEADER_ALIASES + QUASI_ALIASES if quasi else _HEADER_ALIASES
    return left == right or any(left in group and right in group for group in groups)


# Operators an entity type may map to: each works on a whole cell and on a span inside free text.
ENTITY_OPERATORS = frozenset({"redact", "label", "mask", "pseudonym", "keep", "generalize_address"})


@dataclass(frozen=True, kw_only=True)
class OperatorSpec:
    """One operator with its parameters (``keep_start``, ``level`` …)."""

    op: str
    params: dict[str, Any] = field(default_factory=dict)

    def describe(self) -> str:
        args = ", ".join(f"{k}={v}" for k, v in sorted(self.params.items()))
        return f"{self.op}({args})" if args else self.op


@dataclass(frozen=True, kw_only=True)
class RiskSettings:
    k: int = 5
    l: int = 2  # noqa: E741 - ℓ-diversity's ℓ
    max_suppression: float = 0.05
    suppression: Literal["rows", "cells"] = "rows"


@dataclass(frozen=True, kw_only=True)
class DPSettings:
    epsilon_total: float = 3.0
    delta_total: float = 1e-6
    min_cell: int = 10
    small_cells: Literal["suppress", "merge", "keep"] = "merge"
    confidence: float = 0.95


@dataclass(frozen=True, kw_only=True)
class DeidPolicy:
    """A parsed, validated policy."""

    name: str
    version: str
    title: dict[str, str]
    columns: dict[str, OperatorSpec]
    entities: dict[str, OperatorSpec]
    quasi_identifiers: list[str]
    sensitive: list[str]
    risk: RiskSettings
    anonymisation_test: dict[str, Any]
    dp: DPSettings
    age_bands: list[int]
    public_keys: dict[str, list[str]]
    source: str = ""

    @property
    def ref(self) -> str:
        """``name@version`` as recorded in manifests and the ledger."""
        return f"{self.name}@{self.version}"

    def column_operator(self, column: str) -> OperatorSpec | None:
        """The ``columns`` rule for a header: exact, else the same header written differently (``年龄（岁）``,
        ``姓 名``), else a header that names the same thing (``出生年月`` for ``出生日期``); None when none applies."""
        spec = self.columns.get(column)
        if spec is not None:
            return spec
        matches = sorted(key for key in self.columns if same_header(column, key))
        return self.columns[matches[0]] if matches else None

    def entity_operator(self, entity_type: str) -> OperatorSpec | None:
        """The operator for ``entity_type``: its own rule, else the policy's ``default``, else None (no rule)."""
        return self.entities.get(entity_type) or self.entities.get("default")

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name, "version": self.version,
            "columns": {c: s.describe() for c, s in self.columns.items()},
            "entities": {e: s.describe() for e, s in self.entities.items()},
            "quasi_identifiers": self.quasi_identifiers, "sensitive": self.sensitive,
            "risk": vars(self.risk), "anonymisation_test": self.anonymisation_test,
            "dp": vars(self.dp), "age_bands": self.age_bands,
        }


def _bad(where: str, field_name: str, reason: str) -> InputError:
    return InputError("privacy.err.policy_invalid", file=where, field=field_name, reason=reason)


def _operator(raw: Any, where: str, field_name: str, allowed: frozenset[str] | tuple[str, ...]) -> OperatorSpec:
    if isinstance(raw, str):
        raw = {"op": raw}
    if not isinstance(raw, dict) or raw.get("op") not in allowed:
        got = raw.get("op") if isinstance(raw, dict) else raw
        raise _bad(where, field_name, f"op={got!r} ∉ {sorted(allowed)}")
    params = {k: v for k, v in raw.items() if k != "op"}
    if raw["op"] == "mask":
        for key in ("keep_start", "keep_end"):
            value = params.setdefault(key, 0)
            if not isinstance(value, int) or value < 0:
                raise _bad(where, f"{field_name}.{key}", "≥ 0 integer")
    if raw["op"] == "generalize_date" and params.setdefault("level", "year") not in ("month", "year"):
        raise _bad(where, f"{field_name}.level", "month | year")
    if raw["op"] == "generalize_region" and params.setdefault("level", "county") not in ("county", "city", "province"):
        raise _bad(where, f"{field_name}.level", "county | city | province")
    if raw["op"] == "generalize_address" and params.setdefault("level", "street") not in ("district", "street"):
        raise _bad(where, f"{field_name}.level", "district | street")
    return OperatorSpec(op=raw["op"], params=params)


def _number(raw: dict[str, Any], key: str, default: float, where: str, section: str,
            *, low: float, high: float = math.inf, strict_low: bool = False) -> float:
    value = raw.get(key, default)
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise _bad(where, f"{section}.{key}", f"not a number: {value!r}") from None
    if math.isnan(number) or number > high or number < low or (strict_low and number == low):
        raise _bad(where, f"{section}.{key}", f"{number} out of range")
    return number


def _parse(data: Any, where: str) -> DeidPolicy:
    if not isinstance(data, dict):
        raise _bad(where, "(root)", "a YAML mapping is required")
    for key in ("name", "version"):
        if not data.get(key):
            raise _bad(where, key, "missing")
    columns = {str(c): _operator(s, where, f"columns.{c}", OPERATORS) for c, s in (data.get("columns") or {}).items()}
    entities = {str(e): _operator(s, where, f"entities.{e}", ENTITY_OPERATORS)
                for e, s in (data.get("entities") or {}).items()}
    risk_raw = data.get("risk") or {}
    risk = RiskSettings(
        k=int(_number(risk_raw, "k", 5, where, "risk", low=1)),
        l=int(_number(risk_raw, "l", 2, where, "risk", low=1)),
        max_suppression=_number(risk_raw, "max_suppression", 0.05, where, "risk", low=0, high=1),
        suppression=risk_raw.get("suppression", "rows"),
    )
    if risk.suppression not in ("rows", "cells"):
        raise _bad(where, "risk.suppression", "rows | cells")
    dp_raw = data.get("dp") or {}
    dp = DPSettings(
        epsilon_total=_number(dp_raw, "epsilon_total", 3.0, where, "dp", low=0, strict_low=True),
        delta_total=_number(dp_raw, "delta_total", 1e-6, where, "dp", low=0, high=1),
        min_cell=int(_number(dp_raw, "min_cell", 10, where, "dp", low=0)),
        small_cells=dp_raw.get("small_cells", "merge"),
        confidence=_number(dp_raw, "confidence", 0.95, where, "dp", low=0.5, high=0.999),
    )
    if dp.small_cells not in ("suppress", "merge", "keep"):
        raise _bad(where, "dp.small_cells", "suppress | merge | keep")
    bands = [int(b) for b in data.get("age_bands") or [18, 30, 45, 60, 70, 80]]
    if bands != sorted(set(bands)) or bands[0] < 0 or bands[-1] > 120:
        raise _bad(where, "age_bands", "increasing ages within 0–120")
    title = data.get("title") or {}
    return DeidPolicy(
        name=str(data["name"]), version=str(data["version"]),
        title={"zh": str(title.get("zh", data["name"])), "en": str(title.get("en", data["name"]))},
        columns=columns, entities=entities,
        quasi_identifiers=[str(c) for c in data.get("quasi_identifiers") or []],
        sensitive=[str(c) for c in data.get("sensitive") or []],
        risk=risk, anonymisation_test=dict(data.get("anonymisation_test") or {}), dp=dp,
        age_bands=bands,
        public_keys={str(c): [str(v) for v in vals] for c, vals in (data.get("public_keys") or {}).items()},
        source=where,
    )


def list_policies() -> list[str]:
    """Names of the policies shipped with the product."""
    folder = resources.files("privacy") / "policies"
    return sorted(p.name.removesuffix(".yaml") for p in folder.iterdir() if p.name.endswith(".yaml"))


def load_policy(policy: str | Path | dict[str, Any] | DeidPolicy = "default") -> DeidPolicy:
    """A shipped policy by name, a YAML file, or a mapping — validated.

    Raises
    ------
    InputError
        ``privacy.err.policy_missing`` / ``privacy.err.policy_invalid`` naming
        the file and the field.
    """
    if isinstance(policy, DeidPolicy):
        return policy
    if isinstance(policy, dict):
        return _parse(policy, "(dict)")
    text_name = str(policy)
    path = Path(text_name)
    if not path.suffix and text_name in list_policies():
        resource = resources.files("privacy") / "policies" / f"{text_name}.yaml"
        return _parse(yaml.safe_load(resource.read_text(encoding="utf-8")), f"{text_name}.yaml")
    if not path.is_file():
        raise InputError("privacy.err.policy_missing", policy=text_name, available=", ".join(list_policies()))
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise _bad(path.name, "(yaml)", str(exc).splitlines()[0]) from exc
    return _parse(data, path.name)
