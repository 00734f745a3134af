# syntax=docker/dockerfile:1
#
# One image for every process of the platform: the web (gunicorn, the default command), the
# Celery worker and Celery beat, and the one-shot migrations (see docker-compose.yml).
#
#   docker build -t hackathon-platform .
#
# Nothing secret is needed to build: the production variables are given at run time.

FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_ROOT_USER_ACTION=ignore

# gettext gives msgfmt to compilemessages. No libpq or compiler: PostgreSQL is psycopg2-binary.
RUN apt-get update \
    && apt-get install -y --no-install-recommends gettext \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app

# The dependencies first, in their own layer, so that editing the code does not reinstall them.
# pyproject.toml packages nothing ([tool.setuptools] py-modules = []): installing it only
# installs the dependencies; the code runs from /app, copied below.
COPY pyproject.toml /tmp/build/pyproject.toml
RUN pip install --no-cache-dir /tmp/build \
    && rm -rf /tmp/build

COPY . /app

# Translations and static files are built into the image.
# - compilemessages runs with DEBUG=true so that no production variable is needed. It fails when
#   no locale directory exists at all, so settings.LOCALE_PATHS (/app/locale) is created first.
# - collectstatic must run with DEBUG=false: only then does settings.py select whitenoise's
#   CompressedManifestStaticFilesStorage, which writes staticfiles.json; a production container
#   (DEBUG=false) serving files collected with DEBUG=true fails on every {% static %} with
#   "Missing staticfiles manifest entry". collectstatic opens no database, cache or broker, so
#   placeholder values satisfy the production check; they exist only for this command and are
#   not kept in the image.
RUN mkdir -p /app/locale /app/media \
    && DEBUG=true python manage.py compilemessages \
    && DEBUG=false \
       SECRET_KEY=collectstatic-at-build-time-only \
       ALLOWED_HOSTS=localhost \
       DATABASE_URL=postgres://build:build@127.0.0.1:1/build \
       REDIS_URL=redis://127.0.0.1:1/0 \
       EMAIL_URL=console:// \
       python manage.py collectstatic --noinput

# Run as an unprivileged user. The code and the collected files stay owned by root (read-only
# for the app); only the media directory (a volume in compose) and the home directory (the
# Hugging Face cache, ~/.cache/huggingface) are writable.
RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --create-home --home-dir /home/app app \
    && chown app:app /app/media
USER app

EXPOSE 8000

# Healthy when /healthz answers 200 (the database, and Redis when REDIS_URL is set). The slim
# image has no curl, so Python asks. /healthz is exempt from SECURE_SSL_REDIRECT, but not from
# ALLOWED_HOSTS: the request carries the first concrete host of ALLOWED_HOSTS as its Host header
# (a leading dot is dropped, wildcards skipped; localhost when none). urlopen raises on a 503.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; hosts = [h.strip().lstrip('.') for h in os.environ.get('ALLOWED_HOSTS', '').split(',') if h.strip() and '*' not in h]; request = urllib.request.Request('http://127.0.0.1:8000/healthz', headers={'Host': (hosts or ['localhost'])[0], 'X-Forwarded-Proto': 'https'}); urllib.request.urlopen(request, timeout=4)"]

# Shell form only to expand WEB_CONCURRENCY; exec hands the signals to gunicorn.
CMD ["sh", "-c", "exec gunicorn hackathon.wsgi:application --bind 0.0.0.0:8000 --workers ${WEB_CONCURRENCY:-3} --access-logfile -"]
