"""Hostile submissions around the sandbox: archive member names, folders, cards, MLmodel (real MLflow/DB).

Each attack is tried for real through ``submit_model``; each must be refused with a clear
message before anything is extracted, run or registered (``test_models_intake.py`` has the
path-traversal, link, bomb and pickle cases).
"""

from __future__ import annotations

import json
import os
import unicodedata
import zipfile
from pathlib import Path

import pytest

from models import service
from models.archive import hash_tree, tree_digest
from models.card import CardInvalid
from sandbox.errors import InputError
from tests.models.models_testkit import card, copy_model
from tests.models.test_models_intake import assert_consistent

pytestmark = pytest.mark.usefixtures("home")


def _zip(path: Path, members: dict[str, bytes], dirs: int = 0) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
        for i in range(dirs):
            archive.writestr(zipfile.ZipInfo(f"model/d{i}/"), b"")
    return path


def _refused(people, artifact: Path, key: str, **kwargs) -> InputError:
    with pytest.raises(InputError) as info:
        service.submit_model(actor=people["vendor_a"], artifact=artifact, card=kwargs.pop("card", card()), **kwargs)
    assert info.value.key == key, info.value.render("en")
    assert_consistent(0)
    return info.value


@pytest.mark.parametrize("name", [
    "model/a\nb.txt",                 # a newline forges sha256sum lines of the tree digest
    "model/\x1b[2Jclear.txt",         # terminal escape
    "model/\u202egnp.pkl",            # right-to-left override: shows as "lkp.png"
    "model/zero\u200bwidth.pkl",      # invisible character
    "model/%2e%2e/%2e%2e/x.pkl",      # ".." once an mlflow server decodes it
])
def test_member_names_with_control_or_invisible_characters(people, tmp_path, name) -> None:
    archive = _zip(tmp_path / "m.zip", {"model/MLmodel": b"flavors: {}\n", name: b"x"})
    error = _refused(people, archive, "models.zip_name_unsafe")
    for lang in ("zh", "en"):
        text = error.render(lang)
        assert "m.zip" in text and not any(unicodedata.category(ch) in {"Cc", "Cf"} for ch in text)
    assert "\\u" in error.render("en") or "%2e" in error.render("en")


def test_names_equal_after_unicode_normalisation_are_duplicates(people, tmp_path) -> None:
    composed, decomposed = unicodedata.normalize("NFC", "model/café.pkl"), unicodedata.normalize("NFD", "model/café.pkl")
    assert composed != decomposed
    archive = _zip(tmp_path / "m.zip", {"model/MLmodel": b"flavors: {}\n", composed: b"1", decomposed: b"2"})
    error = _refused(people, archive, "models.zip_duplicate")
    assert "café" in unicodedata.normalize("NFC", error.render("zh"))


def test_exact_duplicate_member(people, tmp_path) -> None:
    archive = tmp_path / "m.zip"
    with zipfile.ZipFile(archive, "w") as handle, pytest.warns(UserWarning, match="Duplicate name"):
        handle.writestr("model/MLmodel", b"flavors: {}\n")
        handle.writestr("model/MLmodel", b"flavors: {python_function: {}}\n")
    _refused(people, archive, "models.zip_duplicate")


def test_directory_entries_count_against_the_member_limit(people, tmp_path) -> None:
    """Before: only files were counted, so 100,000 empty folders would all be created."""
    archive = _zip(tmp_path / "m.zip", {"model/MLmodel": b"flavors: {}\n"}, dirs=2_100)
    error = _refused(people, archive, "models.zip_too_many_members")
    assert "2101" in error.render("en")
    assert not any((Path(os.environ["SANDBOX_HOME"]) / "work").glob("intake-*"))


def test_folder_entry_with_newline_would_collide_the_tree_digest(people, model_dir, tmp_path) -> None:
    """Two different folders, one sha256: a name with a newline forges the second digest line."""
    honest = copy_model(model_dir, tmp_path / "honest")
    (honest / "extra.bin").write_bytes(b"payload")
    forged = copy_model(model_dir, tmp_path / "forged")
    extra = next(f for f in hash_tree(honest) if f.path == "extra.bin")
    last_before = max(f.path for f in hash_tree(honest) if f.path < "extra.bin")
    victim = next(f for f in hash_tree(forged) if f.path == last_before)
    (forged / last_before).rename(forged / f"{last_before}\n{extra.sha256}  extra.bin")
    assert victim.sha256 and tree_digest(hash_tree(honest)) == tree_digest(hash_tree(forged))  # the collision
    _refused(people, forged, "models.zip_name_unsafe")


