#!/bin/bash
# hostd's state at rest and under a hostile local change: the state directory
# is 0700 and the database files 0600 (webhook URLs may hold credentials),
# also when they were left wider by an older version; a state directory
# deleted under a running hostd makes writes fail loudly instead of
# answering 201 for data that is gone at the next start.
set -uo pipefail
. "$(dirname "$0")/tap.sh"
. "$(dirname "$0")/hostd-lib.sh"
mode() { stat -c %a "$1"; }

umask 022
h_start || { fail "hostd starts"; tap_done; exit 1; }
h_req POST /redfish/v1/EventService/Subscriptions -H 'Content-Type: application/json' \
    --data '{"Destination": "http://user:secret@127.0.0.1:9/hook"}'
check_eq "a subscription is stored" 201 "$H_STATUS"
check_eq "the state directory is 0700 under umask 022" 700 "$(mode "$H_TMP/state")"
check_eq "the database is 0600" 600 "$(mode "$H_TMP/state/hostd.db")"
for side in hostd.db-wal hostd.db-shm; do
    [ -e "$H_TMP/state/$side" ] && check_eq "$side is 0600" 600 "$(mode "$H_TMP/state/$side")"
done
h_stop

chmod 0755 "$H_TMP/state"; chmod 0644 "$H_TMP/state/hostd.db"
h_start || { fail "hostd starts again"; tap_done; exit 1; }
check_eq "a world-readable state directory is tightened at start" 700 "$(mode "$H_TMP/state")"
check_eq "a world-readable database is tightened at start" 600 "$(mode "$H_TMP/state/hostd.db")"

rm -rf "$H_TMP/state"
h_req POST /redfish/v1/EventService/Subscriptions -H 'Content-Type: application/json' \
    --data '{"Destination": "http://127.0.0.1:9/other"}'
check "a write after the state directory was deleted is not a success ($H_STATUS)" test "${H_STATUS:0:1}" = 5
check_contains "the answer says the database is gone" "was removed or replaced while in use" "$H_BODY"
check_contains "hostd logs it" "was removed or replaced while in use: writes are refused" "$(cat "$H_TMP/hostd.log")"
h_req GET /redfish/v1/Systems/host
check_eq "reads still answer" 200 "$H_STATUS"
tap_done
