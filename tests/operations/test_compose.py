"""docker-compose.yml: restarts, healthchecks, a TLS proxy, a database URL that no password can break."""

import re
from pathlib import Path

import yaml

BASE_DIR = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((BASE_DIR / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]


def test_every_long_running_service_restarts_and_the_one_shot_step_does_not():
    for name, service in SERVICES.items():
        expected = "no" if name == "migrate" else "unless-stopped"
        assert service.get("restart") == expected, name


def test_the_app_reports_ready_only_when_its_readiness_check_passes():
    check = SERVICES["app"]["healthcheck"]["test"]
    assert "http://127.0.0.1:8000/readyz" in " ".join(check)
    assert SERVICES["proxy"]["depends_on"]["app"]["condition"] == "service_healthy"


def test_the_password_is_never_part_of_the_database_url():
    environment = SERVICES["app"]["environment"]
    assert "${" not in environment["DATABASE_URL"]
    assert environment["DATABASE_PASSWORD"].startswith("${POSTGRES_PASSWORD")
    assert SERVICES["db"]["environment"]["POSTGRES_PASSWORD"].startswith("${POSTGRES_PASSWORD")


def test_the_readme_address_is_an_allowed_host_by_default():
    readme = (BASE_DIR / "README.md").read_text()
    docker_section = readme.split("### Docker", 1)[1].split("\n### ", 1)[0]
    host = re.search(r"open https://([^/:\s]+)/", docker_section).group(1)
    default_hosts = re.search(
        r"DJANGO_ALLOWED_HOSTS:-([^}]+)}", SERVICES["app"]["environment"]["DJANGO_ALLOWED_HOSTS"]
    ).group(1)
    assert host in default_hosts.split(",")


def test_nginx_terminates_tls_in_front_of_the_app_with_the_shared_configuration():
    proxy = SERVICES["proxy"]
    assert proxy["network_mode"] == "service:app"
    mounted = [volume.split(":")[0] for volume in proxy["volumes"]]
    assert "./deploy/nginx/govmatrix.conf" in mounted
    assert (BASE_DIR / "deploy/nginx/govmatrix.conf").is_file()
    assert {"443:443", "80:80"} <= set(SERVICES["app"]["ports"])


def test_the_erasure_ledger_is_kept_on_its_own_volume():
    ledger = SERVICES["app"]["environment"]["GOVMATRIX_ERASURE_LEDGER"]
    volume = next(v for v in SERVICES["app"]["volumes"] if v.startswith("ledger:"))
    assert ledger.startswith(volume.split(":")[1] + "/")
    assert "ledger" in COMPOSE["volumes"]


def test_only_the_web_server_inherits_the_images_readiness_healthcheck():
    for name in ("migrate", "scheduler"):
        assert SERVICES[name]["healthcheck"] == {"disable": True}, name
