#include "xml.h"

#include "hypervisor/lazy_virt.h"
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "lib/strutil.h"

static void xml_docp(xmlDocPtr *d) {
        if (*d)
                xmlFreeDoc(*d);
}
#define _cleanup_xmldoc_ _cleanup_(xml_docp)

#define X(s) ((const xmlChar *)(s))

/* A child with escaped text content. */
static xmlNodePtr text(xmlNodePtr parent, const char *name, const char *content) {
        return xmlNewTextChild(parent, NULL, X(name), X(content));
}

static xmlNodePtr elem(xmlNodePtr parent, const char *name) {
        return xmlNewChild(parent, NULL, X(name), NULL);
}

/* Attributes: name/value pairs, NULL-terminated; xmlNewProp escapes values. */
static xmlNodePtr attrs(xmlNodePtr n, ...) {
        va_list ap;
        va_start(ap, n);
        for (const char *k; n && (k = va_arg(ap, const char *));) {
                const char *v = va_arg(ap, const char *);
                if (v && !xmlNewProp(n, X(k), X(v)))
                        n = NULL;
        }
        va_end(ap);
        return n;
}

static int dump(xmlDocPtr doc, char **ret, struct error *e) {
        xmlChar *buf = NULL;
        int len = 0;
        xmlDocDumpFormatMemoryEnc(doc, &buf, &len, "UTF-8", 1);
        if (!buf)
                return error_set(e, -ENOMEM, "out of memory writing XML");
        *ret = strdup((const char *)buf);
        xmlFree(buf);
        return *ret ? 0 : error_set(e, -ENOMEM, "out of memory");
}

/* libxml2 opened with every function this file uses, or an error for the user. */
static int xml_ready(struct error *e) {
        return lazy_open(&lazy_libxml2, e);
}

static int new_doc(const char *root_name, xmlDocPtr *ret_doc, xmlNodePtr *ret_root, struct error *e) {
        int k = xml_ready(e);
        if (k < 0)
                return k;
        xmlDocPtr doc = xmlNewDoc(X("1.0"));
        xmlNodePtr root = doc ? xmlNewNode(NULL, X(root_name)) : NULL;
        if (!root) {
                if (doc)
                        xmlFreeDoc(doc);
                return error_set(e, -ENOMEM, "out of memory");
        }
        xmlDocSetRootElement(doc, root);
        *ret_doc = doc;
        *ret_root = root;
        return 0;
}

const char *hv_image_format(const char *path) {
        return endswith(path, ".raw") || endswith(path, ".img") ? "raw" : "qcow2";
}

static void add_volume_disk(xmlNodePtr devs, const char *pool, const char *vol, bool cdrom, const char *dev) {
        xmlNodePtr d = attrs(elem(devs, "disk"), "type", "volume", "device", cdrom ? "cdrom" : "disk", NULL);
        attrs(elem(d, "driver"), "name", "qemu", "type", cdrom ? "raw" : "qcow2", NULL);
        attrs(elem(d, "source"), "pool", pool, "volume", vol, NULL);
        attrs(elem(d, "target"), "dev", dev, "bus", cdrom ? "ide" : "virtio", NULL);
        if (cdrom)
                elem(d, "readonly");
}

static void add_interface(xmlNodePtr devs, const struct vm_spec *v) {
        xmlNodePtr i;
        switch (v->net) {
        case VM_NET_NAT:
                i = attrs(elem(devs, "interface"), "type", "network", NULL);
                attrs(elem(i, "source"), "network", v->net_source, NULL);
                break;
        case VM_NET_BRIDGE:
                i = attrs(elem(devs, "interface"), "type", "bridge", NULL);
                attrs(elem(i, "source"), "bridge", v->net_source, NULL);
                break;
        case VM_NET_USER:
                i = attrs(elem(devs, "interface"), "type", "user", NULL);
                break;
        default:
                return;
        }
        if (v->mac)
                attrs(elem(i, "mac"), "address", v->mac, NULL);
        attrs(elem(i, "model"), "type", "virtio", NULL);
}

