#!/usr/bin/env bash
# The README's commands: `bash scripts/run.sh demo` and `bash scripts/run.sh test`.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=bootstrap.sh
source scripts/bootstrap.sh
cmd="${1:-demo}"; shift || true
pnpm install --frozen-lockfile --reporter=append-only >/dev/null
pnpm -r --reporter=append-only build >/dev/null
case "$cmd" in
  demo) exec pnpm --filter @rostersync/example-demo start "$@" ;;
  test) exec pnpm test "$@" ;;
  *) echo "usage: bash scripts/run.sh demo|test" >&2; exit 2 ;;
esac
