# What hostd needs from Debian 12: the one list. `make deps` installs the
# missing packages; PKGS are the pkg-config names the build links.
# README.md explains each group.
DEB_BUILD      := build-essential pkg-config clang libcmocka-dev libjson-c-dev libudev-dev libblkid-dev libyaml-dev
DEB_LAB        := qemu-system-x86 linux-image-amd64 busybox-static mdadm gdisk xfsprogs \
                  e2fsprogs dosfstools udev kmod cpio xz-utils binutils python3 util-linux
PKGS           := json-c libudev blkid yaml-0.1

# ipmi/: the BMC (Redfish over libcurl, IPMI through ipmitool)
DEB_BMC        :=
PKGS_BMC       :=

# containers/: the container runtime on the pool
DEB_CONTAINERS :=
PKGS_CONTAINERS:=

DEB_PACKAGES   := $(DEB_BUILD) $(DEB_LAB) $(DEB_BMC) $(DEB_CONTAINERS)
PKGS           += $(PKGS_BMC) $(PKGS_CONTAINERS)
