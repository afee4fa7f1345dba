#!/usr/bin/env bash
# Checks replay against hand-worked expectations: golden outputs (tests/*.expected, physical
# addresses masked) and bad scenarios (tests/bad/*, each naming the line it must be rejected at).
set -u
cd "$(dirname "$0")/.."
REPLAY=${REPLAY:-./replay}
REPLAY_ALIGN8=${REPLAY_ALIGN8:-./replay-align8}
REPLAY_ALIGN16=${REPLAY_ALIGN16:-./replay-align16}
failures=0
mask() { sed -E 's/Physical Address: [0-9]+/Physical Address: PHYS/'; }

golden() { # golden NAME [OPTIONS...]
    local name=$1; shift
    if "$REPLAY" "$@" "tests/$name.mtrace" | mask | diff -u "tests/$name.expected" - >/dev/null; then
        echo "ok   $name"
    else
        echo "FAIL $name"; "$REPLAY" "$@" "tests/$name.mtrace" | mask | diff -u "tests/$name.expected" - | head -20
        failures=$((failures + 1))
    fi
}
golden split_merge --check
golden start0_page1024 --check --page-size 8192 --start 5   # directives win over options
golden page8192 --check --page-size 1024
golden options --check --page-size 1024 --start 0

aligned() { # aligned BINARY SCENARIO: a golden scenario of the repository's, with its @align
    local binary=$1 file=../../scenarios/$2
    if "$binary" --check "$file.mtrace" | mask | diff -u "$file.expected" - >/dev/null; then
        echo "ok   $2 ($binary)"
    else
        echo "FAIL $2 ($binary)"; failures=$((failures + 1))
    fi
}
aligned "$REPLAY_ALIGN8" align8
aligned "$REPLAY_ALIGN16" align16

refused() { # refused WANT-LINE-PREFIX BINARY ARGS...: exit 2, nothing on stdout, stderr starting so
    local want=$1; shift
    out=$("$@" 2>/tmp/replay-bad.$$); rc=$?
    err=$(cat /tmp/replay-bad.$$); rm -f /tmp/replay-bad.$$
    if [ "$rc" = 2 ] && [ -z "$out" ] && [[ "$err" == "$want"* ]]; then
        echo "ok   refused: $*  ($err)"
    else
        echo "FAIL refused: $*: rc=$rc stdout='$out' stderr='$err' (wanted $want)"
        failures=$((failures + 1))
    fi
}
# an alignment other than the build's is refused, from the file or the command line
refused "../../scenarios/align8.mtrace:3: alignment 8 needs replay built with MEMS_ALIGN=8" "$REPLAY" ../../scenarios/align8.mtrace
refused "../../scenarios/align8.mtrace:3: alignment 8 needs replay built with MEMS_ALIGN=8" "$REPLAY_ALIGN16" --align 16 ../../scenarios/align8.mtrace
refused "replay: --align: alignment 1 needs replay built with MEMS_ALIGN=1" "$REPLAY_ALIGN8" --align 1 tests/options.mtrace
refused "replay: --align must be 1, 2, 4, 8 or 16" "$REPLAY" --align 3 tests/options.mtrace

# each bad scenario is refused at the line it names
for f in tests/bad/*; do
    line=$(sed -n 's/^# expect-line: \([0-9]*\).*/\1/p' "$f")
    refused "$f:$line: " "$REPLAY" "$f"
done

if [ "$failures" -ne 0 ]; then echo "$failures failure(s)"; exit 1; fi
echo "all replay tests passed"
