"""The ``mlgate`` console script: ``mlgate profile DATA -o PROFILE.json`` refreshes a reference profile.

``DATA`` is a Parquet file, directory or glob (several may be given), or a CSV file; the profile is
streamed from Parquet in bounded memory and written atomically as strict, versioned JSON.  Exit
status 0 on success, 2 for a usage error or unreadable input (the message, one line, names the input),
1 for any other failure (one line too, never a traceback).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="mlgate", description="pytest-mlgate command line tools")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser(
        "profile",
        help="build a reference profile of a dataset for drift checks",
        description="Profile DATA (Parquet files, directories or globs, or a CSV file) into a JSON profile "
        "that detect_drift / mlgate.check_drift accept in place of the data.",
    )
    p.add_argument("data", nargs="+", metavar="DATA", help="Parquet file, directory or glob; or one .csv file")
    p.add_argument("-o", "--output", required=True, metavar="PROFILE.json", help="where to write the profile")
    p.add_argument("--columns", metavar="A,B", help="comma-separated columns to profile (default: all)")
    p.add_argument("--categorical", metavar="A,B", help="comma-separated columns to summarise as categories")
    return parser


def _split(value: str | None) -> list[str] | None:
    if value is None:
        return None
    names = [v.strip() for v in value.split(",") if v.strip()]
    return names or None


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``mlgate`` command; returns the exit status."""
    args = _parser().parse_args(argv)
    from .profile import ProfileError, profile

    data: object = args.data if len(args.data) > 1 else args.data[0]
    try:
        if isinstance(data, str) and data.lower().endswith(".csv"):
            import pandas as pd

            data = pd.read_csv(data)
        result = profile(data, columns=_split(args.columns), categorical=_split(args.categorical))
        result.save(args.output)
    except (OSError, ValueError, TypeError, ProfileError) as exc:  # bad input: the message names it
        print(f"mlgate profile: error: {_one_line(exc)}", file=sys.stderr)
        return 2
    except Exception as exc:  # anything else is still one line, not a traceback
        print(f"mlgate profile: error: {type(exc).__name__}: {_one_line(exc)}", file=sys.stderr)
        return 1
    kinds = {}
    for col in result.columns.values():
        kinds[col.kind] = kinds.get(col.kind, 0) + 1
    summary = ", ".join(f"{n} {k}" for k, n in sorted(kinds.items()))
    print(f"mlgate profile: {result.rows} rows, {len(result.columns)} columns ({summary}) -> {args.output}")
    return 0


if __name__ == "__main__":  # pragma: no cover - python -m pytest_mlgate.cli
    raise SystemExit(main())
