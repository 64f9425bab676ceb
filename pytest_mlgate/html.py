"""The self-contained HTML report: run verdict, tests that need attention, gate tables and pictures.

:func:`render_html` reads the JSON report dict (:func:`~pytest_mlgate.report.render_json`), the
history records and the baseline's stored picture summaries, and returns one HTML document with
inline CSS and inline SVG (drawn by matplotlib, imported here only when a report is rendered): no
script, font or image is fetched, so the file opens offline as a CI artifact. Nothing here
judges a metric; no I/O, no pytest import.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping, Sequence
from html import escape
from importlib.util import find_spec
from typing import TYPE_CHECKING, Any

from .report import summary_rows, verdict_of
from .results import FAIL, INCONCLUSIVE, PASS, SKIP, WARN, TestResult, format_value
from .trends import Trend, metric_trends

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

#: The extra that installs what the HTML report needs.
EXTRA = "pytest-mlgate[html]"

_CURRENT = "#1f77b4"
_BASE = "#8c8c8c"
_BAD = "#d62728"
_GOOD = "#2ca02c"

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;margin:0;color:#1b1f24;
background:#f6f8fa;line-height:1.45}
header,main{max-width:1180px;margin:0 auto;padding:16px 24px}
h1{font-size:1.5em;margin:.2em 0}h2{font-size:1.15em;margin:0 0 .4em;word-break:break-all}
h3{font-size:1em;margin:1em 0 .4em}
.verdict{display:inline-block;padding:.35em .9em;border-radius:6px;font-weight:700;font-size:1.2em;color:#fff}
.s-PASS{background:#1a7f37}.s-FAIL{background:#cf222e}.s-WARN,.s-INCONCLUSIVE{background:#9a6700}
.s-NEW,.s-SKIP,.s--{background:#57606a}
.badge{display:inline-block;padding:0 .5em;border-radius:4px;color:#fff;font-size:.85em;font-weight:600}
.counts{color:#57606a;margin:.5em 0}
section.test{background:#fff;border:1px solid #d0d7de;border-radius:8px;margin:18px 0;padding:14px 18px}
section.attention{border-left:6px solid #cf222e}
table{border-collapse:collapse;font-size:.9em;margin:.3em 0}
th,td{border:1px solid #d0d7de;padding:3px 8px;text-align:left}th{background:#f6f8fa}
td.num{text-align:right;font-variant-numeric:tabular-nums}
ul.msgs{margin:.4em 0;padding-left:1.2em;font-size:.9em}
.plots{display:flex;flex-wrap:wrap;gap:10px}
figure.plot{margin:0;border:1px solid #eaeef2;border-radius:6px;padding:6px;background:#fff}
figure.plot svg{display:block;max-width:100%;height:auto}
figure.plot svg text{font-family:"DejaVu Sans",Verdana,Arial,Helvetica,sans-serif}
figcaption{font-size:.8em;color:#57606a;max-width:380px}
.note{color:#57606a;font-size:.9em}
nav ol{columns:2;font-size:.9em}
code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.92em}
"""


def html_available() -> bool:
    """True when matplotlib (the extra ``pytest-mlgate[html]``) is installed; imports nothing."""
    return find_spec("matplotlib") is not None


def missing_extra_message(option: str = "--mlgate-html") -> str:
    """The usage error for an HTML report asked for without matplotlib."""
    return f"{option}: the HTML report needs matplotlib; install the extra: pip install '{EXTRA}'"


# ---------------------------------------------------------------------------- drawing


