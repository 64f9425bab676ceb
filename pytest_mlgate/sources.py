"""Data sources a profile can be built from: pandas, Arrow tables and datasets, Parquet paths, Spark.

* pandas DataFrame / Series: profiled in memory (it is in memory already).
* a Parquet file, directory or glob (``str`` or ``os.PathLike``), or a list of those: every
  file's schema (footer) is read first, and files that disagree (a column missing from one, or
  numbers in one and strings in another) are an error naming the column and the files.  Then one
  file at a time, a span of row groups of at least :data:`BATCH_ROWS` rows at a time, and of it as
  many columns as profiling threads at a time (``ParquetFile.read_row_groups`` without
  pre-buffering).  Peak memory does not grow with the number of rows or files: decoding a row
  group of every column at once takes about four times its decoded size in Arrow's pool, and
  pre-buffering reads the whole file; a few column chunks take a few MB.  Measured
  (``benchmarks/profile_memory.py``, 20 float + 1 string columns, 131,072-row row groups, 2
  cores): peak RSS +27 MB over profiling 1,000 rows for 80 MB of decoded data, +52 MB for
  2.4 GB; with 1,000,000-row row groups +96 MB.  ``tests/test_sources.py`` checks +64 MB at most
  for 305 MB.
* ``pyarrow.Table`` (in memory already) in slices of :data:`BATCH_ROWS` rows, and a
  ``pyarrow.dataset.Dataset`` through its scanner with read-ahead of one batch and one fragment
  (the scanner's buffers add a few row groups to the bound above).
* a ``pyspark.sql.DataFrame``: profiled by Spark itself (:func:`spark_profile`); only the profile
  reaches the driver.

Nothing here imports pyarrow or pyspark until such an input arrives.
"""

from __future__ import annotations

import glob as _glob
import os
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from .profile import (
    CATEGORY_CAP,
    DISTINCT_CAP,
    SKETCH_K,
    ColumnProfile,
    Moments,
    Profile,
    column_map,
    profile_frame,
)

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = ["BATCH_ROWS", "is_arrow", "is_path_input", "is_spark", "needs_profile", "profile_source", "spark_profile"]

#: Rows per record batch when streaming Arrow / Parquet inputs.
BATCH_ROWS = 65_536
_PARQUET_SUFFIXES = (".parquet", ".parq", ".pq")


# ----------------------------------------------------------------------------------------------
# Recognising inputs (no heavy imports)
# ----------------------------------------------------------------------------------------------


def _module_of(obj: Any) -> str:
    return type(obj).__module__ or ""


def is_spark(obj: Any) -> bool:
    """True for a ``pyspark.sql.DataFrame`` (classic or Spark Connect)."""
    return _module_of(obj).startswith("pyspark.sql") and type(obj).__name__ == "DataFrame"


def is_arrow(obj: Any) -> bool:
    """True for a ``pyarrow.Table``, ``RecordBatch`` or ``pyarrow.dataset.Dataset``."""
    mod = _module_of(obj)
    if not mod.startswith("pyarrow"):
        return False
    import pyarrow as pa
    import pyarrow.dataset as ds

    return isinstance(obj, (pa.Table, pa.RecordBatch, ds.Dataset))


def _looks_like_path(item: Any) -> bool:
    if isinstance(item, os.PathLike):
        return True
    if not isinstance(item, str):
        return False
    return item.lower().endswith(_PARQUET_SUFFIXES) or os.path.exists(item) or _glob.has_magic(item)


def is_path_input(obj: Any) -> bool:
    """A Parquet path or glob, or a non-empty list/tuple of them.

    A list of strings counts as paths only when every item names an existing path, ends with a
    Parquet suffix or is a glob, so that a list of category values is still data.
    """
    if isinstance(obj, (str, os.PathLike)):
        return True
    if isinstance(obj, (list, tuple)) and obj:
        return all(_looks_like_path(x) for x in obj)
    return False


def needs_profile(obj: Any) -> bool:
    """True when a drift check must go through profiles: a Profile, Arrow, Parquet or Spark input."""
    return isinstance(obj, Profile) or is_spark(obj) or is_path_input(obj) or is_arrow(obj)


