#!/usr/bin/env bash
# Build the desktop packages of clerk-app from this repository (Debian 12 build machine, as root or
# with sudo): the frozen one-folder bundle (PyInstaller, packaging/clerk-app.spec) and the .deb that
# installs it under /opt/clerk-app. Everything goes to build/pkg/ (override with OUT=dir):
#   build/pkg/clerk-app_<version>_amd64.deb        the package (apt-get install ./clerk-app_…deb)
#   build/pkg/clerk-app.deb                        the same file under a fixed name (CI)
#   build/pkg/clerk-app-<version>-linux-x86_64.tar.gz   the bundle alone (runs without Python)
# pycups, python-sane and pyscard are compiled into wheels HERE; the target never compiles anything.
# Idempotent: the wheel cache and the build venv are reused; the bundle and the package are rebuilt.
# docs/packaging.md describes the layout, the Windows build and the clean-root test.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
OUT=${OUT:-$ROOT/build/pkg}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
t0=$(date +%s)

# -- build machine packages (only what is missing) ------------------------------------------------
want=$(sed 's/#.*//' packaging/apt-build.txt | tr -s ' \n' ' ')
missing=""
for p in $want; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
  echo "build-deb: installing build packages:$missing"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -q
  $SUDO apt-get install -y -q --no-install-recommends $missing
fi

VERSION=$(/usr/bin/python3 -c 'import tomllib; print(tomllib.load(open("pyproject.toml", "rb"))["project"]["version"])')
ARCH=$(dpkg --print-architecture)
echo "build-deb: clerk-app $VERSION ($ARCH) into $OUT"

# -- wheels and the build venv (Debian's python3: shared libpython, the target's glibc) -------------
VENV=$OUT/venv
if [ ! -x "$VENV/bin/python" ]; then
  /usr/bin/python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q --upgrade pip wheel
fi
rm -f "$OUT"/wheels/clerk_app-*.whl  # the project itself is always rebuilt
"$VENV/bin/pip" wheel -q -w "$OUT/wheels" . "keyrings.alt>=5.0" "pyinstaller>=6.10,<7"
"$VENV/bin/pip" install -q --no-index --find-links "$OUT/wheels" clerk-app "keyrings.alt>=5.0" "pyinstaller>=6.10,<7"
"$VENV/bin/pip" install -q --no-index --find-links "$OUT/wheels" --force-reinstall --no-deps clerk-app

