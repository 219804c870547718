#!/usr/bin/env bash
# What the tests need from the machine beyond Node. One line per service.
set -uo pipefail
# PostgreSQL 15 binaries for the storage-postgres tests (the tests start and stop their own server).
[ -x /usr/lib/postgresql/15/bin/initdb ] || { apt-get update -qq && apt-get install -y -qq postgresql-15 >/dev/null; } || echo "!! PostgreSQL 15 could not be installed: its tests will be skipped loudly"
# Chromium from Debian for the review page's browser test (playwright-core drives it; it never downloads a browser).
command -v chromium >/dev/null || { apt-get update -qq && apt-get install -y -qq chromium >/dev/null; } || echo "!! Chromium could not be installed: the review page's browser test will FAIL in CI (RS_REQUIRE_BROWSER)"
