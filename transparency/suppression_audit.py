"""The exact audit behind small-number suppression: could anyone work out a hidden count? Pure, no Django.

Narrowing each hidden count's range line by line (``suppression.bounds``) is quick but can miss what a
patient reader finds by trying whole numbers: four "fewer than 5" counts and a few totals can leave only
one table that fits. This module searches, as such a reader would, for another whole-number table that
agrees with everything published but gives the hidden count a different value. A count for which none
exists is recoverable. A search that runs out of steps counts as recoverable too: what cannot be shown
safe is not published.
"""

from dataclasses import dataclass, field

SEARCH_STEPS = 20_000  # per question "can this count be other than it is?"


class OutOfSteps(Exception):
    pass


@dataclass
class _Search:
    members: list  # per line: [(position, +1 part | -1 total), ...], only lines with something hidden
    steps: int = 0
    found: dict = field(default_factory=dict)  # the last table found: position -> value

    def narrow(self, domains: dict) -> bool:
        """Shrink each range to what its lines allow, as whole numbers; False when some line cannot add up."""
        changed = True
        while changed:
            changed = False
            for line in self.members:
                # sum(sign × member) == 0: each member lies between minus the most and the least the others add.
                least = sum(domains[m][0] if s > 0 else -domains[m][1] for m, s in line)
                most = sum(domains[m][1] if s > 0 else -domains[m][0] for m, s in line)
                if least > 0 or most < 0:
                    return False
                for position, sign in line:
                    low, high = domains[position]
                    own_least, own_most = (low, high) if sign > 0 else (-high, -low)
                    rest_least, rest_most = least - own_least, most - own_most
                    new_low, new_high = (-rest_most, -rest_least) if sign > 0 else (rest_least, rest_most)
                    new = (max(low, new_low), min(high, new_high))
                    if new[0] > new[1]:
                        return False
                    if new != (low, high):
                        domains[position], changed = new, True
        return True

    def feasible(self, domains: dict) -> bool:
        """Is there a whole-number table within these ranges whose lines all add up? (Depth first, halving.)"""
        self.steps += 1
        if self.steps > SEARCH_STEPS:
            raise OutOfSteps
        domains = dict(domains)
        if not self.narrow(domains):
            return False
        open_positions = [i for i, (low, high) in domains.items() if low < high]
        if not open_positions:
            self.found = {i: low for i, (low, _high) in domains.items()}
            return True
        position = min(open_positions, key=lambda i: domains[i][1] - domains[i][0])
        low, high = domains[position]
        middle = (low + high) // 2
        return self.feasible({**domains, position: (low, middle)}) or self.feasible(
            {**domains, position: (middle + 1, high)}
        )


def first_recoverable(values: list[int], lines, hidden: dict[int, tuple[int, float]]) -> int | None:
    """The first hidden position (of ``hidden``: position -> the range readers know, e.g. 1–4) whose value
    no other consistent table changes, or None when every hidden count could be something else."""
    ceiling = 2 * sum(values) + 10  # no count can be larger; a tighter cap only helps the reader
    domains = {i: (v, v) for i, v in enumerate(values)}
    domains.update({i: (low, min(high, ceiling)) for i, (low, high) in hidden.items()})
    members = [
        line
        for line in ([(p, 1) for p in parts] + [(total, -1)] for parts, total in lines)
        if any(position in hidden for position, _sign in line)
    ]
    free: set[int] = set()
    for position in sorted(hidden):
        if position in free:
            continue
        search = _Search(members)
        low, high = domains[position]
        value = values[position]
        try:
            alternatives = [(a, b) for a, b in ((low, value - 1), (value + 1, high)) if a <= b]
            if not any(search.feasible({**domains, position: span}) for span in alternatives):
                return position
        except OutOfSteps:
            return position
        # The table found gives every count that differs in it another possible value.
        free |= {i for i, found in search.found.items() if i in hidden and found != values[i]}
    return None
