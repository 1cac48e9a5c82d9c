# The Debian 12 packages hostd needs: the one list (`make deps` installs the
# missing ones; README.md explains each group).
DEB_BUILD   := build-essential pkg-config clang libcmocka-dev libjson-c-dev libudev-dev libblkid-dev
DEB_LAB     := qemu-system-x86 linux-image-amd64 busybox-static mdadm gdisk xfsprogs \
               e2fsprogs dosfstools udev kmod cpio xz-utils binutils python3 util-linux
DEB_PACKAGES := $(DEB_BUILD) $(DEB_LAB)
