#!/bin/sh
# Make a container base image from Debian's packages, for machines where no container
# registry answers (the Dockerfile's default BASE, python:3.11-slim, is then unreachable).
#
#   deploy/image/make-base.sh [TAG]        # default TAG: localhost/ctxproxy-base:bookworm
#
# debootstrap installs a minimal Debian (variant minbase) with python3, python3-venv and
# ca-certificates from the Debian mirror, and podman (or buildah) imports that tree as TAG.
# Needs root (debootstrap chroots) and the debootstrap package. Environment:
#   SUITE (bookworm), DEBIAN_MIRROR (http://deb.debian.org/debian), ENGINE (podman|buildah).
set -eu

TAG=${1:-localhost/ctxproxy-base:bookworm}
SUITE=${SUITE:-bookworm}
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
ENGINE=${ENGINE:-$(command -v podman >/dev/null 2>&1 && echo podman || echo buildah)}

command -v debootstrap >/dev/null 2>&1 || {
  echo "make-base.sh: debootstrap is not installed (apt-get install debootstrap)" >&2; exit 2; }

root=$(mktemp -d "${TMPDIR:-/var/tmp}/ctxproxy-base.XXXXXX")
# debootstrap mounts /proc (and, in some environments, binds /dev) inside the tree: unmount
# whatever is still mounted there before deleting it, and never cross into another filesystem.
cleanup() {
  awk -v r="$root/" 'index($2, r) == 1 {print $2}' /proc/mounts | sort -r | while read -r m; do
    umount -l "$m" || true
  done
  rm -rf --one-file-system "$root" "$root.log"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

echo "make-base.sh: debootstrap $SUITE from $MIRROR into $root" >&2
debootstrap --variant=minbase --include=python3,python3-venv,ca-certificates \
  "$SUITE" "$root" "$MIRROR" >"$root.log" 2>&1 || {
  tail -20 "$root.log" >&2; exit 1; }

# What a container never needs: package lists and caches, docs, man pages, locales.
rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/var/cache/apt/archives/*.deb \
       "$root"/usr/share/doc/* "$root"/usr/share/man/* "$root"/usr/share/info/* \
       "$root"/usr/share/locale/* "$root"/var/log/*.log "$root"/var/log/apt/*
# debootstrap leaves the build host's name and resolver behind: the runtime provides both.
: >"$root/etc/hostname"
rm -f "$root/etc/resolv.conf"

case "$ENGINE" in
  podman)
    tar --numeric-owner --one-file-system -C "$root" -c . | podman import \
      --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
      --change 'ENV LANG=C.UTF-8' \
      --change 'CMD ["/bin/bash"]' \
      --message "debootstrap $SUITE minbase + python3 python3-venv ca-certificates" - "$TAG" >/dev/null
    ;;
  buildah)
    ctr=$(buildah from scratch)
    mnt=$(buildah mount "$ctr")
    tar --numeric-owner --one-file-system -C "$root" -c . | tar --numeric-owner -C "$mnt" -x
    buildah umount "$ctr" >/dev/null
    buildah config --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
      --env LANG=C.UTF-8 --cmd /bin/bash "$ctr"
    buildah commit --rm "$ctr" "$TAG" >/dev/null
    ;;
  *) echo "make-base.sh: ENGINE must be podman or buildah, not $ENGINE" >&2; exit 2 ;;
esac
echo "make-base.sh: imported $TAG" >&2
