# guest/firstboot.sh - the provisioning-system side of t-firstboot, in the lab
# guest (sh), around the install that the installer image does through the
# BMC. Each command's stdout, stderr and exit status land in
# out/<name>.{out,err,rc}.
#   LAB_PHASE=install  before the installer: a wrong sha256 (refused, nothing
#                      written), --plan (nothing written), an apply killed
#                      with its tar during the unpack (the installer then
#                      finds a half-unpacked root and finishes it)
#   LAB_PHASE=inspect  after the installer and the first boot: what the
#                      installed system holds (fstab, mdadm.conf, the
#                      package, GRUB, the installer's log)
. /lab/lib.sh
. /mnt/host/lab.env
H=/usr/local/bin/hostctl
O=${LAB_OUT:-/mnt/host/out}
SPEC=/mnt/host/host.yaml
# hostd goes into the target as the Debian package, with the target's apt
PKG="--package /mnt/host/hostd.deb"

run() {  # run NAME CMD...: record output and exit status
    local name=$1
    shift
    "$@" > "$O/$name.out" 2> "$O/$name.err"
    echo $? > "$O/$name.rc"
}
# every disk's partition table / signature: nothing at all on blank disks
signatures() {
    for d in /sys/block/sd* /sys/block/nvme*; do blkid -p "/dev/${d##*/}" 2> /dev/null; done | wc -l
}

if [ "$LAB_PHASE" = install ]; then
    # a wrong sha256 stops before anything is written (a small image: the
    # refusal does not depend on the size)
    sed -e 's|^\(  image: \).*|\1file:///mnt/host/decoy.tar|' \
        -e 's/^\(  sha256: \).*/\1"0000000000000000000000000000000000000000000000000000000000000001"/' "$SPEC" > /tmp/bad.yaml
    lab_t_start bad_sha
    run bad-sha "$H" apply /tmp/bad.yaml --yes
    lab_t_end bad_sha
    signatures > "$O/bad-sha.signatures"
    run plan "$H" apply "$SPEC" $PKG --plan --json
    signatures > "$O/plan.signatures"
    # killed while the image is unpacked, with its tar: as a crash would
    "$H" apply "$SPEC" $PKG --yes --assume-clean > "$O/killed.out" 2> "$O/killed.err" &
    pid=$!
    n=0
    while ! grep -q "unpack the image" "$O/killed.err" && [ $n -lt 3000 ]; do sleep 0.1; n=$((n + 1)); done
    # (tar's pace depends on the host's load: wait for the tree, not a time)
    while [ ! -d /target/usr/lib ] && [ $n -lt 3000 ]; do sleep 0.1; n=$((n + 1)); done
    sleep 1
    kill -9 $pid
    for t in $(lab_pids tar); do kill -9 "$t"; done
    wait $pid 2> /dev/null
    echo "killed after $n polls" > "$O/killed.rc"
    ls /target > "$O/killed.target-ls" 2>&1
    # the arrays stopped, as a power cut leaves them
    umount -R /target 2> /dev/null
    mdadm --stop --scan > /dev/null 2>&1
    sync
    lab_finish
    exit 0
fi

# ---- inspect -------------------------------------------------------------------------------
# udev assembled the arrays under foreign names (their homehost is r630-01,
# this guest is r630-lab): assemble them as the installer does, homehost
# ignored, so that they have their own names (/dev/md/os)
mdadm --stop --scan > /dev/null 2>&1
printf 'HOMEHOST <ignore>\nDEVICE partitions\n' > /etc/mdadm/mdadm.conf
mdadm --assemble --scan > /dev/null 2>&1
udevadm settle --timeout=60
ls /dev/md > "$O/inspect-md"
run plan-after "$H" apply "$SPEC" $PKG --plan --json
# what the installed system holds
mkdir -p /target
mount /dev/md/os /target
cp /target/etc/fstab "$O/target-fstab"
grep -v '^#' /target/etc/mdadm/mdadm.conf > "$O/target-mdadm.conf"
cat /target/etc/hostname > "$O/target-hostname"
ls /target/boot > "$O/target-boot"
grep -c 'root=UUID=' /target/boot/grub/grub.cfg > "$O/target-grub-linux-lines"
blkid -s UUID -o value /dev/md/os > "$O/root-uuid"
ls /target/etc/systemd/system/multi-user.target.wants/ > "$O/target-wants"
cp /target/etc/systemd/system/hostd-firstboot.service "$O/target-firstboot-unit"
chroot /target dpkg-query -W -f '${db:Status-Abbrev}${Version}' hostd > "$O/target-hostd-package" 2>&1
ls /target/usr/local/sbin > "$O/target-local-sbin" 2>&1
cp /target/var/log/hostd-installer.log "$O/target-installer.log" 2> /dev/null
cp /target/var/log/hostd-installer.json "$O/target-installer.json" 2> /dev/null
umount /target
for d in ssd0 ssd1; do
    dd if="$(lab_disk $d)" bs=512 count=1 2> /dev/null | grep -c GRUB > "$O/mbr-$d"
done
cat /proc/mdstat > "$O/mdstat"
sync
lab_finish
