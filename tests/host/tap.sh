# tap.sh — sourced by shell tests: TAP output and checks that say what differed.
_tap_n=0 _tap_failed=0
ok()   { _tap_n=$((_tap_n + 1)); echo "ok $_tap_n - $*"; }
fail() { _tap_n=$((_tap_n + 1)); _tap_failed=$((_tap_failed + 1)); echo "not ok $_tap_n - $*"; }
skip() { _tap_n=$((_tap_n + 1)); echo "ok $_tap_n - $1 # SKIP $2"; }
# check DESC COMMAND...: ok when the command succeeds
check() { local d=$1; shift; if "$@"; then ok "$d"; else fail "$d"; fi; }
# check_eq DESC EXPECTED ACTUAL
check_eq() {
    if [ "$2" = "$3" ]; then ok "$1"; else fail "$1"; printf '#   expected: %q\n#   actual:   %q\n' "$2" "$3"; fi
}
# check_contains DESC NEEDLE HAYSTACK
check_contains() {
    case $3 in *"$2"*) ok "$1" ;; *) fail "$1"; printf '#   %q not in:\n' "$2"; printf '%s\n' "$3" | sed 's/^/#   | /' | head -n 20 ;; esac
}
tap_done() { echo "1..$_tap_n"; [ "$_tap_failed" = 0 ]; }
