"""Shared helpers for the privacy-release tests (not a test module)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sandbox.roles import Actor

STEWARD = Actor(user_id=1, username="steward", display_name="数据管理员", role="steward")
VENDOR = Actor(user_id=2, username="vendor_a", display_name="供应商", role="vendor", vendor_id=1)


class SpyRandomState(np.random.RandomState):
    """A RandomState that counts every draw (to prove that none happened)."""

    def __init__(self, seed: int = 0) -> None:
        super().__init__(seed)
        self.draws = 0

    def random(self, *args, **kwargs):  # type: ignore[no-untyped-def, override]
        self.draws += 1
        return super().random(*args, **kwargs)

    def randint(self, *args, **kwargs):  # type: ignore[no-untyped-def, override]
        self.draws += 1
        return super().randint(*args, **kwargs)


def people(n: int = 400, seed: int = 1) -> pd.DataFrame:
    """Synthetic records shaped like the demo scenario data."""
    rng = np.random.default_rng(seed)
    districts = [("青山湖街道", "330112005"), ("锦北街道", "330112002"), ("太湖源镇", "330112101")]
    idx = rng.integers(0, len(districts), n)
    ages = rng.integers(18, 96, n)
    return pd.DataFrame({
        "编号": [f"SA{i:05d}" for i in range(n)],
        "姓名": rng.choice(["张伟", "王芳", "李娜", "刘洋"], n),
        "性别": rng.choice(["男", "女"], n),
        "身份证号": ["11010519491231002X"] * n,
        "出生日期": [f"{2024 - a}-03-15" for a in ages],
        "年龄": ages,
        "联系电话": ["13812345678"] * n,
        "住址": [f"浙江省杭州市临安区{districts[i][0]}锦城路{j}号" for j, i in enumerate(idx)],
        "街道镇": [districts[i][0] for i in idx],
        "街道镇代码": [districts[i][1] for i in idx],
        "收入": rng.normal(3000, 800, n).round(0),
    })
