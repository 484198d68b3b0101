"""A hostile vendor's text must not make the reviewer's browser fetch anything (session 9 red team).

Streamlit renders Markdown in subheaders, ``st.write``, tables, widget labels and
``st.markdown(unsafe_allow_html=True)``; the MLflow web UI renders ``.html`` (scripts
allowed), Markdown and ``.geojson`` artifacts. Markdown decodes character references
in a link's address, so a model version ``![x](http&#58;&#47;&#47;host&#47;p)`` — no
space, ``/``, ``:`` or ``@`` — became an image fetched from the vendor's server by
every reviewer who opened the version (seen in Chromium: tests/browser/test_vendor_markup.py).
These tests render what the page shows with markdown-it (CommonMark, character
references decoded in addresses as in the browser) and look for images and links.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from sqlalchemy import update
from streamlit.testing.v1 import AppTest

from models import service
from models._tables import ModelVersion
from models.card import card_from_data
from sandbox.errors import InputError
from sandbox.store import session_scope
from tests.models.models_testkit import card, make_data

ROOT = Path(__file__).resolve().parents[2]
BEACON = "![x](http&#58;&#47;&#47;203.0.113.5&#58;8999&#47;registry)"  # 57 characters: within the 64 allowed


def _html(markdown: str) -> str:
    return MarkdownIt("commonmark", {"html": True}).render(markdown)


def _submit_predictions(actor, tmp_path: Path, **changes) -> dict:  # type: ignore[no-untyped-def]
    path = tmp_path / "p.csv"
    make_data(10).assign(预测=1)[["编号", "预测"]].to_csv(path, index=False)
    return service.submit_model(actor=actor, artifact=path, id_column="编号", card=card(**changes))


@pytest.mark.parametrize("version", [BEACON, "1.0<img>", "[v](x)", "1.0&amp;", "v1;2", "1.0!", "`1`", "1$x$",
                                     "１.０.０"])
def test_a_card_version_with_markup_or_lookalike_digits_is_refused(version: str) -> None:
    assert "<img" in _html(f"# m {BEACON}")  # the attack is real: the address's references are decoded
    with pytest.raises(InputError) as caught:
        card_from_data(card(model_version=version))
    text = caught.value.render("zh")
    assert "版本号" in text and "1.2.0" in text


@pytest.mark.parametrize("version", ["1.0.0", "2024.06-rc1", "1.0.0+build.7", "v2_beta", "第二版"])
def test_ordinary_versions_still_pass(version: str) -> None:
    assert card_from_data(card(model_version=version)).model_version == version


def test_registry_page_shows_an_old_hostile_version_as_text(people, tmp_path: Path) -> None:
    """A version stored before the rule (an older data home) is escaped where the page renders Markdown."""
    submitted = _submit_predictions(people["vendor_a"], tmp_path)
    with session_scope() as s:
        s.execute(update(ModelVersion).values(card_version=BEACON))
    at = AppTest.from_file(str(ROOT / "workbench_pages" / "model_registry.py"), default_timeout=120)
    at.session_state["actor"] = people["reviewer"]
    at.session_state["lang"] = "zh"
    at.run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    shown = at.subheader[0].value
    assert submitted["name"].split(".")[0] in shown.replace("\\", "")
    html = _html(f"### {shown}")
    assert "<img" not in html and "<a " not in html and "203.0.113.5" in html


def _zip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.parametrize("member", ["model/README.md", "model/docs/说明.HTML", "model/map.geojson",
                                    "model/logo.svg", "model/notes.markdown"])
def test_model_files_the_mlflow_ui_would_render_are_refused(people, model_dir: Path, tmp_path: Path,
                                                          member: str) -> None:
    files = {f"model/{p.relative_to(model_dir).as_posix()}": p.read_bytes() for p in model_dir.rglob("*") if p.is_file()}
    files[member] = b"<img src='http://203.0.113.5/mlflow-ui'> ![x](http://203.0.113.5/p)"
    archive = tmp_path / "model.zip"
    archive.write_bytes(_zip(files))
    with pytest.raises(InputError) as caught:
        service.submit_model(actor=people["vendor_a"], artifact=archive, card=card())
    assert caught.value.key == "models.zip_browser_file"
    assert member in caught.value.render("en") and "MLflow" in caught.value.render("zh")
    assert service.list_models(actor=people["admin"]) == []


def test_a_model_folder_with_a_web_page_is_refused(people, model_dir: Path, tmp_path: Path) -> None:
    import shutil

    folder = shutil.copytree(model_dir, tmp_path / "model")
    (folder / "index.html").write_text("<script>fetch('http://203.0.113.5/x')</script>", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        service.submit_model(actor=people["vendor_a"], artifact=folder, card=card())
    assert caught.value.key == "models.zip_browser_file" and "index.html" in caught.value.render("zh")
    assert service.list_models(actor=people["admin"]) == []