int vm_domain_xml(const struct vm_spec *v, const struct vm_xml_params *p, char **ret, struct error *e) {
        xmlNodePtr root;
        _cleanup_xmldoc_ xmlDocPtr doc = NULL;
        int k = new_doc("domain", &doc, &root, e);
        if (k < 0)
                return k;
        char mem[32], vcpus[16];
        snprintf(mem, sizeof mem, "%llu", (unsigned long long)(v->memory / 1024));
        snprintf(vcpus, sizeof vcpus, "%d", v->vcpus);
        attrs(root, "type", p->virt_type, NULL);
        text(root, "name", v->name);
        attrs(text(root, "memory", mem), "unit", "KiB", NULL);
        text(root, "vcpu", vcpus);

        xmlNodePtr os = elem(root, "os");
        if (v->firmware == VM_FIRMWARE_UEFI)
                attrs(os, "firmware", "efi", NULL);
        attrs(text(os, "type", "hvm"), "arch", "x86_64", NULL);
        if (v->kernel) {
                text(os, "kernel", v->kernel);
                if (v->initrd)
                        text(os, "initrd", v->initrd);
                if (v->cmdline)
                        text(os, "cmdline", v->cmdline);
        } else
                attrs(elem(os, "boot"), "dev", "hd", NULL);
        xmlNodePtr f = elem(root, "features");
        elem(f, "acpi");
        elem(f, "apic");
        text(root, "on_poweroff", "destroy");
        text(root, "on_reboot", "restart");
        text(root, "on_crash", "destroy");

        xmlNodePtr devs = elem(root, "devices");
        for (size_t i = 0; i < v->n_disks; i++) {
                _cleanup_free_ char *vol = vm_disk_volume_name(v->name, i);
                char dev[8];
                snprintf(dev, sizeof dev, "vd%c", (char)('a' + i));
                if (!vol)
                        return error_set(e, -ENOMEM, "out of memory");
                add_volume_disk(devs, p->pool, vol, false, dev);
        }
        if (v->cloud_init) {
                _cleanup_free_ char *vol = vm_seed_volume_name(v->name);
                if (!vol)
                        return error_set(e, -ENOMEM, "out of memory");
                add_volume_disk(devs, p->pool, vol, true, "hdc");
        }
        add_interface(devs, v);
        xmlNodePtr s = attrs(elem(devs, "serial"), "type", "pty", NULL);
        if (p->console_log)
                attrs(elem(s, "log"), "file", p->console_log, "append", "off", NULL);
        attrs(elem(s, "target"), "port", "0", NULL);
        xmlNodePtr con = attrs(elem(devs, "console"), "type", "pty", NULL);
        attrs(elem(con, "target"), "type", "serial", "port", "0", NULL);
        attrs(elem(devs, "controller"), "type", "usb", "model", "none", NULL);
        attrs(elem(devs, "memballoon"), "model", "virtio", NULL);
        return dump(doc, ret, e);
}

int hv_pool_xml(const char *name, const char *path, char **ret, struct error *e) {
        xmlNodePtr root;
        _cleanup_xmldoc_ xmlDocPtr doc = NULL;
        int k = new_doc("pool", &doc, &root, e);
        if (k < 0)
                return k;
        attrs(root, "type", "dir", NULL);
        text(root, "name", name);
        xmlNodePtr t = elem(root, "target");
        text(t, "path", path);
        text(elem(t, "permissions"), "mode", "0711");
        return dump(doc, ret, e);
}

int hv_volume_xml(const char *name, const char *format, uint64_t capacity, const char *backing,
                  const char *backing_format, char **ret, struct error *e) {
        xmlNodePtr root;
        _cleanup_xmldoc_ xmlDocPtr doc = NULL;
        int k = new_doc("volume", &doc, &root, e);
        if (k < 0)
                return k;
        char cap[32];
        snprintf(cap, sizeof cap, "%llu", (unsigned long long)capacity);
        text(root, "name", name);
        if (capacity)
                attrs(text(root, "capacity", cap), "unit", "bytes", NULL);
        text(root, "allocation", "0");
        attrs(elem(elem(root, "target"), "format"), "type", format, NULL);
        if (backing) {
                xmlNodePtr b = elem(root, "backingStore");
                text(b, "path", backing);
                attrs(elem(b, "format"), "type", backing_format ? backing_format : hv_image_format(backing), NULL);
        }
        return dump(doc, ret, e);
}