def test_hardlink_in_a_folder_is_refused(people, model_dir, tmp_path) -> None:
    outside = tmp_path / "host-secret.txt"
    outside.write_text("secret")
    folder = copy_model(model_dir, tmp_path / "linked")
    os.link(outside, folder / "notes.txt")
    error = _refused(people, folder, "models.folder_hardlink")
    assert "notes.txt" in error.render("zh") and "secret" not in error.render("en")


@pytest.mark.parametrize("suffix", [".tar", ".tar.gz", ".tgz", ".7z"])
def test_other_archive_formats_are_not_opened(people, tmp_path, suffix) -> None:
    """Tar (sparse files, device members, hard links) is never unpacked: only zip and folders are."""
    path = tmp_path / f"m{suffix}"
    path.write_bytes(b"\0" * 1024)
    _refused(people, path, "models.artifact_type")


@pytest.mark.parametrize("display", ["预测\n结果.csv", "\u202evsc.exe", "..", "", "%2e%2e%2f%2e%2e%2fx.csv"])
def test_upload_names_are_checked_too(people, predictions_csv, display) -> None:
    _refused(people, predictions_csv, "models.zip_name_unsafe", id_column="编号", display_name=display)


def test_card_with_yaml_aliases_is_refused(people, predictions_csv, tmp_path) -> None:
    """7 KB of YAML with aliases became 2 MB of card (×285); a 1 MB card would have become 500 MB."""
    text = json.dumps(card(), ensure_ascii=False)
    anchored = "x: &s \"" + "限" * 1999 + "\"\n"
    path = tmp_path / "card.yaml"
    path.write_text(anchored.replace("x:", "_anchor:") + "known_limitations: [" + ", ".join(["*s"] * 1000) + "]\n"
                    + "\n".join(f"{k}: {json.dumps(v, ensure_ascii=False)}" for k, v in json.loads(text).items()
                                if k != "known_limitations"), encoding="utf-8")
    error = _refused(people, predictions_csv, "models.card_alias", id_column="编号", card=path)
    assert "card.yaml" in error.render("zh")


@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_deeply_nested_card_is_refused_not_crashed(people, predictions_csv, tmp_path, suffix) -> None:
    """Before: RecursionError from the parser, not a message."""
    path = tmp_path / f"card{suffix}"
    path.write_text("[" * 50_000, encoding="utf-8")
    _refused(people, predictions_csv, "models.card_unreadable", id_column="编号", card=path)


def test_card_lists_and_text_are_bounded(people, predictions_csv) -> None:
    huge = card(known_limitations=[f"限制 {i}" for i in range(1000)],
                intended_use="正常用途\u202e说明\x1b[2J", contact={"name": "张\u200b伟", "phone": "0571-88886666",
                                                                 "email": "zhangwei@example.cn"})
    with pytest.raises(CardInvalid) as info:
        service.submit_model(actor=people["vendor_a"], artifact=predictions_csv, id_column="编号", card=huge)
    fields = {p["field"]: p["key"] for p in info.value.problems}
    assert fields == {"intended_use": "models.card.control", "known_limitations": "models.card.list_too_long",
                      "contact.name": "models.card.control"}
    assert "\x1b" not in info.value.render("en") and "\u202e" not in info.value.render("zh")
    assert_consistent(0)


@pytest.mark.parametrize("member", ["MLmodel", "input_example.json"])
def test_deeply_nested_mlmodel_or_example(people, model_dir, tmp_path, member) -> None:
    folder = copy_model(model_dir, tmp_path / "nested")
    (folder / member).write_text("[" * 50_000, encoding="utf-8")
    key = "models.mlmodel_bad" if member == "MLmodel" else None
    if key:
        _refused(people, folder, key)
    else:  # an unreadable example is skipped: the signature gives the probe, the model still submits
        result = service.submit_model(actor=people["vendor_a"], artifact=folder, card=card())
        assert result["kind"] == "mlflow"


