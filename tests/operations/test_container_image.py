"""The container image holds every installed app, the templates and the collected static files.

No Docker daemon runs on the CI machines, so this builds the image's file tree the way `docker build`
would — the repository's tracked files, less .dockerignore, through the Dockerfile's COPY steps — and
runs the Dockerfile's own build step (collectstatic) and the application there. `.ci/run` also builds
the real image and runs its smoke test wherever `docker info` answers.
"""

import fnmatch
import shlex
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from django.apps import apps

from tests.serving import BASE_DIR, clean_env, strong_secret


def tracked_files() -> list[str]:
    result = subprocess.run(["git", "ls-files"], cwd=BASE_DIR, capture_output=True, text=True, check=True)
    return [path for path in result.stdout.splitlines() if (BASE_DIR / path).is_file()]


def dockerignore_patterns() -> list[str]:
    lines = (BASE_DIR / ".dockerignore").read_text().splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def ignored(path: str, patterns: list[str]) -> bool:
    parts = path.split("/")
    prefixes = ["/".join(parts[: index + 1]) for index in range(len(parts))]
    for pattern in patterns:
        if pattern.startswith("**/"):
            if any(fnmatch.fnmatch(part, pattern[3:]) for part in parts):
                return True
        elif any(fnmatch.fnmatch(prefix, pattern) for prefix in prefixes):
            return True
    return False


def dockerfile_steps() -> list[list[str]]:
    text = (BASE_DIR / "Dockerfile").read_text().replace("\\\n", " ")
    return [shlex.split(line) for line in text.splitlines() if line.strip() and not line.startswith("#")]


def build_tree(destination: Path) -> Path:
    """The image's WORKDIR as the Dockerfile's COPY steps would fill it from the build context."""
    context = [path for path in tracked_files() if not ignored(path, dockerignore_patterns())]
    workdir = destination
    for instruction, *arguments in dockerfile_steps():
        if instruction == "WORKDIR":
            workdir = destination / arguments[0].lstrip("/")
        elif instruction == "COPY":
            assert not any(argument.startswith("--") for argument in arguments), "COPY flags are not simulated"
            *sources, target = arguments
            target_dir = workdir / target
            for source in sources:
                source = source.rstrip("/")
                for path in context:
                    if source == ".":
                        relative = path
                    elif path == source:
                        relative = Path(path).name if target.endswith(("/", ".")) else ""
                    elif path.startswith(source + "/"):
                        relative = path[len(source) + 1 :]
                    else:
                        continue
                    copied = target_dir / relative if relative else workdir / target
                    copied.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(BASE_DIR / path, copied)
    return workdir


def local_apps() -> list[str]:
    """Top-level packages of the installed apps that live in this repository."""
    names = set()
    for config in apps.get_app_configs():
        path = Path(config.path).resolve()
        if path.is_relative_to(BASE_DIR) and not path.is_relative_to(BASE_DIR / ".venv"):
            names.add(config.name.split(".")[0])
    return sorted(names)


@pytest.fixture(scope="module")
def image_tree(tmp_path_factory):
    return build_tree(tmp_path_factory.mktemp("image"))


def test_every_installed_app_and_the_templates_are_in_the_image(image_tree):
    assert local_apps() and "transparency" in local_apps()
    for name in [*local_apps(), "templates", "static", "manage.py", "config/gunicorn.py", "pyproject.toml"]:
        assert (image_tree / name).exists(), f"{name} is missing from the image"
    assert not (image_tree / ".git").exists() and not (image_tree / "tests").exists()


def test_tls_keys_and_local_settings_never_enter_the_image():
    patterns = dockerignore_patterns()
    for path in [
        "deploy/tls/privkey.pem",
        "deploy/tls/fullchain.pem",
        "secrets/server.key",
        ".env",
        "db.sqlite3",
        "erasure-ledger.jsonl",
    ]:
        assert ignored(path, patterns), path


def test_pip_installs_every_local_app():
    """`pip install .` in the image installs the packages pyproject.toml names; each app must be one."""
    include = tomllib.loads((BASE_DIR / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]["find"][
        "include"
    ]
    for name in local_apps():
        assert any(fnmatch.fnmatch(name, pattern) for pattern in include), f"{name} is not in packages.find include"


def test_the_build_step_and_the_app_run_from_the_image_tree_alone(image_tree):
    build_step = next(
        args for instruction, *args in dockerfile_steps() if instruction == "RUN" and "collectstatic" in args
    )
    env_words = [word for word in build_step if "=" in word and word.split("=")[0].isupper()]
    env = clean_env(
        **dict(word.split("=", 1) for word in env_words), GOVMATRIX_STATIC_ROOT=str(image_tree / "staticfiles")
    )
    collected = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput"],
        cwd=image_tree,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert collected.returncode == 0, collected.stdout + collected.stderr
    assert (image_tree / "staticfiles" / "staticfiles.json").is_file()

    # Every app must load from the image's own files, not from this checkout.
    script = (
        "import django, pathlib; django.setup(); from django.apps import apps; "
        f"outside = [c.name for c in apps.get_app_configs() if pathlib.Path(c.path).resolve().is_relative_to({str(BASE_DIR)!r}) "
        "and 'site-packages' not in c.path]; "
        "print(outside)"
    )
    env.update(DJANGO_SECRET_KEY=strong_secret(), DJANGO_ALLOWED_HOSTS="govmatrix.example")
    loaded = subprocess.run([sys.executable, "-c", script], cwd=image_tree, env=env, capture_output=True, text=True)
    assert loaded.returncode == 0, loaded.stderr
    assert loaded.stdout.strip() == "[]"
    checked = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=image_tree,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
