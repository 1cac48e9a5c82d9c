# What hostd needs from Debian 12: the one list. `make deps` installs the
# missing packages; PKGS are the pkg-config names the build links.
# README.md explains each group.
DEB_BUILD      := build-essential pkg-config clang libcmocka-dev libjson-c-dev libudev-dev libblkid-dev libyaml-dev
DEB_LAB        := qemu-system-x86 linux-image-amd64 busybox-static mdadm gdisk xfsprogs \
                  e2fsprogs dosfstools udev kmod cpio xz-utils binutils python3 util-linux debootstrap ovmf qemu-utils
PKGS           := json-c libudev blkid yaml-0.1

# raid/: the disks' SMART health (smartctl; the host tests use a stand-in that replays its JSON)
DEB_DISKS      := smartmontools

# ipmi/: the BMC (Redfish over libcurl, IPMI through ipmitool)
DEB_BMC        := libcurl4-openssl-dev ipmitool openipmi openssl
PKGS_BMC       := libcurl

# containers/: the container runtime on the pool
DEB_CONTAINERS := containerd runc docker.io podman busybox-static xfsprogs e2fsprogs coreutils tar gzip util-linux
PKGS_CONTAINERS:=

# hypervisor/: libvirt VMs with their disks on the RAID 5 pool
DEB_HYPERVISOR := libvirt-dev libxml2-dev libvirt-daemon-system libvirt-clients qemu-system-x86 qemu-utils \
                  genisoimage xorriso virtinst dnsmasq-base iptables ovmf busybox-static linux-image-amd64 cpio
PKGS_HYPERVISOR:= libvirt libxml-2.0

# hostd/: the daemon (HTTP API, jobs in SQLite, webhooks) and its test clients and benchmark
DEB_DAEMON     := libmicrohttpd-dev libsqlite3-dev sqlite3 libcurl4-openssl-dev libcrypt-dev redfishtool python3-sushy \
                  wrk openssl curl busybox-static
PKGS_DAEMON    := libmicrohttpd sqlite3 libcurl libcrypt

# lib/download: the OS image over HTTP(S) (libcurl), checked by its sha256 (libcrypto, which
# lib/download opens on first use: lib/lazy_crypto.h; hostd links it for its logins)
DEB_OS         := libcurl4-openssl-dev libssl-dev
PKGS_OS        := libcurl libcrypto

# playbooks/: Ansible for fleets (hostd_apply module, roles; ansible-lint in the tests)
DEB_PLAYBOOKS  := ansible ansible-lint

# debian/: make deb (dpkg-buildpackage, lintian); contrib/: promtool for the alerting rules
DEB_PACKAGING  := debhelper dpkg-dev lintian prometheus

# installer/: make installer (the ISO: GRUB for BIOS and UEFI through grub-mkrescue, which
# needs xorriso and mtools; the initramfs compressed with zstd; efibootmgr for the disks' UEFI boot
# entries when the installer was booted by UEFI); iPXE ROMs for the lab's PXE boots
DEB_INSTALLER  := grub-common grub-pc-bin grub-efi-amd64-bin mtools xorriso zstd ipxe-qemu efibootmgr

# bench/ only (make bench installs them; make check does not need them):
# fio for the RAID 5 write benchmark
DEB_BENCH      := fio

DEB_PACKAGES   := $(DEB_BUILD) $(DEB_LAB) $(DEB_DISKS) $(DEB_BMC) $(DEB_CONTAINERS) $(DEB_HYPERVISOR) $(DEB_DAEMON) $(DEB_OS) $(DEB_PLAYBOOKS) \
                  $(DEB_PACKAGING) $(DEB_INSTALLER)
# opened on first use instead of linked: see lib/lazy.h
PKGS_LAZY      := libvirt libxml-2.0 libcurl
PKGS           += $(PKGS_BMC) $(PKGS_CONTAINERS) $(PKGS_HYPERVISOR) $(PKGS_DAEMON) $(PKGS_OS)
