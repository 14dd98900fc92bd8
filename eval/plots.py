"""The report's charts as matplotlib PNGs: grouped bars, confusion matrices, latency histograms."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

PALETTE = ["#2563eb", "#f59e0b", "#10b981", "#ef4444", "#8b5cf6", "#64748b"]


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams.update({
        "font.size": 9, "axes.spines.top": False, "axes.spines.right": False, "axes.titleweight": "bold",
        "axes.titlesize": 10, "figure.dpi": 110,
    })
    return plt


def grouped_bars(
    path: Path,
    *,
    categories: Sequence[str],
    series: dict[str, Sequence[float | None]],
    title: str,
    ylabel: str = "",
    ylim: tuple[float, float] | None = (0, 1),
    horizontal: bool = False,
) -> None:
    """Bars per category, one colour per series; missing values are left as gaps."""
    plt = _pyplot()
    width = 0.8 / max(len(series), 1)
    size = (7.5, max(2.5, 0.42 * len(categories) + 1)) if horizontal else (max(5.0, 0.75 * len(categories) + 2), 3.6)
    fig, ax = plt.subplots(figsize=size)
    for index, (name, values) in enumerate(series.items()):
        positions = [i + (index - (len(series) - 1) / 2) * width for i in range(len(categories))]
        heights = [v if v is not None else 0 for v in values]
        bars = (ax.barh if horizontal else ax.bar)(positions, heights, width, label=name,
                                                   color=PALETTE[index % len(PALETTE)])
        for bar, value in zip(bars, values, strict=True):
            if value is None:
                continue
            if horizontal:
                ax.text(bar.get_width() + 0.01, bar.get_y() + bar.get_height() / 2, f"{value:.2f}",
                        va="center", fontsize=7)
            else:
                ax.text(bar.get_x() + bar.get_width() / 2, bar.get_height() + 0.01, f"{value:.2f}",
                        ha="center", va="bottom", fontsize=7)
    if horizontal:
        ax.set_yticks(range(len(categories)), categories)
        ax.invert_yaxis()
        if ylim:
            ax.set_xlim(ylim[0], ylim[1] * 1.08)
        ax.set_xlabel(ylabel)
    else:
        ax.set_xticks(range(len(categories)), categories, rotation=30 if len(categories) > 5 else 0, ha="right"
                      if len(categories) > 5 else "center")
        if ylim:
            ax.set_ylim(ylim[0], ylim[1] * 1.1)
        ax.set_ylabel(ylabel)
    ax.set_title(title)
    if len(series) > 1:
        ax.legend(frameon=False, fontsize=8, ncols=min(len(series), 4), loc="upper center", bbox_to_anchor=(0.5, -0.18)
                  if not horizontal else (0.5, -0.08))
    ax.grid(axis="x" if horizontal else "y", alpha=0.25)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def confusion_grid(
    path: Path,
    matrices: Sequence[tuple[str, list[list[int]], Sequence[str], Sequence[str]]],
    *,
    title: str,
    columns: int = 5,
    xlabel: str = "predicted",
    ylabel: str = "expected",
) -> None:
    """Small heat-mapped count matrices: (title, matrix, row labels, column labels) each."""
    plt = _pyplot()
    if not matrices:
        return
    columns = min(columns, len(matrices))
    rows = (len(matrices) + columns - 1) // columns
    widest = max(len(m[3]) for m in matrices)
    cell = 0.62 if widest <= 2 else 0.55
    fig, axes = plt.subplots(rows, columns, figsize=(columns * (widest * cell + 1.4), rows * (widest * cell + 1.3)),
                             squeeze=False)
    for ax in axes.flat:
        ax.axis("off")
    for ax, (name, matrix, row_labels, column_labels) in zip(axes.flat, matrices, strict=False):
        ax.axis("on")
        peak = max(max(row) for row in matrix) or 1
        ax.imshow(matrix, cmap="Blues", vmin=0, vmax=peak)
        for r, row in enumerate(matrix):
            for c, value in enumerate(row):
                ax.text(c, r, str(value), ha="center", va="center", fontsize=8,
                        color="white" if value > peak * 0.6 else "#111827")
        ax.set_xticks(range(len(column_labels)), column_labels, fontsize=7, rotation=30 if widest > 2 else 0)
        ax.set_yticks(range(len(row_labels)), row_labels, fontsize=7)
        ax.set_title(name, fontsize=8)
        ax.set_xlabel(xlabel, fontsize=7)
        ax.set_ylabel(ylabel, fontsize=7)
    fig.suptitle(title, fontweight="bold", fontsize=10)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def latency_histograms(
    path: Path, latencies: Mapping[str, Sequence[float]], *, title: str = "Latency per case"
) -> None:
    plt = _pyplot()
    present = {name: values for name, values in latencies.items() if values}
    if not present:
        return
    columns = min(3, len(present))
    rows = (len(present) + columns - 1) // columns
    fig, axes = plt.subplots(rows, columns, figsize=(3.4 * columns, 2.6 * rows), squeeze=False)
    for ax in axes.flat:
        ax.axis("off")
    for index, (ax, (name, values)) in enumerate(zip(axes.flat, present.items(), strict=False)):
        ax.axis("on")
        ax.hist(values, bins=min(20, max(5, len(values) // 3)), color=PALETTE[index % len(PALETTE)], alpha=0.85)
        ordered = sorted(values)
        p50 = ordered[len(ordered) // 2]
        p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
        for value, style in ((p50, "-"), (p95, "--")):
            ax.axvline(value, color="#111827", linestyle=style, linewidth=1)
        ax.set_title(f"{name} (p50 {p50:.0f} ms, p95 {p95:.0f} ms)", fontsize=8)
        ax.set_xlabel("ms per case", fontsize=7)
    fig.suptitle(title, fontweight="bold", fontsize=10)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