# ----------------------------------------------------------------------------------------------
# Dispatch
# ----------------------------------------------------------------------------------------------


def _names(columns: Iterable[Any] | None) -> list[Any] | None:
    if columns is None:
        return None
    if isinstance(columns, (str, bytes)) or not isinstance(columns, Iterable):
        return [columns]
    names = list(columns)
    if not names:
        raise ValueError("columns= is empty: name at least one column")
    return names


def _restrict(p: Profile, names: list[Any] | None) -> Profile:
    if names is None:
        return p
    for n in names:
        if n not in p.columns:
            raise ValueError(f"column {n!r} is not in the profile (columns: {', '.join(map(repr, p.columns))})")
    return Profile({n: p.columns[n] for n in names}, p.rows, p.source)


def profile_source(data: Any, *, columns: Iterable[Any] | None = None, categorical: Iterable[Any] | None = None) -> Profile:
    """Build a :class:`Profile` of any supported input; see :func:`pytest_mlgate.profile.profile`."""
    names = _names(columns)
    forced = [] if categorical is None else ([categorical] if isinstance(categorical, str) else list(categorical))
    if isinstance(data, Profile):
        return _restrict(data, names)
    if is_spark(data):
        return spark_profile(data, columns=names, categorical=forced)
    if is_path_input(data):
        files = _parquet_files(data)
        return arrow_profile(_ParquetFiles(files, _describe(data)), columns=names, categorical=forced, source=_describe(data))
    if is_arrow(data):
        return arrow_profile(data, columns=names, categorical=forced, source=type(data).__name__)
    import numpy as np
    import pandas as pd

    if isinstance(data, pd.Series):
        frame = data.to_frame(name="value" if data.name is None else data.name)
    elif isinstance(data, np.ndarray) and data.ndim == 1:
        frame = pd.DataFrame({"value": data})
    elif isinstance(data, pd.DataFrame):
        frame = data
    else:
        raise TypeError(
            "profile: data must be a pandas DataFrame or Series, a 1-d numpy array, a pyarrow Table or "
            "Dataset, a Parquet path, glob or list of paths, a Spark DataFrame or a Profile; "
            f"got {type(data).__name__}"
        )
    if frame.shape[1] == 0:
        raise ValueError("profile: data has no columns")
    if not frame.columns.is_unique:
        raise ValueError(f"profile: duplicate column {frame.columns[frame.columns.duplicated()][0]!r}")
    if names is not None:
        missing = [n for n in names if n not in frame.columns]
        if missing:
            raise ValueError(f"column {missing[0]!r} is not in the data")
        frame = frame[names]
    for c in forced:
        if c not in frame.columns:
            raise ValueError(f"categorical= names column {c!r}, which is not in the data")
    return profile_frame(frame, forced, source=type(data).__name__)


def _describe(data: Any) -> str:
    if isinstance(data, (list, tuple)):
        return ", ".join(os.fspath(x) for x in data[:3]) + (f" and {len(data) - 3} more" if len(data) > 3 else "")
    return os.fspath(data)


def _expand(item: Any) -> list[str]:
    path = os.fspath(item)
    if _glob.has_magic(path):
        # what a directory skips (_SUCCESS, .crc) a glob over it skips too
        found = sorted(f for f in _glob.glob(path, recursive=True) if not _is_hidden(os.path.basename(f)))
        if not found:
            raise FileNotFoundError(f"profile: the glob {path!r} matches no file")
        return found
    if not os.path.exists(path):
        raise FileNotFoundError(f"profile: no such file or directory: {path!r}")
    return [path]


def _is_hidden(name: str) -> bool:
    """Files and directories that are not data, as ``pyarrow.dataset`` has it: ``_SUCCESS``, ``.crc``, ``_tmp/``."""
    return name.startswith(("_", "."))