class _Canvas:
    """Draws matplotlib figures as inline SVG, each with its own id salt (ids never collide)."""

    def __init__(self) -> None:
        import matplotlib

        self._mpl = matplotlib
        self.count = 0

    def svg(
        self, draw: Any, *args: Any, width: float = 3.6, height: float = 2.9, ncols: int = 1, labels: int = 0
    ) -> str:
        """``draw(axes, *args)`` on a new figure (``axes`` a list when ``ncols > 1``), as SVG text.

        Margins are fixed (a layout engine would draw each picture twice more); ``labels`` is the
        longest y tick label, in characters, that the left margin must fit.
        """
        self.count += 1
        rc = {
            "svg.fonttype": "none", "svg.hashsalt": f"mlgate-{self.count}", "font.size": 7.5,
            "axes.spines.top": False, "axes.spines.right": False, "axes.grid": True, "grid.alpha": 0.25,
            "legend.fontsize": 6.5, "legend.frameon": False, "path.simplify": True,
        }
        try:
            return self._draw(draw, args, rc, width, height, ncols, labels)
        except Exception as exc:  # noqa: BLE001 - one bad picture must not cost the report
            return f'<p class="note">picture not drawn: {escape(type(exc).__name__)}: {escape(str(exc)[:200])}</p>'

    def _draw(
        self, draw: Any, args: tuple[Any, ...], rc: dict[str, Any], width: float, height: float, ncols: int,
        labels: int,
    ) -> str:
        from matplotlib.figure import Figure

        with self._mpl.rc_context(rc):  # type: ignore[arg-type]  # keys are rc names
            fig = Figure(figsize=(width, height))
            left = (0.5 + 0.055 * max(labels, 4)) / width
            fig.subplots_adjust(left=min(left, 0.6), right=0.97, bottom=0.5 / height, top=1 - 0.22 / height,
                                wspace=0.35)
            axes = [fig.add_subplot(1, ncols, i + 1) for i in range(ncols)]
            draw(axes if ncols > 1 else axes[0], *args)
            return _svg_text(fig)


def _svg_text(fig: Figure) -> str:
    buf = io.StringIO()
    fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
    text = buf.getvalue()
    start = text.find("<svg")
    text = text[start:] if start >= 0 else text
    text = re.sub(r"<metadata>.*?</metadata>", "", text, flags=re.DOTALL)
    text = _FONT.sub("", text)  # the page's CSS gives every picture's text its font
    text = _GROUP_ID.sub(r"\1", text)  # unreferenced group ids would repeat across pictures
    text = re.sub(r"\n\s+", "\n", text)
    return _GEOMETRY.sub(lambda m: _DECIMALS.sub(r"\1", m.group(0)), text)


_FONT = re.compile(r"font-family: [^;\"]*;? ?")
_GROUP_ID = re.compile(r'(<g) id="[A-Za-z_][A-Za-z0-9_.]*_[0-9]+"')

# coordinates to a tenth of a point (a pixel is 0.75 pt): a third of the SVG, invisible
_GEOMETRY = re.compile(r'\b(?:d|x|y|x1|x2|y1|y2|points|transform)="[^"]*"')
_DECIMALS = re.compile(r"(\d+\.\d)\d+")


def _figure(kind: str, svg: str, caption: str) -> str:
    return f'<figure class="plot" data-plot="{escape(kind)}">{svg}<figcaption>{escape(caption, quote=False)}</figcaption></figure>'


def _xy(curve: Mapping[str, Any] | None) -> tuple[list[float], list[float]] | None:
    if not isinstance(curve, Mapping) or not curve.get("x"):
        return None
    pairs = [(x, y) for x, y in zip(curve["x"], curve["y"]) if x is not None and y is not None]
    return ([p[0] for p in pairs], [p[1] for p in pairs]) if pairs else None


def _draw_confusion(axes: list[Axes], counts: list[list[int]], classes: list[str], base: Any) -> None:
    import numpy as np

    m = np.asarray(counts, dtype=float)
    rows = m.sum(axis=1, keepdims=True)
    norm = np.divide(m, rows, out=np.zeros_like(m), where=rows > 0)
    b = np.asarray(base, dtype=float) if base is not None and np.shape(base) == m.shape else None
    k = len(m)
    for ax, values, title in ((axes[0], m, "counts"), (axes[1], norm, "row-normalised")):
        ax.pcolormesh(values, cmap="Blues", vmin=0, vmax=max(values.max(), 1e-9), edgecolors="white", linewidth=0.5)
        ax.set_xlim(0, k)
        ax.set_ylim(k, 0)
        ax.set_aspect("equal")
        ax.grid(False)
        ticks = [i + 0.5 for i in range(k)]
        labels = classes if len(classes) == k else [str(i) for i in range(k)]
        ax.set_xticks(ticks, labels, rotation=45 if k > 4 else 0)
        ax.set_yticks(ticks, labels)
        ax.set_xlabel("predicted")
        ax.set_ylabel("actual")
        ax.set_title(title)
        if k <= 12:
            for i in range(k):
                for j in range(k):
                    text = f"{int(values[i, j])}" if values is m else f"{values[i, j]:.2f}"
                    if b is not None and values is m and b[i, j] != m[i, j]:
                        text += f"\n({int(m[i, j] - b[i, j]):+d})"
                    dark = values[i, j] > 0.6 * values.max()
                    ax.text(j + 0.5, i + 0.5, text, ha="center", va="center", fontsize=6.5,
                            color="white" if dark else "#1b1f24")


