"""Helpers shared by the models tests (data, cards) — importable as ``models_testkit``."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

VENDOR_A = {"name": "智联政务科技有限公司", "uscc": "91330110MA2H0QXJ7E"}
VENDOR_B = {"name": "数安城市科技有限公司", "uscc": "91330106MA27Y5LQ2E"}
FEATURES = ["年龄", "家庭人口", "月收入"]
PASSWORD = "test-password-1"


def make_data(n: int, *, seed: int = 7) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({
        "编号": [f"P{i:06d}" for i in range(n)],
        "年龄": rng.integers(18, 95, n),
        "家庭人口": rng.integers(1, 7, n),
        "月收入": rng.normal(3000, 1200, n).round(2),
    })
    frame["符合救助"] = ((frame["月收入"] / frame["家庭人口"] < 900) | (frame["年龄"] > 80)).astype(int)
    return frame


def card(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "vendor_name": VENDOR_A["name"], "vendor_uscc": VENDOR_A["uscc"],
        "model_name": "social-assistance-eligibility", "model_version": "1.0.0",
        "service_domain": "社会救助", "intended_use": "社会救助对象精准识别，辅助街道工作人员初筛。",
        "out_of_scope_uses": ["自动拒绝申请"], "automated_decision": True, "human_in_the_loop": True,
        "algorithm_type": "调度决策类", "filing_number": None, "training_data": "2023 年某区救助申请记录（脱敏）",
        "personal_information_sources": ["民政救助系统"], "input_features": FEATURES,
        "sensitive_attributes": ["年龄"], "known_limitations": ["农村样本较少"],
        "contact": {"name": "张伟", "phone": "0571-88886666", "email": "zhangwei@example.cn"},
        "risk_tier": "III",
    }
    base.update(changes)
    return base


def copy_model(model_dir: Path, target: Path) -> Path:
    shutil.copytree(model_dir, target)
    return target
