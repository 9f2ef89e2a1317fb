# shellcheck shell=bash
# The .deb built once per tree and kept for the tests that install it
# (sourced after tests/lib.sh): tests/t_package.sh builds it and keeps it
# in BUILD/deb/ with the hash of the tree it was built from;
# tests/t_pkginstall.sh takes it from there while the tree is the same.

# deb_tree_hash: the hash of the files git knows (tracked and untracked,
# not ignored) as they are on disk, names included: what t_package.sh
# copies to build from. A file added, changed or deleted changes it.
deb_tree_hash() {
	git ls-files -co --exclude-standard -z | sort -z |
		xargs -0 -r sha256sum 2>/dev/null | sha256sum | cut -d' ' -f1
}

# deb_keep DEB HASH: keeps DEB in BUILD/deb/, built from the tree HASH.
deb_keep() {
	mkdir -p "$BUILD/deb" &&
		rm -f "$BUILD"/deb/*.deb "$BUILD/deb/tree.sha256" &&
		cp "$1" "$BUILD/deb/" &&
		echo "$2" >"$BUILD/deb/tree.sha256"
}

# deb_kept: the kept .deb if it was built from the tree as it is now.
deb_kept() {
	local deb
	deb=$(ls "$BUILD"/deb/xdpi_"$(cat VERSION)"_*.deb 2>/dev/null | head -1)
	[ -n "$deb" ] && [ "$(cat "$BUILD/deb/tree.sha256" 2>/dev/null)" = "$(deb_tree_hash)" ] &&
		echo "$deb"
}
