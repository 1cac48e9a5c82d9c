#include "image.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>

#include "lib/exec.h"
#include "lib/fileio.h"
#include "lib/json.h"
#include "lib/strutil.h"

#define BUSYBOX "/bin/busybox"

void image_done(struct image *img) {
        free(img->tar);
        free(img->docker_tar);
        free(img->rootfs);
        free(img->manifest);
        *img = (struct image){ 0 };
}

static int run_quiet(const char *const *argv, struct error *e) {
        _cleanup_(run_result_free) struct run_result r = { 0 };
        return run_checked(argv, &(struct run_opts){ .timeout_ms = 120000 }, &r, e);
}

static int sha256_file(const char *path, char ret[65], struct error *e) {
        _cleanup_(run_result_free) struct run_result r = { 0 };
        const char *argv[] = { "sha256sum", path, NULL };
        int k = run_checked(argv, NULL, &r, e);
        if (k < 0)
                return k;
        if (strlen(r.out) < 64)
                return error_set(e, -EBADMSG, "sha256sum %s: unexpected output", path);
        snprintf(ret, 65, "%.64s", r.out);
        return 0;
}

static off_t file_size(const char *path) {
        struct stat st;
        return stat(path, &st) < 0 ? -1 : st.st_size;
}

/* Move a finished file into blobs/sha256/<digest>; digest and size out. */
static int put_blob(const char *layout, const char *file, char digest[65], off_t *size, struct error *e) {
        int k = sha256_file(file, digest, e);
        if (k < 0)
                return k;
        *size = file_size(file);
        _cleanup_free_ char *dst = strdup_printf("%s/blobs/sha256/%s", layout, digest);
        if (!dst || rename(file, dst) < 0)
                return error_set(e, -errno, "cannot move %s into the image layout: %s", file, strerror(errno));
        return 0;
}

static int write_json(const char *path, json_object *o, struct error *e) {
        const char *text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
        return write_file_atomic(path, text, strlen(text), 0644, e);
}

static json_object *descriptor(const char *media, const char *digest, off_t size) {
        json_object *d = json_object_new_object();
        _cleanup_free_ char *dig = strdup_printf("sha256:%s", digest);
        json_add_string(d, "mediaType", media);
        json_add_string(d, "digest", dig);
        json_add_int(d, "size", size);
        return d;
}

static const char *oci_arch(void) {
        static struct utsname u;
        uname(&u);
        return streq(u.machine, "x86_64") ? "amd64" : streq(u.machine, "aarch64") ? "arm64" : u.machine;
}

/* A busybox-static root: the binary, one symlink per applet, passwd/group. */
static int make_rootfs(const char *root, const char *busybox, struct error *e) {
        static const char *const dirs[] = { "", "/bin", "/dev", "/etc", "/proc", "/root", "/run", "/sys",
                                            "/tmp", "/var", "/var/tmp" };
        for (size_t i = 0; i < ELEMENTSOF(dirs); i++) {
                _cleanup_free_ char *d = strdup_printf("%s%s", root, dirs[i]);
                int k = d ? mkdir_p(d, 0755, e) : -ENOMEM;
                if (k < 0)
                        return k;
                chmod(d, streq(dirs[i], "/tmp") || streq(dirs[i], "/var/tmp") ? 01777 : 0755);
        }
        _cleanup_free_ char *bin = NULL, *dst = strdup_printf("%s/bin/busybox", root);
        size_t len;
        int k = read_file(busybox, 64 << 20, &bin, &len, e);
        if (k < 0)
                return error_prefix(e, "busybox-static");
        if ((k = write_file_atomic(dst, bin, len, 0755, e)) < 0)
                return k;
        _cleanup_(run_result_free) struct run_result r = { 0 };
        const char *list[] = { busybox, "--list", NULL };
        if ((k = run_checked(list, NULL, &r, e)) < 0)
                return k;
        char *save = NULL;
        for (char *a = strtok_r(r.out, "\n", &save); a; a = strtok_r(NULL, "\n", &save)) {
                if (streq(a, "busybox") || strchr(a, '/'))
                        continue;
                _cleanup_free_ char *link = strdup_printf("%s/bin/%s", root, a);
                if (!link || (symlink("busybox", link) < 0 && errno != EEXIST))
                        return error_set(e, -errno, "cannot link %s: %s", a, strerror(errno));
        }
        static const char passwd[] = "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n";
        static const char group[] = "root:x:0:\nnogroup:x:65534:\n";
        _cleanup_free_ char *pw = strdup_printf("%s/etc/passwd", root), *gr = strdup_printf("%s/etc/group", root);
        if ((k = write_file_atomic(pw, passwd, strlen(passwd), 0644, e)) < 0 ||
            (k = write_file_atomic(gr, group, strlen(group), 0644, e)) < 0)
                return k;
        return 0;
}

