"""Hostile and broken submissions: each refused with a clear message, nothing half-registered."""

from __future__ import annotations

import os
import pickle
import sys
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import func, select

from models import service
from models._tables import ModelVersion
from models.card import CardInvalid
from models.registry import Registry
from sandbox.errors import ConflictError, InputError
from sandbox.store import session_scope
from sandbox.store.tables import Trial
from tests.models.models_testkit import card, copy_model, make_data

_UNPICKLED: list[str] = []
_WATCH: list[bool] = []


def _audit(event: str, args: tuple) -> None:
    if event == "pickle.find_class" and _WATCH:
        _UNPICKLED.append(f"{args[0]}.{args[1]}")


sys.addaudithook(_audit)


def assert_consistent(expected: int) -> None:
    """The registry and the database hold exactly the same versions."""
    registry = {(v.name, str(v.version)) for v in Registry().versions()}
    with session_scope() as session:
        database = {(r.registered_name, r.version) for r in session.scalars(select(ModelVersion))}
        trials = session.scalar(select(func.count()).select_from(Trial))
    assert registry == database
    assert len(database) == expected == trials


class _System:
    def __init__(self, command: str) -> None:
        self.command = command

    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (os.system, (self.command,))


def test_pickle_running_a_command_is_refused_unloaded(people, model_dir, tmp_path) -> None:
    marker = tmp_path / "pwned"
    bad = copy_model(model_dir, tmp_path / "bad")
    (bad / "model.pkl").write_bytes(pickle.dumps(_System(f"touch {marker}")))
    _WATCH.append(True)
    try:
        with pytest.raises(InputError) as info:
            service.submit_model(actor=people["vendor_a"], artifact=bad, card=card())
    finally:
        _WATCH.clear()
    assert info.value.key == "models.pickle_dangerous"
    assert "posix.system" in info.value.render("en") and "model.pkl" in info.value.render("en")
    assert not marker.exists() and _UNPICKLED == []
    assert_consistent(0)


_PAYLOAD = '''
def payload(marker):
    import os
    try:
        with open(marker, "w") as handle:
            handle.write(str(os.getpid()))
    except OSError as exc:
        raise RuntimeError(f"vendor payload ran, host write refused: {exc.strerror}") from None
    raise RuntimeError("vendor payload ran and wrote on the host")
'''


class _Sneaky:
    """Evades the static scan (no os/subprocess imports in the pickle): only the child barrier stops it."""

    def __init__(self, marker: Path) -> None:
        namespace: dict = {"__name__": "vendor_payload"}
        exec(_PAYLOAD, namespace)
        self.function = namespace["payload"]
        self.marker = str(marker)

    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (self.function, (self.marker,))


def test_code_in_pickle_runs_only_in_the_child_and_fails_clearly(people, model_dir, tmp_path) -> None:
    import cloudpickle

    marker = tmp_path / "ran-in-pid"
    bad = copy_model(model_dir, tmp_path / "sneaky")
    (bad / "model.pkl").write_bytes(cloudpickle.dumps(_Sneaky(marker)))
    _WATCH.append(True)
    try:
        with pytest.raises(InputError) as info:
            service.submit_model(actor=people["vendor_a"], artifact=bad, card=card())
    finally:
        _WATCH.clear()
    assert info.value.key == "models.child_failed"
    assert "vendor payload ran, host write refused" in info.value.render("en")   # it ran — in the sandbox
    assert info.value.params["stage"] == "load"
    assert not marker.exists()                                           # the host folder was not even visible
    assert _UNPICKLED == []                                              # this process unpickled nothing
    assert_consistent(0)


def _zip(path: Path, members: dict[str, bytes], *, link: str | None = None) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
        if link:
            info = zipfile.ZipInfo("model/evil-link")
            info.external_attr = (0o120777 << 16)
            archive.writestr(info, link)
    return path


def test_zip_of_model_folder_is_accepted(people, model_dir, tmp_path) -> None:
    archive = tmp_path / "model.zip"
    _zip(archive, {f"model/{p.relative_to(model_dir).as_posix()}": p.read_bytes()
                   for p in model_dir.rglob("*") if p.is_file()})
    result = service.submit_model(actor=people["vendor_a"], artifact=archive, card=card())
    assert result["kind"] == "mlflow" and "MLmodel" in {f["path"] for f in result["files"]}
    assert_consistent(1)


@pytest.mark.parametrize(("members", "link", "key"), [
    ({"model/MLmodel": b"x", "../../evil.txt": b"owned"}, None, "models.zip_unsafe_path"),
    ({"/tmp/evil.txt": b"owned"}, None, "models.zip_unsafe_path"),
    ({"model/MLmodel": b"x"}, "/etc/passwd", "models.zip_link"),
    ({"model/MLmodel": b"x", "model/weights.bin": b"\0" * 30_000_000}, None, "models.zip_bomb"),
    ({"model/readme.txt": b"no model here"}, None, "models.mlmodel_missing"),
])
def test_unsafe_or_wrong_archives_are_refused_before_extraction(people, tmp_path, members, link, key) -> None:
    archive = _zip(tmp_path / "upload" / "m.zip", members, link=link) if (tmp_path / "upload").mkdir() is None else None
    with pytest.raises(InputError) as info:
        service.submit_model(actor=people["vendor_a"], artifact=archive, card=card())
    assert info.value.key == key
    assert not (tmp_path / "evil.txt").exists() and not Path("/tmp/evil.txt").exists()
    assert_consistent(0)


