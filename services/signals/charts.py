"""The theme × month chart (stacked bars), drawn with matplotlib's Agg backend: no display, no
global pyplot state shared between gunicorn threads."""
from __future__ import annotations

import io
from typing import Mapping

from shared.errors import DomainError


class ChartUnavailable(DomainError):
    """matplotlib is an optional extra (``overleg[charts]``): without it there is no picture."""

    status = 503

# Colour-blind friendly (Okabe–Ito), then greys.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000",
           "#999999", "#666666", "#BBBBBB", "#333333"]


def theme_month_png(months: Mapping[str, Mapping[str, int]], labels: Mapping[str, str], *, title: str,
                    x_label: str, y_label: str, empty_text: str) -> bytes:
    """``months`` maps "YYYY-MM" to {theme id: count}; ``labels`` maps theme ids to display names."""
    # Imported here: matplotlib (with numpy) is some 40 MB per gunicorn worker, and charts are rare.
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError as exc:
        raise ChartUnavailable("signals.chart.unavailable", f"matplotlib not installed: {exc}") from exc

    fig = Figure(figsize=(8, 4.5), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot(1, 1, 1)
    ax.set_title(title)
    ax.set_xlabel(x_label)
    ax.set_ylabel(y_label)
    order = sorted(months)
    themes = sorted({t for cells in months.values() for t in cells},
                    key=lambda t: (-sum(months[m].get(t, 0) for m in order), t))
    if not order:
        ax.text(0.5, 0.5, empty_text, ha="center", va="center", transform=ax.transAxes)
        ax.set_xticks([])
    else:
        bottoms = [0] * len(order)
        positions = list(range(len(order)))
        for i, theme in enumerate(themes):
            values = [months[m].get(theme, 0) for m in order]
            ax.bar(positions, values, bottom=bottoms, label=labels.get(theme, theme),
                   color=PALETTE[i % len(PALETTE)])
            bottoms = [b + v for b, v in zip(bottoms, values)]
        ax.set_xticks(positions, order, rotation=45 if len(order) > 6 else 0, ha="right" if len(order) > 6 else "center")
        ax.yaxis.get_major_locator().set_params(integer=True)
        ax.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    fig.tight_layout()
    out = io.BytesIO()
    fig.savefig(out, format="png")
    return out.getvalue()