void vm_xml_info_done(struct vm_xml_info *i) {
        strv_free(i->vol_pools);
        strv_free(i->vol_names);
        strv_free(i->files);
        free(i->console_log);
        free(i->virt_type);
        *i = (struct vm_xml_info) { 0 };
}

static char *prop(xmlNodePtr n, const char *name) {
        xmlChar *v = n ? xmlGetProp(n, X(name)) : NULL;
        char *s = v ? strdup((const char *)v) : NULL;
        xmlFree(v);
        return s;
}

static xmlNodePtr child(xmlNodePtr n, const char *name) {
        for (xmlNodePtr c = n ? n->children : NULL; c; c = c->next)
                if (c->type == XML_ELEMENT_NODE && xmlStrEqual(c->name, X(name)))
                        return c;
        return NULL;
}

int vm_xml_parse(const char *xml, struct vm_xml_info *ret, struct error *e) {
        int ready = xml_ready(e);
        if (ready < 0)
                return ready;
        _cleanup_xmldoc_ xmlDocPtr doc = xmlReadMemory(xml, (int)strlen(xml), "domain.xml", NULL,
                                                       XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
        xmlNodePtr root = doc ? xmlDocGetRootElement(doc) : NULL;
        if (!root || !xmlStrEqual(root->name, X("domain")))
                return error_set(e, -EBADMSG, "libvirt returned a domain description that is not XML");
        struct vm_xml_info i = { .virt_type = prop(root, "type") };
        _cleanup_free_ char *fw = prop(child(root, "os"), "firmware");
        i.uefi = streq(fw, "efi") || child(child(root, "os"), "loader");
        int k = 0;
        for (xmlNodePtr d = child(root, "devices") ? child(root, "devices")->children : NULL; d && k >= 0; d = d->next) {
                if (d->type != XML_ELEMENT_NODE)
                        continue;
                if (xmlStrEqual(d->name, X("disk"))) {
                        _cleanup_free_ char *type = prop(d, "type");
                        xmlNodePtr src = child(d, "source");
                        _cleanup_free_ char *pool = prop(src, "pool"), *vol = prop(src, "volume"), *file = prop(src, "file");
                        if (streq(type, "volume") && pool && vol) {
                                k = strv_push_take(&i.vol_pools, TAKE_PTR(pool));
                                if (k >= 0)
                                        k = strv_push_take(&i.vol_names, TAKE_PTR(vol));
                        } else if (file)
                                k = strv_push_take(&i.files, TAKE_PTR(file));
                } else if (xmlStrEqual(d->name, X("serial")) && !i.console_log)
                        i.console_log = prop(child(d, "log"), "file");
        }
        if (k < 0) {
                vm_xml_info_done(&i);
                return error_set(e, -ENOMEM, "out of memory");
        }
        *ret = i;
        return 0;
}

int hv_xml_xpath_string(const char *xml, const char *xpath, char **ret, struct error *e) {
        int ready = xml_ready(e);
        if (ready < 0)
                return ready;
        _cleanup_xmldoc_ xmlDocPtr doc = xmlReadMemory(xml, (int)strlen(xml), "libvirt.xml", NULL,
                                                       XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
        if (!doc)
                return error_set(e, -EBADMSG, "libvirt returned a description that is not XML");
        xmlXPathContextPtr ctx = xmlXPathNewContext(doc);
        xmlXPathObjectPtr r = ctx ? xmlXPathEvalExpression(X(xpath), ctx) : NULL;
        *ret = NULL;
        if (r && r->nodesetval && r->nodesetval->nodeNr > 0) {
                xmlChar *c = xmlNodeGetContent(r->nodesetval->nodeTab[0]);
                *ret = c ? strdup((const char *)c) : NULL;
                xmlFree(c);
        }
        xmlXPathFreeObject(r);
        xmlXPathFreeContext(ctx);
        return 0;
}