def _draw_curves(ax: Axes, kind: str, summary: Mapping[str, Any], base: Mapping[str, Any] | None,
                 names: tuple[str, str] = ("this run", "baseline")) -> None:
    curves = summary.get("curves") or {}
    base_curves = (base or {}).get("curves") or {}
    palette = ("#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2")
    multi = len(curves) > 1
    for i, (label, c) in enumerate(curves.items()):
        color = palette[i % len(palette)] if multi else _CURRENT
        xy = _xy(c.get(kind))
        if xy:
            ax.plot(*xy, color=color, lw=1.4, label=f"class {label}" if multi else names[0])
        bxy = _xy((base_curves.get(label) or {}).get(kind))
        if bxy:
            ax.plot(*bxy, color=_BASE if not multi else color, lw=1.1, ls="--",
                    label=f"{names[1]} {label}" if multi else names[1])
    op = summary.get("operating_point") or {}
    if kind == "roc":
        ax.plot([0, 1], [0, 1], color="#c0c0c0", lw=0.8, ls=":")
        if op.get("fpr") is not None and op.get("tpr") is not None:
            ax.plot([op["fpr"]], [op["tpr"]], "o", color=_BAD, ms=5, label="operating point")
        ax.set_xlabel("false positive rate")
        ax.set_ylabel("true positive rate")
    else:
        if not multi:
            prevalence = next((c.get("prevalence") for c in curves.values() if c.get("prevalence") is not None), None)
            if prevalence is not None:
                ax.axhline(prevalence, color="#c0c0c0", lw=0.8, ls=":")
        if op.get("tpr") is not None and op.get("precision") is not None:
            ax.plot([op["tpr"]], [op["precision"]], "o", color=_BAD, ms=5, label="operating point")
        ax.set_xlabel("recall")
        ax.set_ylabel("precision")
    ax.set_xlim(-0.02, 1.02)
    ax.set_ylim(-0.02, 1.02)
    ax.legend(loc="lower right" if kind == "roc" else "lower left")


def _draw_calibration(ax: Axes, cal: Mapping[str, Any], base: Mapping[str, Any] | None) -> None:
    ax.plot([0, 1], [0, 1], color="#c0c0c0", lw=0.8, ls=":", label="perfectly calibrated")
    ax.plot(cal["mean_predicted"], cal["fraction_positive"], "o-", color=_CURRENT, ms=3, lw=1.3, label="this run")
    if base:
        ax.plot(base["mean_predicted"], base["fraction_positive"], "s--", color=_BASE, ms=2.5, lw=1, label="baseline")
    top = cal.get("top_label")
    ax.set_xlabel("confidence of the predicted class" if top else "mean predicted probability")
    ax.set_ylabel("accuracy" if top else "fraction positive")
    ax.set_xlim(-0.02, 1.02)
    ax.set_ylim(-0.02, 1.02)
    ax.legend(loc="upper left")


def _draw_pred_actual(ax: Axes, grid: Mapping[str, Any]) -> None:
    import numpy as np

    k, lo, hi = int(grid["bins"]), float(grid["low"]), float(grid["high"])
    edges = np.linspace(lo, hi, k + 1)
    centers = (edges[:-1] + edges[1:]) / 2
    cells = [(centers[i], centers[j], c) for i, j, c in grid["cells"]]
    if cells:  # squares at the cells' centres: one SVG marker reused, not a path per cell
        xs, ys, cs = zip(*cells)
        points = ax.scatter(xs, ys, c=cs, cmap="Blues", vmin=0, marker="s", s=14, linewidths=0)
        ax.figure.colorbar(points, ax=ax, label="rows", shrink=0.8)
    ax.set_xlim(lo, hi)
    ax.set_ylim(lo, hi)
    ax.plot([lo, hi], [lo, hi], color=_BAD, lw=0.9, ls="--", label="predicted = actual")
    ax.set_xlabel("predicted")
    ax.set_ylabel("actual")
    ax.set_aspect("equal")
    ax.legend(loc="upper left")


