"""Model cards: the schema, loading from YAML/JSON/forms, field-by-field errors.

A card that fails validation raises :class:`CardInvalid`, which lists every
problem with the field's name in the user's language (``models.field.*``)
and what is wrong (``models.card.*``).
"""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
)
from pydantic_core import PydanticCustomError

from sandbox.errors import InputError

__all__ = [
    "ALGORITHM_TYPES",
    "CARD_FIELDS",
    "RISK_TIERS",
    "SERVICE_DOMAINS",
    "CardInvalid",
    "Contact",
    "ModelCard",
    "card_from_data",
    "card_template",
    "load_card",
]

SERVICE_DOMAINS: tuple[str, ...] = ("社会救助", "养老", "12345热线", "基层治理", "其他")
ALGORITHM_TYPES: tuple[str, ...] = ("生成合成类", "个性化推送类", "排序精选类", "检索过滤类", "调度决策类")
RISK_TIERS: tuple[str, ...] = ("I", "II", "III", "IV")
MAX_CARD_BYTES = 1_000_000

_DOMAIN_ALIASES = {
    "social_assistance": "社会救助", "pension": "养老", "养老资格认证": "养老", "hotline": "12345热线",
    "12345": "12345热线", "热线": "12345热线", "risk_warning": "基层治理", "other": "其他",
}
_TIER_ALIASES = {"1": "I", "2": "II", "3": "III", "4": "IV", "Ⅰ": "I", "Ⅱ": "II", "Ⅲ": "III", "Ⅳ": "IV"}
_NAME = re.compile(r"^[\w][\w.\-]{0,119}$")
_PHONE = re.compile(r"^\+?[0-9][0-9\- ]{5,19}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_VERSION = re.compile(r"[\w.+\-]+")  # letters (any script), digits, _ . + -


def _as_list(value: Any) -> Any:
    if value is None:
        return []
    if isinstance(value, str):
        parts = [p.strip() for p in re.split(r"[\n,，、;；]", value)]
        return [p for p in parts if p]
    return value


def _domain(value: Any) -> Any:
    if isinstance(value, str):
        compact = re.sub(r"\s+", "", value)
        return _DOMAIN_ALIASES.get(compact.lower(), _DOMAIN_ALIASES.get(compact, compact))
    return value


def _tier(value: Any) -> Any:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    text = str(value).strip().upper()
    return _TIER_ALIASES.get(text, text)


def _text(value: Any) -> Any:
    """YAML reads ``model_version: 1.0`` as a number: keep what the vendor wrote, as text."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return value


def _yes_no(value: Any) -> Any:
    if isinstance(value, str):
        return {"是": True, "否": False, "有": True, "无": False}.get(value.strip(), value)
    return value


def _blank_none(value: Any) -> Any:
    if isinstance(value, str) and not value.strip():
        return None
    return value


MAX_LIST_ITEMS = 500
TextList = Annotated[list[Annotated[str, Field(min_length=1, max_length=2000)]], BeforeValidator(_as_list),
                     Field(max_length=MAX_LIST_ITEMS)]
# Newlines and tabs may stand in free text; other control characters, bidi overrides and invisible
# characters hide or reorder what reviewers read (models._vendor_text).
_TEXT_ALLOW = "\n\t"


# What text copied from Windows, Word or a web page carries without meaning anything: line ends as
# \r\n or \r everywhere; in prose fields also zero-width spaces and stray byte-order marks. Normalised,
# never a refusal (names, codes and column names keep refusing them: they must match exactly).
_PROSE = frozenset({"intended_use", "out_of_scope_uses", "training_data", "personal_information_sources",
                    "known_limitations"})
_COPY_NOISE = str.maketrans({"\u200b": None, "\ufeff": None})


def _plain(text: Any, *, prose: bool) -> Any:
    if not isinstance(text, str):
        return text
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.translate(_COPY_NOISE) if prose else text


def _visible(value: Any, *, prose: bool = False) -> Any:
    from models._vendor_text import hidden_character

    value = [_plain(text, prose=prose) for text in value] if isinstance(value, list) else _plain(value, prose=prose)
    for text in value if isinstance(value, list) else [value]:
        if isinstance(text, str) and (char := hidden_character(text, allow=_TEXT_ALLOW)):
            raise PydanticCustomError("card_control", "hidden character", {"char": char})
    return value


class Contact(BaseModel):
    """Who answers questions about the model."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=100)
    phone: str = Field(min_length=1, max_length=30)
    email: str = Field(min_length=3, max_length=200)

    @field_validator("name", "phone", "email")
    @classmethod
    def _visible_text(cls, value: Any) -> Any:
        return _visible(value)

    @field_validator("phone", mode="before")
    @classmethod
    def _phone(cls, value: Any) -> Any:
        if isinstance(value, int):
            value = str(value)
        if isinstance(value, str) and not _PHONE.match(value.strip()):
            raise PydanticCustomError("card_phone", "bad phone")
        return value

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        if not _EMAIL.match(value):
            raise PydanticCustomError("card_email", "bad email")
        return value


class ModelCard(BaseModel):
    """The model card a vendor submits with every model version (DEVELOPING.md contract)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, protected_namespaces=())

    vendor_name: str = Field(min_length=2, max_length=200)
    vendor_uscc: str = Field(min_length=1, max_length=30)
    model_name: str = Field(min_length=1, max_length=120)
    model_version: Annotated[str, BeforeValidator(_text)] = Field(min_length=1, max_length=64)
    service_domain: Annotated[Literal["社会救助", "养老", "12345热线", "基层治理", "其他"], BeforeValidator(_domain)]
    intended_use: str = Field(min_length=4, max_length=5000)
    out_of_scope_uses: TextList = Field(default_factory=list)
    automated_decision: Annotated[bool, BeforeValidator(_yes_no)]
    human_in_the_loop: Annotated[bool, BeforeValidator(_yes_no)]
    algorithm_type: Literal["生成合成类", "个性化推送类", "排序精选类", "检索过滤类", "调度决策类"]
    filing_number: Annotated[str | None, BeforeValidator(_blank_none), BeforeValidator(_text)] = Field(default=None, max_length=100)
    training_data: str = Field(min_length=4, max_length=5000)
    personal_information_sources: TextList = Field(default_factory=list)
    input_features: TextList = Field(min_length=1)
    sensitive_attributes: TextList = Field(default_factory=list)
    known_limitations: TextList = Field(default_factory=list)
    contact: Contact
    risk_tier: Annotated[Literal["I", "II", "III", "IV"] | None, BeforeValidator(_tier)] = None

    @field_validator("*")
    @classmethod
    def _visible_text(cls, value: Any, info: ValidationInfo) -> Any:
        return _visible(value, prose=info.field_name in _PROSE)

    @field_validator("vendor_uscc")
    @classmethod
    def _uscc(cls, value: str) -> str:
        from privacy.checksums import is_valid_uscc

        value = value.upper()
        if not is_valid_uscc(value):
            raise PydanticCustomError("card_uscc", "bad uscc", {"value": value})
        return value

    @field_validator("model_name")
    @classmethod
    def _model_name(cls, value: str) -> str:
        if not _NAME.match(value):
            raise PydanticCustomError("card_model_name", "bad model name", {"value": value})
        return value

    @field_validator("model_version")
    @classmethod
    def _model_version(cls, value: Any) -> str:
        # spaces, / : @ break MLflow names and URLs; other symbols are Markdown/HTML that a page or the MLflow UI
        # would render (`![x](http&#58;&#47;&#47;…)` passed a spaces-and-/:@ rule and became an image on the
        # registry page, fetched from the vendor's server by every reviewer who opened it)
        # NFKC: "１.０.０" (fullwidth) would sit beside an approved "1.0.0" looking the same
        if not _VERSION.fullmatch(value) or unicodedata.normalize("NFKC", value) != value:
            raise PydanticCustomError("card_model_version", "bad version", {"value": value})
        return value

    def to_yaml(self) -> str:
        return yaml.safe_dump(self.model_dump(mode="json"), allow_unicode=True, sort_keys=False)


CARD_FIELDS: tuple[str, ...] = tuple(ModelCard.model_fields)

# pydantic error type -> catalog key (models.card.<key>)
_ERROR_KEYS = {
    "missing": "missing", "extra_forbidden": "unknown_field", "literal_error": "choice",
    "string_too_short": "too_short", "string_too_long": "too_long", "too_short": "list_too_short",
    "bool_parsing": "bool", "bool_type": "bool", "list_type": "list", "string_type": "text",
    "dict_type": "mapping", "model_type": "mapping", "model_attributes_type": "mapping",
    "card_uscc": "uscc", "card_model_name": "model_name", "card_model_version": "model_version",
    "card_phone": "phone", "card_email": "email", "card_control": "control", "too_long": "list_too_long",
}


_CHOICES = {"service_domain": SERVICE_DOMAINS, "algorithm_type": ALGORITHM_TYPES, "risk_tier": RISK_TIERS}


class CardInvalid(InputError):
    """A model card with problems; rendered as one line per field.

    Attributes
    ----------
    problems : list of dict
        ``{"field": "contact.phone", "key": "models.card.phone", "params": {...}}``.
    """

    def __init__(self, *, file: str, problems: list[dict[str, Any]]) -> None:
        super().__init__("models.card_invalid", file=file, count=len(problems))
        self.problems = problems

    def lines(self, lang: str | None = None) -> list[str]:
        from sandbox.i18n import t

        out = []
        for problem in self.problems:
            top = problem["field"].split(".")[0]
            label = t(f"models.field.{top}", lang) if f"models.field.{top}" in _catalog() else top
            message = t(problem["key"], lang, **problem["params"])
            out.append(t("models.card_problem", lang, label=label, field=problem["field"], message=message))
        return out

    def render(self, lang: str | None = None) -> str:
        head = super().render(lang)
        return "\n".join([head, *self.lines(lang)])


def _catalog() -> dict[str, Any]:
    from sandbox.i18n import catalog

    return catalog()


def _problems(exc: ValidationError) -> list[dict[str, Any]]:
    problems = []
    for error in exc.errors():
        loc = [str(p) for p in error["loc"] if not isinstance(p, int)]
        index = [p for p in error["loc"] if isinstance(p, int)]
        field = ".".join(loc) + (f"[{index[0] + 1}]" if index else "")
        kind = _ERROR_KEYS.get(error["type"], "invalid")
        ctx = error.get("ctx") or {}
        params: dict[str, Any] = {}
        if kind == "choice":
            choices = _CHOICES.get(loc[0] if loc else "")
            params["allowed"] = ", ".join(choices) if choices else str(ctx.get("expected", "")).replace("'", "")
        elif kind in {"too_short", "too_long", "list_too_long"}:
            params["limit"] = ctx.get("min_length", ctx.get("max_length", ""))
        elif kind == "control":
            params["char"] = ctx.get("char", "")
        elif kind in {"uscc", "model_name", "model_version"}:
            params["value"] = ctx.get("value", "")
        elif kind == "invalid":
            params["reason"] = error.get("msg", "")
        problems.append({"field": field or "-", "key": f"models.card.{kind}", "params": params})
    return problems


def card_template(*, lang: Literal["zh", "en"] = "zh") -> str:
    """A commented example card to fill in (UTF-8 YAML; Chinese keys for ``zh``, field names for ``en``).

    It validates as it is; its 统一社会信用代码 is an example that no registered vendor has.
    """
    from importlib import resources

    return (resources.files("models") / "data" / f"card_template.{lang}.yaml").read_text(encoding="utf-8")


def card_from_data(data: Any, *, file: str = "card") -> ModelCard:
    """Validate a mapping (parsed YAML/JSON or a form) as a :class:`ModelCard`.

    Keys may be the fields' names or their labels in Chinese or English
    (``供应商名称``, ``Vendor name``; see :mod:`models._card_keys`).
    """
    if not isinstance(data, dict):
        raise InputError("models.card_not_mapping", file=file)
    from models._card_keys import canonical_keys

    data, problems = canonical_keys(data)
    try:
        card = ModelCard.model_validate(data)
    except ValidationError as exc:
        raise CardInvalid(file=file, problems=problems + _problems(exc)) from None
    if problems:
        raise CardInvalid(file=file, problems=problems)
    return card


class _AliasUsed(Exception):
    def __init__(self, line: int) -> None:
        super().__init__(line)
        self.line = line


class _NoAliasLoader(yaml.SafeLoader):
    """``yaml.safe_load`` without aliases: ``*anchor`` repeats one value without limit (a 7 KB card
    became 2 MB of stored, rendered and exported text; 1 MB would have become 500 MB). No card needs one."""

    def compose_node(self, parent, index):  # type: ignore[no-untyped-def]
        if self.check_event(yaml.AliasEvent):
            raise _AliasUsed(self.peek_event().start_mark.line + 1)
        return super().compose_node(parent, index)


def load_card(source: Path | str | dict[str, Any] | ModelCard, *, display_name: str | None = None) -> ModelCard:
    """Load a card from a YAML/JSON file (UTF-8 or GBK), a mapping or a card."""
    if isinstance(source, ModelCard):
        return source
    if isinstance(source, dict):
        return card_from_data(source, file=display_name or "card")
    path = Path(source)
    name = display_name or path.name
    if not path.is_file():
        raise InputError("errors.file_missing", file=str(path))
    size = path.stat().st_size
    if size == 0:
        raise InputError("errors.file_empty", file=name)
    if size > MAX_CARD_BYTES:
        raise InputError("models.card_too_big", file=name, max_kb=MAX_CARD_BYTES // 1000)
    from sandbox.tabular import decode_text

    text, _ = decode_text(path.read_bytes(), file=name)
    try:
        data = json.loads(text) if path.suffix.lower() == ".json" else yaml.load(text, Loader=_NoAliasLoader)
    except _AliasUsed as exc:
        raise InputError("models.card_alias", file=name, line=exc.line) from None
    except (yaml.YAMLError, json.JSONDecodeError) as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else getattr(exc, "lineno", "?")
        raise InputError("models.card_unreadable", file=name, line=line) from None
    except RecursionError:  # "[[[[…" nested deeper than the parser recurses: no line to name
        raise InputError("models.card_unreadable", file=name, line="?") from None
    if data is None:
        raise InputError("errors.file_empty", file=name)
    return card_from_data(data, file=name)
