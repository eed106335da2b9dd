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

from collections.abc import Sequence
from dataclasses import dataclass
from math import inf

from transparency.suppression_audit import first_recoverable

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


@dataclass(frozen=True)
class OneWayPlaces:
    """Where a one-way table's counts sit among the positions of its ``LinkedTables``."""

    parts: tuple[int, ...]
    total: int

    def read(self, cells: list[Cell]) -> OneWay:
        return OneWay(cells=[cells[i] for i in self.parts], total=cells[self.total])


@dataclass(frozen=True)
class TwoWayPlaces:
    cells: tuple[tuple[int, ...], ...]
    row_totals: tuple[int, ...]
    column_totals: tuple[int, ...]
    grand_total: int

    def read(self, cells: list[Cell]) -> TwoWay:
        return TwoWay(
            cells=[[cells[i] for i in row] for row in self.cells],
            row_totals=[cells[i] for i in self.row_totals],
            column_totals=[cells[i] for i in self.column_totals],
            grand_total=cells[self.grand_total],
        )


class LinkedTables:
    """Tables published together whose totals are the same counts, protected as one system.

    Protected one by one, a count hidden in one table could be worked out from another that publishes the
    same total (everyone on the matrix appears as the total of the borough, ethnicity, age and gender
    tables). Here a shared total is one position: it is hidden everywhere or nowhere, and the audit sees
    every table's sums at once. ``sum_of`` adds any other relation between published counts.
    """

    def __init__(self):
        self.values: list[int] = []
        self.lines: list[Line] = []

    def _place(self, value: int, shared: int | None = None) -> int:
        if shared is None:
            self.values.append(value)
            return len(self.values) - 1
        if self.values[shared] != value:
            raise ValueError(f"a shared total is {self.values[shared]} in one table and {value} in another")
        return shared

    def sum_of(self, parts, total: int) -> None:
        """Declare that the counts at ``parts`` add up to the count at ``total``."""
        parts = tuple(parts)
        if sum(self.values[i] for i in parts) != self.values[total]:
            raise ValueError("the counts declared to add up do not")
        if (parts, total) not in self.lines:
            self.lines.append((parts, total))

    def one_way(self, counts: Sequence[int], *, total: int | None = None) -> OneWayPlaces:
        """A list of counts with their total (``total``: the position of that total in another table)."""
        parts = tuple(self._place(count) for count in counts)
        places = OneWayPlaces(parts, self._place(sum(counts), total))
        self.sum_of(places.parts, places.total)
        return places

    def two_way(
        self,
        counts: Sequence[Sequence[int]],
        *,
        row_totals: Sequence[int] | None = None,
        column_totals: Sequence[int] | None = None,
        grand_total: int | None = None,
    ) -> TwoWayPlaces:
        """A rows × columns table with its row, column and grand totals; ``row_totals``, ``column_totals`` and
        ``grand_total`` are positions shared with another table counting the same rows, columns or whole."""
        rows = [list(row) for row in counts]
        n_cols = len(rows[0]) if rows else len(column_totals or ())
        if any(len(row) != n_cols for row in rows):
            raise ValueError("every row needs the same number of columns")
        cells = tuple(tuple(self._place(v) for v in row) for row in rows)
        shared_rows = row_totals or [None] * len(rows)
        row_places = tuple(self._place(sum(row), shared) for row, shared in zip(rows, shared_rows))
        shared_columns = column_totals or [None] * n_cols
        column_sums = [sum(row[j] for row in rows) for j in range(n_cols)]
        columns = tuple(self._place(v, shared) for v, shared in zip(column_sums, shared_columns))
        grand = self._place(sum(column_sums), grand_total)
        for row, row_total in zip(cells, row_places):
            self.sum_of(row, row_total)
        for j, column_total in enumerate(columns):
            self.sum_of((row[j] for row in cells), column_total)
        self.sum_of(row_places, grand)
        self.sum_of(columns, grand)
        return TwoWayPlaces(cells, row_places, columns, grand)

    def protect(self, threshold: int = DEFAULT_THRESHOLD) -> list[Cell]:
        return _protect(self.values, self.lines, threshold)


def suppress_one_way(counts: Sequence[int], threshold: int = DEFAULT_THRESHOLD) -> OneWay:
    """Protect a list of counts published with their total."""
    tables = LinkedTables()
    places = tables.one_way(counts)
    return places.read(tables.protect(threshold))


def suppress_two_way(counts: Sequence[Sequence[int]], threshold: int = DEFAULT_THRESHOLD) -> TwoWay:
    """Protect a rows × columns table published with its row, column and grand totals."""
    tables = LinkedTables()
    places = tables.two_way(counts)
    return places.read(tables.protect(threshold))