def _draw_band(ax: Axes, band: Mapping[str, Any]) -> None:
    x = band["center"]
    ax.fill_between(x, band["q05"], band["q95"], color=_CURRENT, alpha=0.15, lw=0, label="5-95%")
    ax.fill_between(x, band["q25"], band["q75"], color=_CURRENT, alpha=0.3, lw=0, label="25-75%")
    ax.plot(x, band["q50"], "o-", color=_CURRENT, ms=2.5, lw=1.2, label="median")
    ax.axhline(0, color=_BAD, lw=0.9, ls="--")
    ax.set_xlabel("predicted")
    ax.set_ylabel("residual (actual - predicted)")
    ax.legend(loc="upper left")


def _draw_hist(ax: Axes, hist: Mapping[str, Any], base: Mapping[str, Any] | None,
               names: tuple[str, str] = ("this run", "baseline")) -> None:
    ax.stairs(_density(hist["counts"], hist["edges"]), hist["edges"], fill=True, color=_CURRENT, alpha=0.35,
              label=names[0])
    if base:
        ax.stairs(_density(base["counts"], base["edges"]), base["edges"], color=_BASE, lw=1.2, ls="--", label=names[1])
    ax.axvline(0, color=_BAD, lw=0.9, ls=":")
    ax.set_xlabel("residual (actual - predicted)")
    ax.set_ylabel("density")
    ax.legend(loc="upper right")


def _density(counts: Sequence[int], edges: Sequence[float]) -> list[float]:
    total = sum(counts) or 1
    return [c / total / ((edges[i + 1] - edges[i]) or 1.0) for i, c in enumerate(counts)]


def _draw_difference(ax: Axes, plot: Mapping[str, Any]) -> None:
    diff = plot.get("difference")
    lo, hi = (plot.get("interval") or [None, None])[:2]
    max_drop = float(plot.get("max_drop") or 0.0)
    if diff is not None and lo is not None and hi is not None:
        color = {"pass": _GOOD, "fail": _BAD}.get(str(plot.get("verdict")), "#9a6700")
        ax.errorbar([diff], [0], xerr=[[max(0.0, diff - lo)], [max(0.0, hi - diff)]], fmt="o", color=color,
                    capsize=4, lw=1.5)
        left = min(lo, -max_drop) - 0.2 * (hi - lo or 0.01)
        ax.axvspan(left, -max_drop, color=_BAD, alpha=0.08, label="worse than max_drop")
        ax.set_xlim(left, max(hi, 0) + 0.2 * (hi - lo or 0.01))
    ax.axvline(0, color="#57606a", lw=0.9)
    ax.axvline(-max_drop, color=_BAD, lw=0.9, ls="--", label=f"-max_drop = {-max_drop:g}")
    ax.set_yticks([])
    ax.set_ylim(-1, 1)
    level = plot.get("confidence")
    ax.set_xlabel(f"candidate - baseline model, {plot.get('metric')}"
                  + (f" ({float(level) * 100:g}% interval)" if level else ""))
    ax.legend(loc="upper left")


def _draw_numeric_drift(ax: Axes, col: Mapping[str, Any]) -> None:
    edges = col["edges"]
    ax.stairs(_density(col["reference"], edges), edges, fill=True, color=_BASE, alpha=0.35, label="reference")
    ax.stairs(_density(col["current"], edges), edges, color=_BAD if col.get("drifted") else _CURRENT, lw=1.4,
              label="current")
    ax.set_xlabel(str(col["name"]))
    ax.set_ylabel("density")
    ax.legend(loc="upper right")


