# smart-lib.sh — sourced after hostd-lib.sh: a stand-in smartctl in $SMART_BIN
# that behaves as the real one does for the argv hostd gives it
# (`smartctl --json=c -n standby|never -i -H -A /dev/X`): it prints the
# fixture chosen for X (tests/fixtures/smart/) and exits with that output's
# smartctl.exit_status; a disk put to sleep (smart_sleep X) answers
# `-n standby` as smartctl does, exit 2 and "Device is in STANDBY mode",
# and `-n never` with its fixture; a disk without a fixture answers as a
# disk without SMART does (the real capture of a virtio disk, exit 1).
# Each call's argv is appended to $SMART_CALLS. Put $SMART_BIN first in PATH.
SMART_BIN=$H_TMP/smart-bin SMART_DIR=$H_TMP/smart SMART_CALLS=$H_TMP/smart-calls
SMART_FIXTURES=${TOP:?TOP must name the source tree}/tests/fixtures/smart
mkdir -p "$SMART_BIN" "$SMART_DIR"
: >"$SMART_CALLS"
cat >"$SMART_BIN/smartctl" <<'EOF_SMARTCTL'
#!/bin/sh
echo "$*" >>"$SMART_CALLS"
[ "$1 $2" = "--json=c -n" ] || { echo "fake smartctl: unexpected argv: $*" >&2; exit 1; }
mode=$3
for dev; do :; done
name=${dev#/dev/}
f=$SMART_DIR/$name.json
[ -e "$f" ] || f=$SMART_DIR/default.json
[ -e "$f" ] || f=$SMART_FIXTURES/virtio-no-smart.json
if [ "$mode" = standby ] && [ -e "$SMART_DIR/$name.asleep" -o -e "$SMART_DIR/default.asleep" ]; then
    f=$SMART_FIXTURES/ata-standby.json
fi
cat "$f"
exit "$(sed -n 's/.*"exit_status":\([0-9]*\).*/\1/p' "$f" | head -n 1)"
EOF_SMARTCTL
chmod +x "$SMART_BIN/smartctl"
export SMART_DIR SMART_CALLS SMART_FIXTURES

# smart_disk NAME FIXTURE: what smartctl says of /dev/NAME ("default": of every disk without its own)
# (renamed into place: hostd may be asking at that moment, and must not see no file)
smart_disk() {
    ln -sfn "$SMART_FIXTURES/$2" "$SMART_DIR/.$1.json" && mv -Tf "$SMART_DIR/.$1.json" "$SMART_DIR/$1.json"
    rm -f "$SMART_DIR/$1.asleep"
}
# smart_sleep NAME: /dev/NAME is in standby
smart_sleep() { : >"$SMART_DIR/$1.asleep"; }
