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
    while IFS= read -r hit; do
        file=${hit%%:*}; rest=${hit#*:}; line=${rest%%:*}
        target=$(sed -nE 's/^[[:space:]]*#[[:space:]]*include[[:space:]]+"([^"]+)".*/\1/p' <<<"${rest#*:}")
        case $target in
        */*) folder=${target%%/*} ;;
        *)   folder=$layer ;;   # a header beside the file
        esac
        case " ${may[$layer]} " in
        *" $folder "*) ;;
        *) echo "${file#"$tree"/}:$line: $layer may not include \"$target\" (it may use: ${may[$layer]})"
           crossings=$((crossings + 1)) ;;
        esac
    done < <(grep -rnE '^[[:space:]]*#[[:space:]]*include[[:space:]]+"' "$tree/$layer" --include='*.c' --include='*.h')
done
[ "$crossings" = 0 ]
