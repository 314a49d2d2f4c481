#!/bin/sh
# Installs, upgrades or removes tinylcm-device on a Linux device (Raspberry Pi OS Bookworm and
# other Debian-like systems with systemd). See docs/device.md, "Install on a Raspberry Pi".
#
#   sudo sh install.sh [options] tinylcm-device-<version>.tgz   install or upgrade
#   sudo sh install.sh --uninstall [--purge]                    remove (--purge: config, data, user too)
#
#   --server URL      TinySphere base URL for a new config
#   --token TOKEN     enrolment token for a new config
#   --example NAME    config example a new config starts from (default pi-camera; see
#                     examples/device-configs; dataset-held-out runs without a camera)
#   --node PATH       the Node.js the service runs (default: the first node on PATH)
#   --no-start        install and enable the service, but do not (re)start it now
#   --root DIR        install into DIR instead of / (no user, no chown, no systemctl): try the
#                     script without changing the system; the tests use it
#
# Layout: /opt/tinylcm/releases/<version> (program + its node_modules), /opt/tinylcm/current
# (symlink), /usr/local/bin/tinylcm-device, /etc/tinylcm/device.json (kept on upgrade),
# /var/lib/tinylcm (data, kept on upgrade), /etc/systemd/system/tinylcm-device.service.
set -eu

NAME=tinylcm-device
USER_NAME=tinylcm
ROOT='' SERVER='' TOKEN='' EXAMPLE=pi-camera NODE='' START=yes UNINSTALL=no PURGE=no TARBALL=''

die() { printf 'install.sh: %s\n' "$*" >&2; exit 1; }
say() { printf '%s\n' "$*"; }

while [ $# -gt 0 ]; do
  case "$1" in
    --server) SERVER=${2:?--server needs a URL}; shift 2 ;;
    --token) TOKEN=${2:?--token needs a token}; shift 2 ;;
    --example) EXAMPLE=${2:?--example needs a name}; shift 2 ;;
    --node) NODE=${2:?--node needs a path}; shift 2 ;;
    --root) ROOT=${2:?--root needs a directory}; shift 2 ;;
    --no-start) START=no; shift ;;
    --uninstall) UNINSTALL=yes; shift ;;
    --purge) PURGE=yes; shift ;;
    -h|--help) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) die "unknown option $1 (see --help)" ;;
    *) [ -z "$TARBALL" ] || die "one tarball only (got $TARBALL and $1)"; TARBALL=$1; shift ;;
  esac
done

[ -z "$ROOT" ] || ROOT=$(mkdir -p "$ROOT" && cd "$ROOT" && pwd)
APP=/opt/tinylcm CONF_DIR=/etc/tinylcm DATA=/var/lib/tinylcm
UNIT=/etc/systemd/system/$NAME.service LINK=/usr/local/bin/$NAME
real() { [ -z "$ROOT" ]; }   # true when installing into the running system
if real && [ "$(id -u)" -ne 0 ]; then die "run it as root: sudo sh $0 $*"; fi
systemd() { real && command -v systemctl >/dev/null 2>&1; }

if [ "$UNINSTALL" = yes ]; then
  if systemd; then systemctl disable --now "$NAME" 2>/dev/null || true; fi
  rm -f "$ROOT$UNIT" "$ROOT$LINK"
  rm -rf "$ROOT$APP"
  if systemd; then systemctl daemon-reload; fi
  say "removed $NAME (program, service, command)"
  if [ "$PURGE" = yes ]; then
    rm -rf "$ROOT$CONF_DIR" "$ROOT$DATA"
    if real && id "$USER_NAME" >/dev/null 2>&1; then userdel "$USER_NAME"; fi
    say "purged $CONF_DIR, $DATA and user $USER_NAME"
  else
    say "kept $CONF_DIR and $DATA (the device's identity and outbox); --purge removes them"
  fi
  exit 0
fi

