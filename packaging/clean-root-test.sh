#!/usr/bin/env bash
# Clean-root install test of the .deb (CI step "clean-root install test", after the test suite).
#   bash packaging/clean-root-test.sh [path/to/clerk-app.deb]      (as root; default build/pkg/clerk-app.deb)
# 1. A fresh Debian 12 root: debootstrap --variant=minbase bookworm from the Debian mirror configured in
#    /etc/apt/sources.list.d/ (cached as /var/cache/clerk-app-ci/bookworm-minbase.tar, rebuilt when older
#    than 7 days), chroot with /proc, /sys, /dev bind-mounted — always unmounted by path on exit.
# 2. apt-get install ./clerk-app.deb (Depends resolved by apt; no recommends, no Python on the root) and
#    checks: no python3 in the root, no daemon started by any package script (a policy-rc.d forbids
#    daemons inside the root — pcscd's and cups' own scripts would otherwise start them on the host's
#    kernel — and our own scripts never call one; the process table is checked for anything running in
#    the root), the launcher, the menu entry and its icon. Downloaded .debs are kept in
#    /var/cache/clerk-app-ci/archives (bind-mounted as the root's apt cache) for the next run.
# 3. As an ordinary user under Xvfb (xvfb installed in the root for the test only):
#    clerk-app --install-check — the real login dialog, one intake, the receipt printed by the app's
#    PDF-folder printer (demo mode's printer; docs/packaging.md), audit chain verified — then
#    clerk-app --demo admin verify-audit on the same data folder.
# 3b. upgrade in place: the same build repacked with a higher version and installed over it (dpkg's
#    upgrade path of the maintainer scripts); the data folder kept, the audit chain still intact.
# 4. apt-get remove: the user's data folder survives; apt-get purge: the package is gone from dpkg,
#    /opt/clerk-app is gone, the data folder is still there.
set -euo pipefail
cd "$(dirname "$0")/.."
DEB=$(readlink -f "${1:-build/pkg/clerk-app.deb}")
[ -f "$DEB" ] || { echo "clean-root: no package at $DEB (run bash scripts/build-deb.sh)" >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "clean-root: needs root (debootstrap, chroot, mounts)" >&2; exit 2; }
CACHE=/var/cache/clerk-app-ci
BASE=$CACHE/bookworm-minbase.tar
t0=$(date +%s)

mirror=$(grep -h -o -E 'https?://[^ ]+/debian/?( |$)' /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list \
  /etc/apt/sources.list 2>/dev/null | head -n1 | tr -d ' ' || true)
