# bay-lib.sh — sourced by t-disks-bay.sh and t-hostd-bay.sh: BMCs that place
# an R630's drives in bays (the test Redfish service with --drives), each
# with a BMC config under $HOSTD_BMC_CONFIG_DIR, and a reader of the BAY column.
SVC=$TOP/tests/bmc/redfish-service.sh LOGQ=$TOP/tests/bmc/reqlog.py
FX=$TOP/tests/fixtures/inventory/r630-2ssd-6hdd.json
B_TMP=$(mktemp -d)
B_STARTED=()
b_cleanup() { local s; for s in "${B_STARTED[@]}"; do "$SVC" stop "$B_TMP/$s"; done; rm -rf "$B_TMP"; }
export HOSTD_BMC_CONFIG_DIR=$B_TMP/bmc.d
mkdir -p "$HOSTD_BMC_CONFIG_DIR"
# b_start NAME OPTIONS...: an iDRAC-like service and the BMC config NAME that names it
b_start() {
    local name=$1 port; shift
    port=$("$SVC" start "$B_TMP/$name" --idrac "$@") || { fail "service $name starts"; return 1; }
    B_STARTED+=("$name")
    printf 'address: https://127.0.0.1:%s\nuser: root\npassword: calvin\nca_file: %s\n' \
        "$port" "$B_TMP/$name/cert.pem" > "$HOSTD_BMC_CONFIG_DIR/$name.yaml"
    chmod 600 "$HOSTD_BMC_CONFIG_DIR/$name.yaml"
}
# b_log NAME: the requests the service NAME saw, "METHOD PATH STATUS" a line
b_log() { "$LOGQ" "$B_TMP/$1/requests.log" lines; }
# b_led NAME: the body of the last PATCH the service NAME took
b_led() { "$LOGQ" "$B_TMP/$1/requests.log" bodies PATCH | tail -n 1; }
# b_bays TABLE: "disk=bay " for each row of a `hostctl disks` table
b_bays() {
    awk -v c="$(head -n 1 <<<"$1" | awk '{ print index($0, "BAY") }')" \
        'NR > 1 { split(substr($0, c), f, " "); printf "%s=%s ", $1, f[1] }' <<<"$1"
}
# the bays of the R630 fixture's disks in every BMC started here (serials shuffled)
B_WANT="sda=0 sdb=1 sdc=7 sdd=6 sde=5 sdf=4 sdg=3 sdh=2 "
# b_nvme FIXTURE SYSFS: the R630 fixture with two NVMe drives more
# (nvme0n1 NVME0000A, nvme1n1 NVME0000B) in FIXTURE, and under SYSFS what the
# kernel's pciehp shows: nvme0's controller 0000:01:00.0 in PCIe hot-plug
# slot "4" (its attention indicator off), slot "5" holding another device,
# nvme1 (0000:02:00.0) in no slot
b_nvme() {
    python3 - "$FX" "$1" << 'PYEOF'
import copy, json, sys
d = json.load(open(sys.argv[1]))
for n, serial in ((0, "NVME0000A"), (1, "NVME0000B")):
    x = copy.deepcopy(d["disks"][0])
    x.update(name=f"nvme{n}n1", path=f"/dev/nvme{n}n1", maj_min=f"259:{n}", vendor=None, model="Dell Express Flash",
             serial=serial, wwn=None, hctl=None, transport="nvme", by_id=[f"/dev/disk/by-id/nvme-{serial}"],
             by_path=f"/dev/disk/by-path/pci-0000:0{n + 1}:00.0-nvme-1")
    d["disks"].append(x)
json.dump(d, open(sys.argv[2], "w"))
PYEOF
    local n s=$2
    for n in 0 1; do
        mkdir -p "$s/devices/pci0000:00/0000:00:0$((n + 4)).0/0000:0$((n + 1)):00.0/nvme/nvme$n" "$s/block/nvme${n}n1"
        ln -s "../../devices/pci0000:00/0000:00:0$((n + 4)).0/0000:0$((n + 1)):00.0/nvme/nvme$n" "$s/block/nvme${n}n1/device"
    done
    mkdir -p "$s/bus/pci/slots/4" "$s/bus/pci/slots/5"
    echo 0000:01:00 > "$s/bus/pci/slots/4/address"; echo 0 > "$s/bus/pci/slots/4/attention"
    echo 0000:07:00 > "$s/bus/pci/slots/5/address"; echo 0 > "$s/bus/pci/slots/5/attention"
}