def _protect(values: list[int], lines: list[Line], threshold: int) -> list[Cell]:
    if threshold < 2:
        raise ValueError("a threshold below 2 would hide nothing")
    if any(v < 0 for v in values):
        raise ValueError("counts cannot be negative")
    primary = {i for i, v in enumerate(values) if 0 < v < threshold}
    secondary: set[int] = set()
    try:
        while (pinned := _next_pinned(values, lines, primary, secondary, threshold)) is not None:
            extra = _complement_for(pinned, values, lines, primary, secondary, threshold)
            if extra is None:
                raise Unsettled
            secondary.add(extra)
    except Unsettled:
        secondary = {i for i, v in enumerate(values) if v > 0 and i not in primary}
        if _still_pinned(values, lines, primary, secondary, threshold):
            return [Cell(None, WITHHELD_TEXT) if v > 0 else Cell(0, "0") for v in values]
    return [
        Cell(None, fewer_than_text(threshold))
        if i in primary
        else Cell(None, HIDDEN_TEXT)
        if i in secondary
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
    # sum(sign × member) == 0 on each line, so each member is bounded by the others. A line with nothing
    # hidden says nothing new, and most lines of a big table are like that.
    active = [
        members
        for members in ([(p, 1) for p in parts] + [(total, -1)] for parts, total in lines)
        if any(index in hidden for index, _sign in members)
    ]
    changed, passes = True, 0
    while changed and passes < MAX_PASSES:
        changed, passes = False, passes + 1
        for members in active:
            for index, sign in members:
                if index not in hidden:
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


def _hidden_ranges(primary, secondary, threshold) -> dict[int, tuple[float, float]]:
    return {i: (1, threshold - 1) for i in primary} | {i: (threshold, inf) for i in secondary}


def _pinned_positions(values, lines, primary, secondary, threshold) -> list[int]:
    hidden = _hidden_ranges(primary, secondary, threshold)
    published = {i: v for i, v in enumerate(values) if i not in hidden}
    return sorted(index for index, (low, high) in bounds(published, hidden, lines).items() if low >= high)


def _next_pinned(values, lines, primary, secondary, threshold) -> int | None:
    """A hidden count someone could work out: first by narrowing ranges (quick), then by searching whole-number
    tables (``suppression_audit``), which finds what narrowing alone misses."""
    narrowed = _pinned_positions(values, lines, primary, secondary, threshold)
    if narrowed:
        return narrowed[0]
    return first_recoverable(values, lines, _hidden_ranges(primary, secondary, threshold))


def _still_pinned(values, lines, primary, secondary, threshold) -> bool:
    try:
        return _next_pinned(values, lines, primary, secondary, threshold) is not None
    except Unsettled:
        return True


def _complement_for(pinned: int, values, lines, primary, secondary, threshold) -> int | None:
    """The published count to hide next for a pinned one: the first, in order of preference, whose hiding
    leaves it unpinned, or else the most preferred (the next round hides more).

    Candidates are the non-zero published counts on a line through the pinned count, then those one hidden
    count further away, and so on (in linked tables what pins a count may be a total two tables away).
    Nearer lines come first, cells inside a table before totals, and smaller counts before larger: a total
    such as "everyone on the matrix" is the figure readers most need.
    """
    rings = _candidate_rings(pinned, values, lines, primary | secondary)
    for candidate in (candidate for ring in rings for candidate in ring):
        try:
            if pinned not in _pinned_positions(values, lines, primary, secondary | {candidate}, threshold):
                return candidate
        except Unsettled:
            continue
    return rings[0][0] if rings else None


def _candidate_rings(pinned: int, values, lines, hidden) -> list[list[int]]:
    """Non-empty lists of published non-zero counts, nearest to ``pinned`` first, each in order of preference."""
    totals = {total for _parts, total in lines}
    lines_through: dict[int, list[Line]] = {}
    for line in lines:
        for member in (*line[0], line[1]):
            lines_through.setdefault(member, []).append(line)
    rings, seen, reached, frontier = [], set(), {pinned}, [pinned]
    while frontier:
        members = {
            member
            for position in frontier
            for parts, total in lines_through.get(position, ())
            for member in (*parts, total)
        }
        ring = sorted(
            (m for m in members - seen if m not in hidden and values[m] > 0), key=lambda i: (i in totals, values[i], i)
        )
        if ring:
            rings.append(ring)
        seen |= members
        frontier = [m for m in members if m in hidden and m not in reached]
        reached.update(frontier)
    return rings
