/* The project's own minimal OCI image: busybox-static in a one-layer image,
 * in the OCI image-layout tar that `ctr images import` and `podman load`
 * take, and the same image as the docker-archive (`docker save` format)
 * that Docker 20.10's `docker load` takes (it cannot load OCI archives). Reproducible: sorted entries, mtime 0, owner 0, gzip -n, JSON in a
 * fixed key order, so every build of the same busybox gives the same bytes. */
#pragma once

#include "lib/error.h"

#define IMAGE_REF "localhost/hostd-busybox:1"
#define IMAGE_TAR "hostd-busybox-oci.tar"
#define IMAGE_DOCKER_TAR "hostd-busybox-docker.tar"

struct image {
        char *tar;          /* <dir>/hostd-busybox-oci.tar */
        char *docker_tar;   /* <dir>/hostd-busybox-docker.tar */
        char *rootfs;       /* <dir>/rootfs: the unpacked layer (runc bundles use it) */
        char *manifest;     /* "sha256:..." of the manifest */
};

void image_done(struct image *img);
/* Build into dir (created), replacing what was there. */
int image_build(const char *dir, const char *busybox, struct image *ret, struct error *e);
/* Reuse the build in dir when it is complete, else build it. */
int image_ensure(const char *dir, struct image *ret, struct error *e);
/* The path of the image's one layer blob (gzip tar) in <dir>/layout, found
 * through the manifest (owned); -ENOENT when the layout is not there. */
int image_layer(const char *dir, const struct image *img, char **ret, struct error *e);
