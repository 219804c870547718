#!/usr/bin/env bash
# The README's two commands:
#   bash scripts/run.sh demo   install, build and run the main job (examples/demo)
#   bash scripts/run.sh test   install, build and run every test (unit, integration, examples)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=bootstrap.sh
source scripts/bootstrap.sh || { echo "bootstrap failed" >&2; exit 1; }
cmd="${1:-demo}"; shift || true
quiet() { # run a step, show its output only when it fails
  local log; log="$(mktemp)"
  if ! "$@" >"$log" 2>&1; then cat "$log" >&2; rm -f "$log"; echo "failed: $*" >&2; exit 1; fi
  rm -f "$log"
}
if [ "${RS_PREPARED:-}" != "1" ]; then # .ci/run has installed and built already
  quiet pnpm install --frozen-lockfile --reporter=append-only
  quiet pnpm build
fi
case "$cmd" in
  demo) exec pnpm --silent --filter @rostersync/example-demo start "$@" ;;
  test) exec pnpm exec vitest run "$@" ;;
  *) echo "usage: bash scripts/run.sh demo|test" >&2; exit 2 ;;
esac
