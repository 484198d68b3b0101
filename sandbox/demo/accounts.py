"""Demo accounts and vendors as plain data (no database import: the login page shows them)."""

from __future__ import annotations

__all__ = ["DEMO_PASSWORD", "DEMO_USERS", "DEMO_VENDORS"]

DEMO_PASSWORD = "sandbox-demo"

# USCCs carry valid GB 32100 check characters (tests recompute them).
DEMO_VENDORS: tuple[dict[str, str], ...] = (
    {"name": "智联政务科技有限公司", "uscc": "91330110MA2H0QXJ7E"},
    {"name": "数安城市科技有限公司", "uscc": "91330106MA27Y5LQ2E"},
)

DEMO_USERS: tuple[dict[str, str], ...] = (
    {"username": "admin", "display_name": "系统管理员", "role": "admin"},
    {"username": "chair", "display_name": "王建国", "role": "chair"},
    {"username": "reviewer", "display_name": "李静", "role": "reviewer"},
    {"username": "reviewer2", "display_name": "陈晓东", "role": "reviewer"},
    {"username": "reviewer3", "display_name": "赵敏", "role": "reviewer"},
    {"username": "reviewer4", "display_name": "孙立平", "role": "reviewer"},
    {"username": "reviewer5", "display_name": "周文华", "role": "reviewer"},
    {"username": "reviewer6", "display_name": "吴海燕", "role": "reviewer"},
    {"username": "steward", "display_name": "刘洋", "role": "steward"},
    {"username": "vendor_a", "display_name": "张伟（智联政务）", "role": "vendor", "vendor": "智联政务科技有限公司"},
    {"username": "vendor_b", "display_name": "黄磊（数安城市）", "role": "vendor", "vendor": "数安城市科技有限公司"},
)