#define REPRO_TAR "tar", "--sort=name", "--mtime=@0", "--owner=0", "--group=0", "--numeric-owner", "--format=gnu"

/* Docker 20.10 loads only its own `docker save` format: manifest.json, the
 * config as <id>.json, each layer as <diff_id>/layer.tar (uncompressed),
 * repositories. The same config bytes as the OCI image, so the image ID
 * Docker shows is the OCI config digest. */
static int build_docker_archive(const char *dir, const char *layer, const char *cfg_blob, const char *cfg_dig,
                                const char *diff_id, struct error *e) {
        _cleanup_free_ char *top = strdup_printf("%s/docker", dir), *ldir = strdup_printf("%s/docker/%s", dir, diff_id),
                            *ltar = strdup_printf("%s/docker/%s/layer.tar", dir, diff_id),
                            *cfg = strdup_printf("%s/docker/%s.json", dir, cfg_dig),
                            *man = strdup_printf("%s/docker/manifest.json", dir),
                            *repos = strdup_printf("%s/docker/repositories", dir),
                            *cfg_name = strdup_printf("%s.json", cfg_dig),
                            *layer_name = strdup_printf("%s/layer.tar", diff_id), *text = NULL,
                            *out = strdup_printf("%s/" IMAGE_DOCKER_TAR, dir);
        if (!top || !ldir || !ltar || !cfg || !man || !repos || !cfg_name || !layer_name || !out)
                return error_set(e, -ENOMEM, "out of memory");
        size_t len;
        int k = mkdir_p(ldir, 0755, e);
        if (k < 0 || (k = read_file(cfg_blob, 1 << 20, &text, &len, e)) < 0 ||
            (k = write_file_atomic(cfg, text, len, 0644, e)) < 0)
                return k;
        chmod(top, 0755);
        if (rename(layer, ltar) < 0)
                return error_set(e, -errno, "cannot move %s into the docker archive: %s", layer, strerror(errno));
        _cleanup_json_ json_object *m = json_object_new_array(), *entry = json_object_new_object(),
                                   *r = json_object_new_object(), *tags = json_object_new_object();
        char ref[] = IMAGE_REF, *colon = strrchr(ref, ':');
        char *tag_list[] = { ref, NULL }, *layer_list[] = { layer_name, NULL };
        json_add_string(entry, "Config", cfg_name);
        json_add_strv(entry, "RepoTags", tag_list);
        json_add_strv(entry, "Layers", layer_list);
        json_object_array_add(m, json_object_get(entry));
        json_add_string(tags, colon + 1, diff_id);
        *colon = '\0';
        json_object_object_add(r, ref, json_object_get(tags));
        if ((k = write_json(man, m, e)) < 0 || (k = write_json(repos, r, e)) < 0)
                return k;
        const char *tar_image[] = { REPRO_TAR, "-C", top, "-cf", out, "manifest.json", "repositories", cfg_name,
                                    diff_id, NULL };
        return run_quiet(tar_image, e);
}

