#!/usr/bin/env bash
# Builds and runs the portal at http://127.0.0.1:3000 with demo data, on
# SQLite in ./data. Installs what is missing first.
source "$(dirname "$0")/setup.sh"
export PORTAL_DEMO=1
export PORTAL_DATABASE_URL="${PORTAL_DATABASE_URL:-sqlite://data/portal.db}"
# --precompress: the assets are served from .br and .gz files made here.
exec cargo leptos serve --release --precompress --split
