# Sourced by scripts/fetch-mbrola and scripts/fetch-voices: fetch Debian packages (bookworm contrib and non-free)
# into a private folder without touching the system's apt sources, state or cache, and without root.
#
#   PROG=fetch-x; . scripts/private-apt.sh      then: update; deb_extract PKG; (move parts from $CACHE/x); deb_done PKG
#
# Sets DIR ($SAYWELL_VOICES, default data/voices), CACHE ($DIR/.cache: private apt state, shared by both scripts
# and locked while one of them works), APT (the apt options that redirect every path apt would read or write).
# .cache/done/PKG marks a package as fully extracted, so an interrupted run resumes at the next package.

die() { echo "$PROG: error: $*" >&2; exit 1; }
say() { echo "$PROG: $*" >&2; }

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DIR=${SAYWELL_VOICES:-$REPO/data/voices}
MIRROR=${SAYWELL_DEBIAN_MIRROR:-http://deb.debian.org/debian}
SUITE=bookworm   # like the target (Pi OS bookworm): the binaries must run on its libc
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg

command -v apt-get >/dev/null && command -v dpkg >/dev/null || die "apt-get/dpkg not found: this needs a Debian-based system"
[ -r "$KEYRING" ] || die "$KEYRING missing: run 'sudo apt-get install debian-archive-keyring'"

CACHE=$DIR/.cache
mkdir -p "$CACHE"/lists/partial "$CACHE"/apt/archives/partial "$CACHE"/done "$CACHE"/debs "$DIR"/doc 2>/dev/null ||
    die "cannot create $DIR: set SAYWELL_VOICES to a writable folder"
DIR=$(cd "$DIR" && pwd) CACHE=$(cd "$CACHE" && pwd)   # apt resolves relative paths against /etc/apt
echo "deb [signed-by=$KEYRING] $MIRROR $SUITE contrib non-free" > "$CACHE/sources.list"
exec 9>"$CACHE/lock"   # two runs on one folder would extract over each other
flock -n 9 || die "another fetch is already working in $DIR: wait for it to finish"
: > "$CACHE/status"   # an empty dpkg status: the system's installed packages are irrelevant here

# Every path apt would read or write is redirected into .cache; the apt.conf.d snippets (proxy, etc.)
# still apply. As root apt would hand downloads to user _apt, who cannot write a root-owned private dir.
APT=(-o Dir::Etc::sourcelist="$CACHE/sources.list" -o Dir::Etc::sourceparts=-
     -o Dir::State="$CACHE" -o Dir::State::Lists="$CACHE/lists" -o Dir::State::status="$CACHE/status"
     -o Dir::Cache="$CACHE/apt" -o Dir::Cache::archives="$CACHE/apt/archives"
     -o Dir::Cache::pkgcache= -o Dir::Cache::srcpkgcache= -o Dir::Log="$CACHE")
if [ "$(id -u)" = 0 ]; then APT+=(-o APT::Sandbox::User=root); fi

updated=
update() {  # --error-on=any: without it an unreachable mirror is only a warning and exit status 0
    [ -n "$updated" ] && return
    apt-get -qq "${APT[@]}" --error-on=any update >"$CACHE/update.log" 2>&1 ||
        die "cannot fetch $SUITE contrib/non-free indexes from $MIRROR (see $CACHE/update.log): check the network/proxy, or set SAYWELL_DEBIAN_MIRROR"
    updated=1
}

# deb_extract PKG [HINT]: download PKG and unpack it into $CACHE/x (its /usr, /etc ... tree); $deb is the .deb's
# path. HINT ends the error when the suite has no such package.
deb_extract() {
    local p=$1
    update   # fresh indexes before any download: a point release renames the .deb files
    apt-cache "${APT[@]}" show "$p" >/dev/null 2>&1 || die "no package $p in Debian $SUITE contrib/non-free${2:+: $2}"
    rm -f "$CACHE/debs/${p}_"*.deb   # a half-downloaded or outdated one from an interrupted run
    (cd "$CACHE/debs" && apt-get -qq "${APT[@]}" download "$p" >"$CACHE/download.log" 2>&1) ||
        die "download of $p from $MIRROR failed (see $CACHE/download.log): check the network and retry (finished packages are kept)"
    deb=$(ls "$CACHE/debs/${p}_"*.deb)
    rm -rf "$CACHE/x" && dpkg -x "$deb" "$CACHE/x"
}

# deb_done PKG: keep its documentation, drop the unpacked rest and the .deb, mark PKG as there.
deb_done() {
    local p=$1
    rm -rf "$DIR/doc/$p"
    if [ -d "$CACHE/x/usr/share/doc/$p" ]; then mv "$CACHE/x/usr/share/doc/$p" "$DIR/doc/$p"; fi
    rm -rf "$CACHE/x" "$deb"
    touch "$CACHE/done/$p"
}
