#!/bin/bash
# QEMU 10.0 with the phv accelerator, sourced by ./phv (which defines say, die, PHV_ROOT, PHV_CACHE,
# PHV_BUILD). qemu_setup fetches Debian trixie's qemu source package and firmware; qemu_build patches,
# configures and builds qemu-system-ppc64 into $PHV_BUILD/qemu (qemu-integration.md §6.2, §8).
#
# Layout, chosen so that a fresh clone at any path hits the shared ccache:
#   $PHV_CACHE/qemu-dl/              apt downloads (source package, qemu-system-data .deb, private apt state)
#   $PHV_CACHE/qemu-src-<version>/   the pristine upstream tree, shared by every clone, never modified
#   $PHV_CACHE/qemu-fw-<version>/    slof.bin and vof.bin
#   $PHV_BUILD/qemu/src/             a symlink farm of the pristine tree with our patches applied to copies
#                                    accel/phv -> $PHV_ROOT/accel, hw/ppc/phv -> $PHV_ROOT/ppc_spapr_glue; inside the clone, so every path in a
#                                    compile command is relative to CCACHE_BASEDIR (= the clone)
#   $PHV_BUILD/qemu/build/           QEMU's build directory; qemu-system-ppc64 is built here

QEMU_DL=$PHV_CACHE/qemu-dl
QEMU_PATCHES=$PHV_ROOT/subprojects/qemu/patches

# The newest 10.0.x in trixie's source index (point releases replace each other in the archive).
qemu_pick_version() {
	apt-cache showsrc qemu 2>/dev/null | sed -n 's/^Version: //p' | grep -E '^1:10\.0\.[0-9]+' | sort -V | tail -1
}

# "1:10.0.13+ds-0+deb13u1" -> "10.0.13+ds"
qemu_upstream() {
	local v=${1#*:}
	echo "${v%-*}"
}

# A private apt view holding trixie's binary index: qemu-system-data comes from there without adding a
# trixie "deb" line to the system (which would offer trixie binaries to every apt-get install).
qemu_private_apt() {
	local d=$QEMU_DL/apt mirror
	mirror=$(debian_mirror)
	mkdir -p "$d/etc" "$d/lists/partial" "$d/cache/archives/partial"
	printf 'deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] %s trixie main\n' "$mirror" \
		>"$d/etc/sources.list"
	QEMU_APTO=(-o "Dir::Etc::SourceList=$d/etc/sources.list" -o Dir::Etc::SourceParts=/nonexistent
		-o "Dir::State::Lists=$d/lists" -o "Dir::Cache=$d/cache" -o APT::Architectures::=amd64
		-o APT::Sandbox::User=root)
	if [ ! -f "$d/updated" ]; then
		apt-get "${QEMU_APTO[@]}" update -qq >"$QEMU_DL/apt-private.log" 2>&1 ||
			{ tail -5 "$QEMU_DL/apt-private.log" >&2; die "apt-get update of the private trixie view failed"; }
		touch "$d/updated"
	fi
}

qemu_setup() {
	mkdir -p "$QEMU_DL"
	local have ver up src fw
	# Reuse what is unpacked when apt cannot tell us the version (offline, index not updated).
	ver=$(qemu_pick_version)
	if [ -z "$ver" ]; then
		apt_update
		ver=$(qemu_pick_version)
	fi
	if [ -z "$ver" ]; then
		have=$(ls -d "$PHV_CACHE"/qemu-src-10.0.* 2>/dev/null | sort -V | tail -1)
		[ -n "$have" ] && [ -f "$have/.phv-unpacked" ] || die "no qemu 10.0.x source known to apt (trixie deb-src)"
		QEMU_VERSION=$(cat "$have/.phv-unpacked")
	else
		QEMU_VERSION=$ver
	fi
	up=$(qemu_upstream "$QEMU_VERSION")
	src=$PHV_CACHE/qemu-src-$up
	fw=$PHV_CACHE/qemu-fw-$up
	QEMU_SRC=$src
	QEMU_FW=$fw
	if [ ! -f "$src/.phv-unpacked" ]; then
		local orig=$QEMU_DL/qemu_$up.orig.tar.xz
		if [ ! -f "$orig" ]; then
			say "fetching Debian's qemu $QEMU_VERSION source package (apt-get source)"
			(cd "$QEMU_DL" && apt-get source -qq --download-only "qemu=$QEMU_VERSION") \
				>"$QEMU_DL/source.log" 2>&1 ||
				{ tail -5 "$QEMU_DL/source.log" >&2; die "apt-get source qemu=$QEMU_VERSION failed"; }
		fi
		say "unpacking $orig into $src"
		rm -rf "$src.tmp" && mkdir -p "$src.tmp"
		tar xf "$orig" -C "$src.tmp" --strip-components=1 || die "unpacking $orig failed"
		echo "$QEMU_VERSION" >"$src.tmp/.phv-unpacked"
		chmod -R a-w "$src.tmp"
		rm -rf "$src" && mv "$src.tmp" "$src"
	fi
	if [ ! -f "$fw/slof.bin" ] || [ ! -f "$fw/vof.bin" ]; then
		say "fetching slof.bin and vof.bin from trixie's qemu-system-data $QEMU_VERSION (download, no install)"
		qemu_private_apt
		rm -f "$QEMU_DL"/qemu-system-data_*.deb
		(cd "$QEMU_DL" && apt-get "${QEMU_APTO[@]}" download -qq "qemu-system-data=$QEMU_VERSION") \
			>"$QEMU_DL/fw.log" 2>&1 ||
			{ tail -5 "$QEMU_DL/fw.log" >&2; die "apt-get download qemu-system-data=$QEMU_VERSION failed"; }
		rm -rf "$fw.tmp" && mkdir -p "$fw.tmp/x"
		dpkg-deb -x "$QEMU_DL"/qemu-system-data_*.deb "$fw.tmp/x"
		cp "$fw.tmp/x/usr/share/qemu/slof.bin" "$fw.tmp/x/usr/share/qemu/vof.bin" "$fw.tmp/"
		rm -rf "$fw.tmp/x" "$fw" && mv "$fw.tmp" "$fw"
	fi
}

# Files a patch writes (its "+++ b/..." lines).
qemu_patch_files() {
	sed -n 's|^+++ b/||p' "$1" | sed 's/\t.*//'
}

# Builds $PHV_BUILD/qemu/src: symlinks to the pristine tree, real copies of the files our patches change.
# Files whose content did not change keep their old mtime, so ninja recompiles only what a new patch touches.
qemu_make_tree() {
	local qb=$1 want=$2 new=$1/src.new old=$1/src p f
	rm -rf "$new" && mkdir -p "$new"
	local e
	for e in "$QEMU_SRC"/* "$QEMU_SRC"/.[!.]*; do
		[ -e "$e" ] || continue
		case ${e##*/} in
			roms) ln -s "$e" "$new/roms" ;;	# firmware sources: never built here, 26k files
			*) cp -rs "$e" "$new/" ;;
		esac
	done
	for p in "$QEMU_PATCHES"/*.patch; do
		while read -r f; do
			if [ -L "$new/$f" ]; then
				cp --remove-destination "$(readlink -f "$new/$f")" "$new/$f"
			fi
			chmod u+w "$new/$f" 2>/dev/null || true
		done < <(qemu_patch_files "$p")
		patch -p1 -s -N --no-backup-if-mismatch -d "$new" <"$p" || die "patch ${p##*/} does not apply to $QEMU_VERSION"
	done
	ln -s "$PHV_ROOT/accel" "$new/accel/phv"
	ln -s "$PHV_ROOT/ppc_spapr_glue" "$new/hw/ppc/phv"
	if [ -d "$old" ]; then
		while read -r f; do
			if [ -f "$old/$f" ] && [ ! -L "$old/$f" ] && cmp -s "$old/$f" "$new/$f"; then
				touch -r "$old/$f" "$new/$f"
			fi
		done < <(cd "$new" && find . -type f -printf '%P\n')
	fi
	rm -rf "$old" && mv "$new" "$old"
	echo "$want" >"$qb/src.stamp"
}

