# What scripts/test-packages.sh and scripts/bench-package.sh share: the package's name and
# version, root for dpkg, and the packages scripts/package.sh built. Sourced after setup.sh.

name=cassetto-agenda
# The version is src-tauri/Cargo.toml's only (ARCHITECTURE.md, "Packaging").
version=$(sed -n 's/^version = "\(.*\)"$/\1/p' src-tauri/Cargo.toml | head -1)
[ -n "$version" ] || die "no version in src-tauri/Cargo.toml"

# ready_to_install: sets `as_root` for dpkg, and stops when the package is already installed
# on this machine: an IT person's own installation is refused rather than replaced or removed.
ready_to_install() {
  root_runner || die "installing the .deb needs root: run this as root or with passwordless sudo"
  [ -n "$(missing_debs "$name")" ] \
    || die "$name is already installed on this machine; remove it (dpkg -r $name) before testing the package"
}

# built_packages: sets `deb` and `rpm_file` to the newest .deb and .rpm of this version.
built_packages() {
  deb=$(ls -t target/release/bundle/deb/*_"$version"_*.deb 2>/dev/null | head -1 || true)
  rpm_file=$(ls -t target/release/bundle/rpm/*-"$version"-*.rpm 2>/dev/null | head -1 || true)
  [ -f "$deb" ] || die "no .deb of version $version"
  [ -f "$rpm_file" ] || die "no .rpm of version $version"
}
