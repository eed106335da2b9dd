"""Every environment variable the code reads is in the README's configuration table, and nothing else is."""

import re
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]
# The application's own code: bench/ and tests/ set variables for the processes they start.
CODE = [
    path for path in BASE_DIR.glob("*/**/*.py") if path.parts[len(BASE_DIR.parts)] not in {"bench", "tests", ".venv"}
]
READS = re.compile(
    r'(?:env_(?:bool|int|list|str|required)\(|os\.environ(?:\.get|\.setdefault)?[\[(])\s*"([A-Z][A-Z0-9_]+)"'
)
# Read by libraries on the project's behalf (dj_database_url.config() reads DATABASE_URL).
READ_BY_LIBRARIES = {"DATABASE_URL"}


def variables_read_by_the_code() -> set[str]:
    names = set(READ_BY_LIBRARIES)
    for path in [*CODE, BASE_DIR / "manage.py"]:
        names.update(READS.findall(path.read_text()))
    return names


def variables_in_the_readme_table() -> set[str]:
    readme = (BASE_DIR / "README.md").read_text()
    table = readme.split("### Configuration", 1)[1].split("\n#", 1)[0]
    first_cells = [line.split("|")[1] for line in table.splitlines() if line.startswith("| `")]
    return {name for cell in first_cells for name in re.findall(r"`([A-Z][A-Z0-9_]+)`", cell)}


def test_the_scan_finds_the_variables_it_should():
    found = variables_read_by_the_code()
    assert {"GOVMATRIX_PRODUCTION", "DJANGO_SECRET_KEY", "GUNICORN_WORKERS", "GOVMATRIX_METRICS_NETWORKS"} <= found


def test_every_variable_the_code_reads_is_documented_and_every_documented_one_is_read():
    read, documented = variables_read_by_the_code(), variables_in_the_readme_table()
    assert read - documented == set(), "read by the code but missing from README's Configuration table"
    assert documented - read == set(), "in README's Configuration table but read by nothing"
