#!/bin/sh
# bench.sh - the benchmark scenarios of ../shared/bench against this postern
#
# `make bench` runs local (5000 messages, 20 sessions), latency (200
# sequential messages), fanout (one message, 500 recipients) through
# ../shared/bench/run.sh with the postern adapter and this checkout's
# build/bin, and prints one result line per scenario: msgs/s, CPU ms per
# message, p50/p99 (latency) and peak PSS. BENCH_SCENARIOS and BENCH_N
# narrow it; BENCH_STRACE=1 adds the fsync count per message of `local`.
set -eu
cd "$(dirname "$0")/.."
BENCH=${BENCH:-$(cd ../shared/bench 2>/dev/null && pwd)} || {
	echo "bench: ../shared/bench not found" >&2; exit 1; }
export POSTERN_BIN=$PWD/build/bin/postern
getent passwd postern >/dev/null || useradd -r -M -d /nonexistent -s /usr/sbin/nologin postern
getent group postdrop >/dev/null || groupadd -r postdrop
command -v smtp-source >/dev/null || {
	echo "bench: smtp-source (package postfix) is needed for the local scenario" >&2; }
for s in ${BENCH_SCENARIOS:-local latency fanout}; do
	"$BENCH/run.sh" postern "$s" ${BENCH_N:-}
done
if [ "${BENCH_STRACE:-0}" = 1 ]; then
	n=200
	strace -f -c -e trace=fsync,fdatasync -o /tmp/postern-bench.strace \
		"$BENCH/run.sh" postern local $n 4 >/dev/null
	awk -v n=$n '$NF == "fsync" || $NF == "fdatasync" { c += $4 }
		END { printf "fsync calls per message: %.2f\n", c / n }' /tmp/postern-bench.strace
fi
