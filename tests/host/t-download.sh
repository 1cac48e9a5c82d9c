#!/bin/bash
# hostctl image fetch (lib/download) against tests/helpers/http-range-server.py
# with a 20 MB random file: fetched and verified; a cut connection resumed with
# Range; a server that ignores Range; 503s retried; wrong digests and 404 with
# clear messages and nothing left behind; file:// checked in place; a dest
# that is already right not fetched again; TLS only with the right CA.
set -uo pipefail
. "$(dirname "$0")/tap.sh"
H=${HOSTCTL:?HOSTCTL must name the hostctl binary}
TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
command -v python3 >/dev/null || { skip "image fetch" "python3 not installed"; tap_done; exit; }
T=$(mktemp -d)
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; rm -rf "$T"' EXIT

MB=1048576 CUT=7340032
mkdir -p "$T/www"
head -c $((20 * MB)) /dev/urandom > "$T/www/os.img"
SHA=$(sha256sum "$T/www/os.img" | cut -d' ' -f1)
BAD=$(printf 'not the image' | sha256sum | cut -d' ' -f1)

# serve LOG [--cert C --key K]: a server on 127.0.0.1; its port in $port
serve() {
    local out=$T/port.$RANDOM
    python3 "$TOP/tests/helpers/http-range-server.py" --dir "$T/www" --log "$@" > "$out" &
    pids+=($!)
    for _ in $(seq 100); do [ -s "$out" ] && break; sleep 0.1; done
    port=$(cat "$out")
}
LOG=$T/requests.log
serve "$LOG"
[ -n "$port" ] || { fail "the test server starts"; tap_done; exit; }
U=http://127.0.0.1:$port
: > "$LOG"
nreq() { wc -l < "$LOG" | tr -d ' '; }
field() { python3 -c 'import json,sys; d=json.load(sys.stdin); print(d[sys.argv[1]])' "$1"; }
digest() { sha256sum "$1" 2>/dev/null | cut -d' ' -f1; }
size() { stat -c %s "$1" 2>/dev/null; }

# 1. the whole file
mkdir -p "$T/a"
out=$("$H" --json image fetch "$U/os.img" --sha256 "$SHA" --dest "$T/a/os.img"); rc=$?
check_eq "a 20 MB file is fetched (exit 0)" 0 "$rc"
check_eq "--json says fetched, with the size" "True 20971520" "$(field fetched <<<"$out") $(field bytes <<<"$out")"
check_eq "--json names the path and the digest" "$T/a/os.img $SHA" "$(field path <<<"$out") $(field sha256 <<<"$out")"
check_eq "the file has the digest" "$SHA" "$(digest "$T/a/os.img")"
check_eq "the file is mode 0600" 600 "$(stat -c %a "$T/a/os.img")"
check "no .part is left" test ! -e "$T/a/os.img.part"

# 2. already there: nothing fetched, no request at all
n=$(nreq)
out=$("$H" --json image fetch "$U/os.img" --sha256 "$SHA" --dest "$T/a/os.img"); rc=$?
check_eq "a dest that has the digest: exit 0, fetched false" "0 False" "$rc $(field fetched <<<"$out")"
check_eq "... and the server saw no request" "$n" "$(nreq)"

# 3. the text output and progress without a terminal: lines, the last at 100 %
mkdir -p "$T/b"
out=$("$H" image fetch "$U/os.img" --sha256 "$SHA" --dest "$T/b/os.img" 2>"$T/err"); rc=$?
check_eq "text output: exit 0" 0 "$rc"
check_contains "text output says fetched and verified" "$T/b/os.img: 20.0M fetched and verified" "$out"
check_contains "progress on stderr ends at 100%" "hostctl image fetch: 100% (20.0M of 20.0M" "$(cat "$T/err")"

# 4. the server cuts every response after 7 MB: no retries fails and keeps the .part;
#    the next run resumes with Range, retrying through the further cuts
mkdir -p "$T/c"
err=$("$H" image fetch "$U/os.img?cut=$CUT" --sha256 "$SHA" --dest "$T/c/os.img" --retries 0 2>&1 >/dev/null); rc=$?
check_eq "a cut connection with --retries 0 fails (exit 1)" 1 "$rc"
check_contains "... saying what happened" "transfer closed with 13631488 bytes remaining" "$err"
check_contains "... and that the part is kept" "7.0M kept to resume from" "$err"
check_eq "... the .part holds the 7 MB that arrived" "$CUT" "$(size "$T/c/os.img.part")"
check "... and dest does not exist" test ! -e "$T/c/os.img"
"$H" image fetch "$U/os.img?cut=$CUT" --sha256 "$SHA" --dest "$T/c/os.img" >/dev/null 2>"$T/err"; rc=$?
check_eq "run again: resumed through two more cuts (exit 0)" 0 "$rc"
check_contains "the server saw Range: bytes=7340032-" "GET /os.img?cut=$CUT range=bytes=7340032- status=206" "$(cat "$LOG")"
check_contains "... then bytes=14680064-" "GET /os.img?cut=$CUT range=bytes=14680064- status=206" "$(cat "$LOG")"
check_eq "the resumed file has the digest" "$SHA" "$(digest "$T/c/os.img")"

# 5. a leftover .part with the first 7 MB: one Range request for the rest
mkdir -p "$T/d"
head -c "$CUT" "$T/www/os.img" > "$T/d/os.img.part"
"$H" image fetch "$U/os.img?k=d" --sha256 "$SHA" --dest "$T/d/os.img" >/dev/null 2>&1; rc=$?
check_eq "a leftover .part is resumed (exit 0)" 0 "$rc"
check_eq "... with one request for the rest" "GET /os.img?k=d range=bytes=7340032- status=206" "$(grep 'k=d' "$LOG")"
check_eq "... and the file has the digest" "$SHA" "$(digest "$T/d/os.img")"