def _directory_files(path: str) -> list[str]:
    """Every file under a directory (recursively, sorted), skipping names starting with _ or .

    Any other file must be Parquet: a ``README.txt`` in a data directory is an error naming it
    (:class:`_ParquetFiles`), not silently skipped, so that no data file is ever left out unseen.
    """
    found: list[str] = []
    for root, dirs, names in os.walk(path):
        dirs[:] = sorted(d for d in dirs if not _is_hidden(d))
        found.extend(os.path.join(root, n) for n in names if not _is_hidden(n))
    return sorted(found)


def _parquet_files(data: Any) -> list[str]:
    """The Parquet files a path, directory, glob or list of them names, in order."""
    items = list(data) if isinstance(data, (list, tuple)) else [data]
    files: list[str] = []
    for item in items:
        for path in _expand(item):
            if os.path.isdir(path):
                found = _directory_files(path)
                if not found:
                    raise FileNotFoundError(f"profile: the directory {path!r} holds no Parquet file")
                files.extend(found)
            else:
                files.append(path)
    return files


class _ParquetFiles:
    """Parquet files read one at a time, a few column chunks at a time (:meth:`column_chunks`).

    Every file's schema (its footer, metadata only) is read up front, so that files that
    disagree are an error before any data is read, whatever their order: a column missing from
    some file (unless ``columns=`` leaves it out) or of another kind (numbers in one file,
    strings in another) in some file.  Compatible types (int32 / int64 / float64, string /
    large_string / dictionary, or a column of nulls in one file) are profiled together.

    Reading file by file keeps memory flat across files, where the dataset scanner's read-ahead
    grows with the data.
    """

    def __init__(self, files: list[str], label: str) -> None:
        import pyarrow.parquet as pq

        self.files = files
        self.label = label
        self.schemas = []
        for path in files:
            try:
                schema = pq.read_schema(path)
            except Exception as exc:  # pyarrow.ArrowInvalid: not a Parquet file; OSError
                raise ValueError(f"profile: cannot read {path!r} as Parquet: {exc}") from None
            dup = _duplicate(schema.names)
            if dup is not None:
                raise ValueError(f"profile: duplicate column {dup!r} in {path!r}")
            self.schemas.append(schema)
        union: dict[Any, None] = {}
        for schema in self.schemas:
            union.update(dict.fromkeys(schema.names))
        self.names = list(union)
        self.schema = self.schemas[0]

    def _holders(self, name: Any) -> list[int]:
        return [i for i, schema in enumerate(self.schemas) if name in schema.names]

    def plan(self, columns: list[Any] | None, categorical: list[Any]) -> tuple[list[Any], dict[Any, str]]:
        """The columns to read and each one's kind; ValueError naming file and column when the files disagree."""
        names = self.names if columns is None else columns
        for n in names:
            have = self._holders(n)
            if len(have) == len(self.files):
                continue
            if not have:
                raise ValueError(f"column {n!r} is not in any of the files of {self.label} (columns: "
                                 f"{', '.join(map(str, self.names))})")
            lacking = next(i for i in range(len(self.files)) if i not in have)
            if columns is None:
                raise ValueError(
                    f"profile: the Parquet files have different columns: column {n!r} is in {self.files[have[0]]!r} "
                    f"but not in {self.files[lacking]!r}; pass columns= to profile the columns they share"
                )
            raise ValueError(f"profile: column {n!r} is not in {self.files[lacking]!r} (it is in {self.files[have[0]]!r})")
        for c in categorical:
            if c not in self.names:
                raise ValueError(f"categorical= names column {c!r}, which is not in {self.label}")
        import pyarrow as pa

        kinds: dict[Any, str] = {}
        for n in names:
            seen: dict[str, int] = {}  # kind -> first file with it
            for i, schema in enumerate(self.schemas):
                typ = schema.field(n).type
                if pa.types.is_null(typ):  # a file where the column is all null says nothing of its kind
                    continue
                seen.setdefault(_arrow_kind(typ, n, n in categorical), i)
            if len(seen) > 1:
                (ka, ia), (kb, ib) = sorted(seen.items())[:2]  # the same message whatever the files' order
                ta, tb = self.schemas[ia].field(n).type, self.schemas[ib].field(n).type
                raise ValueError(
                    f"profile: column {n!r} is {ka} ({ta}) in {self.files[ia]!r} but {kb} "
                    f"({tb}) in {self.files[ib]!r}; convert the files to one type, or list the "
                    "column in categorical="
                )
            kinds[n] = next(iter(seen), "categorical")
        return list(names), kinds

    def _open(self, path: str) -> Any:
        import pyarrow.parquet as pq

        try:
            # pre_buffer=True (the default) would read every requested column chunk of the file
            # into memory before the first batch: the whole file, for all columns
            return pq.ParquetFile(path, pre_buffer=False)
        except Exception as exc:
            raise ValueError(f"profile: cannot read {path!r} as Parquet: {exc}") from None

    def batches(self, names: list[Any]) -> Iterable[Any]:
        """Record batches of all ``names`` (one row group of them decoded at a time)."""
        import pyarrow as pa

        for path in self.files:
            with self._open(path) as pf:
                try:
                    yield from pf.iter_batches(batch_size=BATCH_ROWS, columns=names)
                except (pa.ArrowException, OSError) as exc:
                    raise ValueError(f"profile: cannot read {path!r}: {exc}") from None

    def column_chunks(self, names: list[Any], width: int) -> Iterable[tuple[int, list[tuple[Any, Any]]]]:
        """``(rows, [(name, ChunkedArray), ...])``: ``width`` columns of a span of row groups at a time.

        Decoding a row group of every column at once takes about four times its decoded size in
        Arrow's memory pool (pages, decompression, builders); a few columns at a time take that
        of a few column chunks.  Consecutive small row groups are read together, up to
        :data:`BATCH_ROWS` rows.  ``rows`` is the span's row count on its first piece, else 0.
        """
        import pyarrow as pa

        for path in self.files:
            with self._open(path) as pf:
                meta = pf.metadata
                spans: list[list[int]] = []
                size = BATCH_ROWS
                for i in range(meta.num_row_groups):
                    n = meta.row_group(i).num_rows
                    if size >= BATCH_ROWS:
                        spans.append([])
                        size = 0
                    spans[-1].append(i)
                    size += n
                for span in spans:
                    span_rows = sum(meta.row_group(i).num_rows for i in span)
                    for start in range(0, len(names), width):
                        part = names[start : start + width]
                        try:
                            table = pf.read_row_groups(span, columns=part, use_threads=width > 1)
                        except (pa.ArrowException, OSError) as exc:
                            raise ValueError(f"profile: cannot read {path!r}: {exc}") from None
                        yield (span_rows if start == 0 else 0), [(n, table.column(k)) for k, n in enumerate(part)]
                        del table


