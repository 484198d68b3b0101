"""Every role's journey through each seed scenario, on the command line.

vendor submits a new version with its card → reviewer audits it across age
bands and districts → steward scans the scenario data for personal
information (then de-identifies and publishes a DP district × age table once
that area has landed) → the committee reviews, votes, decides and signs →
the vendor sees the decision and acknowledges the conditions → the record
verifies. 基层治理风险预警 is tier IV and needs the expert re-review.

The commands run in-process through the CLI app (typer's runner: the same
parsing, services and exit codes as ``sandbox …``) on a private copy of the
demo world; the final verification runs the real ``python -m sandbox``.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from tests._worlds import relocated_copy

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]

PASSWORD = "sandbox-demo"
COMMITTEE = ["chair", "reviewer", "reviewer2", "reviewer3", "reviewer4", "reviewer5", "reviewer6"]
VENDOR_USER = {"智联政务科技有限公司": "vendor_a", "数安城市科技有限公司": "vendor_b"}
SCENARIOS = ["social_assistance", "pension", "hotline", "risk_warning"]


@dataclass(kw_only=True)
class Cli:
    """Run ``sandbox …`` commands against one data home."""

    home: Path
    lang: str = "zh"
    pending: list[str] = field(default_factory=list)

    def run(self, *args: str, user: str | None = None, stdin: str | None = None) -> Any:
        from sandbox.cli import app

        argv = ["--lang", self.lang, *args] + (["--as", user, "--password", PASSWORD] if user else [])
        return CliRunner().invoke(app, argv, input=stdin, catch_exceptions=False)

    def json(self, *args: str, user: str | None = None, stdin: str | None = None,
             codes: tuple[int, ...] = (0,)) -> Any:
        result = self.run(*args, "--json", user=user, stdin=stdin)
        assert result.exit_code in codes, f"sandbox {' '.join(args)} as {user}: {result.exit_code}\n{result.stderr}"
        return json.loads(result.stdout)

    def refused(self, *args: str, user: str | None = None) -> str:
        result = self.run(*args, user=user)
        assert result.exit_code != 0, f"sandbox {' '.join(args)} as {user} was allowed"
        return result.stderr

    def has(self, *path: str) -> bool:
        import typer

        from sandbox.cli import app

        node = typer.main.get_command(app)
        for name in path:
            node = getattr(node, "commands", {}).get(name)
            if node is None:
                self.pending.append(" ".join(path))
                return False
        return True


def _activate(home: Path) -> None:
    from sandbox.i18n import set_language
    from sandbox.settings import reset_settings_cache
    from sandbox.store import reset_engines

    os.environ["SANDBOX_HOME"] = str(home)
    reset_settings_cache()
    reset_engines()
    set_language(None)


@pytest.fixture
def journey_home(demo_home_path: Path, tmp_path: Path) -> Iterator[Path]:
    """A private, writable copy of the session's demo world."""
    previous = os.environ.get("SANDBOX_HOME")
    home = relocated_copy(demo_home_path, tmp_path / "home")
    _activate(home)
    yield home
    from sandbox.store import reset_engines

    reset_engines()
    if previous is not None:
        _activate(Path(previous))


SCAN_ROWS = 1_000


def _head(source: Path, target: Path) -> Path:
    """The first ``SCAN_ROWS`` rows of the CSV ``source`` (every column, as text) written to ``target``."""
    import pandas as pd

    frame = pd.read_csv(source, dtype=str, keep_default_na=False, nrows=SCAN_ROWS, encoding="utf-8-sig")
    assert len(frame) == SCAN_ROWS, f"{source}: fewer than {SCAN_ROWS} rows"
    frame.to_csv(target, index=False, encoding="utf-8-sig")
    return target