static int build_layout(const char *dir, const char *rootfs, char manifest[65], struct error *e) {
        _cleanup_free_ char *layout = strdup_printf("%s/layout", dir), *blobs = strdup_printf("%s/layout/blobs/sha256", dir),
                            *layer = strdup_printf("%s/layer.tar", dir), *layer_gz = strdup_printf("%s/layer.tar.gz", dir),
                            *cfg = strdup_printf("%s/config.json", dir), *man = strdup_printf("%s/manifest.json", dir);
        if (!blobs || !layer_gz || !man)
                return error_set(e, -ENOMEM, "out of memory");
        int k = mkdir_p(blobs, 0755, e);
        if (k < 0)
                return k;
        chmod(layout, 0755);
        const char *tar_layer[] = { REPRO_TAR, "-C", rootfs, "-cf", layer, ".", NULL };
        const char *gzip[] = { "gzip", "-n", "-1", "-f", "-k", layer, NULL };
        char diff_id[65], layer_dig[65], cfg_dig[65];
        off_t layer_size, cfg_size, man_size;
        if ((k = run_quiet(tar_layer, e)) < 0 || (k = sha256_file(layer, diff_id, e)) < 0 ||
            (k = run_quiet(gzip, e)) < 0 || (k = put_blob(layout, layer_gz, layer_dig, &layer_size, e)) < 0)
                return k;

        _cleanup_json_ json_object *c = json_object_new_object(), *cc = json_object_new_object(),
                                   *rootfs_o = json_object_new_object(), *hist = json_object_new_object();
        char *env[] = { "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", NULL };
        char *cmd[] = { "/bin/sh", NULL };
        _cleanup_free_ char *diff = strdup_printf("sha256:%s", diff_id);
        char *diffs[] = { diff, NULL };
        json_add_string(c, "architecture", oci_arch());
        json_add_string(c, "os", "linux");
        json_add_string(c, "created", "1970-01-01T00:00:00Z");
        json_add_strv(cc, "Env", env);
        json_add_strv(cc, "Cmd", cmd);
        json_add_string(cc, "WorkingDir", "/");
        json_object_object_add(c, "config", json_object_get(cc));
        json_add_string(rootfs_o, "type", "layers");
        json_add_strv(rootfs_o, "diff_ids", diffs);
        json_object_object_add(c, "rootfs", json_object_get(rootfs_o));
        json_add_string(hist, "created", "1970-01-01T00:00:00Z");
        json_add_string(hist, "created_by", "hostd: busybox-static");
        json_object *ha = json_object_new_array();
        json_object_array_add(ha, json_object_get(hist));
        json_object_object_add(c, "history", ha);
        if ((k = write_json(cfg, c, e)) < 0 || (k = put_blob(layout, cfg, cfg_dig, &cfg_size, e)) < 0)
                return k;
        _cleanup_free_ char *cfg_blob = strdup_printf("%s/%s", blobs, cfg_dig);
        if (!cfg_blob || (k = build_docker_archive(dir, layer, cfg_blob, cfg_dig, diff_id, e)) < 0)
                return k;

        _cleanup_json_ json_object *m = json_object_new_object();
        json_add_int(m, "schemaVersion", 2);
        json_add_string(m, "mediaType", "application/vnd.oci.image.manifest.v1+json");
        json_object_object_add(m, "config", descriptor("application/vnd.oci.image.config.v1+json", cfg_dig, cfg_size));
        json_object *layers = json_object_new_array();
        json_object_array_add(layers, descriptor("application/vnd.oci.image.layer.v1.tar+gzip", layer_dig, layer_size));
        json_object_object_add(m, "layers", layers);
        if ((k = write_json(man, m, e)) < 0 || (k = put_blob(layout, man, manifest, &man_size, e)) < 0)
                return k;

        _cleanup_json_ json_object *idx = json_object_new_object();
        json_object *d = descriptor("application/vnd.oci.image.manifest.v1+json", manifest, man_size);
        json_object *plat = json_object_new_object(), *ann = json_object_new_object(), *mans = json_object_new_array();
        json_add_string(plat, "architecture", oci_arch());
        json_add_string(plat, "os", "linux");
        json_object_object_add(d, "platform", plat);
        json_add_string(ann, "io.containerd.image.name", IMAGE_REF);
        json_add_string(ann, "org.opencontainers.image.ref.name", strrchr(IMAGE_REF, ':') + 1);
        json_object_object_add(d, "annotations", ann);
        json_object_array_add(mans, d);
        json_add_int(idx, "schemaVersion", 2);
        json_add_string(idx, "mediaType", "application/vnd.oci.image.index.v1+json");
        json_object_object_add(idx, "manifests", mans);
        _cleanup_free_ char *index_path = strdup_printf("%s/index.json", layout),
                            *oci_layout = strdup_printf("%s/oci-layout", layout);
        static const char layout_version[] = "{\"imageLayoutVersion\":\"1.0.0\"}";
        if ((k = write_json(index_path, idx, e)) < 0 ||
            (k = write_file_atomic(oci_layout, layout_version, strlen(layout_version), 0644, e)) < 0)
                return k;
        _cleanup_free_ char *out = strdup_printf("%s/" IMAGE_TAR, dir);
        const char *tar_image[] = { REPRO_TAR, "-C", layout, "-cf", out, "oci-layout", "index.json", "blobs", NULL };
        return run_quiet(tar_image, e);
}

static int remove_tree(const char *path, struct error *e) {
        const char *argv[] = { "rm", "-rf", "--one-file-system", "--", path, NULL };
        return run_quiet(argv, e);
}

