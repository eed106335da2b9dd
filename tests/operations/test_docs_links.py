"""The rules the code implements are written in the repository's own docs/, and the code points there.

- No file of the repository refers to the specification kept outside it (a section of "SPEC", a path into
  the shared folder next to the repository): a newcomer or an auditor could not follow it.
- Every ``docs/<file>.md`` named anywhere exists, every link between the documents resolves, and a pointer
  written ``(docs/<file>.md, <Heading>)`` names a heading that file has (docs/rules.md, for example, keeps
  its headings stable for that reason).

Plain file reading, no database.
"""

import re
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]
DOCS = BASE_DIR / "docs"

# Written in two parts so that this file does not contain what it looks for.
OUTSIDE_REFERENCES = ("SPEC" + " §", ".." + "/shared", "/work" + "/shared")

# Not part of the repository's own text: what .gitignore keeps out, and version control itself.
SKIPPED_DIRS = {
    ".git",
    ".venv",
    "__pycache__",
    ".pytest_cache",
    ".hypothesis",
    ".ruff_cache",
    "node_modules",
    "staticfiles",
    "test-output",
    "build",
}
SKIPPED_PATHS = {"bench/results", "deploy/tls"}
SKIPPED_SUFFIXES = (".pyc", ".pyo", ".pyd", ".sqlite3", ".png", ".jpg", ".jpeg", ".gif", ".ico", ".woff", ".woff2")

DOC_NAME = re.compile(rb"docs/([A-Za-z0-9_.-]+\.md)")
# "(docs/rules.md, Harm score)": the text after the comma, up to the end of the pointer or of the line.
POINTER = re.compile(r"docs/([A-Za-z0-9_.-]+\.md), ([A-Z][^;:)\n\"`]*)")
MARKDOWN_LINK = re.compile(r"\]\(([^)#\s]+\.md)(#[^)]*)?\)")
HEADING = re.compile(r"^#{1,6} +(.+?) *$", re.MULTILINE)


def repository_files() -> list[Path]:
    files = []
    for path in BASE_DIR.rglob("*"):
        relative = path.relative_to(BASE_DIR)
        if any(part in SKIPPED_DIRS or part.endswith(".egg-info") for part in relative.parts):
            continue
        if any(relative.as_posix().startswith(skipped + "/") for skipped in SKIPPED_PATHS):
            continue
        if path.is_file() and not path.name.endswith(SKIPPED_SUFFIXES) and not path.name.startswith("db.sqlite3"):
            files.append(path)
    return files


def name(path: Path) -> str:
    return path.relative_to(BASE_DIR).as_posix()


def headings(document: Path) -> list[str]:
    return HEADING.findall(document.read_text(encoding="utf-8"))


def test_the_files_are_found():
    found = {name(path) for path in repository_files()}
    assert {"README.md", "manage.py", "docs/rules.md", "tests/operations/test_docs_links.py"} <= found
    assert not any(entry.startswith(".venv/") or entry.startswith(".git/") for entry in found)


def test_nothing_refers_to_the_specification_outside_the_repository():
    offending = []
    for path in repository_files():
        content = path.read_bytes()
        for reference in OUTSIDE_REFERENCES:
            if reference.encode() in content:
                lines = [
                    number for number, line in enumerate(content.splitlines(), start=1) if reference.encode() in line
                ]
                offending.append(f"{name(path)}:{','.join(map(str, lines))}: {reference!r}")
    assert not offending, "Point into docs/ instead, e.g. (docs/rules.md, Harm score):\n" + "\n".join(offending)


def test_every_document_named_exists():
    missing = sorted(
        f"{name(path)}: docs/{document.decode()}"
        for path in repository_files()
        for document in set(DOC_NAME.findall(path.read_bytes()))
        if not (DOCS / document.decode()).is_file()
    )
    assert not missing, "\n".join(missing)


def test_every_link_between_the_documents_resolves():
    broken = []
    for document in [BASE_DIR / "README.md", *sorted(DOCS.glob("*.md"))]:
        for target, _anchor in MARKDOWN_LINK.findall(document.read_text(encoding="utf-8")):
            if "://" not in target and not (document.parent / target).is_file():
                broken.append(f"{name(document)}: {target}")
    assert not broken, "\n".join(broken)


def test_every_pointer_names_a_heading_of_its_document():
    """A pointer may be cut by a line break ("(docs/retention.md, Erasure" / "and the tombstone)"): what is
    on its first line must then begin the heading."""
    known = {document.name: headings(document) for document in DOCS.glob("*.md")}
    wrong = []
    for path in repository_files():
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        for document, pointed in POINTER.findall(text):
            pointed = pointed.strip()
            if document in known and not any(
                heading.startswith(pointed) or pointed.startswith(heading) for heading in known[document]
            ):
                wrong.append(f"{name(path)}: docs/{document}, {pointed}")
    assert not wrong, "No such heading:\n" + "\n".join(wrong)


def test_the_rules_documents_are_linked_from_the_readme():
    readme = (BASE_DIR / "README.md").read_text(encoding="utf-8")
    for document in ("rules.md", "access.md", "sharing.md", "access-log.md", "retention.md"):
        assert f"](docs/{document})" in readme, document
