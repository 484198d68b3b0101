"""A Markdown copy of a signed record, edited by hand, fails verification naming the line and what the chain says;
the untouched copy still verifies after later signatures and condition steps; a PDF gets what to do instead
(reviewer, session 9)."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from sandbox.cli import app
from sandbox.review import (
    export_record,
    sign_record,
    submit_condition_evidence,
    verify_markdown,
    verify_message,
    verify_upload,
)

runner = CliRunner()


def _signed_markdown(world, tmp_path: Path) -> tuple[str, Path, str]:  # type: ignore[no-untyped-def]
    decided = world.to_decision()
    record_id = decided["record_id"]
    sign_record(actor=world.actor("chair"), record_id=record_id, password=world.password, meaning="approved")
    out = tmp_path / f"{record_id}.md"
    export_record(actor=world.actor("chair"), record_id=record_id, fmt="md", out=out)
    return record_id, out, out.read_text(encoding="utf-8")


def test_every_hand_edit_of_a_markdown_copy_is_named(world, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    record_id, _out, text = _signed_markdown(world, tmp_path)
    reviewer = world.actor("reviewer")
    assert verify_markdown(text, actor=reviewer)["ok"]
    # later entries of the chain (a signature, a condition step) do not make the earlier copy wrong
    sign_record(actor=world.actor("reviewer2"), record_id=record_id, password=world.password, meaning="reviewed")
    submit_condition_evidence(actor=world.actor("vendor_a"), condition=f"{record_id}/K1", evidence="已建立人工复核台账")
    assert verify_markdown(text, actor=reviewer)["ok"]

    lines = text.split("\n")
    decision = next(i for i, line in enumerate(lines) if line.startswith("- **决定 Decision:"))
    for edit in ("- **决定 Decision: 批准**", lines[decision] + " "):
        changed = "\n".join([*lines[:decision], edit, *lines[decision + 1:]])
        result = verify_markdown(changed, actor=reviewer)
        assert not result["ok"] and result["reason_key"] == "review.verify.markdown_line"
        assert result["params"]["line"] == decision + 1 and result["params"]["found"] == edit
        assert result["params"]["expected"] == "- **决定 Decision: 修改后批准**"
    changed = text.replace("对75岁以上农村老人保留人工复核", "对80岁以上农村老人保留人工复核", 1)
    assert verify_message(verify_markdown(changed, actor=reviewer), "zh").startswith(
        f"核验失败：记录 {record_id}，字段 line ")
    assert "记录链中为“| K1 | 对75岁以上农村老人保留人工复核 |" in verify_message(verify_markdown(changed, actor=reviewer), "zh")
    assert not verify_markdown(text + "\n- 追加 appended\n", actor=reviewer)["ok"]  # a line added at the end
    head_line = next(line for line in lines if line.startswith("- 导出时链头"))
    seq = head_line.split("`")[1].split(":")[0]
    forged_head = text.replace(head_line, head_line.replace(f"`{seq}:", f"`{seq}:0", 1)[:-2] + "`", 1)  # another hash
    assert verify_markdown(forged_head, actor=reviewer)["field"] == "chain_head"
    unknown = text.replace(record_id, record_id.replace("-v1", "-v9"), 1)
    assert verify_markdown(unknown, actor=reviewer)["reason_key"] == "review.verify.markdown_unknown_record"


def test_cli_verifies_markdown_as_a_user_and_explains_pdf(world, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    record_id, out, text = _signed_markdown(world, tmp_path)
    ok = runner.invoke(app, ["verify", str(out), "--as", "reviewer", "--password", world.password])
    assert ok.exit_code == 0, ok.output
    edited = tmp_path / "edited.md"
    edited.write_text(text.replace("赞成 for 7", "赞成 for 6", 1), encoding="utf-8")
    bad = runner.invoke(app, ["--lang", "en", "verify", str(edited), "--as", "reviewer", "--password", world.password])
    assert bad.exit_code == 3
    assert f"Verification failed: record {record_id}, field line " in bad.stderr
    assert "the file says '- 表决 Votes: 赞成 for 6 ·" in bad.stderr and "the chain says '- 表决 Votes: 赞成 for 7 ·" in bad.stderr
    anonymous = runner.invoke(app, ["verify", str(out)], env={"SANDBOX_PASSWORD": ""})
    assert anonymous.exit_code == 3 and "请以有权查看审查的用户身份核验（--as 用户名）" in anonymous.stderr
    pdf = tmp_path / f"{record_id}.pdf"
    export_record(actor=world.actor("chair"), record_id=record_id, fmt="pdf", out=pdf)
    told = verify_upload(pdf.read_bytes(), name=pdf.name, actor=world.actor("reviewer"))
    assert told["reason_key"] == "review.verify.pdf_not_verifiable"
    assert "sandbox verify record.json" in verify_message(told, "en")