int image_build(const char *dir, const char *busybox, struct image *ret, struct error *e) {
        busybox = busybox ? busybox : BUSYBOX;
        _cleanup_free_ char *rootfs = strdup_printf("%s/rootfs", dir), *layout = strdup_printf("%s/layout", dir),
                            *digest_path = strdup_printf("%s/manifest.digest", dir),
                            *docker = strdup_printf("%s/docker", dir);
        if (!rootfs || !layout || !digest_path || !docker)
                return error_set(e, -ENOMEM, "out of memory");
        int k = mkdir_p(dir, 0755, e);
        if (k < 0 || (k = remove_tree(rootfs, e)) < 0 || (k = remove_tree(layout, e)) < 0 ||
            (k = remove_tree(docker, e)) < 0)
                return k;
        unlink(digest_path);
        char manifest[65];
        if ((k = make_rootfs(rootfs, busybox, e)) < 0 || (k = build_layout(dir, rootfs, manifest, e)) < 0)
                return error_prefix(e, "building the image in %s", dir);
        _cleanup_free_ char *dig = strdup_printf("sha256:%s\n", manifest);
        if (!dig || (k = write_file_atomic(digest_path, dig, strlen(dig), 0644, e)) < 0)
                return k;
        dig[strcspn(dig, "\n")] = '\0';
        ret->tar = strdup_printf("%s/" IMAGE_TAR, dir);
        ret->docker_tar = strdup_printf("%s/" IMAGE_DOCKER_TAR, dir);
        ret->rootfs = TAKE_PTR(rootfs);
        ret->manifest = TAKE_PTR(dig);
        return ret->tar && ret->docker_tar ? 0 : error_set(e, -ENOMEM, "out of memory");
}

int image_ensure(const char *dir, struct image *ret, struct error *e) {
        _cleanup_free_ char *digest_path = strdup_printf("%s/manifest.digest", dir), *dig = NULL;
        _cleanup_free_ char *tar = strdup_printf("%s/" IMAGE_TAR, dir), *rootfs = strdup_printf("%s/rootfs", dir),
                            *docker_tar = strdup_printf("%s/" IMAGE_DOCKER_TAR, dir);
        if (!digest_path || !tar || !rootfs || !docker_tar)
                return error_set(e, -ENOMEM, "out of memory");
        if (read_one_line(digest_path, &dig, NULL) == 0 && startswith(dig, "sha256:") && file_size(tar) > 0 &&
            file_size(docker_tar) > 0) {
                ret->tar = TAKE_PTR(tar);
                ret->docker_tar = TAKE_PTR(docker_tar);
                ret->rootfs = TAKE_PTR(rootfs);
                ret->manifest = TAKE_PTR(dig);
                return 0;
        }
        return image_build(dir, NULL, ret, e);
}

int image_layer(const char *dir, const struct image *img, char **ret, struct error *e) {
        const char *hex = img->manifest ? startswith(img->manifest, "sha256:") : NULL;
        _cleanup_free_ char *path = hex ? strdup_printf("%s/layout/blobs/sha256/%s", dir, hex) : NULL;
        if (!path)
                return error_set(e, -EINVAL, "image in %s: no manifest digest", dir);
        if (access(path, F_OK) < 0)
                return error_set(e, -ENOENT, "image in %s: manifest %s is not in the layout", dir, img->manifest);
        _cleanup_json_ json_object *m = NULL;
        int k = json_read_file(path, &m, e);
        if (k < 0)
                return k;
        json_object *layers = NULL, *first;
        const char *digest = json_object_object_get_ex(m, "layers", &layers) &&
                                             json_object_is_type(layers, json_type_array) &&
                                             (first = json_object_array_get_idx(layers, 0))
                                     ? json_get_string(first, "digest")
                                     : NULL;
        const char *lhex = digest ? startswith(digest, "sha256:") : NULL;
        if (!lhex || strlen(lhex) != 64 || strspn(lhex, "0123456789abcdef") != 64)
                return error_set(e, -EBADMSG, "image in %s: manifest %s names no sha256 layer", dir, img->manifest);
        _cleanup_free_ char *layer = strdup_printf("%s/layout/blobs/sha256/%s", dir, lhex);
        if (!layer)
                return error_set(e, -ENOMEM, "out of memory");
        if (access(layer, F_OK) < 0)
                return error_set(e, -ENOENT, "image in %s: layer %s is missing", dir, digest);
        *ret = TAKE_PTR(layer);
        return 0;
}