def test_card_text_in_the_mlflow_description_is_escaped(people, predictions_csv) -> None:
    """The MLflow UI renders a version's description as Markdown: the card's text must stay text."""
    from models.registry import Registry

    evil = "辅助初筛 ![x](http://vendor.example/b.png) <img src=x onerror=alert(1)>\n## 已批准 approved"
    result = service.submit_model(actor=people["vendor_a"], artifact=predictions_csv, id_column="编号",
                                  card=card(intended_use=evil))
    description = Registry().get_version(result["name"], result["version"]).description
    assert "辅助初筛" in description and "vendor.example/b.png" in description
    assert "![x](" not in description and "\n## " not in description and "\\<img" in description


@pytest.mark.server
def test_upload_names_cannot_leave_the_servers_artifact_root(people, predictions_csv, tmp_path, monkeypatch) -> None:
    """Encoded ``..`` in a name the vendor chose, uploaded through a real ``mlflow server``'s artifact proxy."""
    from sandbox.errors import ConfigError
    from sandbox.settings import reset_settings_cache
    from tests._servers import mlflow_server

    root = tmp_path / "server"
    root.mkdir()
    names = ["%2e%2e%2f" * 8 + "escape-a.csv", "..%2f" * 8 + "escape-b.csv", "..\\" * 8 + "escape-c.csv",
             "%252e%252e%252f" * 8 + "escape-d.csv"]
    outcomes = []
    with mlflow_server(root, backend=f"sqlite:///{root / 'server.db'}", artifacts=root / "artifacts") as url:
        monkeypatch.setenv("MLFLOW_TRACKING_URI", url)
        reset_settings_cache()
        try:
            for number, display in enumerate(names):
                try:
                    service.submit_model(actor=people["vendor_a"], artifact=predictions_csv, id_column="编号",
                                         display_name=display, card=card(model_version=f"1.0.{number}"))
                    outcomes.append("stored")
                except (InputError, ConfigError) as exc:
                    outcomes.append(exc.key)
        finally:
            monkeypatch.delenv("MLFLOW_TRACKING_URI")
            reset_settings_cache()
    # before: the server refused a, b, d (a "registry failed" message) and stored c as "..\\..\\…escape-c.csv"
    assert outcomes == ["models.zip_name_unsafe"] * 2 + ["stored", "models.zip_name_unsafe"]
    assert [p.name for p in (root / "artifacts").rglob("*escape-*.csv")] == ["escape-c.csv"]
    stored = next((root / "artifacts").rglob("escape-c.csv"))
    # an escape by k × ".." lands in the k-th folder above the stored file: none holds one (a scan of all of
    # /tmp instead saw other runs' stored files)
    assert [p for parent in stored.parents[1:] for p in parent.glob("*escape-*.csv")] == []


def test_parquet_predictions_that_decode_to_gigabytes_are_refused_unread(people, tmp_path) -> None:
    """300 rows all pointing at one 8 MB dictionary value: a small file that decodes to 2.4 GB (pandas read it)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = 300
    label = pa.DictionaryArray.from_arrays(pa.array([0] * rows, pa.int32()), pa.array(["是" * ((8 << 20) // 3)]))
    path = tmp_path / "预测.parquet"
    pq.write_table(pa.table({"编号": [f"P{i:04d}" for i in range(rows)], "预测": label}), path,
                   compression="zstd", store_schema=False)                   # read back as plain text
    assert path.stat().st_size < 2 << 20
    error = _refused(people, path, "models.predictions_expand", id_column="编号")
    assert "预测.parquet" in error.render("zh") and "2048" in error.render("en")


def test_parquet_predictions_with_nested_columns_are_refused(people, tmp_path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = tmp_path / "p.parquet"
    pq.write_table(pa.table({"编号": ["A1", "A2"], "预测": pa.array([[1] * 3, [0]], pa.list_(pa.int64()))}), path)
    error = _refused(people, path, "models.predictions_nested", id_column="编号")
    assert "预测" in error.render("en")


def test_an_input_example_wider_than_the_column_limit_is_not_used(people, model_dir, tmp_path) -> None:
    """A 5 MB example can name 250,000 columns (the host spent minutes building and sending that probe);
    past 2,000 it is ignored and the signature (capped alike) gives the probe."""
    folder = copy_model(model_dir, tmp_path / "wide")
    wide = {"columns": [f"c{i}" for i in range(3_000)], "data": [[0] * 3_000]}
    for name in ("input_example.json", "serving_input_example.json"):
        (folder / name).write_text(json.dumps({"dataframe_split": wide} if name.startswith("serving") else wide))
    result = service.submit_model(actor=people["vendor_a"], artifact=folder, card=card())
    assert result["kind"] == "mlflow"