def _duplicate(names: list[Any]) -> Any:
    seen: set[Any] = set()
    for n in names:
        if n in seen:
            return n
        seen.add(n)
    return None


# ----------------------------------------------------------------------------------------------
# Arrow / Parquet, streamed
# ----------------------------------------------------------------------------------------------


def _arrow_kind(typ: pa.DataType, name: Any, forced: bool) -> str:
    import pyarrow as pa

    if pa.types.is_dictionary(typ):
        typ = typ.value_type
        if not (pa.types.is_integer(typ) or pa.types.is_floating(typ)):
            return "categorical"
    if forced:
        return "categorical"
    if pa.types.is_boolean(typ):
        return "bool"
    if pa.types.is_integer(typ) or pa.types.is_floating(typ) or pa.types.is_decimal(typ):
        return "numeric"
    if pa.types.is_string(typ) or pa.types.is_large_string(typ) or getattr(pa.types, "is_string_view", lambda t: False)(typ):
        return "categorical"
    if pa.types.is_null(typ):
        return "categorical"
    raise TypeError(
        f"column {name!r} has unsupported Arrow type {typ}; convert it to numbers or strings, or list it in categorical="
    )


def _add_arrow(col: ColumnProfile, arr: Any) -> None:
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    if isinstance(arr, pa.ChunkedArray):
        for chunk in arr.chunks:
            _add_arrow(col, chunk)
        return
    if pa.types.is_dictionary(arr.type):
        arr = arr.dictionary_decode()
    if col.kind == "numeric":
        if not pa.types.is_float64(arr.type):
            arr = pc.cast(arr, pa.float64(), safe=False)
        if arr.null_count:
            arr = pc.fill_null(arr, np.nan)
        col.add_numeric(np.asarray(arr.to_numpy(zero_copy_only=False), dtype=np.float64))
        return
    if pa.types.is_floating(arr.type):  # a float column summarised as categories: NaN/inf are missing
        arr = pc.if_else(pc.is_finite(arr), arr, pa.scalar(None, arr.type))
    missing = arr.null_count
    if pa.types.is_null(arr.type):
        col.add_counts({}, len(arr), len(arr))
        return
    vc = pc.value_counts(arr)
    keys = vc.field("values").to_pylist()
    counts = vc.field("counts").to_pylist()
    col.add_counts({k: c for k, c in zip(keys, counts) if k is not None}, len(arr), missing)


