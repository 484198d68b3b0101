"""A small world for review tests: demo users, the demo committee, three trials."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from sandbox.demo.people import DEMO_PASSWORD, seed_people
from sandbox.review import CHECKLIST, DEMO_COMMITTEE, DEMO_MEMBERS, create_committee
from sandbox.store import session_scope
from sandbox.store.tables import Trial, Vendor
from sandbox.users import actor_for

ALL = ["chair", "reviewer", "reviewer2", "reviewer3", "reviewer4", "reviewer5", "reviewer6"]
IMPACT = {"rights": 2, "reversibility": 2, "scale": 2, "autonomy": 1, "data_sensitivity": 2, "vulnerable": 3,
          "mitigation": 1}


@dataclass
class World:
    home: Path
    trials: dict[str, int]

    password: str = DEMO_PASSWORD

    def actor(self, username: str):  # type: ignore[no-untyped-def]
        return actor_for(username)

    def to_decision(self, *, trial: str = "social", decision: str = "修改后批准",
                    voters: list[str] | None = None, present: list[str] | None = None) -> dict:
        """Open → attendance → checklist → votes → decide. Returns the decide result (+ review_id)."""
        from sandbox.review import answer_item, decide, open_review, record_attendance, vote

        chair = self.actor("chair")
        opened = open_review(actor=chair, trial_id=self.trials[trial], questionnaire=IMPACT)
        rid = opened["review_id"]
        record_attendance(actor=chair, review_id=rid, present=present or ALL)
        for item in CHECKLIST:
            answer_item(actor=self.actor("reviewer"), review_id=rid, item=item, answer="yes", explanation="审查通过")
        for username in voters or [u for u in present or ALL if u not in opened["recusals"]]:
            vote(actor=self.actor(username), review_id=rid, choice=decision, password=self.password)
        conditions = [{"text": "对75岁以上农村老人保留人工复核", "owner": "vendor_a", "due": "2027-03-31"}]
        result = decide(actor=chair, review_id=rid, decision=decision, reasons="证据充分",
                        conditions=conditions if decision == "修改后批准" else None)
        return {**result, "review_id": rid}


def _trial(vendor: str, name: str, domain: str) -> int:
    from sqlalchemy import select

    with session_scope() as s:
        v = s.scalar(select(Vendor).where(Vendor.name == vendor))
        t = Trial(vendor_id=v.id, model_name=name, model_version="1", service_domain=domain, status="in_trial",
                  created_by="test")
        s.add(t)
        s.flush()
        return t.id


def _build_world() -> dict[str, int]:
    seed_people()
    create_committee(actor=None, name=DEMO_COMMITTEE, members=[dict(m) for m in DEMO_MEMBERS])
    return {
        "pension": _trial("数安城市科技有限公司", "pension-check", "养老"),
        "social": _trial("智联政务科技有限公司", "social-assistance", "社会救助"),
        "risk": _trial("智联政务科技有限公司", "risk-warning", "基层治理"),
    }


@pytest.fixture(scope="session")
def world_template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int]]:
    """Users, committee and trials built once; each test starts from a copy of this database."""
    import os

    previous = os.environ.get("SANDBOX_HOME")
    target = tmp_path_factory.mktemp("world-template") / "home"
    _activate(target)
    trials = _build_world()
    from sandbox.store import reset_engines

    reset_engines()  # closes the last connection: the WAL is checkpointed into sandbox.db
    if previous is not None:
        _activate(Path(previous))
    return target / "sandbox.db", trials


@pytest.fixture
def world(home: Path, world_template: tuple[Path, dict[str, int]]) -> Iterator[World]:
    import shutil

    template, trials = world_template
    _activate(home)
    home.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(template, home / "sandbox.db")
    yield World(home=home, trials=dict(trials))




def _activate(target: Path) -> None:
    import os

    from sandbox.i18n import set_language
    from sandbox.settings import reset_settings_cache
    from sandbox.store import reset_engines

    os.environ["SANDBOX_HOME"] = str(target)
    reset_settings_cache()
    reset_engines()
    set_language(None)


@pytest.fixture(scope="module")
def seeded_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """One world with the demo reviews seeded, shared by a module's read-mostly tests."""
    import os

    from sandbox.review.demo import seed_demo

    previous = os.environ.get("SANDBOX_HOME")
    target = tmp_path_factory.mktemp("seeded") / "home"
    _activate(target)
    seed_people()
    create_committee(actor=None, name=DEMO_COMMITTEE, members=[dict(m) for m in DEMO_MEMBERS])
    trials = {"pension": _trial("数安城市科技有限公司", "pension-check", "养老"),
              "social": _trial("智联政务科技有限公司", "social-assistance", "社会救助")}
    seed_demo(target / "demo")
    yield World(home=target, trials=trials)
    if previous is not None:
        _activate(Path(previous))


@pytest.fixture
def seeded(seeded_home: World) -> Iterator[World]:
    _activate(seeded_home.home)
    yield seeded_home
    from sandbox.store import reset_engines

    reset_engines()
