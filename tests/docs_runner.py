"""Run the shell commands a markdown document gives, exactly as written, so the document cannot drift from
what works.

``sh_blocks(path)`` returns the document's fenced blocks whose info string is exactly ``sh``, in order; these
are the commands an operator runs. A block with another info string belongs to another group and is selected
by naming it: ```` ```sh-upgrade ```` blocks with ``tag="sh-upgrade"`` (useful for steps a test cannot run, such
as restarting a service). Blocks fenced as ```` ```console ````, ```` ```text ```` or with no info string are
never returned. Fences may be indented (up to three spaces, as inside a list item); the indent is removed from
the block's lines.

``fenced_blocks(path)`` gives every block with its info string, for a test that runs groups in turn.

``run_block(block, env, cwd)`` runs one block with ``bash -euo pipefail -c``, so the first failing command
stops it, and raises ``BlockFailed`` (with the block, its exit status, standard output and error) on failure.
"""

import re
import subprocess
from pathlib import Path

OPENING = re.compile(r"^(?P<indent> {0,3})(?P<fence>`{3,}|~{3,})\s*(?P<info>[^`]*?)\s*$")
CLOSING = re.compile(r"^ {0,3}(?P<fence>`{3,}|~{3,})\s*$")


class BlockFailed(AssertionError):
    def __init__(self, block: str, result: subprocess.CompletedProcess):
        super().__init__(
            f"This block exited with status {result.returncode}:\n{block}\n"
            f"--- standard output ---\n{result.stdout}\n--- standard error ---\n{result.stderr}"
        )
        self.result = result


def _closes(line: str, fence: str) -> bool:
    """CommonMark: the same character as the opening fence, at least as many times, nothing after it."""
    closing = CLOSING.match(line)
    return bool(closing) and closing["fence"][0] == fence[0] and len(closing["fence"]) >= len(fence)


def _dedent(line: str, indent: int) -> str:
    return line[min(indent, len(line) - len(line.lstrip(" "))) :]


def fenced_blocks(path: Path) -> list[tuple[str, str]]:
    """Every fenced block of ``path`` as (info string, body), in document order."""
    blocks = []
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    index = 0
    while index < len(lines):
        opening = OPENING.match(lines[index])
        index += 1
        if not opening:
            continue
        indent, fence, info = len(opening["indent"]), opening["fence"], opening["info"]
        body = []
        while index < len(lines) and not _closes(lines[index], fence):
            body.append(_dedent(lines[index], indent))
            index += 1
        index += 1  # the closing fence
        blocks.append((info, "\n".join(body) + "\n"))
    return blocks


def sh_blocks(path: Path, tag: str = "sh") -> list[str]:
    """The bodies of the fenced blocks of ``path`` whose info string is exactly ``tag``, in document order."""
    return [body for info, body in fenced_blocks(path) if info == tag]


def run_block(block: str, env: dict, cwd: Path, timeout: float = 600) -> subprocess.CompletedProcess:
    result = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", block], env=env, cwd=cwd, capture_output=True, text=True, timeout=timeout
    )
    if result.returncode != 0:
        raise BlockFailed(block, result)
    return result
