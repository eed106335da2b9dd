"""Small-number suppression for published counts: pure functions, no Django.

The rule (what the public page says):

- **Primary suppression**: a count from 1 to ``threshold - 1`` (1–4 by default) is shown as
  "fewer than 5". A true zero is shown as 0: knowing that nobody is in a group identifies nobody,
  and hiding zeros would make the tables much harder to read.
- **Totals are counts too**: a row, column or grand total below the threshold is suppressed the same way.
- **Secondary suppression**: a hidden count must not be recoverable by subtraction. Every table is a
  set of *lines* (a row with its row total, a column with its column total, the row totals with the
  grand total, the column totals with the grand total). The protection works out, line by line and
  over and over until nothing changes, the smallest and largest value each hidden count could have
  given everything published — including that a "fewer than 5" cell is between 1 and 4 and that a
  secondary cell is at least 5. Whenever a hidden count is pinned to one value (a line with a single
  hidden count always pins it), the smallest non-zero published count on a line through it is hidden
  too ("hidden"; a cell of the table before a total), and the audit runs again. If no count is
  left to hide (or the audit does not settle), every other non-zero count is hidden; and if even then
  a count is pinned, every non-zero count in the table, small ones included, is "withheld" — a label
  that says nothing about its size (1 or more), since "fewer than 5" itself can pin a count (four
  cells of 1 under a total of "fewer than 5" are each exactly 1): publishing nothing beats
  publishing a person.

Only the protected cells leave this module (value ``None`` when hidden), so callers never need to
store or pass on an unprotected count.
"""

from dataclasses import dataclass
from math import inf
from typing import Sequence

DEFAULT_THRESHOLD = 5
HIDDEN_TEXT = "hidden"
WITHHELD_TEXT = "withheld"
MAX_PASSES = 100


def fewer_than_text(threshold: int) -> str:
    return f"fewer than {threshold}"


@dataclass(frozen=True)
class Cell:
    """A published count: ``value`` is ``None`` when hidden, ``text`` is what the reader sees."""

    value: int | None
    text: str

    @property
    def hidden(self) -> bool:
        return self.value is None

    def as_json(self) -> dict:
        return {"value": self.value, "text": self.text}


@dataclass(frozen=True)
class OneWay:
    cells: list[Cell]
    total: Cell


@dataclass(frozen=True)
class TwoWay:
    cells: list[list[Cell]]
    row_totals: list[Cell]
    column_totals: list[Cell]
    grand_total: Cell


class Unsettled(Exception):
    """The audit could not show that every hidden count is safe."""


# A line is the positions of the parts and the position of their total: sum(parts) == total.
Line = tuple[tuple[int, ...], int]


def suppress_one_way(counts: Sequence[int], threshold: int = DEFAULT_THRESHOLD) -> OneWay:
    """Protect a list of counts published with their total."""
    values = [*counts, sum(counts)]
    parts = tuple(range(len(counts)))
    cells = _protect(values, [(parts, len(counts))], threshold)
    return OneWay(cells=cells[:-1], total=cells[-1])


def suppress_two_way(counts: Sequence[Sequence[int]], threshold: int = DEFAULT_THRESHOLD) -> TwoWay:
    """Protect a rows × columns table published with its row, column and grand totals."""
    rows = [list(row) for row in counts]
    n_rows, n_cols = len(rows), len(rows[0]) if rows else 0
    if any(len(row) != n_cols for row in rows):
        raise ValueError("every row needs the same number of columns")
    # Layout: the interior row by row, then the row totals, then the column totals, then the grand total.
    row_total_at = n_rows * n_cols
    column_total_at = row_total_at + n_rows
    grand_total_at = column_total_at + n_cols
    row_totals = [sum(row) for row in rows]
    column_totals = [sum(row[j] for row in rows) for j in range(n_cols)]
    values = [v for row in rows for v in row] + row_totals + column_totals + [sum(row_totals)]
    lines: list[Line] = [
        *((tuple(i * n_cols + j for j in range(n_cols)), row_total_at + i) for i in range(n_rows)),
        *((tuple(i * n_cols + j for i in range(n_rows)), column_total_at + j) for j in range(n_cols)),
        (tuple(row_total_at + i for i in range(n_rows)), grand_total_at),
        (tuple(column_total_at + j for j in range(n_cols)), grand_total_at),
    ]
    cells = _protect(values, lines, threshold)
    return TwoWay(
        cells=[cells[i * n_cols:(i + 1) * n_cols] for i in range(n_rows)],
        row_totals=cells[row_total_at:column_total_at],
        column_totals=cells[column_total_at:grand_total_at],
        grand_total=cells[grand_total_at],
    )