def arrow_profile(data: Any, *, columns: list[Any] | None, categorical: list[Any], source: str) -> Profile:
    """Profile a Table, RecordBatch or Dataset, one record batch at a time."""
    import pyarrow as pa
    import pyarrow.dataset as ds

    if isinstance(data, _ParquetFiles):
        names, kinds = data.plan(columns, categorical)
    else:
        schema = data.schema
        dup = _duplicate(schema.names)
        if dup is not None:
            raise ValueError(f"profile: duplicate column {dup!r} in {source}")
        names = list(schema.names) if columns is None else columns
        for n in names:
            if n not in schema.names:
                raise ValueError(f"column {n!r} is not in {source} (columns: {', '.join(schema.names)})")
        for c in categorical:
            if c not in schema.names:
                raise ValueError(f"categorical= names column {c!r}, which is not in {source}")
        kinds = {n: _arrow_kind(schema.field(n).type, n, n in categorical) for n in names}
    if not names:
        raise ValueError(f"profile: {source} has no columns")
    cols = {n: ColumnProfile.empty(n, kinds[n]) for n in names}
    if isinstance(data, _ParquetFiles):
        return _parquet_profile(data, names, cols, source)
    if isinstance(data, ds.Dataset):
        batches = data.to_batches(
            columns=names, batch_size=BATCH_ROWS, batch_readahead=1, fragment_readahead=1, use_threads=True
        )
    elif isinstance(data, pa.RecordBatch):
        batches = iter([data.select(names)])
    else:
        batches = iter(data.select(names).to_batches(max_chunksize=BATCH_ROWS))
    rows = 0
    with column_map(len(names)) as each:
        try:
            for batch in batches:
                rows += batch.num_rows
                each(lambda pair: _add_arrow(*pair), [(cols[n], batch.column(i)) for i, n in enumerate(names)])
                del batch
        except pa.ArrowException as exc:  # e.g. a Dataset whose files disagree on a column's type
            raise ValueError(f"profile: cannot read {source}: {exc}") from None
    return Profile(cols, rows, source)


def _parquet_profile(data: _ParquetFiles, names: list[Any], cols: dict[Any, ColumnProfile], source: str) -> Profile:
    """Parquet files, a few column chunks at a time (see :meth:`_ParquetFiles.column_chunks`)."""
    from .drift import _threads

    rows = 0
    width = max(1, min(_threads(), len(names)))
    with column_map(len(names)) as each:
        for n_rows, pairs in data.column_chunks(names, width):
            rows += n_rows
            each(lambda pair: _add_arrow(cols[pair[0]], pair[1]), pairs)
            del pairs
    return Profile(cols, rows, source)


# ----------------------------------------------------------------------------------------------
# Spark, inside the engine
# ----------------------------------------------------------------------------------------------

_SPARK_NUMERIC = ("ByteType", "ShortType", "IntegerType", "LongType", "FloatType", "DoubleType", "DecimalType")
_SPARK_INTEGRAL = ("ByteType", "ShortType", "IntegerType", "LongType")
#: var_pop of values near 1e160 overflows: Spark also computes it of x * 2**-_SPARK_DOWN.
_SPARK_DOWN = 600