def test_not_a_zip(people, tmp_path) -> None:
    fake = tmp_path / "m.zip"
    fake.write_bytes(b"PK\x03\x04 not really")
    with pytest.raises(InputError) as info:
        service.submit_model(actor=people["vendor_a"], artifact=fake, card=card())
    assert info.value.key == "models.zip_bad"


def test_card_errors_are_listed_field_by_field_in_both_languages(people, predictions_csv) -> None:
    broken = card(vendor_uscc="91330110MA2H0QXJ7X", service_domain="教育", automated_decision="maybe")
    del broken["contact"]
    with pytest.raises(CardInvalid) as info:
        service.submit_model(actor=people["vendor_a"], artifact=predictions_csv, id_column="编号", card=broken)
    fields = [p["field"] for p in info.value.problems]
    assert fields == ["vendor_uscc", "service_domain", "automated_decision", "contact"]
    zh = info.value.render("zh").splitlines()
    assert zh[0] == "模型卡 card 有 4 处问题，请逐项修改："
    assert zh[1] == ("- 统一社会信用代码（vendor_uscc）：统一社会信用代码 91330110MA2H0QXJ7X 无效"
                     "（应为 18 位，且 GB 32100 校验位正确）。")
    en = info.value.render("en").splitlines()
    assert en[2] == "- Service domain (service_domain): invalid value; choose one of: 社会救助, 养老, 12345热线, 基层治理, 其他."
    assert en[4] == "- Contact (contact): required but missing."
    assert_consistent(0)


def test_card_file_in_gbk_and_broken_yaml(people, predictions_csv, tmp_path) -> None:
    import yaml

    good = tmp_path / "card.yaml"
    good.write_bytes(yaml.safe_dump(card(), allow_unicode=True).encode("gbk"))
    assert service.submit_model(actor=people["vendor_a"], artifact=predictions_csv, id_column="编号",
                                card=good)["version"] == "1"
    bad = tmp_path / "bad.yaml"
    bad.write_text("vendor_name: [unclosed\nmodel_name: x\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        service.submit_model(actor=people["vendor_a"], artifact=predictions_csv, id_column="编号", card=bad)
    assert info.value.key == "models.card_unreadable"


@pytest.mark.parametrize("encoding", ["gbk", "utf-8-sig"])
def test_predictions_in_gbk_or_with_bom(people, tmp_path, encoding) -> None:
    frame = make_data(20)
    path = tmp_path / "预测.csv"
    frame.assign(预测=frame["符合救助"], 备注="农村")[["编号", "预测", "备注"]].to_csv(path, index=False, encoding=encoding)
    result = service.submit_model(actor=people["vendor_a"], artifact=path, id_column="编号", card=card())
    assert result["kind"] == "predictions"
    assert_consistent(1)


@pytest.mark.parametrize(("content", "id_column", "key"), [
    (b"", "编号", "errors.file_empty"),
    ("编号,预测\n".encode(), "编号", "errors.file_no_rows"),
    ("序号,预测\nA1,1\n".encode(), "编号", "errors.column_missing"),
    ("编号,预测\nA1,1\n".encode(), None, "models.id_column_required"),
    ("编号,预测\nA1,1\nA1,0\n".encode(), "编号", "models.id_duplicate"),
    ("编号,结果\nA1,1\n".encode(), "编号", "models.prediction_column_missing"),
])
def test_bad_predictions_files(people, tmp_path, content, id_column, key) -> None:
    path = tmp_path / "p.csv"
    path.write_bytes(content)
    with pytest.raises(InputError) as info:
        service.submit_model(actor=people["vendor_a"], artifact=path, id_column=id_column, card=card())
    assert info.value.key == key
    assert_consistent(0)


def test_excel_predictions_with_title_row(people, tmp_path) -> None:
    frame = make_data(15)
    path = tmp_path / "预测结果.xlsx"
    with pd.ExcelWriter(path) as writer:
        pd.DataFrame([["某区社会救助模型预测结果"]]).to_excel(writer, index=False, header=False)
        frame.assign(预测=1)[["编号", "预测"]].to_excel(writer, index=False, startrow=2)
    assert service.submit_model(actor=people["vendor_a"], artifact=path, id_column="编号", card=card())["kind"] \
        == "predictions"


def test_bad_onnx_and_unknown_type(people, tmp_path) -> None:
    onnx = tmp_path / "m.onnx"
    onnx.write_bytes(b"not an onnx graph")
    with pytest.raises(InputError) as info:
        service.submit_model(actor=people["vendor_a"], artifact=onnx, card=card())
    assert info.value.key == "models.onnx_bad"
    other = tmp_path / "m.bin"
    other.write_bytes(b"x")
    with pytest.raises(InputError) as info:
        service.submit_model(actor=people["vendor_a"], artifact=other, card=card())
    assert info.value.key == "models.artifact_type"
    assert_consistent(0)


def test_concurrent_duplicate_is_rolled_back_in_mlflow_too(people, tmp_path) -> None:
    """A second submission of the same card version racing the first: the loser leaves nothing behind."""
    path = tmp_path / "p.csv"
    make_data(10).assign(预测=1)[["编号", "预测"]].to_csv(path, index=False)
    raced: list[dict] = []

    def race(step: str, _fraction: float) -> None:
        if step == "register" and not raced:
            raced.append(service.submit_model(actor=people["vendor_a"], artifact=path, id_column="编号", card=card()))

    with pytest.raises(ConflictError):
        service.submit_model(actor=people["vendor_a"], artifact=path, id_column="编号", card=card(), progress=race)
    assert_consistent(1)
    name = raced[0]["name"]
    assert Registry().version_by_alias(name, "trial") == "1"
