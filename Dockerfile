FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 GOVMATRIX_STATIC_ROOT=/app/staticfiles
WORKDIR /app
# The erasure ledger's folder (docker-compose.yml mounts its volume here), writable by the service's user.
RUN useradd --create-home --uid 1000 govmatrix \
 && install -d -o govmatrix -g govmatrix /var/lib/govmatrix-ledger
# The whole repository less what .dockerignore leaves out: no hand-kept list of folders to forget one from
# (tests/operations/test_container_image.py checks that every installed app and the static files make it in).
COPY . .
RUN pip install --no-cache-dir . \
 && GOVMATRIX_PRODUCTION=1 DJANGO_SECRET_KEY=build-only DJANGO_ALLOWED_HOSTS=build python manage.py collectstatic --noinput
USER govmatrix
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/readyz', timeout=4).status != 200)"]
CMD ["gunicorn", "--config", "config/gunicorn.py", "config.wsgi:application"]