def _draw_category_drift(ax: Axes, col: Mapping[str, Any]) -> None:
    cats = list(col["categories"])
    new, vanished = set(col.get("new") or ()), set(col.get("vanished") or ())
    rt, ct = sum(col["reference"]) or 1, sum(col["current"]) or 1
    y = list(range(len(cats)))
    ax.barh([v - 0.2 for v in y], [c / rt for c in col["reference"]], height=0.4, color=_BASE, label="reference")
    bars = ax.barh([v + 0.2 for v in y], [c / ct for c in col["current"]], height=0.4,
                   color=_BAD if col.get("drifted") else _CURRENT, label="current")
    labels = []
    for cat, bar in zip(cats, bars):
        if cat in new:
            labels.append(f"{cat} (new)")
            bar.set_hatch("///")
        elif cat in vanished:
            labels.append(f"{cat} (vanished)")
        else:
            labels.append(cat)
    ax.set_yticks(y, labels)
    for tick, cat in zip(ax.get_yticklabels(), cats):
        if cat in new or cat in vanished:
            tick.set_color(_BAD)
            tick.set_fontweight("bold")
    ax.invert_yaxis()
    ax.set_xlabel("share of rows")
    ax.legend(loc="lower right")


def _draw_slices(ax: Axes, rows: list[tuple[str, float, Any, str]], thresholds: list[tuple[str, float]]) -> None:
    y = list(range(len(rows)))
    for i, (_, value, interval, status) in enumerate(rows):
        color = {FAIL: _BAD, WARN: "#9a6700", INCONCLUSIVE: "#9a6700"}.get(status, _CURRENT)
        if interval is not None and None not in interval:
            ax.errorbar([value], [i], xerr=[[max(0.0, value - interval[0])], [max(0.0, interval[1] - value)]],
                        fmt="o", color=color, capsize=3, lw=1.3)
        else:
            ax.plot([value], [i], "o", color=color)
    for op, t in thresholds:
        ax.axvline(t, color=_BAD, lw=0.9, ls="--", label=f"threshold {op} {t:g}")
    ax.set_yticks(y, [r[0] for r in rows])
    ax.invert_yaxis()
    ax.set_ylim(len(rows) - 0.5, -0.5)
    if thresholds:
        ax.legend(loc="best")