[ -n "$TARBALL" ] || die "which release? usage: sudo sh $0 [options] tinylcm-device-<version>.tgz (--help)"
[ -f "$TARBALL" ] || die "$TARBALL: no such file (build it with \`npm run pack:device\` in a checkout)"

# --- Node.js: ≥ 20.9 (sharp's floor). Which Node runs where is in docs/device.md.
[ -n "$NODE" ] || NODE=$(command -v node || true)
ARCH=$(uname -m)
node_help() {
  say "  Raspberry Pi OS Bookworm's own nodejs package is Node 18: too old."
  say "  64-bit OS (aarch64): install Node 22 or 24 (tested: 24, arm64)."
  say "  32-bit OS (armv7l): install Node 20 (tested: 20.11.0, the newest armv7l build on npm);"
  say "  Node 20 reached end of life in April 2026, so prefer the 64-bit OS where the board allows it."
  say "  Then run this again, or pass --node /path/to/node."
}
if [ -z "$NODE" ] || ! [ -x "$NODE" ]; then
  say "install.sh: Node.js not found (this machine: $ARCH). $NAME needs Node.js 20.9 or newer." >&2
  node_help >&2; exit 1
fi
NODE_VERSION=$("$NODE" -p 'process.versions.node') || die "$NODE does not run"
if ! "$NODE" -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a === 20 && b >= 9) ? 0 : 1)'; then
  say "install.sh: $NODE is Node $NODE_VERSION (this machine: $ARCH); $NAME needs 20.9 or newer." >&2
  node_help >&2; exit 1
fi
case "$NODE_VERSION" in 20.*) say "note: Node 20 reached end of life in April 2026; it works, but update when you can." ;; esac
NPM=$(dirname "$NODE")/npm
[ -x "$NPM" ] || NPM=$(command -v npm) || die "npm not found next to $NODE or on PATH"
LIBC=$(getconf GNU_LIBC_VERSION 2>/dev/null | sed 's/glibc //') || LIBC=''
case "$LIBC" in 2.[0-9]|2.[0-2][0-9]|2.3[0-5]) die "glibc $LIBC is too old: sharp's prebuilt image library needs glibc 2.36 (Debian 12 / Raspberry Pi OS Bookworm)" ;; esac

# The native XNNPACK inference backend (docs/tinylcm.md, "Inference backends"), when this machine
# can build it for the Node that runs the device; otherwise the device runs LiteRT.js (WebAssembly).
build_xnnpack() {
  NODE_CPU=$("$NODE" -p 'process.arch')
  case "$NODE_CPU" in x64) WANT=x86_64 ;; arm64) WANT=aarch64 ;; arm) WANT=arm ;; *) WANT=$NODE_CPU ;; esac
  CC_CPU=$(${CC:-cc} -dumpmachine 2>/dev/null || echo none)
  case "$CC_CPU" in
    "$WANT"*)
      if OUT=$("$NODE" "$1/packages/tinylcm/native/xnnpack/build.mjs" --if-possible 2>&1) &&
        [ -f "$1/packages/tinylcm/native/xnnpack/build/tinylcm_xnnpack.node" ]; then
        say "inference: built the native XNNPACK backend"
      else
        say "inference: LiteRT.js (WebAssembly); for the faster native XNNPACK backend:"
        say "  sudo apt-get install build-essential libxnnpack-dev libpthreadpool-dev, then run install.sh again"
        say "  ($(printf '%s' "$OUT" | tail -n 1))"
      fi ;;
    *) say "inference: LiteRT.js (WebAssembly); no C compiler for $NODE_CPU here ($CC_CPU), so no native XNNPACK backend" ;;
  esac
}

