#!/bin/bash
# check-layers.sh [TREE] — the include walls of docs/ARCHITECTURE.md, checked.
# Every quoted include of a C file in a layer must name a header of a layer it
# may use (or its own folder). Prints one line per crossing and exits 1 when
# there is any; exits 0 and prints nothing on a clean tree.
set -uo pipefail
tree=${1:-$(cd "$(dirname "$0")/.." && pwd)}
domains="raid hypervisor containers ipmi os"
# who may include whom: the one table (ARCHITECTURE.md shows it too)
declare -A may=(
    [lib]="lib"
    [raid]="lib raid" [hypervisor]="lib hypervisor" [containers]="lib containers"
    [ipmi]="lib ipmi" [os]="lib os"
    [provision]="lib $domains provision"
    [cli]="lib $domains provision cli"
    [daemon]="lib $domains daemon"
)
crossings=0
# a folder of C code that is in no layer is a wall nobody drew
for dir in "$tree"/*/; do
    name=$(basename "$dir")
    case $name in tests|bench|build|build-*) continue ;; esac
    if [ -z "${may[$name]+set}" ] && [ -n "$(find "$dir" -maxdepth 1 -name '*.[ch]' -print -quit)" ]; then
        echo "$name/: C code in no layer: add it to the table in scripts/check-layers.sh and docs/ARCHITECTURE.md"
        crossings=$((crossings + 1))
    fi
done
for layer in "${!may[@]}"; do
    [ -d "$tree/$layer" ] || continue
    # one awk over the layer's files: "file:line: target" for each crossing
    found=$(grep -rnE '^[[:space:]]*#[[:space:]]*include[[:space:]]+"' "$tree/$layer" --include='*.c' --include='*.h' |
        awk -v layer="$layer" -v allowed=" ${may[$layer]} " -v tree="$tree/" '{
            split($0, f, ":"); target = $0
            sub(/^[^"]*"/, "", target); sub(/".*$/, "", target)
            folder = index(target, "/") ? substr(target, 1, index(target, "/") - 1) : layer
            if (index(allowed, " " folder " ") == 0) {
                file = f[1]; sub("^" tree, "", file)
                printf "%s:%s: %s may not include \"%s\" (it may use:%s)\n", file, f[2], layer, target, substr(allowed, 1, length(allowed) - 1)
            }
        }')
    if [ -n "$found" ]; then
        echo "$found"
        crossings=$((crossings + $(wc -l <<<"$found")))
    fi
done
[ "$crossings" = 0 ]
