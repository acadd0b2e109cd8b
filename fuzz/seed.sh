#!/bin/sh
# Seeds fuzz/corpus/<target>/ with every .fsm file of the repository: the
# bundled machines, the test specs and the front end's test cases (which
# include failing ones). The corpus is not committed; run this once before
# fuzzing, from anywhere.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
for target in compile fmt codegen verify; do
    dir="$root/fuzz/corpus/$target"
    mkdir -p "$dir"
    find "$root/machines" "$root/tests/specs" "$root/crates/fsm-core/tests/cases" \
        -name '*.fsm' -type f | while read -r f; do
        # One file per distinct path, named after it.
        name=$(printf '%s' "${f#"$root"/}" | tr '/' '_')
        cp "$f" "$dir/$name"
    done
done
echo "seeded $(ls "$root/fuzz/corpus/compile" | wc -l) files into each of fuzz/corpus/{compile,fmt,codegen,verify}"