# --- The program: a new release folder, its npm packages exactly as the release's lock file says.
TMP=$(mktemp -d) && trap 'rm -rf "$TMP"' EXIT
tar -xzf "$TARBALL" -C "$TMP"
[ -f "$TMP/package/apps/device/bin/$NAME.mjs" ] || die "$TARBALL is not a $NAME release"
VERSION=$("$NODE" -p "require('$TMP/package/package.json').version")
REL=$ROOT$APP/releases/$VERSION
mkdir -p "$ROOT$APP/releases"
rm -rf "$REL.new" && mv "$TMP/package" "$REL.new"
say "installing the npm packages of $NAME $VERSION (needs the npm registry)…"
(cd "$REL.new" && "$NPM" ci --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error)
chmod 755 "$REL.new/apps/device/bin/$NAME.mjs"
build_xnnpack "$REL.new"
rm -rf "$REL" && mv "$REL.new" "$REL"
ln -sfn "releases/$VERSION" "$ROOT$APP/current.new" && mv -T "$ROOT$APP/current.new" "$ROOT$APP/current"
# Keep the current and the two previous releases (a rollback is: point current back, restart).
ls -1t "$ROOT$APP/releases" | grep -vx "$VERSION" | tail -n +3 | while read -r old; do rm -rf "$ROOT$APP/releases/$old"; done
mkdir -p "$ROOT$(dirname "$LINK")"
ln -sfn "../../..$APP/current/apps/device/bin/$NAME.mjs" "$ROOT$LINK"

# --- User, folders, config (never overwritten), service.
if real; then
  id "$USER_NAME" >/dev/null 2>&1 ||
    useradd --system --user-group --home-dir "$DATA" --no-create-home --shell /usr/sbin/nologin "$USER_NAME"
  if getent group video >/dev/null; then usermod -aG video "$USER_NAME"; fi
else
  say "(--root: system user $USER_NAME not created, owners not set)"
fi
mkdir -p "$ROOT$CONF_DIR" "$ROOT$DATA"
chmod 750 "$ROOT$CONF_DIR" "$ROOT$DATA"
if real; then chown root:"$USER_NAME" "$ROOT$CONF_DIR" && chown "$USER_NAME":"$USER_NAME" "$ROOT$DATA"; fi
CONF=$ROOT$CONF_DIR/device.json
if [ -f "$CONF" ]; then
  say "kept the existing config $CONF_DIR/device.json"
else
  EX="$REL/examples/device-configs/$EXAMPLE.json"
  [ -f "$EX" ] || die "no config example \"$EXAMPLE\" (see $APP/current/examples/device-configs)"
  (umask 027 && "$NODE" "$REL/apps/device/deploy/write-config.mjs" "$EX" "$APP/current" "$DATA" "$SERVER" "$TOKEN" > "$CONF.new")
  mv "$CONF.new" "$CONF"
  if real; then chown root:"$USER_NAME" "$CONF"; fi
  say "wrote $CONF_DIR/device.json from the $EXAMPLE example"
fi
mkdir -p "$ROOT$(dirname "$UNIT")"
sed -e "s#@APP_DIR@#$APP#g" -e "s#@NODE_DIR@#$(dirname "$NODE")#g" "$REL/apps/device/deploy/$NAME.service" > "$ROOT$UNIT"

NEEDS_EDIT=no
if grep -q 'REPLACE-WITH' "$CONF"; then NEEDS_EDIT=yes; fi
if systemd; then
  systemctl daemon-reload
  systemctl enable "$NAME" >/dev/null
  if [ "$START" = yes ] && [ "$NEEDS_EDIT" = no ]; then systemctl restart "$NAME" && say "started $NAME"; fi
elif real; then
  say "systemctl not found: start it by hand with $LINK run -c $CONF_DIR/device.json"
fi

say ""
say "$NAME $VERSION installed (Node $NODE_VERSION at $NODE, $ARCH)."
say "  config   $CONF_DIR/device.json"
say "  data     $DATA"
if [ "$NEEDS_EDIT" = yes ]; then
  say "  next     edit server.url and server.enrolmentToken in the config, then: sudo systemctl restart $NAME"
fi
say "  logs     journalctl -u $NAME -f"
say "  status   sudo -u $USER_NAME $NAME status -c $CONF_DIR/device.json"
say "  remove   sudo sh $APP/current/apps/device/deploy/install.sh --uninstall [--purge]"
