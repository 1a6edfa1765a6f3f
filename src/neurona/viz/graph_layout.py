"""The built-in drawing of a graph, used where Graphviz is not installed: a layered layout (inputs on the left,
the output on the right), written as SVG by hand or drawn as PNG with matplotlib."""
from __future__ import annotations

import html
import io

BOX_W, LINE_H, PAD, GAP_X, GAP_Y = 150, 15, 6, 60, 18   # BOX_W: the narrowest box
CHAR_W = 6.6   # the width of a character of the 11 px font, about
FILL = {"leaf": "#cfe8ff", "constant": "#eeeeee", "op": "#fff2cc"}


def layout(graph):
    """Boxes ``key -> (x, y, w, h, lines)``: the column is the longest path from an input."""
    items = graph.order()
    depth = {}
    for item in items:  # inputs come first in graph.order()
        depth[item.key] = 1 + max((depth.get(k, 0) for k in item.inputs), default=-1)
    columns = {}
    for item in items:
        columns.setdefault(depth[item.key], []).append(item)
    boxes, x = {}, PAD
    for col, members in sorted(columns.items()):
        texts = {item.key: graph.lines(item) for item in members}
        width = max(BOX_W, *(int(CHAR_W * len(line)) + 2 * PAD for lines in texts.values() for line in lines))
        y = PAD
        for item in members:
            lines = texts[item.key]
            h = LINE_H * len(lines) + 2 * PAD
            boxes[item.key] = (x, y, width, h, lines, item.kind)
            y += h + GAP_Y
        x += width + GAP_X
    return boxes


def _arrival(top, height, i, count):
    """Where the i-th of ``count`` arrows enters a box: spread over its left side, so that their labels part."""
    return top + height * (i + 1) / (count + 1)


def svg_from_layout(graph) -> str:
    boxes = layout(graph)
    width = max((x + w for x, _, w, _, _, _ in boxes.values()), default=0) + PAD
    height = max((y + h for _, y, _, h, _, _ in boxes.values()), default=0) + PAD
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" '
           f'font-family="Helvetica, Arial, sans-serif" font-size="11">',
           '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" '
           'orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#555"/></marker></defs>']
    for item in graph.order():
        x2, y2, _, h2, _, _ = boxes[item.key]
        for i, (src, label) in enumerate(zip(item.inputs, item.input_labels)):
            x1, y1, w1, h1, _, _ = boxes[src]
            end = _arrival(y2, h2, i, len(item.inputs))
            out.append(f'<line x1="{x1 + w1}" y1="{y1 + h1 / 2}" x2="{x2}" y2="{end}" stroke="#555" '
                       'marker-end="url(#arrow)"/>')
            out.append(f'<text x="{x2 - 5}" y="{end - 3}" text-anchor="end" font-size="9" '
                       f'fill="#a33">{html.escape(label)}</text>')
    for x, y, w, h, lines, kind in boxes.values():
        out.append(f'<rect x="{x}" y="{y}" width="{w}" height="{h}" rx="4" fill="{FILL[kind]}" stroke="#333"/>')
        for i, text in enumerate(lines):
            weight = ' font-weight="bold"' if i == 0 else ""
            out.append(f'<text x="{x + PAD}" y="{y + PAD + LINE_H * (i + 1) - 3}"{weight}>{html.escape(text)}</text>')
    out.append("</svg>")
    return "\n".join(out)


def png_from_layout(graph) -> bytes:
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        from matplotlib.patches import FancyBboxPatch
    except ImportError as exc:
        raise RuntimeError("PNG output needs Graphviz (`dot`) or matplotlib (pip install matplotlib); SVG output "
                           "needs neither: save the graph as .svg") from exc
    boxes = layout(graph)
    width = max(x + w for x, _, w, _, _, _ in boxes.values()) + PAD
    height = max(y + h for _, y, _, h, _, _ in boxes.values()) + PAD
    fig = plt.figure(figsize=(width / 80, height / 80), dpi=110)
    ax = fig.add_axes([0, 0, 1, 1])
    ax.set_xlim(0, width)
    ax.set_ylim(height, 0)
    ax.axis("off")
    for item in graph.order():
        x2, y2, _, h2, _, _ = boxes[item.key]
        for i, (src, label) in enumerate(zip(item.inputs, item.input_labels)):
            x1, y1, w1, h1, _, _ = boxes[src]
            end = _arrival(y2, h2, i, len(item.inputs))
            ax.annotate("", xy=(x2, end), xytext=(x1 + w1, y1 + h1 / 2),
                        arrowprops=dict(arrowstyle="->", color="#555"))
            ax.text(x2 - 5, end - 3, label, fontsize=7, color="#a33", ha="right")
    for x, y, w, h, lines, kind in boxes.values():
        ax.add_patch(FancyBboxPatch((x, y), w, h, boxstyle="round,pad=0,rounding_size=4", fc=FILL[kind],
                                    ec="#333"))
        for i, text in enumerate(lines):
            ax.text(x + PAD, y + PAD + LINE_H * (i + 1) - 3, text, fontsize=8,
                    fontweight="bold" if i == 0 else "normal")
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    return buf.getvalue()