def _spark_kind(dtype: Any, name: Any, forced: bool) -> str:
    t = type(dtype).__name__
    if forced:
        return "categorical"
    if t == "BooleanType":
        return "bool"
    if t in _SPARK_NUMERIC:
        return "numeric"
    if t in ("StringType", "VarcharType", "CharType", "NullType"):
        return "categorical"
    raise TypeError(f"column {name!r} has unsupported Spark type {dtype.simpleString()}; cast it to a number or string")


def spark_profile(df: Any, *, columns: list[Any] | None = None, categorical: Iterable[Any] = ()) -> Profile:
    """Profile a Spark DataFrame inside Spark; only the profile (kilobytes) reaches the driver.

    * One aggregation over the data (:func:`_spark_scan`): the row count and, per numeric column,
      ``avg``, ``var_pop`` and the KLL sketch (``kll_sketch_agg_double`` with ``k = SKETCH_K``, the
      sketch DataSketches builds in Python) of its finite values.  The sketch holds the exact count,
      minimum and maximum, so those need no aggregate of their own.  The finite-value expression is
      projected once per column before the aggregation.
    * Only for a column whose mean or variance overflowed (values near 1e160): a follow-up
      aggregation of ``x * 2**-_SPARK_DOWN`` for those columns alone.
    * Which numeric columns get exact value counts is read off the sketch on the driver: a sketch
      not in estimation mode holds every value (its items are the counts); one whose retained items
      have more than ``DISTINCT_CAP`` distinct values proves the column has more; any other is a
      candidate, counted by the grouped count below, which keeps ``DISTINCT_CAP`` values per
      column and sums the rest into an "over" entry (rare extra values the sketch missed still
      make the column ``values=None``).
    * Category counts (categorical and bool columns and the numeric candidates) come from one
      grouped count over all those columns at once (:func:`_spark_counts`), capped inside Spark
      (``CATEGORY_CAP`` categories per column, the rest summed into the "other" bucket).  It runs
      only when some column needs counting.

    The grouped count is a second scan: folding it into the first one was tried and is slower
    (1,000,000 rows x 50 numeric + 10 string columns, ``local[2]``; the aggregation above takes
    ~17 s and the grouped count ~4.6 s).  Expanding each row into one row carrying the numeric
    columns plus one per string column and grouping by (column, value) gives every group the
    aggregation buffers of all 150 numeric aggregates (an empty KLL sketch allocates its k-item
    array, ~8 KB, so ~400 KB per group): 35 s for 200 groups, and a column of 1,000,000 distinct
    strings means 1,000,000 groups.  The long form instead (one row per cell, grouped by
    (column, value), four aggregates) is 40 s, and 53 s with one such 1,000,000-distinct column;
    the data is not cached or persisted.  Numeric value counts need a second pass in any case:
    which columns have few values is known only from the sketches.
    """
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    forced = set(categorical)
    fields = {f.name: f for f in df.schema.fields}
    names = list(fields) if columns is None else list(columns)
    for n in names:
        if n not in fields:
            raise ValueError(f"column {n!r} is not in the Spark DataFrame (columns: {', '.join(fields)})")
    for c in forced:
        if c not in fields:
            raise ValueError(f"categorical= names column {c!r}, which is not in the Spark DataFrame")
    kinds = {n: _spark_kind(fields[n].dataType, n, n in forced) for n in names}
    if not hasattr(F, "kll_sketch_agg_double"):
        return _spark_profile_partitions(df, names, kinds)
    from datasketches import kll_doubles_sketch

    numeric = [i for i, n in enumerate(names) if kinds[n] == "numeric"]
    finite = df.select(*[_spark_finite(F, names[i]).alias(f"x{i}") for i in numeric]) if numeric else df
    exprs = [F.count(F.lit(1)).alias("__rows")]
    for i in numeric:
        x = F.col(f"x{i}")
        exprs += [F.avg(x).alias(f"mean{i}"), F.var_pop(x).alias(f"var{i}"),
                  F.kll_sketch_agg_double(x, F.lit(SKETCH_K)).alias(f"kll{i}")]
    row = finite.agg(*exprs).collect()[0]
    rows = int(row["__rows"])

    cols: dict[Any, ColumnProfile] = {}
    sketches = {}
    for i in numeric:
        raw = row[f"kll{i}"]
        sketches[i] = kll_doubles_sketch.deserialize(bytes(raw)) if raw is not None else kll_doubles_sketch(SKETCH_K)
    overflow = [i for i in numeric if sketches[i].n and not _finite_moments(row[f"mean{i}"], row[f"var{i}"])]
    scaled: dict[int, tuple[float, float]] = {}
    if overflow:
        down = F.lit(2.0**-_SPARK_DOWN)
        again = finite.agg(*[e for i in overflow for e in (F.avg(F.col(f"x{i}") * down).alias(f"mean{i}"),
                                                            F.var_pop(F.col(f"x{i}") * down).alias(f"var{i}"))]).collect()[0]
        scaled = {i: (float(again[f"mean{i}"]), float(again[f"var{i}"])) for i in overflow}

    counted: list[int] = []
    for i, n in enumerate(names):
        if kinds[n] != "numeric":
            cols[n] = ColumnProfile(n, kinds[n], rows, rows)  # missing: rows less the counted values
            counted.append(i)
            continue
        sk = sketches[i]
        nf = int(sk.n)
        col = ColumnProfile(n, "numeric", rows, rows - nf, sketch=sk)
        if nf == 0:
            col.moments, col.values = Moments(), {}
        else:
            lo, hi = float(sk.get_min_value()), float(sk.get_max_value())
            if i in scaled:
                mean, var = scaled[i]
                col.moments = Moments(nf, mean, var * nf, lo, hi, 2.0**_SPARK_DOWN)
            else:
                col.moments = Moments(nf, float(row[f"mean{i}"]), float(row[f"var{i}"]) * nf, lo, hi, 1.0)
            col.values = _sketch_values(sk)
            if col.values is _CANDIDATE:
                col.values = None
                counted.append(i)
        cols[n] = col
    if counted:
        _spark_counts(df, names, kinds, fields, counted, cols, F, Window)
    return Profile(cols, rows, "Spark DataFrame")


