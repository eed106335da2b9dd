"""System checks a deployment must pass (`manage.py check --deploy`)."""

from django.core import checks

from config.health import static_manifest_problem


@checks.register(checks.Tags.staticfiles, deploy=True)
def static_files_collected(app_configs, **kwargs):
    problem = static_manifest_problem()
    if problem:
        return [checks.Error(f"The {problem}.", hint="Pages answer 503 until it is done.", id="govmatrix.E001")]
    return []
