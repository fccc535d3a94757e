#!/usr/bin/env bash
# Compares the benchmarks of a base revision (default: main) with the working
# tree, using benchstat from the Go module proxy:
#
#   scripts/benchcmp.sh [BASE] [-- go test flags]
#
# Both sides run the same benchmarks the same number of times, alternating,
# so that a busy machine slows both alike.
set -euo pipefail
cd "$(dirname "$0")/.."

base=main
if [ $# -gt 0 ] && [ "$1" != "--" ]; then base=$1; shift; fi
[ "${1:-}" = "--" ] && shift
flags=("$@")
[ ${#flags[@]} -gt 0 ] || flags=(-run '^$' -bench . -benchmem -benchtime 3x)
count=${COUNT:-6}
benchstat_version=v0.0.0-20260908200009-22c9c6c9d4da   # golang.org/x/perf

work=$(mktemp -d)
trap 'git worktree remove --force "$work/base" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
git worktree add --detach "$work/base" "$base" >/dev/null

for i in $(seq "$count"); do
	(cd "$work/base" && go test "${flags[@]}" ./bench/) >>"$work/old.txt"
	go test "${flags[@]}" ./bench/ >>"$work/new.txt"
done
go run "golang.org/x/perf/cmd/benchstat@$benchstat_version" "$work/old.txt" "$work/new.txt"
