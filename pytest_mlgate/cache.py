"""The model cache behind ``mlgate_cache``: cache keys, fingerprints, entries on disk and locking.

A trained model is stored once per key, the key being a digest of everything that decides what
``train(*args, **params)`` returns: the training function's code (and the code of the functions
and classes of the user's project it uses), every argument (data fingerprinted by content with
:func:`joblib.hash`), and the versions of Python and the ML libraries. Any change is another key,
so the model retrains.

An entry is one file: a fixed-size first line (format, SHA-256 checksum, sizes), a JSON line of
metadata, then the :func:`joblib.dump` pickle. It is written to a temporary file and renamed into
place, so readers see a whole entry or none; one whose checksum does not match is refused. Training
a key happens under an exclusive lock on that key, so concurrent processes (pytest-xdist workers,
parallel CI jobs) train it once and the others load it.

Loading an entry unpickles it, and unpickling runs code: load only a cache this project wrote.

No pytest here: the plugin layer (:mod:`pytest_mlgate.cacheplugin`) builds a :class:`ModelCache`.
joblib (a scikit-learn dependency) is imported when a key is first computed.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import pickle
import re
import site
import sys
import sysconfig
import tempfile
import time
import types
import warnings
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass
from importlib import metadata
from pathlib import Path
from typing import IO, Any, final

from .gates import MlgateWarning

try:  # POSIX advisory locks; Windows locks a byte of the lock file instead
    import fcntl
except ImportError:  # pragma: no cover - exercised only on Windows
    fcntl = None  # type: ignore[assignment]

#: Entry file format; a change makes every key new (old entries are never read).
FORMAT = 1

#: ``rw``: load and store; ``read``: load, never store; ``off``: neither (stored entries stay).
MODES = ("rw", "read", "off")

#: Distributions whose versions are part of every key, when installed: the libraries that
#: decide what training returns and how a stored model unpickles.
ML_DISTRIBUTIONS = (
    "numpy", "scipy", "pandas", "scikit-learn", "joblib", "threadpoolctl", "pyarrow", "polars",
    "xgboost", "lightgbm", "catboost", "statsmodels", "imbalanced-learn", "category-encoders",
    "torch", "tensorflow", "keras", "jax", "jaxlib", "skorch", "sktime", "prophet", "scikit-image",
    "numba", "cloudpickle",
)

ENTRY_SUFFIX = ".mlgate-model"
_MAGIC = b"MLGATE-MODEL"
# b"MLGATE-MODEL 1 <sha256: 64 hex> <meta bytes: 10 digits> <payload bytes: 16 digits>\n"
_HEAD_LEN = len(_MAGIC) + 1 + 1 + 1 + 64 + 1 + 10 + 1 + 16 + 1
_CHUNK = 1 << 22


@dataclass(frozen=True)
class ModelUse:
    """One ``mlgate_cache.model`` call: where the model came from and what it cost or saved."""

    name: str
    key: str
    source: str  # "cache" or "trained"
    seconds: float  # wall time of the call: fingerprinting plus loading, or plus training
    saved_seconds: float  # training time the cache saved (0 when trained)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class CorruptEntry(Exception):
    """A stored entry that cannot be trusted: bad header, checksum mismatch, or it does not unpickle."""


def environment() -> dict[str, Any]:
    """What a stored model depends on besides code and data: Python and the ML library versions."""
    packages = {}
    for name in ML_DISTRIBUTIONS:
        try:
            packages[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return {
        "python": sys.version,
        "implementation": sys.implementation.name,
        "platform": sys.platform,
        "byteorder": sys.byteorder,
        "packages": packages,
    }


# ---------------------------------------------------------------------------------- fingerprints
def _qualname(obj: Any) -> str:
    module = getattr(obj, "__module__", None) or "?"
    return f"{module}.{getattr(obj, '__qualname__', getattr(obj, '__name__', type(obj).__qualname__))}"


def _library_roots() -> tuple[str, ...]:
    roots = set()
    for key in ("stdlib", "platstdlib", "purelib", "platlib"):
        path = sysconfig.get_paths().get(key)
        if path:
            roots.add(os.path.realpath(path))
    try:
        roots.update(os.path.realpath(p) for p in site.getsitepackages())
    except AttributeError:  # pragma: no cover - old virtualenv's site module
        pass
    user = getattr(site, "getusersitepackages", lambda: None)()
    if user:
        roots.add(os.path.realpath(user))
    return tuple(sorted(roots))


class Fingerprinter:
    """Digests of code and values that are stable across processes and runs.

    Code of the user's project (a file under ``project_root`` that is not in an installed
    library, or code without a file, e.g. a notebook cell) is fingerprinted by its bytecode,
    constants and names, and the project functions and classes it refers to are followed, so an
    edited helper changes the digest; line numbers and comments do not. Library code is named
    only: its version is in the key.
    """

    def __init__(self, project_root: str | os.PathLike[str] | None = None) -> None:
        self.project_root = os.path.realpath(project_root) if project_root is not None else None
        self._libraries = _library_roots()

    # ------------------------------------------------------------------ what is project code
    def is_project(self, obj: Any) -> bool:
        """Is ``obj`` (a function, class or module) part of the user's project?"""
        filename: str | None
        if isinstance(obj, types.FunctionType):
            filename = obj.__code__.co_filename
            if filename.startswith("<"):  # exec'd code, a notebook cell, a lambda typed at a prompt
                return True
        elif isinstance(obj, types.ModuleType):
            filename = getattr(obj, "__file__", None)
        else:
            module = sys.modules.get(getattr(obj, "__module__", None) or "")
            filename = getattr(module, "__file__", None)
        if not filename:
            return False
        path = os.path.realpath(filename)
        if any(_within(path, root) for root in self._libraries):
            return False
        if f"{os.sep}site-packages{os.sep}" in path or f"{os.sep}dist-packages{os.sep}" in path:
            return False
        return self.project_root is None or _within(path, self.project_root)

    # ------------------------------------------------------------------ code
    def code(self, func: Callable[..., Any]) -> str:
        """A digest of ``func``'s code and of the project code it uses."""
        graph = _Graph()
        root = self._ref(func, graph, label="train")
        return _digest(repr((root, sorted(graph.nodes.items()))))

    def _ref(self, obj: Any, graph: _Graph, *, label: str) -> Any:
        """How ``obj`` appears in a digest; project functions and classes are added to ``graph``."""
        if isinstance(obj, (types.FunctionType, type)) and self.is_project(obj):
            name, new = graph.name(obj)
            if new:
                graph.nodes[name] = (self._function(obj, graph) if isinstance(obj, types.FunctionType)
                                     else self._class(obj, graph))
            return ("project", name)
        if isinstance(obj, functools.partial):
            return ("partial", self._ref(obj.func, graph, label=label),
                    tuple(self._value(a, graph, label=label) for a in obj.args),
                    tuple(sorted((k, self._value(v, graph, label=label)) for k, v in obj.keywords.items())))
        if isinstance(obj, types.MethodType):
            return ("method", self._ref(obj.__func__, graph, label=label),
                    self._value(obj.__self__, graph, label=label))
        if isinstance(obj, types.ModuleType):
            return ("module", obj.__name__)
        if isinstance(obj, (types.FunctionType, type, types.BuiltinFunctionType, types.MethodWrapperType,
                            types.WrapperDescriptorType, types.MethodDescriptorType)):
            return ("library", _qualname(obj))
        wrapped = getattr(obj, "__wrapped__", None)  # functools.wraps, lru_cache: the project function inside
        if isinstance(wrapped, types.FunctionType) and self.is_project(wrapped):
            return ("wrapped", _qualname(type(obj)), self._ref(wrapped, graph, label=label))
        if callable(obj) and self.is_project(type(obj)):  # an instance of a project class with __call__
            return ("instance", self._ref(type(obj), graph, label=label), _data_digest(obj, label))
        return self._value(obj, graph, label=label)

    def _function(self, func: types.FunctionType, graph: _Graph) -> tuple[Any, ...]:
        code = func.__code__
        names = _all_names(code)
        env: list[tuple[str, Any]] = []
        for name in sorted(names):
            if name not in func.__globals__:
                continue  # a builtin, an attribute name, or a global not defined yet
            value = func.__globals__[name]
            env.append((name, self._global(value, names, graph)))
        closure = tuple(
            (var, self._global(cell.cell_contents, names, graph) if _cell_full(cell) else "<empty>")
            for var, cell in zip(code.co_freevars, func.__closure__ or ())
        )
        defaults = tuple(self._global(v, names, graph) for v in func.__defaults__ or ())
        kwdefaults = tuple(sorted((k, self._global(v, names, graph))
                                  for k, v in (func.__kwdefaults__ or {}).items()))
        return ("function", _code_shape(code), tuple(env), closure, defaults, kwdefaults)

    def _class(self, cls: type, graph: _Graph) -> tuple[Any, ...]:
        bases = tuple(self._ref(b, graph, label="a base class") for b in cls.__bases__)
        body: list[tuple[str, Any]] = []
        for name, attr in sorted(vars(cls).items()):
            if name in ("__dict__", "__weakref__", "__module__", "__qualname__", "__doc__"):
                continue
            raw = attr.__func__ if isinstance(attr, (staticmethod, classmethod)) else attr
            if isinstance(raw, property):
                body.append((name, tuple(self._ref(f, graph, label=name) for f in (raw.fget, raw.fset, raw.fdel)
                                         if f is not None)))
            elif isinstance(raw, (types.FunctionType, type)):
                body.append((name, self._ref(raw, graph, label=name)))
            elif _is_simple(raw):
                body.append((name, _simple(raw)))
            else:
                body.append((name, type(raw).__qualname__))
        return ("class", cls.__qualname__, bases, tuple(body))

    def _global(self, value: Any, names: set[str], graph: _Graph) -> Any:
        """A global, closure or default value a project function uses; never raises.

        What cannot be fingerprinted (a lock, an open file) counts by its type only.
        """
        try:
            if isinstance(value, types.ModuleType):
                return self._module(value, names, graph)
            if callable(value) or isinstance(value, type):
                return self._ref(value, graph, label="a global")
            return self._value(value, graph, label="a global")
        except TypeError:
            return ("object", _qualname(type(value)))

    def _module(self, module: types.ModuleType, names: set[str], graph: _Graph) -> Any:
        """A module; for a project module (``helpers.featurize(...)``) also the attributes the code names."""
        if not self.is_project(module):
            return ("module", module.__name__)
        name, new = graph.name(module)
        if new:
            members = vars(module)
            graph.nodes[name] = tuple(
                (attr, self._global(members[attr], names, graph))
                for attr in sorted(names)
                if attr in members and isinstance(members[attr], (types.FunctionType, type, types.ModuleType))
            )
        return ("module", name)

    def _value(self, value: Any, graph: _Graph, *, label: str) -> Any:
        if _is_simple(value):
            return _simple(value)
        if isinstance(value, (types.FunctionType, functools.partial, types.MethodType, type)):
            return self._ref(value, graph, label=label)
        return ("data", _data_digest(value, label))

    # ------------------------------------------------------------------ values
    def value(self, value: Any, label: str) -> str:
        """A digest of one argument: code for functions, content for data (TypeError if it has none)."""
        graph = _Graph()
        if isinstance(value, (types.FunctionType, functools.partial, types.MethodType, type)):
            return _digest(repr((self._ref(value, graph, label=label), sorted(graph.nodes.items()))))
        if _is_simple(value):
            return _digest(repr(_simple(value)))
        return _data_digest(value, label)