#: :func:`_sketch_values`' answer for a column the sketch cannot decide.
_CANDIDATE: dict[float, int] = {}


def _sketch_values(sk: Any) -> dict[float, int] | None:
    """Exact value counts from a KLL sketch, None when it proves more than DISTINCT_CAP values,
    :data:`_CANDIDATE` when only an exact count can tell."""
    if not sk.is_estimation_mode():  # every value retained, each with weight 1
        values: dict[float, int] = {}
        for v, w in sk:
            values[v] = values.get(v, 0) + int(w)
        return values if len(values) <= DISTINCT_CAP else None
    seen: set[float] = set()
    for v, _ in sk:
        seen.add(v)
        if len(seen) > DISTINCT_CAP:
            return None
    return _CANDIDATE


def _finite_moments(mean: Any, var: Any) -> bool:
    import math

    return mean is not None and var is not None and math.isfinite(mean) and math.isfinite(var)


def _spark_finite(F: Any, name: Any, value: Any = None) -> Any:
    """The column as a double where finite, else null (``value`` instead of the double, when given)."""
    x = F.col(f"`{name}`").cast("double")
    return F.when(~F.isnan(x) & (F.abs(x) != F.lit(float("inf"))), x if value is None else value)


def _spark_counts(df: Any, names: list[Any], kinds: dict[Any, str], fields: dict[str, Any], counted: list[int],
                  cols: dict[Any, ColumnProfile], F: Any, Window: Any) -> None:
    """Exact value counts of the ``counted`` columns, in one grouped count, capped inside Spark.

    A numeric column keeps at most DISTINCT_CAP values, a categorical one CATEGORY_CAP; the rest
    of each column is one entry with a null key (its rows and number of values).
    """
    parts = []
    for i in counted:
        n = names[i]
        c = F.col(f"`{n}`")
        if kinds[n] == "numeric":
            x = _spark_finite(F, n)
            v = F.when(x == F.lit(0.0), F.lit(0.0)).otherwise(x).cast("string")  # -0.0 is 0.0, as in numpy
        elif type(fields[n].dataType).__name__ in ("FloatType", "DoubleType"):
            v = _spark_finite(F, n, c).cast("string")
        else:
            v = c.cast("string")
        parts.append(F.struct(F.lit(i).alias("ci"), v.alias("v")))
    exploded = df.select(F.explode(F.array(*parts)).alias("p")).select("p.ci", "p.v").where(F.col("v").isNotNull())
    counts = exploded.groupBy("ci", "v").count()
    rank = F.row_number().over(Window.partitionBy("ci").orderBy(F.col("count").desc(), F.col("v")))
    numeric = [i for i in counted if kinds[names[i]] == "numeric"]
    cap = F.when(F.col("ci").isin(numeric), F.lit(DISTINCT_CAP)).otherwise(F.lit(CATEGORY_CAP)) if numeric else F.lit(CATEGORY_CAP)
    capped = (
        counts.withColumn("r", rank)
        .withColumn("key", F.when(F.col("r") <= cap, F.col("v")))
        .groupBy("ci", "key")
        .agg(F.sum("count").alias("count"), F.count(F.lit(1)).alias("k"))
    )
    per: dict[int, list[tuple[Any, int, int]]] = {i: [] for i in counted}
    for r in capped.collect():
        per[int(r["ci"])].append((r["key"], int(r["count"]), int(r["k"])))
    for i, entries in per.items():
        n = names[i]
        col = cols[n]
        t = type(fields[n].dataType).__name__
        if kinds[n] == "numeric":
            values: dict[float, int] = {}
            for k, c, _ in entries:
                if k is not None:
                    values[float(k)] = values.get(float(k), 0) + c
            over = any(k is None for k, _, _ in entries)
            col.values = values if not over and len(values) <= DISTINCT_CAP else None
            continue
        for key, count, k in entries:
            col.missing -= count
            if key is None:
                col.other_rows += count
                col.other_categories += k
            else:
                col.categories[_spark_value(key, t)] = count


