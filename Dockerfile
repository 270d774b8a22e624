# defcoop: multi-stage build, non-root, SQLite in a volume by default, the versions of
# constraints.txt (the lock that CI installs too).
#   docker build -t defcoop .
#   docker run -p 8000:8000 -v defcoop-data:/data defcoop
#   docker run -p 8000:8000 -e DEFCOOP_DATABASE_URL=postgresql+psycopg://user@db/defcoop defcoop
# Each container migrates before it serves (serve --migrate). Several replicas may start at
# once: the upgrade holds a lock (PostgreSQL: an advisory lock; SQLite: a file beside the
# database), so one migrates and the others wait and find nothing to do. Or migrate as a step
# of its own first, with the same image:
#   docker run --rm -e DEFCOOP_DATABASE_URL=... --entrypoint defcoop defcoop db upgrade
FROM python:3.12-slim AS build
WORKDIR /src
COPY pyproject.toml README.md alembic.ini constraints.txt ./
COPY app ./app
COPY migrations ./migrations
# The README's install, as a wheel into a virtualenv (the wheel carries the migrations), with
# the locked versions (the build backend's too, which pip's -c alone no longer reaches).
RUN python -m venv /opt/venv \
 && /opt/venv/bin/pip install --no-cache-dir -c constraints.txt --upgrade pip \
 && /opt/venv/bin/pip install --no-cache-dir -c constraints.txt --build-constraint constraints.txt \
      '.[postgres]'

FROM python:3.12-slim
RUN useradd --create-home --uid 10001 defcoop && mkdir /data && chown defcoop:defcoop /data
COPY --from=build /opt/venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    DEFCOOP_DATABASE_URL=sqlite:////data/defcoop.db \
    DEFCOOP_HOST=0.0.0.0 \
    DEFCOOP_PORT=8000
USER defcoop
WORKDIR /home/defcoop
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)" || exit 1
ENTRYPOINT ["defcoop", "serve", "--migrate"]