class _Graph:
    """The project functions and classes one digest covers, named in the (deterministic) order found."""

    def __init__(self) -> None:
        self.nodes: dict[str, Any] = {}
        self._names: dict[int, str] = {}
        self._alive: list[Any] = []  # keeps ids unique while the walk runs

    def name(self, obj: Any) -> tuple[str, bool]:
        """``obj``'s name in the digest, and whether it is new (its description still to be added)."""
        known = self._names.get(id(obj))
        if known is not None:
            return known, False
        base = _qualname(obj)
        name = base
        count = 1
        while name in self.nodes:  # two closures made by one factory share a qualname
            count += 1
            name = f"{base}#{count}"
        self._names[id(obj)] = name
        self._alive.append(obj)
        self.nodes[name] = None  # placeholder: breaks cycles (recursion, mutual calls)
        return name, True


def _within(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def _cell_full(cell: types.CellType) -> bool:
    try:
        cell.cell_contents  # noqa: B018
    except ValueError:
        return False
    return True


def _all_names(code: types.CodeType) -> set[str]:
    names = set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            names |= _all_names(const)
    return names


def _code_shape(code: types.CodeType) -> tuple[Any, ...]:
    """The parts of a code object that decide what it does (no line numbers, no file name)."""
    consts = tuple(_code_shape(c) if isinstance(c, types.CodeType) else _simple(c) for c in code.co_consts)
    return (code.co_name, code.co_code, consts, code.co_names, code.co_varnames, code.co_freevars,
            code.co_cellvars, code.co_argcount, code.co_posonlyargcount, code.co_kwonlyargcount, code.co_flags)


_SIMPLE = (type(None), bool, int, float, complex, str, bytes, type(Ellipsis))


def _is_simple(value: Any) -> bool:
    if isinstance(value, _SIMPLE):
        return True
    if isinstance(value, (tuple, frozenset)) and type(value) in (tuple, frozenset):
        return all(_is_simple(v) for v in value)
    return False


def _simple(value: Any) -> Any:
    """A canonical form of a constant: sets sorted, so string hash randomisation does not show."""
    if isinstance(value, frozenset):
        return ("frozenset", tuple(sorted(repr(_simple(v)) for v in value)))
    if isinstance(value, tuple):
        return tuple(_simple(v) for v in value)
    if isinstance(value, float) and value != value:
        return "nan"
    return (type(value).__name__, repr(value))


def _data_digest(value: Any, label: str) -> str:
    """Content digest of data with :func:`joblib.hash` (arrays and frames hashed from their buffers)."""
    import joblib

    try:
        digest = joblib.hash(value, hash_name="sha1")
    except Exception as exc:  # pickling fails in many ways: TypeError, PicklingError, AttributeError...
        raise TypeError(
            f"{label} ({type(value).__qualname__}) cannot be fingerprinted for the cache key: "
            f"{type(exc).__name__}: {exc}"
        ) from exc
    if digest is None:  # pragma: no cover - joblib returns None only for unknown hash names
        raise TypeError(f"{label} ({type(value).__qualname__}) cannot be fingerprinted for the cache key")
    return str(digest)


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


# ---------------------------------------------------------------------------------- entries on disk
class _HashingWriter:
    """A binary file wrapper that hashes what is written through it (joblib.dump needs write and tell)."""

    def __init__(self, fh: IO[bytes], digest: Any) -> None:
        self._fh = fh
        self._digest = digest
        self.size = 0

    def write(self, data: Any) -> int:
        view = memoryview(data).cast("B")
        self._digest.update(view)
        self.size += view.nbytes
        self._fh.write(view)
        return view.nbytes

    def tell(self) -> int:
        return self._fh.tell()

    def flush(self) -> None:
        self._fh.flush()


def write_entry(path: Path, value: Any, meta: dict[str, Any]) -> None:
    """Store ``value`` at ``path`` atomically: header, metadata and joblib pickle, checksummed.

    TypeError when ``value`` cannot be pickled (the temporary file is removed); OSError when
    the file cannot be written.
    """
    import joblib

    meta_bytes = json.dumps(meta, sort_keys=True).encode() + b"\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; a shared CI cache wants the usual mode
        with os.fdopen(fd, "w+b") as fh:
            fh.write(b"\0" * _HEAD_LEN)
            digest = hashlib.sha256(meta_bytes)
            fh.write(meta_bytes)
            writer = _HashingWriter(fh, digest)
            try:
                joblib.dump(value, writer)
            except (pickle.PicklingError, TypeError, AttributeError, RecursionError) as exc:
                raise TypeError(f"{type(exc).__name__}: {exc}") from exc
            fh.seek(0)
            fh.write(_head(digest.hexdigest(), len(meta_bytes), writer.size))
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    _fsync_dir(path.parent)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _head(checksum: str, meta_size: int, payload_size: int) -> bytes:
    head = b"%s %d %s %010d %016d\n" % (_MAGIC, FORMAT, checksum.encode(), meta_size, payload_size)
    assert len(head) == _HEAD_LEN
    return head


def read_entry(path: Path) -> tuple[dict[str, Any], Any]:
    """``(metadata, value)`` of the entry at ``path``.

    FileNotFoundError when there is none; :class:`CorruptEntry` (with the reason) when the
    header is malformed, the checksum or the size does not match, or the pickle does not load.
    """
    import joblib

    with open(path, "rb") as fh:
        head = fh.read(_HEAD_LEN)
        match = re.fullmatch(rb"MLGATE-MODEL (\d+) ([0-9a-f]{64}) (\d{10}) (\d{16})\n", head)
        if match is None:
            raise CorruptEntry("not a pytest-mlgate cache entry (bad header)")
        if int(match[1]) != FORMAT:
            raise CorruptEntry(f"entry format {int(match[1])}, this pytest-mlgate reads {FORMAT}")
        meta_size, payload_size = int(match[3]), int(match[4])
        meta_bytes = fh.read(meta_size)
        digest = hashlib.sha256(meta_bytes)
        read = 0
        while True:
            chunk = fh.read(_CHUNK)
            if not chunk:
                break
            read += len(chunk)
            digest.update(chunk)
        if len(meta_bytes) != meta_size or read != payload_size:
            raise CorruptEntry(f"truncated or extended: {meta_size + payload_size} bytes expected after the "
                               f"header, found {len(meta_bytes) + read}")
        if digest.hexdigest() != match[2].decode():
            raise CorruptEntry("checksum mismatch")
        try:
            meta = json.loads(meta_bytes)
        except ValueError as exc:
            raise CorruptEntry(f"metadata is not JSON: {exc}") from exc
        fh.seek(_HEAD_LEN + meta_size)
        try:
            value = joblib.load(fh)
        except Exception as exc:  # the checksum held, but the pickle refers to code that changed or went
            raise CorruptEntry(f"does not unpickle: {type(exc).__name__}: {exc}") from exc
    return meta, value


def _fsync_dir(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:  # Windows cannot open a directory
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


@contextmanager
def exclusive_lock(path: Path) -> Iterator[None]:
    """Hold an exclusive advisory lock on ``path`` (created if missing) for the ``with`` block.

    Other processes that ask for it wait; the kernel releases it if this process dies.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o666)
    try:
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX)
        else:  # pragma: no cover - Windows
            import msvcrt

            while True:
                try:
                    msvcrt.locking(fd, msvcrt.LK_LOCK, 1)
                    break
                except OSError:
                    continue
        yield
    finally:
        os.close(fd)  # closing releases the lock


# ---------------------------------------------------------------------------------- the cache
_NAME = re.compile(r"[^A-Za-z0-9_.-]+")


@final
class ModelCache:
    """Train once, load afterwards: what the ``mlgate_cache`` fixture returns.

    ``directory`` holds the entries; ``mode`` is one of :data:`MODES`; ``project_root`` bounds
    the code that is fingerprinted (functions in files under it); ``on_use`` is called with a
    :class:`ModelUse` after every :meth:`model` call.
    """

    def __init__(
        self,
        directory: str | os.PathLike[str],
        *,
        mode: str = "rw",
        project_root: str | os.PathLike[str] | None = None,
        on_use: Callable[[ModelUse], None] | None = None,
    ) -> None:
        if mode not in MODES:
            raise ValueError(f"mode={mode!r}: expected one of {', '.join(MODES)}")
        self.directory = Path(directory)
        self.mode = mode
        self._fingerprinter = Fingerprinter(project_root)
        self._on_use = on_use
        self._environment: dict[str, Any] | None = None

    def __repr__(self) -> str:
        return f"<mlgate_cache {self.mode} {self.directory}>"

    @property
    def environment(self) -> dict[str, Any]:
        """Python and ML library versions, part of every key (computed once)."""
        if self._environment is None:
            self._environment = environment()
        return self._environment

    # ------------------------------------------------------------------ keys
    def key(self, name: str, train: Callable[..., Any], /, *args: Any, **params: Any) -> str:
        """The cache key of ``model(name, train, *args, **params)``, without training or loading."""
        _check_call(name, train)
        where = f"mlgate_cache.model({name!r}, {_callable_name(train)})"
        fp = self._fingerprinter
        try:
            code = fp.code(train)
        except TypeError as exc:
            raise TypeError(f"{where}: train: {exc}") from None
        arguments = [fp.value(a, f"{where}: argument {i} of train") for i, a in enumerate(args)]
        keywords = {k: fp.value(v, f"{where}: parameter {k}=") for k, v in params.items()}
        document = {"format": FORMAT, "name": name, "train": code, "args": arguments, "params": keywords,
                    "environment": self.environment}
        return _digest(json.dumps(document, sort_keys=True))

    def path(self, name: str, key: str) -> Path:
        """Where the entry of ``key`` is stored (the name is in the file name only to be readable)."""
        slug = _NAME.sub("_", name).strip("._")[:40] or "model"
        return self.directory / f"{slug}-{key[:32]}{ENTRY_SUFFIX}"

    # ------------------------------------------------------------------ the call
    def model(self, name: str, train: Callable[..., Any], /, *args: Any, **params: Any) -> Any:
        """``train(*args, **params)``, from the cache when this key was stored, else trained (and stored)."""
        start = time.perf_counter()
        key = self.key(name, train, *args, **params)
        path = self.path(name, key)
        if self.mode == "off":
            value = train(*args, **params)
            self._used(name, key, "trained", start, 0.0)
            return value
        found = self._load(path, name, key, warn=self.mode == "read")
        if found is not None:
            return self._loaded(name, key, start, found)
        if self.mode == "read":
            value = train(*args, **params)
            self._used(name, key, "trained", start, 0.0)
            return value
        with ExitStack() as stack:
            try:
                self._ensure_directory()
                stack.enter_context(exclusive_lock(self.directory / "locks" / f"{key[:32]}.lock"))
            except OSError as exc:  # an unusable cache directory costs the cache, not the test
                warnings.warn(MlgateWarning(
                    f"mlgate_cache: cannot use the cache directory {self.directory} ({exc}); "
                    f"model {name!r} trains without being stored"
                ), stacklevel=3)
                value = train(*args, **params)
                self._used(name, key, "trained", start, 0.0)
                return value
            found = self._load(path, name, key, warn=True)  # another process may have stored it meanwhile
            if found is not None:
                return self._loaded(name, key, start, found)
            began = time.perf_counter()
            value = train(*args, **params)
            trained = time.perf_counter() - began
            self._store(path, name, key, train, value, trained)
        self._used(name, key, "trained", start, 0.0)
        return value

    def _load(self, path: Path, name: str, key: str, *, warn: bool) -> tuple[dict[str, Any], Any] | None:
        try:
            meta, value = read_entry(path)
            if meta.get("key") != key:
                raise CorruptEntry(f"holds key {str(meta.get('key'))[:12]}, not {key[:12]}")
        except FileNotFoundError:
            return None
        except (CorruptEntry, OSError) as exc:
            if warn:
                warnings.warn(MlgateWarning(
                    f"mlgate_cache: refused the stored entry of model {name!r} ({path}): {exc}; retraining"
                ), stacklevel=4)
            return None
        return meta, value

    def _loaded(self, name: str, key: str, start: float, found: tuple[dict[str, Any], Any]) -> Any:
        meta, value = found
        seconds = time.perf_counter() - start
        trained = meta.get("train_seconds")
        saved = max(0.0, float(trained) - seconds) if isinstance(trained, (int, float)) else 0.0
        self._used(name, key, "cache", start, saved, seconds=seconds)
        return value

    def _store(self, path: Path, name: str, key: str, train: Callable[..., Any], value: Any, seconds: float) -> None:
        meta = {"name": name, "key": key, "train": _callable_name(train), "train_seconds": seconds,
                "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "environment": self.environment}
        try:
            write_entry(path, value, meta)
        except TypeError as exc:
            raise TypeError(
                f"mlgate_cache.model({name!r}, {_callable_name(train)}): the model train returned "
                f"({type(value).__qualname__}) cannot be pickled, so it cannot be cached: {exc}"
            ) from None
        except OSError as exc:  # a full or read-only disk costs a retrain next time, not this test
            warnings.warn(MlgateWarning(f"mlgate_cache: could not store model {name!r} in {path}: {exc}"),
                          stacklevel=4)

    def _ensure_directory(self) -> None:
        if self.directory.is_dir():
            return
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
        except FileExistsError:  # a file of that name: the lock and the write report it
            return
        ignore = self.directory / ".gitignore"
        if not ignore.exists():  # pickles do not belong in version control
            ignore.write_text("# created by pytest-mlgate: trained models, not for version control\n*\n")

    def _used(
        self, name: str, key: str, source: str, start: float, saved: float, *, seconds: float | None = None
    ) -> None:
        if self._on_use is not None:
            elapsed = time.perf_counter() - start if seconds is None else seconds
            self._on_use(ModelUse(name=name, key=key, source=source, seconds=elapsed, saved_seconds=saved))

    # ------------------------------------------------------------------ maintenance
    def entries(self) -> list[Path]:
        """The stored entry files, sorted."""
        if not self.directory.is_dir():
            return []
        return sorted(self.directory.glob(f"*{ENTRY_SUFFIX}"))

    def clear(self) -> int:
        """Remove every stored entry (and leftover temporary files); return how many entries went."""
        removed = 0
        for path in self.entries():
            try:
                path.unlink()
                removed += 1
            except FileNotFoundError:
                continue
        if self.directory.is_dir():
            for tmp in self.directory.glob(f".*{ENTRY_SUFFIX}.*.tmp"):
                try:
                    tmp.unlink()
                except FileNotFoundError:
                    continue
        return removed


def _check_call(name: Any, train: Any) -> None:
    if not isinstance(name, str) or not name.strip():
        raise TypeError(f"mlgate_cache.model: name must be a non-empty string, got {name!r}")
    if not callable(train):
        raise TypeError(
            f"mlgate_cache.model({name!r}, train): train must be callable (the function that trains the "
            f"model), got {type(train).__qualname__} {train!r:.60}"
        )


def _callable_name(func: Any) -> str:
    if isinstance(func, functools.partial):
        return f"partial({_callable_name(func.func)})"
    name = getattr(func, "__qualname__", None) or getattr(func, "__name__", None)
    return str(name) if name else type(func).__qualname__


__all__ = ["FORMAT", "MODES", "CorruptEntry", "Fingerprinter", "ModelCache", "ModelUse", "environment",
           "exclusive_lock", "read_entry", "write_entry"]
