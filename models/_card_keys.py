"""Model card keys as vendors write them: the field's Chinese or English label, or its YAML name.

A vendor who reads the error "供应商名称（vendor_name）：必填" writes ``供应商名称:`` — the
card accepts the label it shows (``models.field.*`` in the catalog, zh and en) and
the contact's sub-field labels, and maps them to the schema's names before
validation. Two keys that mean the same field are a problem naming both.
"""

from __future__ import annotations

import functools
import re
from typing import Any

__all__ = ["canonical_keys"]

# The contact's sub-fields: the form's labels (models.page.contact_*) and what people write.
_CONTACT = {
    "name": ("姓名", "名字", "联系人", "联系人姓名", "name", "contactname"),
    "phone": ("电话", "联系电话", "手机", "手机号", "手机号码", "phone", "tel", "telephone", "contactphone"),
    "email": ("邮箱", "电子邮箱", "电子邮件", "联系邮箱", "email", "e-mail", "mail", "contactemail"),
}
# The same written flat, beside the other fields (联系人: 陈工 / 联系电话: … / 联系邮箱: …).
_FLAT = {
    "name": ("联系人姓名", "contactname"),
    "phone": ("联系电话", "联系人电话", "联系人手机", "contactphone"),
    "email": ("联系邮箱", "联系人邮箱", "contactemail"),
}


def _norm(key: str) -> str:
    return re.sub(r"[\s_\-：:]+", "", key).lower()


@functools.cache
def _aliases() -> tuple[dict[str, str], dict[str, str]]:
    """(card key → field, contact key → sub-field), every key normalised by :func:`_norm`."""
    from models.card import CARD_FIELDS
    from sandbox.i18n import catalog

    labels = catalog()
    top: dict[str, str] = {}
    for field in CARD_FIELDS:
        top[_norm(field)] = field
        label = labels.get(f"models.field.{field}") or {}
        for text in label.values():
            top.setdefault(_norm(str(text)), field)
    contact: dict[str, str] = {}
    for field, words in _CONTACT.items():
        label = labels.get(f"models.page.contact_{field}") or {}
        for word in (*words, *map(str, label.values())):
            contact.setdefault(_norm(word), field)
    return top, contact


def _rename(data: dict[Any, Any], table: dict[str, str], *, prefix: str) -> tuple[dict[Any, Any], list[dict[str, Any]]]:
    out: dict[Any, Any] = {}
    first: dict[str, Any] = {}
    problems: list[dict[str, Any]] = []
    for key, value in data.items():
        field = table.get(_norm(key)) if isinstance(key, str) else None
        if field is None:
            out[key] = value
            continue
        if field in first:
            problems.append({"field": prefix + field, "key": "models.card.duplicate_field",
                             "params": {"first": first[field], "second": key}})
            continue
        first[field] = key
        out[field] = value
    return out, problems


def _gather_flat(data: dict[Any, Any]) -> dict[Any, Any]:
    """Contact sub-fields written beside the other fields go into ``contact`` (a bare ``联系人: 陈工`` is its name)."""
    flat = {_norm(word): field for field, words in _FLAT.items() for word in words}
    found = {key: flat[_norm(key)] for key in data if isinstance(key, str) and _norm(key) in flat}
    if not found or isinstance(data.get("contact"), dict):
        return data
    out = {key: value for key, value in data.items() if key not in found}
    contact: dict[Any, Any] = {}
    if isinstance(data.get("contact"), str):
        contact["name"] = out.pop("contact")
    for key, field in found.items():
        contact[key if field in contact else field] = data[key]
    out["contact"] = contact
    return out


def canonical_keys(data: dict[Any, Any]) -> tuple[dict[Any, Any], list[dict[str, Any]]]:
    """``data`` with every key that names a card field (label or name, zh or en) renamed to the field.

    Contact details written flat beside the other fields (``联系人``, ``联系电话``,
    ``联系邮箱``) are gathered into ``contact``.

    Returns
    -------
    tuple
        The renamed mapping and the problems (two keys for one field), in the
        :class:`models.card.CardInvalid` problem format. Unknown keys are kept as they
        are, so that the schema reports them.
    """
    top, contact = _aliases()
    renamed, problems = _rename(data, top, prefix="")
    renamed = _gather_flat(renamed)
    if isinstance(renamed.get("contact"), dict):
        renamed["contact"], more = _rename(renamed["contact"], contact, prefix="contact.")
        problems += more
    return renamed, problems
