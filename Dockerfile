# kbot: one image for the chat endpoint (web) and the ingest worker.
#   web:    kbot serve --port 3000     (the default CMD)
#   worker: kbot sync [--source NAME]  (one pass; Step Functions sets the command on AWS)
FROM python:3.11-slim AS build

ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN apt-get update \
 && apt-get install -y --no-install-recommends build-essential \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY ingest ./ingest
COPY adapters ./adapters
COPY infra ./infra
RUN python -m venv /opt/kbot \
 && /opt/kbot/bin/pip install .

FROM python:3.11-slim

# libgomp1: OpenMP runtime that onnxruntime (the embedded embedding model) links against.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libgomp1 \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --create-home --uid 10001 --shell /usr/sbin/nologin kbot \
 && mkdir -p /data \
 && chown kbot:kbot /data

COPY --from=build /opt/kbot /opt/kbot
ENV PATH=/opt/kbot/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    KBOT_DB=/data/kbot.db \
    PORT=3000 \
    HF_HUB_OFFLINE=1 \
    DO_NOT_TRACK=1

USER kbot
WORKDIR /home/kbot
EXPOSE 3000

HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/livez' % os.environ.get('PORT', '3000'), timeout=3)"]

CMD ["kbot", "serve", "--port", "3000"]
