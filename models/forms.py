"""Workbench widgets of the models pages: the model card form and saved uploads.

Widgets only — every rule is in :mod:`models.service` and :mod:`models.card`.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import streamlit as st

from models.card import ALGORITHM_TYPES, RISK_TIERS, SERVICE_DOMAINS
from sandbox.roles import Actor
from sandbox.settings import get_settings
from sandbox.ui import tr

__all__ = ["card_form", "saved_uploads"]


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def card_form(actor: Actor) -> dict[str, Any]:
    """The model card as a form; returns the raw mapping (validated by the service)."""
    from sandbox.users import list_vendors

    vendors = {v["name"]: v["uscc"] for v in list_vendors()}
    f = "models.field."
    left, right = st.columns(2)
    if actor.role == "vendor":
        vendor = actor.vendor_name or ""
        left.text_input(tr(f + "vendor_name"), value=vendor, disabled=True, key="card_vendor_name")
    else:
        vendor = left.selectbox(tr(f + "vendor_name"), list(vendors), placeholder=tr("ui.choose"), key="card_vendor_name") or ""
    right.text_input(tr(f + "vendor_uscc"), value=vendors.get(vendor, ""), disabled=True, key="card_vendor_uscc")
    data: dict[str, Any] = {"vendor_name": vendor, "vendor_uscc": vendors.get(vendor, "")}
    data["model_name"] = left.text_input(tr(f + "model_name"), key="card_model_name")
    data["model_version"] = right.text_input(tr(f + "model_version"), value="1.0.0", key="card_model_version")
    data["service_domain"] = left.selectbox(tr(f + "service_domain"), SERVICE_DOMAINS, placeholder=tr("ui.choose"), key="card_service_domain")
    data["algorithm_type"] = right.selectbox(tr(f + "algorithm_type"), ALGORITHM_TYPES, index=4,
                                             placeholder=tr("ui.choose"), key="card_algorithm_type")
    data["automated_decision"] = left.checkbox(tr(f + "automated_decision"), key="card_automated_decision")
    data["human_in_the_loop"] = right.checkbox(tr(f + "human_in_the_loop"), value=True, key="card_human_in_the_loop")
    data["risk_tier"] = left.selectbox(tr(f + "risk_tier"), ["", *RISK_TIERS], placeholder=tr("ui.choose"), key="card_risk_tier") or None
    data["filing_number"] = right.text_input(tr(f + "filing_number"), key="card_filing_number") or None
    data["intended_use"] = st.text_area(tr(f + "intended_use"), key="card_intended_use")
    data["training_data"] = st.text_area(tr(f + "training_data"), key="card_training_data")
    hint = tr("models.page.one_per_line")
    for name in ("input_features", "sensitive_attributes", "out_of_scope_uses", "personal_information_sources",
                 "known_limitations"):
        data[name] = _lines(st.text_area(f"{tr(f + name)}（{hint}）", key=f"card_{name}"))
    c1, c2, c3 = st.columns(3)
    data["contact"] = {
        "name": c1.text_input(tr("models.page.contact_name"), key="card_contact_name"),
        "phone": c2.text_input(tr("models.page.contact_phone"), key="card_contact_phone"),
        "email": c3.text_input(tr("models.page.contact_email"), key="card_contact_email"),
    }
    return data


@contextmanager
def saved_uploads(*uploads: Any) -> Iterator[list[Path | None]]:
    """Write Streamlit uploads to a private scratch folder under their original names; clean up after."""
    work = get_settings().ensure_home() / "work"
    folder = Path(tempfile.mkdtemp(prefix="upload-", dir=work))
    try:
        paths: list[Path | None] = []
        for index, upload in enumerate(uploads):
            if upload is None:
                paths.append(None)
                continue
            target = folder / str(index) / Path(upload.name).name
            target.parent.mkdir()
            target.write_bytes(upload.getvalue())
            paths.append(target)
        yield paths
    finally:
        shutil.rmtree(folder, ignore_errors=True)
