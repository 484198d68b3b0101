"""Archive member names a reviewer's machine could not hold, or too long to extract (session 9 red team).

Before: a 4,200-character member path escaped ``extract_zip`` as an uncaught
``OSError: File name too long`` (a traceback, not a message); a 300-byte name was
"not a valid zip archive"; ``CON``, ``aux.pkl``, ``a:b.pkl`` (an NTFS alternate
stream), ``x.pkl.`` were registered and sent to MLflow, where a reviewer
downloading the artifacts on Windows loses or misplaces them.
"""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest

from models import service
from models.archive import check_tree, extract_zip
from sandbox.errors import InputError
from tests.models.models_testkit import card

NAMES = {
    "model/" + "长" * 100 + ".pkl": "long",  # 300 bytes in one name
    "model/" + "a/" * 2100 + "x.pkl": "long",  # a 4,200-character path
    "model/CON": "windows",
    "model/aux.pkl": "windows",
    "model/com1.txt": "windows",
    "model/x.pkl.": "windows",
    "model/x.pkl ": "windows",
    "model/a:b.pkl": "windows",
    "model/a|b.pkl": "windows",
    "model/what?.pkl": "windows",
    "model/<x>.pkl": "windows",
}


@pytest.mark.parametrize(("member", "problem"), list(NAMES.items()), ids=lambda v: v[:24])
def test_unportable_or_overlong_members_are_refused_before_extraction(tmp_path: Path, member: str,
                                                                      problem: str) -> None:
    archive = tmp_path / "m.zip"
    with zipfile.ZipFile(archive, "w") as handle:
        handle.writestr("model/MLmodel", "flavors: {}\n")
        handle.writestr(member, b"x")
    with pytest.raises(InputError) as caught:
        extract_zip(archive, tmp_path / "out")
    assert caught.value.key == f"models.zip_name_{problem}"
    assert "m.zip" in caught.value.render("zh") and caught.value.render("en").startswith(("The name", "model/"))
    assert not (tmp_path / "out").exists()  # nothing written


@pytest.mark.parametrize("member", ["model/console.pkl", "model/模型 v1.pkl", "model/ 前导空格.txt",
                                    "model/" + "名" * 80 + ".pkl"])
def test_ordinary_names_still_extract(tmp_path: Path, member: str) -> None:
    archive = tmp_path / "m.zip"
    with zipfile.ZipFile(archive, "w") as handle:
        handle.writestr(member, b"x")
    assert (extract_zip(archive, tmp_path / "out") / member).read_bytes() == b"x"


def test_a_folder_with_a_windows_device_name_is_refused_and_nothing_registered(people, model_dir: Path,
                                                                                 tmp_path: Path) -> None:
    folder = shutil.copytree(model_dir, tmp_path / "model")
    (folder / "aux.pkl").write_bytes(b"x")
    with pytest.raises(InputError) as caught:
        check_tree(folder)
    assert caught.value.key == "models.zip_name_windows" and "aux.pkl" in caught.value.render("zh")
    with pytest.raises(InputError):
        service.submit_model(actor=people["vendor_a"], artifact=folder, card=card())
    assert service.list_models(actor=people["admin"]) == []
