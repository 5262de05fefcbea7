# Sourced by scripts/*: makes sure pnpm 10.34.9 is on PATH and the workspace is installed.
# Works on a fresh machine that has only Node >= 20.18.1 and npm.
set -euo pipefail
SPIKE_TS_CACHE="${SPIKE_TS_CACHE:-$HOME/.cache/spike-ts}"
export SPIKE_TS_CACHE
mkdir -p "$SPIKE_TS_CACHE"
if ! command -v pnpm >/dev/null 2>&1 || [ "$(pnpm --version 2>/dev/null)" != "10.34.9" ]; then
  echo "bootstrap: installing pnpm 10.34.9 with npm" >&2
  npm install -g pnpm@10.34.9 >/dev/null
fi
if [ "${SPIKE_TS_SKIP_INSTALL:-}" != "1" ]; then
  pnpm install --frozen-lockfile --prefer-offline >&2
fi