qemu_build() {
	local qb=$PHV_BUILD/qemu want
	mkdir -p "$qb"
	want=$( (echo "$QEMU_VERSION $PHV_ROOT"; cat "$QEMU_PATCHES"/*.patch) | sha256sum | cut -d' ' -f1)
	if [ ! -f "$qb/src.stamp" ] || [ "$(cat "$qb/src.stamp")" != "$want" ] || [ ! -d "$qb/src" ]; then
		say "preparing the patched QEMU tree $qb/src ($(ls "$QEMU_PATCHES"/*.patch | wc -l) patches)"
		qemu_make_tree "$qb" "$want"
	fi
	if [ ! -f "$qb/build/build.ninja" ]; then
		say "configuring QEMU $QEMU_VERSION (qemu-system-ppc64, pseries-min devices, phv)"
		rm -rf "$qb/build" && mkdir -p "$qb/build"
		(cd "$qb/build" && nice -n 10 ../src/configure --python=/usr/bin/python3 \
			--cc="ccache gcc" --cxx="ccache g++" --target-list=ppc64-softmmu \
			--without-default-features --without-default-devices --with-devices-ppc64=pseries-min \
			--enable-fdt=system --disable-install-blobs --disable-docs --disable-user --disable-tools \
			--disable-guest-agent --disable-download --prefix=/usr \
			-Dphv=enabled -Dpkg_config_path="$PHV_BUILD/meson-uninstalled") \
			>"$qb/configure.log" 2>&1 ||
			{ tail -30 "$qb/configure.log" >&2; rm -f "$qb/build/build.ninja"; die "QEMU configure failed (log: $qb/configure.log)"; }
	fi
	say "building qemu-system-ppc64 (nice; log: $qb/ninja.log)"
	if ! nice -n 10 ninja -C "$qb/build" -j2 qemu-system-ppc64 >"$qb/ninja.log" 2>&1; then
		grep -v '^\[' "$qb/ninja.log" | tail -40 >&2
		die "QEMU build failed (full log: $qb/ninja.log)"
	fi
	mkdir -p "$qb/build/qemu-bundle/usr/share/qemu"
	cp -f "$QEMU_FW/slof.bin" "$QEMU_FW/vof.bin" "$qb/build/qemu-bundle/usr/share/qemu/"
}
