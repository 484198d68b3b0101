"""Who is in a dataset: keyed fingerprints of its identifying columns, kept with the ledger (never raw values).

The ledger used to know a dataset by its name and its source *file* (sha256): the same people re-exported with a
column added, the rows reordered or a few rows changed, under a new file and dataset name, got a fresh ε. A
*population fingerprint* follows the people instead of the file:

- **Identifying columns**: every column whose non-empty values are nearly all distinct (≥ ``UNIQUE`` of the first
  ``SAMPLE`` values and overall, at least ``MIN_ROWS``) — 身份证号, phone, name, address, a case number — except a
  plain counter (an optional fixed prefix and consecutive numbers, ``S0001…``: every export numbers its rows so).
- **Whole rows** (``ROWS``) only for a table without an identifying column, and only when its rows are distinct
  (rows from small domains — district × age — would match any table of that shape): cells hashed one by one and
  combined in column-name order, so row and column order do not matter; an added column makes other rows.
- **Keyed hashes**: each value (trimmed, upper case; a value with a non-ASCII character, space or hyphen also NFKC
  without spaces and hyphens, decided value by value so every file, batch and engine writes it alike) is hashed
  with SipHash under a key kept in the data home (``secrets/population.key``, 0600, 96 random bits): without the
  key a fingerprint cannot be matched against a list of IDs.
- **Sketch**: only the ``K`` smallest hashes of each column are kept (bottom-k) with the number of distinct values.

Two fingerprints overlap by the share of the *smaller* population found in the other, on the best pair of
identifying columns (column names are ignored: a renamed header is the same people; rows only with rows). Exact
when both have at most ``K`` distinct values; otherwise estimated from the sketches: for populations of similar
size the error is about ±2 points; a subset under ~1/250 of a large population cannot be judged (too few of its
hashes fall in the larger sketch's range) and counts as below the share. ``population_from_spark`` computes the
same fingerprint on Spark (``mapInPandas``: the same functions per Arrow batch, bottom-k merged on the driver).
"""

from __future__ import annotations

import base64
import os
import secrets
import unicodedata
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["SHARE", "K", "overlap", "population_elsewhere", "population_fingerprint", "population_from_spark"]

K = 4096
SHARE = (
    0.5  # a new dataset whose people are at least half in a charged one (or the other way round) is the same
)
UNIQUE = 0.9
SAMPLE = 20_000
CHUNK = 1_000_000
MIN_ROWS = 20
_MIN_JUDGED = 16
ROWS = "*rows*"  # the fingerprint of whole rows, for a table without an identifying column
_COUNTER = r"^(\D*?)0*(\d{1,9})$"


