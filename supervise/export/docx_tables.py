"""Tables that print: columns at least as wide as their longest word, widths written on the grid,
the table and every cell (Word reads the cells, LibreOffice the grid), header rows repeated on
every page, rows kept whole and short tables kept on one page (with the heading above them)."""

import math
from functools import lru_cache

from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Twips

from supervise.domain.document import Grid
from supervise.export.docx_styles import TEXT_WIDTH
from supervise.export.text_width import lines, longest_line, longest_word
from supervise.export.xml_text import docx_text

CELL_PADDING = 2 * 108 + 30  # Table Grid's left and right cell margins, and a little slack
WIDEST_WORD = 0.45  # of the text width: past that a word (a digest, an address) may break
SHORT_COLUMN = 0.25  # of the text width: a column of short lines (dates) is not wrapped
MOST_CELLS = 0.8  # ... or not most of it: one long entry may wrap
SPLITTABLE_LINES = 20  # a row taller than this may break across pages rather than leave a gap
WHOLE_TABLE_LINES = 16  # a table this short moves to the next page whole
LABEL_WEIGHTS = (55, 115)  # label and value, as the pro-formas draw them


def fit_widths(columns: list[list[str]], weights: tuple[int, ...] = (), header_rows: int = 0,
               one_line: bool = True, size_pt: float = 10.5,
               total: int = TEXT_WIDTH) -> list[int]:
    """Each column's width in twips, summing to `total`: shared by `weights` (equal when they do
    not match the columns), but none narrower than its longest word, a short column as wide as
    most of its lines (a date on one line), and none wider than that while another column could
    use the room. A header's words set the least width, not its lines: a header may wrap.
    Without `one_line`, only the words move a column from its share (label/value tables, which
    line up with each other)."""
    count = len(columns)
    if len(weights) != count or not all(w > 0 for w in weights):
        weights = (1,) * count
    cap = int(total * WIDEST_WORD)
    low = [min(max((longest_word(t, size_pt) for t in texts), default=0) + CELL_PADDING, cap)
           for texts in columns]
    if sum(low) >= total:
        return _summing([n * total / sum(low) for n in low], total)
    high = [max(lo, max((longest_line(t, size_pt) for t in texts[header_rows:]), default=0)
                + CELL_PADDING) for lo, texts in zip(low, columns, strict=True)]
    # A column of short entries (dates, names, roles) kept on one line where the others can
    # still hold their words.
    typical = [max(lo, _most(texts[header_rows:], size_pt) + CELL_PADDING)
               for lo, texts in zip(low, columns, strict=True)]
    for i in sorted(range(count), key=lambda i: typical[i]):  # the shortest first
        if one_line and typical[i] <= total * SHORT_COLUMN and \
                sum(low) - low[i] + typical[i] <= total:
            low[i] = typical[i]

    if not one_line:
        high = [total] * count
    if sum(high) <= total:  # everything fits on one line: the room left shared by weight
        spare = total - sum(high)
        return _summing([h + spare * w / sum(weights) for h, w in zip(high, weights,
                                                                      strict=True)], total)
    return list(_filled(tuple(weights), tuple(low), tuple(high), total))


@lru_cache(maxsize=4096)  # tables of one kind (label/value) often come to the same bounds
def _filled(weights: tuple[int, ...], low: tuple[int, ...], high: tuple[int, ...],
            total: int) -> tuple[int, ...]:
    def widths(scale: float) -> list[float]:
        return [min(max(scale * w, lo), hi) for w, lo, hi in zip(weights, low, high,
                                                                 strict=True)]

    below, above = 0.0, float(total)
    for _ in range(60):  # the scale at which the clamped widths fill the line
        middle = (below + above) / 2
        below, above = (middle, above) if sum(widths(middle)) < total else (below, middle)
    return tuple(_summing(widths(above), total))


def _most(texts: list[str], size_pt: float) -> int:
    """The line width that holds MOST_CELLS of `texts` on one line."""
    if not texts:
        return 0
    widths = sorted(longest_line(t, size_pt) for t in texts)
    return widths[max(0, math.ceil(len(widths) * MOST_CELLS) - 1)]


def _summing(widths: list[float], total: int) -> list[int]:
    rounded = [int(w) for w in widths]
    rounded[-1] += total - sum(rounded)
    return rounded


def table_texts(block: Grid) -> tuple[list[list[str]], list[int], bool]:
    """A grid's cell texts as the DOCX shows them (the header row first, every row as wide as
    the table), its columns' widths, and whether it is a label/value table."""
    columns = len(block.header) if block.header else max(len(r) for r in block.rows)
    labelled = not block.header and columns == 2
    texts = [[docx_text(t) for t in block.header]] if block.header else []
    texts += [([docx_text(str(t)) for t in row] + [""] * columns)[:columns]
              for row in block.rows]
    widths = fit_widths([[row[c] for row in texts] for c in range(columns)],
                        LABEL_WEIGHTS if labelled else block.widths,
                        header_rows=1 if block.header else 0, one_line=not labelled)
    return texts, widths, labelled


def row_plan(texts: list[list[str]], widths: list[int], header_rows: int = 0,
             size_pt: float = 10.5) -> list[tuple[bool, bool]]:
    """Each row's (kept whole on a page, its paragraphs kept with the next row)."""
    heights = [max((lines(t, w - CELL_PADDING, size_pt) for t, w in zip(row, widths,
                                                                        strict=False)),
                   default=1) for row in texts]
    whole = sum(heights) <= WHOLE_TABLE_LINES
    return [(height <= SPLITTABLE_LINES,
             number < len(texts) - 1 and (whole or number < header_rows))
            for number, height in enumerate(heights)]


def lay_out(table, widths: list[int], texts: list[list[str]], header_rows: int = 0,
            size_pt: float = 10.5) -> None:
    """Apply `widths` to a filled python-docx table whose rows hold `texts`; its first
    `header_rows` rows repeat at the top of every page."""
    table.autofit = False
    tbl_pr = table._tbl.tblPr
    tbl_w = tbl_pr.find(qn("w:tblW"))
    if tbl_w is None:
        tbl_w = OxmlElement("w:tblW")
        tbl_pr.append(tbl_w)
    tbl_w.set(qn("w:w"), str(sum(widths)))
    tbl_w.set(qn("w:type"), "dxa")
    for column, width in zip(table.columns, widths, strict=True):
        column.width = Twips(width)
    plan = row_plan(texts, widths, header_rows, size_pt)
    for number, (row, (whole, keep)) in enumerate(zip(table.rows, plan, strict=True)):
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = Twips(width)
        _row_properties(row, header=number < header_rows, whole=whole)
        # Word keeps a row with the next when its paragraphs are "keep with next": the header
        # with the first row, and a short table with itself.
        if keep:
            for cell in row.cells:
                for paragraph in cell.paragraphs:
                    paragraph.paragraph_format.keep_with_next = True


def _row_properties(row, header: bool, whole: bool) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    # The schema's order: cantSplit, then trHeight, then tblHeader.
    if whole:
        tr_pr.insert(0, OxmlElement("w:cantSplit"))
    if header:
        tr_pr.append(OxmlElement("w:tblHeader"))