def _draw_trend(ax: Axes, trend: Trend) -> None:
    x = list(range(len(trend.values)))
    ax.plot(x, trend.values, "o-", color=_CURRENT, ms=3, lw=1.3, label=trend.metric)
    for op, t in trend.thresholds:
        ax.axhline(t, color=_BAD, lw=0.9, ls="--", label=f"threshold {op} {t:g}")
    if trend.baseline is not None:
        ax.axhline(trend.baseline, color=_BASE, lw=1, ls=":", label=f"baseline {trend.baseline:.4g}")
    step = max(1, len(x) // 8)
    ax.set_xticks(x[::step], trend.labels[::step], rotation=30, ha="right")
    ax.set_ylabel(trend.metric)
    ax.legend(loc="best")


# ---------------------------------------------------------------------------- per-test pictures


def _classification_figures(canvas: _Canvas, key: str, s: Mapping[str, Any], base: Mapping[str, Any] | None) -> list[str]:
    out = []
    what = f" ({key})" if key != "evaluate" else ""
    if s.get("confusion"):
        classes = list(s.get("classes") or [])
        svg = canvas.svg(_draw_confusion, s["confusion"], classes, (base or {}).get("confusion"), width=6.4,
                         height=3.0, ncols=2, labels=max((len(c) for c in classes), default=1))
        stored = (base or {}).get("confusion")
        note = "" if not stored else (" Same counts as the baseline." if stored == s["confusion"]
                                      else " Changes against the baseline in brackets.")
        out.append(_figure("confusion", svg, f"Confusion matrix{what}, {s.get('n')} rows: counts and row-normalised."
                           + note))
    curves = s.get("curves") or {}
    if any(c.get("roc") for c in curves.values()):
        with_base = " beside the baseline's (dashed)" if base and base.get("curves") else ""
        out.append(_figure("roc", canvas.svg(_draw_curves, "roc", s, base),
                           f"ROC curve{what}{with_base}; the dot is the operating point."))
        out.append(_figure("pr", canvas.svg(_draw_curves, "pr", s, base),
                           f"Precision-recall curve{what}{with_base}; the dot is the operating point."))
    if s.get("calibration") and s["calibration"].get("mean_predicted"):
        bcal = (base or {}).get("calibration")
        out.append(_figure("calibration", canvas.svg(_draw_calibration, s["calibration"], bcal),
                           f"Calibration{what}" + (", top label" if s["calibration"].get("top_label") else "")
                           + (" beside the baseline's (dashed)." if bcal else ".")))
    return out


def _regression_figures(canvas: _Canvas, key: str, s: Mapping[str, Any], base: Mapping[str, Any] | None) -> list[str]:
    out = []
    what = f" ({key})" if key != "evaluate" else ""
    if s.get("grid"):
        out.append(_figure("predicted-vs-actual", canvas.svg(_draw_pred_actual, s["grid"]),
                           f"Predicted vs actual{what}, {s.get('n_finite', s.get('n'))} rows binned."))
    if s.get("band") and s["band"].get("center"):
        out.append(_figure("residuals-vs-prediction", canvas.svg(_draw_band, s["band"]),
                           f"Residuals against prediction{what}: median and quantile bands."))
    if s.get("residual_hist"):
        bh = (base or {}).get("residual_hist")
        q = s.get("residual_quantiles") or {}
        out.append(_figure("residual-distribution", canvas.svg(_draw_hist, s["residual_hist"], bh),
                           f"Residual distribution{what}" + (" beside the baseline's (dashed)" if bh else "")
                           + (f"; median {format_value(q.get('0.5'))}, 5-95% [{format_value(q.get('0.05'))}, "
                              f"{format_value(q.get('0.95'))}]." if q else ".")))
    return out


def _compare_figures(canvas: _Canvas, s: Mapping[str, Any]) -> list[str]:
    out = []
    cand, champ = s.get("candidate") or {}, s.get("baseline_model") or {}
    names = ("candidate", "baseline model")
    if cand.get("kind") == "classification" and cand.get("curves"):
        out.append(_figure("compare-roc", canvas.svg(_draw_curves, "roc", cand, champ, names),
                           "ROC curves of both models on the same rows (baseline model dashed)."))
        out.append(_figure("compare-pr", canvas.svg(_draw_curves, "pr", cand, champ, names),
                           "Precision-recall curves of both models (baseline model dashed)."))
    elif cand.get("kind") == "regression" and cand.get("residual_hist"):
        out.append(_figure("compare-residuals", canvas.svg(_draw_hist, cand["residual_hist"], champ.get("residual_hist"),
                                                           names),
                           "Residual distributions of both models (baseline model dashed)."))
    lo, hi = (s.get("interval") or [None, None])[:2]
    out.append(_figure("compare-difference", canvas.svg(_draw_difference, s, height=1.8),
                       f"Paired difference in {s.get('metric')}: {format_value(s.get('difference'))} "
                       f"[{format_value(lo)}, {format_value(hi)}], verdict {s.get('verdict')}."))
    return out


def _drift_figures(canvas: _Canvas, s: Mapping[str, Any]) -> list[str]:
    out = []
    for col in s.get("columns") or []:
        state = "drifted" if col.get("drifted") else "not drifted"
        stat = f"{col.get('method')} {format_value(col.get('statistic'))}"
        if col.get("p_value") is not None:
            stat += f", p={format_value(col.get('p_value'))}"
        if col.get("kind") == "numeric" and col.get("edges"):
            out.append(_figure("drift-numeric", canvas.svg(_draw_numeric_drift, col),
                               f"Column {col['name']}: {state} ({stat}); reference vs current."))
        elif col.get("categories"):
            extra = "".join(
                f"; {label}: {', '.join(col[label][:8])}" for label in ("new", "vanished") if col.get(label)
            )
            out.append(_figure("drift-categorical", canvas.svg(_draw_category_drift, col,
                                                               height=max(2.2, 0.9 + 0.22 * len(col["categories"])),
                                                               labels=max(len(c) for c in col["categories"]) + 10),
                               f"Column {col['name']}: {state} ({stat}); category shares{extra}."))
    return out


def _slice_figures(canvas: _Canvas, test: TestResult) -> list[str]:
    groups: dict[tuple[str, str], list[tuple[str, float, Any, str]]] = {}
    statuses: dict[str, str] = {}
    for g in test.gates:
        if g.kind == "threshold":
            statuses[g.metric] = g.status if g.metric not in statuses or g.status == FAIL else statuses[g.metric]
    for name, m in test.metrics.items():
        if m.slice_column is None:
            continue
        base = name.split("[", 1)[0]
        groups.setdefault((base, m.slice_column), []).append(
            (f"{m.slice_column}={m.slice_value}", m.value, m.interval, statuses.get(name, PASS))
        )
    out = []
    for (base, column), rows in groups.items():
        overall = test.metrics.get(base)
        if overall is not None:
            rows = [("all rows", overall.value, overall.interval, statuses.get(base, PASS)), *rows]
        thresholds = [(g.op or "", float(g.threshold)) for g in test.gates
                      if g.kind == "threshold" and g.metric == base and g.threshold is not None]
        svg = canvas.svg(_draw_slices, rows, thresholds, height=max(1.6, 0.8 + 0.3 * len(rows)),
                         labels=max(len(r[0]) for r in rows))
        out.append(_figure("slices", svg, f"{base} by {column}, with intervals where computed"
                           + (" and the gate's threshold (dashed)." if thresholds else ".")))
    return out


def _test_figures(canvas: _Canvas, test: TestResult, base_plots: Mapping[str, Any], trends: list[Trend]) -> str:
    figures: list[str] = []
    notes: list[str] = []
    for key, s in test.plots.items():
        if not isinstance(s, Mapping):
            continue
        if s.get("omitted"):
            notes.append(f"{key}: pictures left out ({s['omitted']})")
            continue
        base = base_plots.get(key) if isinstance(base_plots.get(key), Mapping) else None
        kind = s.get("kind")
        if kind == "classification":
            figures += _classification_figures(canvas, key, s, base)
        elif kind == "regression":
            figures += _regression_figures(canvas, key, s, base)
        elif kind == "compare":
            figures += _compare_figures(canvas, s)
        elif kind == "drift":
            drawn = _drift_figures(canvas, s)
            figures += drawn
            if not drawn:
                notes.append(f"{key}: no column drifted (ini mlgate_html_all_columns draws every column)")
            elif s.get("omitted_columns"):
                notes.append(f"{key}: {s['omitted_columns']} more columns not drawn")
    figures += _slice_figures(canvas, test)
    for trend in trends:
        figures.append(_figure("trend", canvas.svg(_draw_trend, trend, width=3.8, height=2.6),
                               f"Trend of {trend.metric} over {len(trend.values)} runs of the history."))
    html = ""
    if figures:
        html += '<div class="plots">' + "".join(figures) + "</div>"
    if notes:
        html += "".join(f'<p class="note">{escape(n)}</p>' for n in notes)
    return html


# ---------------------------------------------------------------------------- the page


def _badge(status: str) -> str:
    return f'<span class="badge s-{escape(status)}">{escape(status)}</span>'


def _needs_attention(test: TestResult, raw: Mapping[str, Any]) -> bool:
    drifted = any(d.get("drifted") for d in test.drift if isinstance(d, Mapping))
    return verdict_of(test) in (FAIL, INCONCLUSIVE, WARN) or raw.get("outcome") in ("failed", "error") or drifted


def _gate_table(test: TestResult, baseline_present: bool) -> str:
    rows = summary_rows([test], baseline_present=baseline_present)
    if not rows:
        return '<p class="note">no metrics recorded</p>'
    head = "".join(f"<th>{h}</th>" for h in ("metric", "value", "threshold", "baseline", "change", "status"))
    body = "".join(
        f"<tr><td><code>{escape(r['metric'])}</code></td><td class=num>{escape(r['value'])}</td>"
        f"<td>{escape(r['threshold'])}</td><td class=num>{escape(r['baseline'])}</td>"
        f"<td class=num>{escape(r['change'])}</td><td>{_badge(r['status'])}</td></tr>"
        for r in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _messages(test: TestResult, raw: Mapping[str, Any]) -> str:
    items = [f"{_badge(g.status)} {escape(' '.join(g.message.split()))}" for g in test.gates
             if g.status in (FAIL, INCONCLUSIVE, WARN, SKIP)]
    error = raw.get("error") or raw.get("longrepr")
    if isinstance(error, str) and error:
        items.insert(0, f"{_badge(FAIL)} {escape(error.splitlines()[0])}")
    return '<ul class="msgs">' + "".join(f"<li>{i}</li>" for i in items) + "</ul>" if items else ""


def render_html(
    report: Mapping[str, Any],
    *,
    history: Sequence[Mapping[str, Any]] = (),
    baseline_plots: Mapping[str, Mapping[str, Any]] | None = None,
    title: str = "pytest-mlgate",
) -> str:
    """The HTML document of ``report`` (the dict :func:`~pytest_mlgate.report.render_json` returns).

    ``history`` are the run records of ``--mlgate-history`` (trends need two runs or more);
    ``baseline_plots`` maps test ids to the picture summaries the baseline stored.
    """
    if not isinstance(report, Mapping) or not isinstance(report.get("tests"), list):
        raise TypeError("render_html: report must be the JSON report dict (with a 'tests' list)")
    canvas = _Canvas()
    baseline_plots = baseline_plots or {}
    raws = [t for t in report["tests"] if isinstance(t, Mapping)]
    tests = [TestResult.from_dict(dict(t)) for t in raws]
    trends_by_test: dict[str, list[Trend]] = {}
    for trend in metric_trends(raws, history):
        trends_by_test.setdefault(trend.nodeid, []).append(trend)
    summary = report.get("summary") or {}
    status = str(summary.get("status", "-"))
    present = bool(report.get("baseline_present"))
    attention = [i for i, (t, r) in enumerate(zip(tests, raws)) if _needs_attention(t, r)]
    parts = [
        "<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width,initial-scale=1">',
        f"<title>{escape(title)}: {escape(status)}</title><style>{_CSS}</style></head><body>",
        f"<header><h1>{escape(title)}</h1>",
        f'<div class="verdict s-{escape(status)}" id="verdict">Run verdict: {escape(status)}</div>',
        f'<p class="counts">{_counts_text(summary)}{_provenance_text(report.get("provenance"))}</p></header><main>',
    ]
    if attention:
        items = "".join(
            f'<li><a href="#test-{i}"><code>{escape(tests[i].nodeid)}</code></a> {_badge(verdict_of(tests[i]))}'
            f"{_messages(tests[i], raws[i])}</li>" for i in attention
        )
        parts.append(f'<section id="attention"><h2>Needs attention ({len(attention)})</h2><ul>{items}</ul></section>')
    else:
        parts.append('<section id="attention"><h2>Needs attention</h2><p>No test needs attention.</p></section>')
    toc = "".join(f'<li><a href="#test-{i}">{escape(t.nodeid)}</a> {_badge(verdict_of(t))}</li>'
                  for i, t in enumerate(tests))
    parts.append(f"<nav><h2>Tests ({len(tests)})</h2><ol>{toc}</ol></nav>")
    for i, (test, raw) in enumerate(zip(tests, raws)):
        cls = "test attention" if i in attention else "test"
        parts.append(
            f'<section class="{cls}" id="test-{i}"><h2><code>{escape(test.nodeid)}</code> {_badge(verdict_of(test))}</h2>'
            + _gate_table(test, present) + _messages(test, raw)
            + _test_figures(canvas, test, baseline_plots.get(test.nodeid) or {}, trends_by_test.get(test.nodeid, []))
            + "</section>"
        )
    unused = report.get("unused_baseline") or []
    if unused:
        rows = "".join(f"<li><code>{escape(str(u.get('test')))}</code> <code>{escape(str(u.get('metric')))}</code></li>"
                       for u in unused if isinstance(u, Mapping))
        parts.append(f"<section><h3>Unused baseline entries (no test recorded them)</h3><ul>{rows}</ul></section>")
    parts.append(f'<p class="note">{canvas.count} pictures. Written by pytest-mlgate; '
                 "self-contained: no script, font or image is loaded from anywhere.</p></main></body></html>")
    return "\n".join(parts) + "\n"


def _counts_text(summary: Mapping[str, Any]) -> str:
    keys = (("tests", "tests"), ("gates", "gates"), ("passed", "passed"), ("failed", "failed"),
            ("warned", "warned"), ("inconclusive", "inconclusive"), ("new", "new"))
    return escape(", ".join(f"{summary[k]} {label}" for k, label in keys if summary.get(k)))


def _provenance_text(provenance: Any) -> str:
    if not isinstance(provenance, Mapping):
        return ""
    bits = []
    if provenance.get("commit"):
        bits.append(f"commit {str(provenance['commit'])[:12]}" + (" (dirty)" if provenance.get("dirty") else ""))
    if provenance.get("python"):
        bits.append(f"Python {provenance['python']}")
    return escape(" · " + ", ".join(bits)) if bits else ""