mirror=${mirror:-http://deb.debian.org/debian}

ROOT=$(mktemp -d /var/tmp/clerk-app-root.XXXXXX)
XVFB_PID=""
cleanup() {
  local rc=$?
  if [ -n "$XVFB_PID" ]; then kill "$XVFB_PID" 2>/dev/null || true; wait "$XVFB_PID" 2>/dev/null || true; fi
  # anything still running inside the root (a daemon a package script started anyway): by PID
  for p in /proc/[0-9]*; do
    if [ "$(readlink "$p/root" 2>/dev/null)" = "$ROOT" ]; then kill "${p#/proc/}" 2>/dev/null || true; fi
  done
  for m in var/cache/apt/archives dev/pts dev sys proc; do
    if mountpoint -q "$ROOT/$m"; then umount "$ROOT/$m" || umount -l "$ROOT/$m" || true; fi
  done
  if ! grep -q " $ROOT/" /proc/mounts; then rm -rf --one-file-system "$ROOT"; else echo "clean-root: $ROOT still has mounts, left in place" >&2; fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# -- 1. the base root -----------------------------------------------------------------------------
mkdir -p "$CACHE"
if [ -f "$BASE" ] && [ -n "$(find "$BASE" -mtime -7)" ]; then
  tar --numeric-owner -C "$ROOT" -xf "$BASE"
  echo "clean-root: base root from $BASE"
else
  if ! command -v debootstrap >/dev/null; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends debootstrap
  fi
  debootstrap --variant=minbase bookworm "$ROOT" "$mirror" >"$CACHE/debootstrap.log" 2>&1 ||
    { tail -20 "$CACHE/debootstrap.log"; exit 1; }
  chmod 755 "$ROOT"
  tar --numeric-owner -C "$ROOT" -cf "$BASE.part" . && mv "$BASE.part" "$BASE"
  echo "clean-root: debootstrap from $mirror, cached as $BASE"
fi
chmod 755 "$ROOT"  # mktemp made it 0700: the root's "/" must be readable by the test's ordinary user
t1=$(date +%s)
mount --bind /proc "$ROOT/proc"
mount --bind /sys "$ROOT/sys"
mount --bind /dev "$ROOT/dev"
mount -t devpts devpts "$ROOT/dev/pts" -o newinstance,ptmxmode=0666
# downloaded .debs are kept between runs on this machine (a fresh CI machine downloads them once)
mkdir -p "$CACHE/archives/partial"
mount --bind "$CACHE/archives" "$ROOT/var/cache/apt/archives"
cp /etc/resolv.conf "$ROOT/etc/resolv.conf"
printf '#!/bin/sh\n# clean-root test: no daemon may start inside this root\nexit 101\n' >"$ROOT/usr/sbin/policy-rc.d"
chmod +x "$ROOT/usr/sbin/policy-rc.d"
in_root() { chroot "$ROOT" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"; }
printf 'APT::Sandbox::User "root";\nAPT::Keep-Downloaded-Packages "true";\n' >"$ROOT/etc/apt/apt.conf.d/90clerk-app-test"
as_clerk() { chroot --userspec="$CLERK_ID:$CLERK_ID" "$ROOT" env -i PATH=/usr/bin:/bin HOME=/home/clerk LANG=C.UTF-8 "$@"; }

# -- 2. install ------------------------------------------------------------------------------------
cp "$DEB" "$ROOT/tmp/clerk-app.deb"
in_root apt-get update -q >/dev/null
in_root apt-get install -y -q --no-install-recommends /tmp/clerk-app.deb >"$ROOT/tmp/install.log" 2>&1 ||
  { tail -30 "$ROOT/tmp/install.log"; exit 1; }
grep '^clerk-app:' "$ROOT/tmp/install.log" | sed 's/^/  postinst said: /'
t2=$(date +%s)
echo "clean-root: installed with apt in $((t2 - t1)) s"
in_root dpkg-query -W -f='${Status} ${Version}\n' clerk-app | grep -q "install ok installed"
if in_root sh -c 'command -v python3 || ls /usr/bin/python3*' >/dev/null 2>&1; then
  echo "clean-root: FAIL python3 is present in the root (the bundle must not need it)"; exit 1
fi
[ "$(readlink "$ROOT/usr/bin/clerk-app")" = /opt/clerk-app/clerk-app ] && [ -x "$ROOT/opt/clerk-app/clerk-app" ]
grep -q '^Icon=clerk-app$' "$ROOT/usr/share/applications/clerk-app.desktop"
[ -f "$ROOT/usr/share/icons/hicolor/256x256/apps/clerk-app.png" ]
[ -f "$ROOT/usr/share/fonts/truetype/wqy/wqy-microhei.ttc" ]
for p in /proc/[0-9]*; do
  if [ "$(readlink "$p/root" 2>/dev/null)" = "$ROOT" ]; then
    echo "clean-root: FAIL a process runs inside the root after install: $(tr '\0' ' ' <"$p/cmdline")"; exit 1
  fi
done
if cat "$ROOT"/var/lib/dpkg/info/clerk-app.post{inst,rm} | grep -v -E '^\s*(#|echo )' |
  grep -E -q 'systemctl|invoke-rc\.d|\bservice\b|deb-systemd|update-rc\.d'; then
  echo "clean-root: FAIL clerk-app's maintainer scripts touch services"; exit 1
fi
echo "clean-root: ok   installed (no python3, no daemon started, launcher, menu entry, icon, CJK font)"

# -- 3. start it: login, one intake, a receipt, audit ------------------------------------------------
in_root apt-get install -y -q --no-install-recommends xvfb >/dev/null 2>&1  # the test's display only
in_root useradd -m -s /bin/sh clerk
CLERK_ID=$(in_root id -u clerk)
[ "$(in_root id -g clerk)" = "$CLERK_ID" ]
# a display number free on this machine (the X abstract socket namespace is shared with the host)
DISP=91
while [ -e "/tmp/.X$DISP-lock" ] || grep -q "@/tmp/.X11-unix/X$DISP\b" /proc/net/unix; do DISP=$((DISP + 1)); done
DATA=/home/clerk/.local/share/clerk-app  # the default data folder (platformdirs) of user clerk
chroot "$ROOT" Xvfb ":$DISP" -screen 0 1600x1000x24 -nolisten tcp >/dev/null 2>&1 &
XVFB_PID=$!
for _ in $(seq 50); do [ -S "$ROOT/tmp/.X11-unix/X$DISP" ] && break; sleep 0.1; done
t3=$(date +%s)
as_clerk DISPLAY=":$DISP" /usr/bin/clerk-app --install-check --data-dir "$DATA" --timeout 240 2>"$ROOT/tmp/check.err" |
  tee "$ROOT/tmp/check.out" | grep -E '^install-check: (ok|PASSED|FAILED)' || true
if ! grep -q '^install-check: PASSED' "$ROOT/tmp/check.out"; then
  echo "clean-root: FAIL install check; its stderr:"; tail -40 "$ROOT/tmp/check.err"; exit 1
fi
t4=$(date +%s)
as_clerk /usr/bin/clerk-app --demo --data-dir "$DATA" admin verify-audit | tee "$ROOT/tmp/verify.out"
grep -q '^audit chain intact$' "$ROOT/tmp/verify.out"
kill "$XVFB_PID"; wait "$XVFB_PID" 2>/dev/null || true; XVFB_PID=""
ls "$ROOT$DATA"/printed/*-receipt-*.pdf >/dev/null
echo "clean-root: ok   started under Xvfb, signed in, one intake, receipt printed, audit intact ($((t4 - t3)) s)"

# -- 3b. upgrade in place (deb to deb) -------------------------------------------------------------
# The same build repacked with a higher version: dpkg's upgrade path runs (old prerm "upgrade", new
# preinst/postinst "configure <old version>"); the user's data must be kept and open with the new
# package (install-check again on the same data folder: the audit chain still intact after it).
OLD_VERSION=$(in_root dpkg-query -W -f='${Version}' clerk-app)
UP=$(mktemp -d /var/tmp/clerk-app-up.XXXXXX)
dpkg-deb -R "$DEB" "$UP/pkg"
sed -i -E "s/^Version: .*/Version: ${OLD_VERSION}+upgradetest1/" "$UP/pkg/DEBIAN/control"
dpkg-deb --root-owner-group -b "$UP/pkg" "$ROOT/tmp/clerk-app-up.deb" >/dev/null
rm -rf "$UP"
in_root apt-get install -y -q --no-install-recommends /tmp/clerk-app-up.deb >"$ROOT/tmp/upgrade.log" 2>&1 ||
  { cat "$ROOT/tmp/upgrade.log"; exit 1; }
in_root dpkg-query -W -f='${Version}\n' clerk-app | grep -q "+upgradetest1$"
[ -f "$ROOT$DATA/clerk.db" ] && ls "$ROOT$DATA"/printed/*-receipt-*.pdf >/dev/null
as_clerk /usr/bin/clerk-app --demo --data-dir "$DATA" admin verify-audit | tee "$ROOT/tmp/verify-up.out"
grep -q '^audit chain intact$' "$ROOT/tmp/verify-up.out"
echo "clean-root: ok   upgraded ${OLD_VERSION} -> ${OLD_VERSION}+upgradetest1 in place; data kept, audit intact"

# -- 4. remove, purge ------------------------------------------------------------------------------
in_root apt-get remove -y -q clerk-app >"$ROOT/tmp/remove.log" 2>&1 || { cat "$ROOT/tmp/remove.log"; exit 1; }
[ ! -e "$ROOT/opt/clerk-app/clerk-app" ] && [ ! -e "$ROOT/usr/bin/clerk-app" ]
[ -f "$ROOT$DATA/clerk.db" ] && ls "$ROOT$DATA"/printed/*-receipt-*.pdf >/dev/null
echo "clean-root: ok   removed; the data folder survived ($(du -sh "$ROOT$DATA" | cut -f1))"
in_root apt-get purge -y -q clerk-app >"$ROOT/tmp/purge.log" 2>&1 || { cat "$ROOT/tmp/purge.log"; exit 1; }
if in_root dpkg-query -W -f='${Status}\n' clerk-app 2>/dev/null | grep -q -v 'not-installed'; then
  echo "clean-root: FAIL clerk-app still known to dpkg after purge"; exit 1
fi
[ ! -e "$ROOT/opt/clerk-app" ] || { echo "clean-root: FAIL /opt/clerk-app left after purge: $(find "$ROOT/opt/clerk-app" | head)"; exit 1; }
[ -f "$ROOT$DATA/clerk.db" ]
echo "clean-root: ok   purged; nothing of the package left, the user's data folder kept"
echo "clean-root: PASSED in $(($(date +%s) - t0)) s (root $((t1 - t0)) s, apt install $((t2 - t1)) s, app $((t4 - t3)) s)"
