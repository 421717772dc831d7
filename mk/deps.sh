#!/bin/sh
# deps.sh - install the build and test dependencies that are missing
#
# The one list of postern's Debian packages. Run as root on Debian 12 by
# `make run` and `make test`; as another user it only reports what is missing.
set -eu
BUILD_DEPS="gcc make libc6-dev libssl-dev libseccomp-dev libdb-dev"
TEST_DEPS="perl libtest-simple-perl python3 swaks iproute2 strace db-util file bsd-mailx"
missing=
for p in $BUILD_DEPS $TEST_DEPS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing="$missing $p"
done
[ -n "$missing" ] || exit 0
if [ "$(id -u)" != 0 ]; then
	echo "deps: missing packages:$missing (run as root to install)" >&2
	exit 1
fi
echo "deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends $missing >/dev/null
