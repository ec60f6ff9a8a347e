#!/usr/bin/env bash
# Installs code-server (VS Code 1.100 in a browser) into a cache folder shared by every clone on this
# machine, without any download other than npm packages (see ../shared/docs/real-vscode-offline.md).
# Prints the path of code-server's entry.js on its last line. Idempotent: a finished install is reused.
set -euo pipefail

VERSION="4.100.3"
CACHE="${CONCURRENCY_LABS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/concurrency-labs}"
DIR="$CACHE/code-server-$VERSION"
ENTRY="$DIR/node_modules/code-server/out/node/entry.js"
STAMP="$DIR/.installed"

if [ -f "$STAMP" ] && [ -f "$ENTRY" ]; then
  echo "$ENTRY"
  exit 0
fi

log() { echo "[setup-code-server] $*" >&2; }

need_apt=()
for pkg in libkrb5-dev pkg-config ripgrep chromium; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need_apt+=("$pkg")
done
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    log "missing Debian packages: ${need_apt[*]} — run as root: apt-get install -y ${need_apt[*]}"
    exit 1
  fi
  log "installing Debian packages: ${need_apt[*]}"
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >&2
fi

log "installing code-server $VERSION into $DIR (a few minutes, once per machine)"
rm -rf "$DIR"
mkdir -p "$DIR"
cd "$DIR"
export npm_config_yes=true npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false
npm init -y >/dev/null
npm install --ignore-scripts "code-server@$VERSION" >&2
npm rebuild argon2 >&2
cd node_modules/code-server/lib/vscode
npm install --omit=dev --ignore-scripts >&2
npm rebuild kerberos node-pty @parcel/watcher @vscode/spdlog native-watchdog @vscode/deviceid >&2
mkdir -p node_modules/@vscode/ripgrep/bin
ln -sf "$(command -v rg)" node_modules/@vscode/ripgrep/bin/rg
ln -sfn node_modules node_modules.asar
(cd bin/remote-cli && ln -sf code-linux.sh code-server)
(cd bin/helpers && ln -sf browser-linux.sh browser.sh)
(cd extensions && npm install --omit=dev --ignore-scripts >&2 && node postinstall.mjs >&2)
touch "$STAMP"
log "code-server ready"
echo "$ENTRY"
