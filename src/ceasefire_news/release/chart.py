"""The label-distribution chart of the dataset card (images/labels.png), drawn with matplotlib's Agg canvas.

Deterministic bytes: no pyplot global state, matplotlib's bundled DejaVu Sans font, a fixed size and dpi,
and no PNG metadata (the `Software` text chunk is dropped; Agg writes no timestamp), so the same counts give
the same bytes in any time zone and at any time.
"""
from __future__ import annotations

import io
from typing import Mapping


def label_chart_png(counts: Mapping[str, int], title: str = "Entity labels") -> bytes:
    """A horizontal bar chart of `counts` (most frequent first, ties by name) as PNG bytes."""
    from matplotlib import rc_context
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    items = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    with rc_context({"font.family": "DejaVu Sans", "svg.hashsalt": "ceasefire-news", "path.simplify": True}):
        height = 1.2 + 0.32 * max(1, len(items))
        fig = Figure(figsize=(6.4, height), dpi=100)
        FigureCanvasAgg(fig)
        ax = fig.add_subplot()
        if items:
            names = [k for k, _ in items][::-1]
            values = [v for _, v in items][::-1]
            bars = ax.barh(names, values, color="#3b6ea5")
            ax.bar_label(bars, padding=3, fontsize=8)
            ax.set_xlabel("spans in the release (all splits)")
            ax.set_xlim(0, max(values) * 1.15 + 1)
        else:
            ax.text(0.5, 0.5, "no entities annotated yet", ha="center", va="center", transform=ax.transAxes)
            ax.set_xticks([])
            ax.set_yticks([])
        ax.set_title(title)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        fig.tight_layout()
        buf = io.BytesIO()
        fig.savefig(buf, format="png", metadata={"Software": None})
    return buf.getvalue()