def _key() -> str:
    from sandbox.settings import get_settings

    settings = get_settings()
    settings.ensure_home()
    path = settings.secrets_dir / "population.key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".population.key.{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(secrets.token_urlsafe(12))  # 16 characters, 96 bits: SipHash's key is 16 bytes
        try:
            os.link(tmp, path)  # the first writer wins; a concurrent one reads its key
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    return path.read_text(encoding="ascii").strip()[:16]


def _texts(series: pd.Series) -> pd.Series:
    values = series.dropna()
    if pd.api.types.is_float_dtype(values) and len(values) and bool((values == values.round()).all()):
        values = values.astype("int64")  # 13800138000.0 in one export, 13800138000 in another
    text = values.astype(str).str.strip()
    return text[text != ""]


def _normalised(text: pd.Series) -> pd.Series:
    """Upper case; a value with a full-width character, space or hyphen also NFKC without spaces and hyphens
    (decided value by value: the same value is written the same way in every file, batch and engine)."""
    text = text.str.upper()
    # literal tests: arrow runs them natively (a regex class fell back to Python's re, 3 s per million)
    unsure = ~text.str.isascii() | text.str.contains(" ", regex=False) | text.str.contains("-", regex=False)
    if not unsure.any():
        return text
    text = text.copy()
    text[unsure] = (
        text[unsure]
        .map(lambda v: unicodedata.normalize("NFKC", v))
        .str.replace(r"[\s\-‐-―]", "", regex=True)
        .str.upper()
    )
    return text


def _identifying(text: pd.Series) -> bool:
    """Nearly all distinct (on the first ``SAMPLE`` values) and not a row counter."""
    head = text.head(SAMPLE)
    return len(text) >= MIN_ROWS and head.nunique() >= UNIQUE * len(head) and not _counter(head)


def _hashes(text: pd.Series, key: str) -> np.ndarray:
    # SipHash over the values themselves (hash_pandas_object dictionary-encodes arrow strings first: 3× slower)
    values = _normalised(text).to_numpy(dtype=object)
    return pd.util.hash_array(values, hash_key=key, categorize=False).astype(np.uint64, copy=False)


def _cells(series: pd.Series) -> pd.Series:
    """Every cell as text, empty for a missing one (whole rows are hashed cell by cell)."""
    values = series
    present = series.dropna()
    if pd.api.types.is_float_dtype(series) and len(present) and bool((present == present.round()).all()):
        values = series.astype("Int64")
    return values.astype(str).where(series.notna(), "").str.strip()


def _row_hashes(frame: pd.DataFrame, key: str) -> np.ndarray:
    """Keyed hashes of whole rows: each cell's hash combined over the columns in name order (column order and
    row order do not matter; a changed cell or an added column makes another row)."""
    out = np.zeros(len(frame), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for name in sorted(frame.columns, key=str):
            out = out * np.uint64(1_000_003) + _hashes(_cells(frame[name]), key)
    return out


def _entry(name: Any, smallest: np.ndarray, distinct: int) -> dict[str, Any]:
    return {
        "column": str(name),
        "distinct": distinct,
        "sketch": base64.b64encode(smallest.astype("<u8").tobytes()).decode("ascii"),
    }


def _counter(text: pd.Series) -> bool:
    """A row counter (``S0001``, ``1``, ``000123``): same prefix, consecutive numbers."""
    parts = text.str.extract(_COUNTER)
    if parts[1].isna().any() or parts[0].nunique() > 1:
        return False
    numbers = parts[1].astype("int64")
    return int(numbers.max() - numbers.min()) + 1 <= 2 * len(numbers)


def _sketch(hashes: np.ndarray, rows: int | None = None) -> tuple[np.ndarray, int]:
    """The ``K`` smallest distinct hashes and the number of distinct values (exact, or estimated from the sketch)."""
    if len(hashes) > 4 * K:
        cut = np.partition(hashes, 4 * K)[: 4 * K]
        smallest = np.unique(cut)[:K]
    else:
        smallest = np.unique(hashes)[:K]
    if len(smallest) < K:
        return smallest, len(smallest)
    estimate = (K - 1) / (float(smallest[-1]) / 2.0**64)  # k-minimum-values estimator
    return smallest, int(min(rows or len(hashes), max(K, round(estimate))))


def _chunked(frame: pd.DataFrame | pd.Series, hashed: Any) -> tuple[np.ndarray, int, int]:
    """Sketch ``hashed(part)`` over slices of ``CHUNK`` rows (a column's values become Python strings to be
    hashed: a whole 10M-row column at once would hold ~0.7 GB); returns (sketch, distinct, values)."""
    parts, values = [], 0
    for start in range(0, len(frame), CHUNK):
        count, hashes = hashed(frame.iloc[start : start + CHUNK])
        values += count
        if count:
            parts.append(_sketch(hashes)[0])
    merged = np.concatenate(parts) if parts else np.array([], dtype=np.uint64)
    smallest, distinct = _sketch(merged, values)
    return smallest, distinct, values


def population_fingerprint(frame: pd.DataFrame) -> dict[str, Any]:
    """The fingerprint of ``frame``'s people: ``{"version", "k", "rows", "columns": [{column, distinct, sketch}]}``."""
    key = _key()
    columns = []
    for name in frame.columns:
        if not _identifying(_texts(frame[name].iloc[:SAMPLE])):
            continue

        def column(part: pd.Series) -> tuple[int, np.ndarray]:
            text = _texts(part)
            return len(text), _hashes(text, key)

        smallest, distinct, values = _chunked(frame[name], column)
        if values >= MIN_ROWS and distinct >= UNIQUE * values:
            columns.append(_entry(name, smallest, distinct))
    if not columns and len(frame) >= MIN_ROWS:  # no identifying column: the rows themselves, when distinct
        smallest, distinct, values = _chunked(frame, lambda part: (len(part), _row_hashes(part, key)))
        if distinct >= UNIQUE * values:  # rows from small domains (district × age) would match any such table
            columns.append(_entry(ROWS, smallest, distinct))
    return {"version": 1, "k": K, "rows": len(frame), "columns": columns}


def population_from_spark(frame: Any) -> dict[str, Any]:
    """The same fingerprint of a Spark DataFrame (``--engine spark``): identifying columns chosen on its first
    ``SAMPLE`` rows, each Arrow batch hashed by the same function on the executors (bottom-k per batch), merged."""
    from sandbox.engines import to_pandas

    sample = to_pandas(frame.limit(SAMPLE))
    names = [c for c in sample.columns if _identifying(_texts(sample[c]))]
    rows_only = not names
    if rows_only:
        names = list(sample.columns)
    key = _key()

    def hashed(part: pd.DataFrame, name: str) -> tuple[int, np.ndarray]:
        if rows_only:
            return len(part), _row_hashes(part, key)
        text = _texts(part[name])
        return len(text), _hashes(text, key)

    def batches(parts: Any) -> Any:
        for part in parts:
            for i, name in enumerate(names[:1] if rows_only else names):
                count, hashes = hashed(part, name)
                smallest = _sketch(hashes)[0] if count else np.array([], dtype=np.uint64)
                # one row with the batch's count of values (n ≥ 0), then its smallest hashes (n = -1)
                yield pd.DataFrame(
                    {
                        "i": np.full(len(smallest) + 1, i, dtype=np.int32),
                        "n": np.r_[np.int64(count), np.full(len(smallest), -1, dtype=np.int64)],
                        "h": np.r_[np.int64(0), smallest.view(np.int64)],
                    }
                )

    quoted = ["`" + str(n).replace("`", "``") + "`" for n in names]
    got = to_pandas(frame.select(*quoted).mapInPandas(batches, schema="i int, n long, h long"))
    columns = []
    for i, name in enumerate(names[:1] if rows_only else names):
        mine = got[got["i"] == i]
        rows = int(mine.loc[mine["n"] >= 0, "n"].sum())
        hashes = mine.loc[mine["n"] < 0, "h"].to_numpy(np.int64).view(np.uint64)
        smallest, distinct = _sketch(hashes, rows)
        if rows_only and rows >= MIN_ROWS and distinct >= UNIQUE * rows:
            columns.append(_entry(ROWS, smallest, distinct))
        elif rows >= MIN_ROWS and distinct >= UNIQUE * rows:
            columns.append(_entry(name, smallest, distinct))
    return {"version": 1, "k": K, "rows": None, "columns": columns}


def _unpack(column: dict[str, Any]) -> np.ndarray:
    return np.frombuffer(base64.b64decode(column["sketch"]), dtype="<u8")


def _share(a: dict[str, Any], b: dict[str, Any]) -> float:
    """Share of the smaller of the two columns' populations found in the other."""
    sa, sb = _unpack(a), _unpack(b)
    na, nb = int(a["distinct"]), int(b["distinct"])
    if len(sa) == na and len(sb) == nb:  # both complete: exact
        return len(np.intersect1d(sa, sb, assume_unique=True)) / max(1, min(na, nb))
    small, other, n_other = (sa, sb, nb) if na <= nb else (sb, sa, na)
    # the larger sketch holds every one of its hashes up to its largest: the smaller's hashes up to there are judged
    judged = small[small <= other[-1]] if len(other) < n_other else small
    if len(judged) < _MIN_JUDGED:
        return 0.0  # too few of the smaller population's hashes fall in the larger sketch's range
    return float(np.isin(judged, other, assume_unique=True).mean())


def overlap(new: dict[str, Any], old: dict[str, Any]) -> tuple[float, str, str]:
    """The largest share over pairs of identifying columns (whole rows only with whole rows):
    ``(share, new column, old column)``."""
    best = (0.0, "", "")
    for a in new.get("columns") or []:
        for b in old.get("columns") or []:
            if (a["column"] == ROWS) != (b["column"] == ROWS):
                continue
            share = _share(a, b)
            if share > best[0]:
                best = (share, a["column"], b["column"])
    return best


def population_elsewhere(
    session: Any, name: str, population: dict[str, Any] | None
) -> tuple[str, float, str, str] | None:
    """The other dataset (ledger name) whose charged sources hold at least ``SHARE`` of these people, if any:
    ``(dataset, share, column here, column there)`` — the largest share."""
    if not population or not population.get("columns"):
        return None
    from sqlalchemy import select

    from privacy._tables import PrivacyBudget, PrivacySpend
    from privacy.ledger import dataset_key

    budgets = {b.id: b.dataset for b in session.scalars(select(PrivacyBudget))}
    best: tuple[str, float, str, str] | None = None
    for budget_id, details in session.execute(select(PrivacySpend.budget_id, PrivacySpend.details)):
        stored = (details or {}).get("population")
        other = budgets.get(budget_id)
        if not stored or other is None or dataset_key(other) == name:
            continue
        share, column, other_column = overlap(population, stored)
        if share >= SHARE and (best is None or share > best[1]):
            best = (other, share, column, other_column)
    return best