def _scenario(home: Path, key: str) -> dict[str, Any]:
    return json.loads((home / "demo" / key / "scenario.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("key", SCENARIOS)
def test_journey_on_the_cli(key: str, journey_home: Path, tmp_path: Path) -> None:
    cli = Cli(home=journey_home)
    demo = journey_home / "demo" / key
    scenario = _scenario(journey_home, key)
    vendor = VENDOR_USER[scenario["vendor"]]
    other_vendor = "vendor_b" if vendor == "vendor_a" else "vendor_a"

    # 1. vendor: a new version of the baseline model with its card
    card = yaml.safe_load((demo / "card.yaml").read_text(encoding="utf-8"))
    card["model_version"] = "1.1.0"
    card_path = tmp_path / "card.yaml"
    card_path.write_text(yaml.safe_dump(card, allow_unicode=True), encoding="utf-8")
    submitted = cli.json("models", "submit", str(demo / "model"), "--card", str(card_path), user=vendor)
    ref = f"{submitted['name']}/{submitted['version']}"
    trial = str(submitted["trial_id"])
    assert submitted["vendor"] == scenario["vendor"] and submitted["sha256"]
    assert cli.json("models", "show", ref, user=vendor)["version"] == submitted["version"]
    cli.refused("models", "show", ref, user=other_vendor)

    # 2. reviewer: fairness audit across age bands × 街道/镇
    audit_args = ["audit", "run", "--model", ref, "--data", str(demo / "data.csv"), "--label", scenario["label"],
                  "--age", scenario["age"], "--district", scenario["district"], "--replicates", "200"]
    audit = cli.json(*audit_args, user="reviewer", codes=(0, 3, 4))
    verdict = audit.get("verdict")
    assert verdict in {"pass", "fail", "insufficient"}, audit.keys()
    if scenario.get("planted_disparity") and scenario["kind"] == "binary":
        assert verdict == "fail", f"the planted disparity of {key} was not found"
    if key == "risk_warning":  # a risk score: threshold, sweep and calibration within groups are reported
        assert audit["score"]["spec"]["threshold"] == 0.5 and audit["score"]["spec"]["source"] == "default"
        sweep = audit["score"]["sweep"]
        assert sweep["chosen"] is not None and {p["dimension"] for p in sweep["pass_ranges"]} == {"age_band", "district"}
        calibration = [c for c in audit["checks"] if c["metric"] == "calibration_gap"]
        assert any(c["verdict"] == "fail" and c["group"].startswith("80+ × ") and c["group"].endswith("镇")
                   for c in calibration), "the calibration of the elderly in rural 镇 was not found"
    cli.refused(*audit_args, user=vendor)

    # 3. steward: personal information in the scenario data — its first rows (SCAN_ROWS): the commands and
    # their answers are the point here; the whole table is scanned and de-identified by the browser journey
    # (tests/browser/test_journeys.py), and a scan of the hotline's 10,000 tickets was ~20 s of CPU, its
    # de-identification ~30 s
    head = _head(demo / "data.csv", tmp_path / "data-head.csv")
    scan = cli.json("pii", "scan", str(head), user="steward", codes=(0,))
    ids = [c["column"] for c in scan["columns"] if c["entity_type"] == "CN_RESIDENT_ID"]
    assert ids and scan["entity_types"].get("CN_RESIDENT_ID", 0) >= SCAN_ROWS, \
        f"no 身份证 column found in a table full of them: {scan['entity_types']}"
    checked = [f for f in scan["findings"] if f["entity_type"] == "CN_RESIDENT_ID" and f["column"] == ids[0]]
    assert checked and all(("校验位正确" in f["explanation"]) or ("check digit ok" in f["explanation"])
                           for f in checked[:50]), checked[:3]  # validated by its check digit, not by the header
    cli.refused("pii", "scan", str(head), user=vendor)
    if cli.has("deid") and cli.has("release", "histogram"):
        out = tmp_path / "deid"
        cli.json("deid", str(head), "--policy", "default", "--out", str(out), user="steward")
        with head.open(encoding="utf-8-sig", newline="") as rows:
            raw = {row[ids[0]] for row in csv.DictReader(rows)}
        written = (out / "data-head.deid.csv").read_text(encoding="utf-8-sig")
        assert not [v for v in raw if v and v in written], "a 身份证号 came out of deid unchanged"
        keys = tmp_path / "keys.yaml"
        keys.write_text(yaml.safe_dump({scenario["district"]: [d["name"] for d in scenario["districts"]],
                                        scenario["age"]: [str(a) for a in range(0, 121)]}, allow_unicode=True),
                        encoding="utf-8")
        released = cli.json("release", "histogram", str(demo / "data.csv"), "--by",
                            f"{scenario['district']},{scenario['age']}", "--epsilon", "0.5", "--keys", str(keys),
                            "--dataset", key, user="steward")  # the demo charged this file to {key}
        assert released, "empty release"
        cli.refused("release", "histogram", str(demo / "data.csv"), "--by", scenario["district"], "--epsilon", "0.5",
                    "--keys", str(keys), "--dataset", key, user=vendor)

    # 4. committee: open, quorum, checklist, votes, decision, signatures
    opened = cli.json("review", "open", trial, user="chair")
    review = str(opened["review_id"])
    tier_iv = key == "risk_warning"
    assert (opened["tier"] == "IV") == tier_iv, opened
    cli.json("review", "attend", review, "--present", ",".join(COMMITTEE), user="chair")
    from sandbox.review import CHECKLIST

    for item in CHECKLIST:
        cli.json("review", "answer", review, item, "yes", "--explanation", "证据已核", user="reviewer")
    votes = 0
    for member in COMMITTEE:  # a member tied to the vendor is recused and may not vote
        # each vote is signed with the member's key: --password (or SANDBOX_PASSWORD) unlocks it
        voted = cli.run("review", "vote", review, "修改后批准", "--json", user=member)
        votes += voted.exit_code == 0 and len(json.loads(voted.stdout)["fingerprint"]) == 64
    assert votes >= 5, f"only {votes} votes recorded"
    decide = ["review", "decide", review, "修改后批准", "--reasons", "审计发现高龄农村群体差异，附条件批准",
              "--condition", f"对75岁以上农村对象保留人工复核|{vendor}|2027-03-31"]
    if tier_iv:
        refusal = cli.refused(*decide, user="chair")
        assert "专家" in refusal, refusal
        decide += ["--expert-result", "同意"]
    record = cli.json(*decide, user="chair")["record_id"]
    cli.json("review", "sign", record, "--meaning", "approved", user="chair", stdin=f"{PASSWORD}\n")
    cli.json("review", "sign", record, "--meaning", "reviewed", user="reviewer", stdin=f"{PASSWORD}\n")

    # 5. vendor: sees the decision and the condition, acknowledges
    shown = cli.json("review", "show", review, user=vendor)
    text = json.dumps(shown, ensure_ascii=False)
    assert "修改后批准" in text and "人工复核" in text
    cli.refused("review", "show", review, user=other_vendor)
    cli.json("review", "sign", record, "--meaning", "acknowledged", user=vendor, stdin=f"{PASSWORD}\n")
    # … submits evidence for the condition, which the chair accepts
    cli.json("review", "condition", "submit", f"{record}/K1", "--evidence", "已上线人工复核流程", user=vendor)
    cli.refused("review", "condition", "accept", f"{record}/K1", user=other_vendor)
    assert cli.json("review", "condition", "accept", f"{record}/K1", user="chair")["status"] == "accepted"

    # 6. the record verifies, exported and in the chain (the real entry point)
    exported = tmp_path / "record.json"
    cli.json("review", "export", review, "--format", "json", "--out", str(exported), user="chair")
    env = {**os.environ, "SANDBOX_HOME": str(journey_home)}
    done = subprocess.run([sys.executable, "-m", "sandbox", "verify", str(exported), "--json"], env=env,
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["ok"] is True and json.loads(done.stdout)["signatures"] == 3
    assert json.loads(done.stdout)["votes"] == votes  # every vote checked against the voter's exported key
    assert cli.json("verify", "--all")["ok"] is True
    # the published heads: the chain still reaches them
    heads = tmp_path / "heads.json"
    cli.json("review", "head", "--out", str(heads))
    assert cli.json("verify", "--all", "--expect-head", str(heads), "--expect-head", str(exported))["heads_checked"] == 2
    if cli.pending:
        pytest.xfail(f"journey ran without steps whose area has not landed: {sorted(set(cli.pending))}")
