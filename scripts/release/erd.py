"""The entity-relationship diagram as SVG, drawn in Python.

Graphviz was used before; its output changes from one graphviz version to the next, so the
diagram's bytes depended on the machine. This draws a simple layered layout itself: a table that
refers to others stands to the right of every table it refers to, fields are listed in schema
order (primary key underlined, foreign keys in italics), and each foreign key is a curve from
the referring field to the referenced one. Integer coordinates and a fixed font stack make the
SVG a pure function of the schemas.
"""

from __future__ import annotations

from html import escape

from scripts.model.package import Package, Table

BOX_W, GAP_X, GAP_Y, MARGIN = 270, 90, 24, 50
HEAD_H, ROW_H = 22, 16
FONT = "DejaVu Sans, Helvetica, Arial, sans-serif"


def _ranks(package: Package) -> dict[str, int]:
    """Column of each table: 0 for tables referring to no other, else one right of the furthest
    table it refers to (self-references and cycles do not push a table right)."""
    ranks: dict[str, int] = {}

    def rank(name: str, seen: frozenset[str]) -> int:
        if name in ranks:
            return ranks[name]
        table = package.tables.get(name)
        refs = [fk.resource for fk in table.foreign_keys] if table else []
        refs = [r for r in refs if r != name and r not in seen and r in package.tables]
        value = 1 + max(rank(r, seen | {name}) for r in refs) if refs else 0
        ranks[name] = value
        return value

    for name in package.tables:
        rank(name, frozenset())
    return ranks


def _layout(package: Package) -> dict[str, tuple[int, int]]:
    """Top-left corner of each table's box."""
    ranks = _ranks(package)
    heights = {n: HEAD_H + ROW_H * len(t.fields) for n, t in package.tables.items()}
    tops: dict[int, int] = {}
    places = {}
    for name in package.tables:
        column = ranks[name]
        y = tops.get(column, MARGIN)
        places[name] = (MARGIN + column * (BOX_W + GAP_X), y)
        tops[column] = y + heights[name] + GAP_Y
    return places


def _box(table: Table, x: int, y: int) -> list[str]:
    fk_fields = {f for fk in table.foreign_keys for f in fk.fields}
    height = HEAD_H + ROW_H * len(table.fields)
    out = [f'<g id="table-{escape(table.name)}">',
           f'<rect x="{x}" y="{y}" width="{BOX_W}" height="{height}" fill="#ffffff" stroke="#333333"/>',
           f'<rect x="{x}" y="{y}" width="{BOX_W}" height="{HEAD_H}" fill="#dbe5f1" stroke="#333333"/>',
           f'<text x="{x + 6}" y="{y + 15}" font-weight="bold">{escape(table.name)}</text>']
    for i, fld in enumerate(table.fields):
        style = ""
        if fld.name in table.primary_key:
            style += ' text-decoration="underline"'
        if fld.name in fk_fields:
            style += ' font-style="italic"'
        base = y + HEAD_H + ROW_H * i + 12
        out.append(f'<text x="{x + 6}" y="{base}"{style}>{escape(fld.name)}</text>')
        out.append(f'<text x="{x + BOX_W - 6}" y="{base}" text-anchor="end" fill="#666666">'
                   f"{escape(fld.type)}</text>")
    out.append("</g>")
    return out


def _row_y(table: Table, top: int, field_name: str) -> int:
    index = table.field_names.index(field_name) if field_name in table.field_names else 0
    return top + HEAD_H + ROW_H * index + ROW_H // 2


def _edges(package: Package, places: dict[str, tuple[int, int]]) -> list[str]:
    out = []
    for table in package.tables.values():
        x, y = places[table.name]
        for fk in table.foreign_keys:
            if fk.resource not in places:
                continue
            y1 = _row_y(table, y, fk.fields[0])
            ref = package.tables[fk.resource]
            rx, ry = places[fk.resource]
            y2 = _row_y(ref, ry, fk.ref_fields[0])
            if fk.resource == table.name:  # self-reference: a loop on the left side
                path = f"M{x},{y1} C{x - 40},{y1} {x - 40},{y2} {x},{y2}"
            else:
                x2 = rx + BOX_W
                mid = (x + x2) // 2
                path = f"M{x},{y1} C{mid},{y1} {mid},{y2} {x2},{y2}"
            out.append(f'<path d="{path}" fill="none" stroke="#555555" marker-end="url(#arrow)">'
                       f"<title>{escape(table.name)}.{escape(', '.join(fk.fields))} → "
                       f"{escape(fk.resource)}.{escape(', '.join(fk.ref_fields))}</title></path>")
    return out


def render_erd_svg(package: Package) -> str:
    """The whole diagram as an SVG document."""
    places = _layout(package)
    width = max(x for x, _ in places.values()) + BOX_W + MARGIN
    height = max(y + HEAD_H + ROW_H * len(package.tables[n].fields) for n, (_, y) in places.items()) + MARGIN
    lines = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="{FONT}" font-size="11" role="img" '
        f'aria-labelledby="erd-title">',
        f'<title id="erd-title">Tables of {escape(package.title)} and their foreign keys</title>',
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" '
        'orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#555555"/></marker></defs>',
        f'<rect width="{width}" height="{height}" fill="#ffffff"/>',
    ]
    lines += _edges(package, places)  # under the boxes, so no curve crosses a field's text
    for name, (x, y) in places.items():
        lines += _box(package.tables[name], x, y)
    lines.append("</svg>")
    return "\n".join(lines) + "\n"