def _spark_value(key: str, t: str) -> Any:
    if t == "BooleanType":
        return key == "true"
    if t in _SPARK_INTEGRAL:
        return int(key)
    if t in ("FloatType", "DoubleType", "DecimalType"):
        f = float(key)
        return int(f) if f.is_integer() and abs(f) < 2**53 else f
    return key


def _spark_profile_partitions(df: Any, names: list[Any], kinds: dict[Any, str]) -> Profile:
    """Spark without ``kll_sketch_agg_double`` (before 4.1): each partition profiles its rows with
    DataSketches on the executor (``mapInArrow``), and the partial profiles are merged on the
    executors with ``treeReduce``; only the final profile reaches the driver."""
    import json

    forced = [n for n in names if kinds[n] == "categorical"]

    def per_partition(batches: Iterable[Any]) -> Iterable[Any]:
        import pyarrow as pa

        acc: Any = None
        for batch in batches:
            p = arrow_profile(pa.Table.from_batches([batch]), columns=names, categorical=forced, source="Spark DataFrame")
            acc = p if acc is None else acc.merge(p)
        if acc is not None:
            yield pa.RecordBatch.from_pydict({"p": [json.dumps(acc.to_json())]})

    def merge(a: str, b: str) -> str:
        from .profile import Profile as P

        return json.dumps(P.from_json(json.loads(a)).merge(P.from_json(json.loads(b))).to_json())

    parts = df.select(*[f"`{n}`" for n in names]).mapInArrow(per_partition, "p string").rdd.map(lambda r: r.p)
    if parts.isEmpty():
        raise ValueError("profile: the Spark DataFrame has no rows")
    return Profile.from_json(json.loads(parts.treeReduce(merge, depth=3)), "Spark partial profiles")
