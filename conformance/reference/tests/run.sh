#!/usr/bin/env bash
# Checks replay against hand-worked expectations: golden outputs (tests/*.expected, physical
# addresses masked) and bad scenarios (tests/bad/*, each naming the line it must be rejected at).
set -u
cd "$(dirname "$0")/.."
REPLAY=${REPLAY:-./replay}
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

for f in tests/bad/*; do
    line=$(sed -n 's/^# expect-line: \([0-9]*\).*/\1/p' "$f")
    out=$("$REPLAY" "$f" 2>/tmp/replay-bad.$$); rc=$?
    err=$(cat /tmp/replay-bad.$$); rm -f /tmp/replay-bad.$$
    if [ "$rc" = 2 ] && [ -z "$out" ] && [[ "$err" == "$f:$line: "* ]]; then
        echo "ok   $f  ($err)"
    else
        echo "FAIL $f: rc=$rc stdout='$out' stderr='$err' (wanted $f:$line:)"
        failures=$((failures + 1))
    fi
done

if [ "$failures" -ne 0 ]; then echo "$failures failure(s)"; exit 1; fi
echo "all replay tests passed"
