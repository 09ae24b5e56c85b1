#!/usr/bin/env bash
# The Linux packages as an association's IT would use them (part of the README test command):
#  1. builds the .deb and the .rpm with the Tauri CLI (scripts/package.sh);
#  2. reads the .deb's control data: name, version, licence, declared dependencies;
#  3. installs it with `dpkg -i`, then checks the installed desktop entry (validated; name
#     "Cassetto Agenda", Italian comment, category Office), the icon sizes, and that every
#     library of the installed binary resolves;
#  4. launches the installed binary as a desktop would (to its first interactive frame, with a
#     fresh user data folder), then drives it through the e2e harness to the sign-in screen
#     and Informazioni (tests/tests/installed.rs, screenshots in target/e2e-artifacts/);
#  5. removes it with `dpkg -r`: every file it installed is gone, the user's data stays;
#  6. checks the .rpm with `rpm -qip` / `rpm -qlp` / `rpm -qp --requires`.
# Needs root for dpkg (or passwordless sudo); a package already installed is refused rather
# than replaced.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/setup.sh
source scripts/lib/packages.sh
ready_to_install

fail() { die "package check: $*"; }
check() { # check <description> <command...>: runs the command, fails with the description
  local what=$1
  shift
  "$@" || fail "$what"
}

work=$(mktemp -d)
installed=0
cleanup() {
  if [ "$installed" = 1 ]; then "${as_root[@]}" dpkg -r "$name" >/dev/null 2>&1 || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

say "Building the .deb and the .rpm"
scripts/package.sh
built_packages

say "The .deb's control data"
field() { dpkg-deb -f "$deb" "$1"; }
check "Package is $name (was $(field Package))" [ "$(field Package)" = "$name" ]
check "Version is $version (was $(field Version))" [ "$(field Version)" = "$version" ]
depends=$(field Depends)
for dep in libwebkit2gtk-4.1-0 libgtk-3-0 libdbus-1-3; do
  grep -qw -- "$dep" <<<"$depends" || fail "Depends lacks $dep: $depends"
done
grep -q "gnome-keyring" <<<"$(field Recommends)" || fail "Recommends lacks a keychain: $(field Recommends)"
# The files it installs (not its folders), as absolute paths.
dpkg-deb --fsys-tarfile "$deb" | tar -tv | grep '^-' | sed -E 's/^([^ ]+ +){5}//; s|^\.?/?|/|' | sort >"$work/files"
for file in /usr/bin/$name "/usr/share/applications/Cassetto Agenda.desktop" /usr/share/doc/$name/copyright; do
  grep -qxF "$file" "$work/files" || fail "the .deb does not install $file; it has: $(tr '\n' ' ' <"$work/files")"
done

say "Installing it with dpkg -i"
"${as_root[@]}" dpkg -i "$deb" >/dev/null
installed=1
check "dpkg reports $name $version installed" \
  [ "$(dpkg-query -W -f='${Status} ${Version}' "$name")" = "install ok installed $version" ]

say "The installed desktop entry and icons"
desktop="/usr/share/applications/Cassetto Agenda.desktop"
desktop-file-validate "$desktop" || fail "desktop-file-validate refused $desktop"
entry() { sed -n "s/^$1=//p" "$desktop" | head -1; }
check "Name=Cassetto Agenda" [ "$(entry Name)" = "Cassetto Agenda" ]
check "an Italian comment (was '$(entry Comment)')" [ "$(entry Comment)" = "Agenda appuntamenti del Cassetto Previdenziale" ]
check "Comment[it] is Italian" [ "$(entry 'Comment\[it\]')" = "Agenda appuntamenti del Cassetto Previdenziale" ]
grep -q '^Categories=\(.*;\)\?Office;' "$desktop" || fail "category Office: $(entry Categories)"
exec_line=$(entry Exec)
check "Exec runs the installed binary (was '$exec_line')" [ "$(command -v "${exec_line%% *}")" = "/usr/bin/$name" ]
icon=$(entry Icon)
for size in 32x32 128x128 256x256@2; do
  png=/usr/share/icons/hicolor/$size/apps/$icon.png
  [ -f "$png" ] || fail "no $size icon at $png"
  pixels=${size%@2}
  actual=$(python3 -c 'import struct,sys; d=open(sys.argv[1],"rb").read(24); print("%dx%d" % struct.unpack(">II", d[16:24]))' "$png")
  check "$png is $pixels pixels (was $actual)" [ "$actual" = "$pixels" ]
done
missing=$(ldd /usr/bin/$name | grep "not found" || true)
[ -z "$missing" ] || fail "libraries of the installed binary are missing: $missing"

say "Launching the installed binary (a fresh user, to the first interactive frame)"
user_home=$work/user
mkdir -p "$user_home"/{data,config,cache}
export user_home name
XDG_DATA_HOME="$user_home/keyring" dbus-run-session -- bash -c '
  echo -n pkg-test | gnome-keyring-daemon --unlock --components=secrets >/dev/null
  XDG_DATA_HOME=$user_home/data XDG_CONFIG_HOME=$user_home/config XDG_CACHE_HOME=$user_home/cache \
    CASSETTO_READY_FILE=$user_home/ready NO_AT_BRIDGE=1 \
    xvfb-run -a -s "-screen 0 1280x800x24" timeout 60 "$(command -v "$name")" >"$user_home/log" 2>&1 &
  for _ in $(seq 1 400); do [ -s "$user_home/ready" ] && break; sleep 0.1; done
  sleep 1
  pkill -TERM -f "^/usr/bin/$name\$" || true
  wait
  [ -s "$user_home/ready" ] || { echo "the installed app never showed its first frame; its log:" >&2; tail -20 "$user_home/log" >&2; exit 1; }
'
user_data=$user_home/data/it.cassetto.agenda
[ -d "$user_data" ] || fail "the installed app made no data folder at $user_data"

say "Driving the installed app through the e2e harness (sign-in, Informazioni)"
CASSETTO_APP_BINARY=/usr/bin/$name CASSETTO_EXPECT_COMMIT=$(git rev-parse --short=12 HEAD) \
  cargo test --quiet -p agenda-e2e --test installed -- --ignored

say "Removing it with dpkg -r"
"${as_root[@]}" dpkg -r "$name" >/dev/null
installed=0
status=$(dpkg-query -W -f='${Status}' "$name" 2>/dev/null || true)
case "$status" in "" | "unknown ok not-installed" | "deinstall ok not-installed") ;; *) fail "after dpkg -r, dpkg says: $status" ;; esac
left=()
while IFS= read -r file; do [ -e "$file" ] && left+=("$file"); done <"$work/files"
[ ${#left[@]} -eq 0 ] || fail "dpkg -r left files behind: ${left[*]}"
[ -d "$user_data" ] || fail "dpkg -r removed the user's data at $user_data"

say "The .rpm (rpm -qip / -qlp / --requires)"
info=$(rpm -qip "$rpm_file" 2>/dev/null)
rpm_field() { sed -n "s/^$1 *: //p" <<<"$info" | head -1; }
check "rpm Name is $name (was $(rpm_field Name))" [ "$(rpm_field Name)" = "$name" ]
check "rpm Version is $version (was $(rpm_field Version))" [ "$(rpm_field Version)" = "$version" ]
check "rpm License is EUPL-1.2 (was $(rpm_field License))" [ "$(rpm_field License)" = "EUPL-1.2" ]
rpm_files=$(rpm -qlp "$rpm_file" 2>/dev/null)
for file in /usr/bin/$name "/usr/share/applications/Cassetto Agenda.desktop" /usr/share/licenses/$name/LICENSE \
  /usr/share/icons/hicolor/32x32/apps/$name.png /usr/share/icons/hicolor/128x128/apps/$name.png; do
  grep -qxF "$file" <<<"$rpm_files" || fail "the .rpm does not hold $file; it has: $rpm_files"
done
requires=$(rpm -qp --requires "$rpm_file" 2>/dev/null)
for dep in "libwebkit2gtk-4.1.so.0()(64bit)" "libgtk-3.so.0()(64bit)" dbus-libs; do
  grep -qxF "$dep" <<<"$requires" || fail "the .rpm does not require $dep; it requires: $(tr '\n' ' ' <<<"$requires")"
done

size_of() { stat -c %s "$1"; }
say "Packages checked: $(basename "$deb") $(( $(size_of "$deb") / 1024 )) KiB, $(basename "$rpm_file") $(( $(size_of "$rpm_file") / 1024 )) KiB, installed size $(dpkg-deb -f "$deb" Installed-Size) KiB"