# 6. a server that answers 200 to a Range request: start over (the .part here is garbage)
mkdir -p "$T/e"
head -c "$CUT" /dev/urandom > "$T/e/os.img.part"
"$H" image fetch "$U/os.img?norange=1" --sha256 "$SHA" --dest "$T/e/os.img" >/dev/null 2>&1; rc=$?
check_eq "a 200 answer to a Range request restarts from zero (exit 0)" 0 "$rc"
check_contains "... the server did answer 200" "GET /os.img?norange=1 range=bytes=7340032- status=200" "$(cat "$LOG")"
check_eq "... and the file has the digest" "$SHA" "$(digest "$T/e/os.img")"

# 7. transient 503s are retried
mkdir -p "$T/f"
"$H" image fetch "$U/os.img?status=503&times=2" --sha256 "$SHA" --dest "$T/f/os.img" >/dev/null 2>&1; rc=$?
check_eq "two 503s, then the file (exit 0)" "0 2" "$rc $(grep -c 'status=503&times=2 .*status=503' "$LOG")"
check_eq "... and it has the digest" "$SHA" "$(digest "$T/f/os.img")"

# 8. the wrong digest: both digests shown, nothing left
mkdir -p "$T/g"
err=$("$H" image fetch "$U/os.img" --sha256 "$BAD" --dest "$T/g/os.img" 2>&1 >/dev/null); rc=$?
check_eq "a wrong sha256 fails (exit 1)" 1 "$rc"
check_contains "... the message has the expected digest" "expected $BAD" "$err"
check_contains "... and the actual one" "got $SHA" "$err"
check "... dest does not exist" test ! -e "$T/g/os.img"
check "... and no .part is left" test ! -e "$T/g/os.img.part"

# 9. a dest with other content is replaced
printf 'old' > "$T/g/os.img"
out=$("$H" --json image fetch "$U/os.img" --sha256 "$SHA" --dest "$T/g/os.img"); rc=$?
check_eq "a dest with the wrong content is fetched again" "0 True $SHA" "$rc $(field fetched <<<"$out") $(digest "$T/g/os.img")"

# 10. 404
err=$("$H" image fetch "$U/missing.img" --sha256 "$SHA" --dest "$T/g/missing.img" 2>&1 >/dev/null); rc=$?
check_eq "404 fails (exit 1)" 1 "$rc"
check_contains "... the message has the URL and the status" "$U/missing.img: HTTP 404" "$err"
check "... and no .part is left" test ! -e "$T/g/missing.img.part"

# 11. file://: checked in place, nothing copied, no request
n=$(nreq)
out=$("$H" --json image fetch "file://$T/www/os.img" --sha256 "$SHA" --dest "$T/h/os.img"); rc=$?
check_eq "file:// is verified in place (exit 0)" "0 $T/www/os.img False" "$rc $(field path <<<"$out") $(field fetched <<<"$out")"
check "... dest is not written" test ! -e "$T/h"
check_eq "... and the server saw nothing" "$n" "$(nreq)"
err=$("$H" image fetch "file://$T/www/os.img" --sha256 "$BAD" 2>&1 >/dev/null); rc=$?
check_eq "file:// with the wrong digest fails" 1 "$rc"
check_contains "... naming both digests" "expected $BAD, got $SHA" "$err"

# 12. a symlink at dest is not followed
ln -s "$T/www/os.img" "$T/g/link.img"
err=$("$H" image fetch "$U/os.img" --sha256 "$BAD" --dest "$T/g/link.img" 2>&1 >/dev/null); rc=$?
check_eq "a symlink at dest is refused" "1 $SHA" "$rc $(digest "$T/www/os.img")"
check_contains "... saying so" "symbolic link" "$err"

# 13. the command line
check_eq "image sha256 prints like sha256sum" "$SHA  $T/www/os.img" "$("$H" image sha256 "$T/www/os.img")"
"$H" image fetch "$U/os.img" --dest "$T/g/x" >/dev/null 2>&1; rc=$?
check_eq "fetch without --sha256 is a usage error" 2 "$rc"
"$H" image fetch "$U/os.img" --sha256 abc --dest "$T/g/x" >/dev/null 2>&1; rc=$?
check_eq "a malformed --sha256 is a usage error" 2 "$rc"
out=$("$H" image fetch --help); rc=$?
check_eq "image fetch --help exits 0" 0 "$rc"
check_contains "... with the usage line" "Usage: hostctl image fetch URL --sha256 HEX --dest PATH" "$out"

# 14. TLS: verified against --ca-file, refused without it
if command -v openssl >/dev/null; then
    openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/key.pem" -out "$T/cert.pem" -days 2 \
        -subj /CN=localhost -addext subjectAltName=DNS:localhost,IP:127.0.0.1 2>/dev/null
    serve "$T/tls.log" --cert "$T/cert.pem" --key "$T/key.pem"
    mkdir -p "$T/t"
    err=$("$H" image fetch "https://127.0.0.1:$port/os.img" --sha256 "$SHA" --dest "$T/t/os.img" 2>&1 >/dev/null); rc=$?
    check_eq "https with an unknown CA fails" 1 "$rc"
    check_contains "... on the certificate" "certificate" "$err"
    "$H" image fetch "https://127.0.0.1:$port/os.img" --sha256 "$SHA" --dest "$T/t/os.img" --ca-file "$T/cert.pem" \
        >/dev/null 2>&1; rc=$?
    check_eq "https with --ca-file fetches the file" "0 $SHA" "$rc $(digest "$T/t/os.img")"
else
    skip "https" "openssl not installed"
fi

tap_done
