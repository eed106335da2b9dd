FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
RUN useradd --create-home --uid 1000 govmatrix
COPY pyproject.toml README.md ./
COPY config ./config
COPY matrix ./matrix
COPY sharing ./sharing
COPY audit ./audit
COPY templates ./templates
COPY static ./static
COPY manage.py ./
RUN pip install --no-cache-dir . \
 && GOVMATRIX_PRODUCTION=1 DJANGO_SECRET_KEY=build-only DJANGO_ALLOWED_HOSTS=build python manage.py collectstatic --noinput
USER govmatrix
EXPOSE 8000
CMD ["gunicorn", "--config", "config/gunicorn.py", "config.wsgi:application"]