# -- compiled translations -------------------------------------------------------------------------
for ts in resources/translations/*.ts; do
  "$VENV/bin/pyside6-lrelease" -silent "$ts" -qm "${ts%.ts}.qm"
done

# -- the frozen bundle -----------------------------------------------------------------------------
t1=$(date +%s)
BUNDLE=$OUT/dist/clerk-app
if [ "${REUSE_BUNDLE:-0}" = 1 ] && [ -x "$BUNDLE/clerk-app" ]; then
  echo "build-deb: REUSE_BUNDLE=1: packaging the existing bundle (for iterating on the package only)"
else
  rm -rf "$OUT/dist"
  "$VENV/bin/pyinstaller" --noconfirm --log-level WARN --distpath "$OUT/dist" --workpath "$OUT/work" \
    packaging/clerk-app.spec
fi
t2=$(date +%s)
echo "build-deb: bundle built in $((t2 - t1)) s ($(du -sh "$BUNDLE" | cut -f1))"
tar -C "$OUT/dist" -czf "$OUT/clerk-app-$VERSION-linux-$(uname -m).tar.gz" clerk-app

# -- Depends: the Debian packages owning every library the bundle links against --------------------
libdirs=$(find "$BUNDLE" -name '*.so*' -printf '%h\n' | sort -u | tr '\n' ':')
: >"$OUT/ldd.txt"
while IFS= read -r elf; do
  { LD_LIBRARY_PATH=$libdirs ldd "$elf" 2>/dev/null || true; } | sed "s|\$| @${elf#"$BUNDLE"/}|" >>"$OUT/ldd.txt"
done < <(find "$BUNDLE" -type f \( -name '*.so*' -o -path "$BUNDLE/clerk-app" \))
# "libfoo.so.1 => not found @needer": a plugin whose library is missing on the build machine too
grep ' => not found' "$OUT/ldd.txt" | awk '{print $1, "(needed by", $NF ")"}' | sort -u >"$OUT/missing-libs.txt" || true
if [ -s "$OUT/missing-libs.txt" ]; then
  echo "build-deb: libraries not found on the build machine (those plugins will not load):"
  sed 's/^/  /' "$OUT/missing-libs.txt"
fi
# every library resolved outside the bundle → the Debian package that owns it (one dpkg -S per path)
deps_file=$OUT/shlib-packages.txt
: >"$deps_file"
awk '$2 == "=>" && $3 ~ /^\// {print $3}' "$OUT/ldd.txt" | grep -v "^$BUNDLE/" | sort -u | while read -r path; do
  real=$(readlink -f "$path")
  pkg=$(dpkg -S "$path" 2>/dev/null || dpkg -S "$real" 2>/dev/null || dpkg -S "${real#/usr}" 2>/dev/null || true)
  if [ -n "$pkg" ]; then echo "${pkg%%:*}" >>"$deps_file"; else echo "build-deb: warning: $path belongs to no package"; fi
done
shlib_deps=$(sort -u "$deps_file" | grep -v -E '^(libc6|libgcc-s1|libstdc\+\+6|zlib1g)$' | tr '\n' ' ')
# Declared by hand: the devices' daemons and tools (pyscard dlopens libpcsclite1, so ldd cannot see it),
# the printing font, the printing client. libc6 and the C++ runtime are versioned to the build
# machine's (Debian 12) floor: the bundle runs where its glibc is at least as new.
DEPENDS="libc6 (>= 2.36), libstdc++6 (>= 12), libgcc-s1, zlib1g, fonts-wqy-microhei, pcscd, libccid, libpcsclite1, sane-utils, cups-client"
for p in $shlib_deps; do DEPENDS="$DEPENDS, $p"; done
RECOMMENDS="cups, gnome-keyring, xdg-utils"
SUGGESTS="printer-driver-cups-pdf, fonts-noto-cjk"

# -- the package tree ------------------------------------------------------------------------------
PKG=$OUT/root
rm -rf "$PKG"
install -d "$PKG/opt" "$PKG/usr/bin" "$PKG/usr/share/applications" "$PKG/usr/share/doc/clerk-app" "$PKG/DEBIAN"
cp -a "$BUNDLE" "$PKG/opt/clerk-app"
ln -s /opt/clerk-app/clerk-app "$PKG/usr/bin/clerk-app"
install -m 644 packaging/clerk-app.desktop "$PKG/usr/share/applications/clerk-app.desktop"
for png in resources/icons/clerk-app-*.png; do
  size=${png##*-}
  size=${size%.png}
  install -D -m 644 "$png" "$PKG/usr/share/icons/hicolor/${size}x${size}/apps/clerk-app.png"
done
install -D -m 644 resources/icons/clerk-app.svg "$PKG/usr/share/icons/hicolor/scalable/apps/clerk-app.svg"
install -m 644 packaging/copyright "$PKG/usr/share/doc/clerk-app/copyright"
gzip -9n <CHANGELOG.md >"$PKG/usr/share/doc/clerk-app/changelog.gz"
install -m 755 packaging/postinst packaging/postrm "$PKG/DEBIAN/"
installed_kb=$(du -sk --exclude=DEBIAN "$PKG" | cut -f1)
sed -e "s/@VERSION@/$VERSION/" -e "s/@ARCH@/$ARCH/" -e "s/@INSTALLED_SIZE@/$installed_kb/" \
  -e "s/@DEPENDS@/$DEPENDS/" -e "s/@RECOMMENDS@/$RECOMMENDS/" -e "s/@SUGGESTS@/$SUGGESTS/" \
  packaging/control.in >"$PKG/DEBIAN/control"
find "$PKG" -type d -exec chmod 755 {} +

DEB=$OUT/clerk-app_${VERSION}_${ARCH}.deb
dpkg-deb --root-owner-group -Zgzip -z6 --build "$PKG" "$DEB" >/dev/null
cp -f "$DEB" "$OUT/clerk-app.deb"
t3=$(date +%s)
echo "build-deb: $(basename "$DEB") $(du -h "$DEB" | cut -f1), installed $((installed_kb / 1024)) MiB; bundle tarball $(du -h "$OUT"/clerk-app-"$VERSION"-linux-*.tar.gz | cut -f1)"
echo "build-deb: Depends: $DEPENDS"
echo "build-deb: done in $((t3 - t0)) s"