def _protect(values: list[int], lines: list[Line], threshold: int) -> list[Cell]:
    if threshold < 2:
        raise ValueError("a threshold below 2 would hide nothing")
    if any(v < 0 for v in values):
        raise ValueError("counts cannot be negative")
    primary = {i for i, v in enumerate(values) if 0 < v < threshold}
    secondary: set[int] = set()
    try:
        while (pinned := _first_pinned(values, lines, primary, secondary, threshold)) is not None:
            extra = _complement_for(pinned, values, lines, primary | secondary)
            if extra is None:
                raise Unsettled
            secondary.add(extra)
    except Unsettled:
        secondary = {i for i, v in enumerate(values) if v > 0 and i not in primary}
        if _still_pinned(values, lines, primary, secondary, threshold):
            return [Cell(None, WITHHELD_TEXT) if v > 0 else Cell(0, "0") for v in values]
    return [
        Cell(None, fewer_than_text(threshold)) if i in primary
        else Cell(None, HIDDEN_TEXT) if i in secondary
        else Cell(v, str(v))
        for i, v in enumerate(values)
    ]


def bounds(
    published: dict[int, int], hidden: dict[int, tuple[float, float]], lines: list[Line]
) -> dict[int, tuple[float, float]]:
    """What someone could work out about each hidden position from the published ones.

    ``hidden`` gives each hidden position its known range (e.g. 1–4 for "fewer than 5"). The ranges
    are narrowed by every line in turn until none changes (bounds propagation over sum constraints).
    Ranges still narrowing after ``MAX_PASSES`` passes raise ``Unsettled``: a caller must not trust
    ranges that may be wider than what someone could work out.
    """
    low = {i: lo for i, (lo, _hi) in hidden.items()}
    high = {i: hi for i, (_lo, hi) in hidden.items()}
    low.update(published)
    high.update(published)
    changed, passes = True, 0
    while changed and passes < MAX_PASSES:
        changed, passes = False, passes + 1
        for parts, total in lines:
            members = [(p, 1) for p in parts] + [(total, -1)]
            # sum(sign × member) == 0, so each member is bounded by the others.
            for index, sign in members:
                if index in published:
                    continue
                others_low = sum(low[o] if s > 0 else -high[o] for o, s in members if o != index)
                others_high = sum(high[o] if s > 0 else -low[o] for o, s in members if o != index)
                new_low, new_high = (-others_high, -others_low) if sign > 0 else (others_low, others_high)
                if new_low > low[index]:
                    low[index], changed = new_low, True
                if new_high < high[index]:
                    high[index], changed = new_high, True
    if changed:
        raise Unsettled
    return {i: (low[i], high[i]) for i in hidden}


def _first_pinned(values, lines, primary, secondary, threshold) -> int | None:
    hidden = {i: (1, threshold - 1) for i in primary} | {i: (threshold, inf) for i in secondary}
    published = {i: v for i, v in enumerate(values) if i not in hidden}
    for index, (low, high) in sorted(bounds(published, hidden, lines).items()):
        if low >= high:
            return index
    return None


def _still_pinned(values, lines, primary, secondary, threshold) -> bool:
    try:
        return _first_pinned(values, lines, primary, secondary, threshold) is not None
    except Unsettled:
        return True


def _complement_for(pinned: int, values, lines, hidden) -> int | None:
    """The smallest non-zero published count sharing a line with the pinned one.

    Cells inside the table are preferred to totals: totals are often published again in other
    tables (everyone on the matrix, everyone in a category), where hiding them would not help.
    """
    totals = {total for _parts, total in lines}
    candidates = {
        member
        for parts, total in lines
        if pinned in parts or pinned == total
        for member in (*parts, total)
        if member not in hidden and values[member] > 0
    }
    return min(candidates, key=lambda i: (i in totals, values[i], i), default=None)
