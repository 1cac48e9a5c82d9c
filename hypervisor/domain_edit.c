#include "domain_edit.h"

#include "hypervisor/lazy_virt.h"
#include <stdio.h>
#include <string.h>

#include "lib/strutil.h"

#define X(s) ((const xmlChar *)(s))

static void xml_docp(xmlDocPtr *d) {
        if (*d)
                xmlFreeDoc(*d);
}
#define _cleanup_xmldoc_ _cleanup_(xml_docp)

static const char *const dev_names[] = {
        [HV_BOOT_NONE] = "", [HV_BOOT_HD] = "hd", [HV_BOOT_CDROM] = "cdrom", [HV_BOOT_NETWORK] = "network",
};

const char *hv_boot_dev_to_string(enum hv_boot_dev d) {
        return (unsigned)d < ELEMENTSOF(dev_names) ? dev_names[d] : "";
}

static int parse(const char *xml, xmlDocPtr *ret, struct error *e) {
        int k = lazy_open(&lazy_libxml2, e);   /* every function this file uses, or an error */
        if (k < 0)
                return k;
        *ret = xmlReadMemory(xml, (int)strlen(xml), "domain.xml", NULL,
                             XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_NOBLANKS);
        xmlNodePtr root = *ret ? xmlDocGetRootElement(*ret) : NULL;
        if (!root || !xmlStrEqual(root->name, X("domain")))
                return error_set(e, -EBADMSG, "not a libvirt <domain> description");
        return 0;
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

/* The first element child of parent named name (after `after` when given). */
static xmlNodePtr child(xmlNodePtr parent, const char *name, xmlNodePtr after) {
        for (xmlNodePtr n = after ? after->next : parent ? parent->children : NULL; n; n = n->next)
                if (n->type == XML_ELEMENT_NODE && xmlStrEqual(n->name, X(name)))
                        return n;
        return NULL;
}

static bool attr_is(xmlNodePtr n, const char *name, const char *value) {
        xmlChar *v = xmlGetProp(n, X(name));
        bool r = v && xmlStrEqual(v, X(value));
        xmlFree(v);
        return r;
}

int hv_domain_boot_first(const char *xml, enum hv_boot_dev *ret, struct error *e) {
        _cleanup_xmldoc_ xmlDocPtr doc = NULL;
        int k = parse(xml, &doc, e);
        if (k < 0)
                return k;
        xmlNodePtr boot = child(child(xmlDocGetRootElement(doc), "os", NULL), "boot", NULL);
        *ret = HV_BOOT_NONE;
        for (size_t i = 1; boot && i < ELEMENTSOF(dev_names); i++)
                if (attr_is(boot, "dev", dev_names[i]))
                        *ret = (enum hv_boot_dev)i;
        return 0;
}

int hv_domain_set_boot(const char *xml, enum hv_boot_dev first, char **ret, struct error *e) {
        _cleanup_xmldoc_ xmlDocPtr doc = NULL;
        int k = parse(xml, &doc, e);
        if (k < 0)
                return k;
        xmlNodePtr os = child(xmlDocGetRootElement(doc), "os", NULL);
        if (!os)
                return error_set(e, -EINVAL, "the domain has no <os> element");
        if (child(os, "kernel", NULL))
                return error_set(e, -EINVAL, "the domain boots a kernel directly; it has no boot order");
        for (xmlNodePtr b; (b = child(os, "boot", NULL));) {
                xmlUnlinkNode(b);
                xmlFreeNode(b);
        }
        /* <boot> goes after <type> (and <loader>/<nvram>): append at the end of <os>,
         * before the elements libvirt wants later (bootmenu, smbios, bios). */
        xmlNodePtr before = child(os, "bootmenu", NULL);
        if (!before)
                before = child(os, "smbios", NULL);
        enum hv_boot_dev order[2] = { first == HV_BOOT_NONE ? HV_BOOT_HD : first, HV_BOOT_HD };
        size_t n = order[0] == HV_BOOT_HD ? 1 : 2;
        for (size_t i = 0; i < n; i++) {
                xmlNodePtr b = xmlNewNode(NULL, X("boot"));
                if (!b || !xmlNewProp(b, X("dev"), X(dev_names[order[i]]))) {
                        xmlFreeNode(b);
                        return error_set(e, -ENOMEM, "out of memory");
                }
                if (before)
                        xmlAddPrevSibling(before, b);
                else
                        xmlAddChild(os, b);
        }
        return dump(doc, ret, e);
}

static xmlNodePtr first_cdrom(xmlNodePtr devices) {
        for (xmlNodePtr d = child(devices, "disk", NULL); d; d = child(devices, "disk", d))
                if (attr_is(d, "device", "cdrom"))
                        return d;
        return NULL;
}

int hv_domain_cdrom(const char *xml, char **ret, struct error *e) {
        _cleanup_xmldoc_ xmlDocPtr doc = NULL;
        int k = parse(xml, &doc, e);
        if (k < 0)
                return k;
        xmlNodePtr src = child(first_cdrom(child(xmlDocGetRootElement(doc), "devices", NULL)), "source", NULL);
        xmlChar *f = src ? xmlGetProp(src, X("file")) : NULL;
        *ret = f ? strdup((const char *)f) : NULL;
        xmlFree(f);
        return f && !*ret ? error_set(e, -ENOMEM, "out of memory") : 0;
}

/* The first sdX that no disk of the domain uses as its target. */
static int free_sd_name(xmlNodePtr devices, char ret[static 4]) {
        for (char c = 'a'; c <= 'z'; c++) {
                bool used = false;
                snprintf(ret, 4, "sd%c", c);
                for (xmlNodePtr d = child(devices, "disk", NULL); d && !used; d = child(devices, "disk", d)) {
                        xmlNodePtr t = child(d, "target", NULL);
                        used = t && attr_is(t, "dev", ret);
                }
                if (!used)
                        return 0;
        }
        return -ENOSPC;
}

static xmlNodePtr new_cdrom(xmlNodePtr devices, const char *target) {
        xmlNodePtr d = xmlNewChild(devices, NULL, X("disk"), NULL);
        xmlNodePtr drv = d ? xmlNewChild(d, NULL, X("driver"), NULL) : NULL;
        xmlNodePtr t = drv ? xmlNewChild(d, NULL, X("target"), NULL) : NULL;
        if (!t || !xmlNewProp(d, X("type"), X("file")) || !xmlNewProp(d, X("device"), X("cdrom")) ||
            !xmlNewProp(drv, X("name"), X("qemu")) || !xmlNewProp(drv, X("type"), X("raw")) ||
            !xmlNewProp(t, X("dev"), X(target)) || !xmlNewProp(t, X("bus"), X("sata")) ||
            !xmlNewChild(d, NULL, X("readonly"), NULL))
                return NULL;
        return d;
}

/* Put iso (NULL: none) into the first CD drive of doc, adding one when needed. */
static int set_cdrom(xmlDocPtr doc, const char *iso, xmlNodePtr *ret_cd, struct error *e) {
        xmlNodePtr devices = child(xmlDocGetRootElement(doc), "devices", NULL);
        if (!devices)
                return error_set(e, -EINVAL, "the domain has no <devices> element");
        xmlNodePtr cd = first_cdrom(devices);
        *ret_cd = cd;
        if (!cd && !iso)
                return 0;
        if (!cd) {
                char target[4];
                if (free_sd_name(devices, target) < 0)
                        return error_set(e, -ENOSPC, "no free sdX name for a CD drive");
                if (!(cd = new_cdrom(devices, target)))
                        return error_set(e, -ENOMEM, "out of memory");
        }
        xmlNodePtr src = child(cd, "source", NULL);
        if (src) {
                xmlUnlinkNode(src);
                xmlFreeNode(src);
        }
        if (iso) {
                /* <source> before <target>, where libvirt writes it */
                src = xmlNewNode(NULL, X("source"));
                if (!src || !xmlNewProp(src, X("file"), X(iso))) {
                        xmlFreeNode(src);
                        return error_set(e, -ENOMEM, "out of memory");
                }
                xmlNodePtr t = child(cd, "target", NULL);
                if (t)
                        xmlAddPrevSibling(t, src);
                else
                        xmlAddChild(cd, src);
        }
        *ret_cd = cd;
        return 0;
}

int hv_domain_set_cdrom(const char *xml, const char *iso, char **ret, struct error *e) {
        _cleanup_xmldoc_ xmlDocPtr doc = NULL;
        xmlNodePtr cd;
        int k = parse(xml, &doc, e);
        if (k >= 0)
                k = set_cdrom(doc, iso, &cd, e);
        return k < 0 ? k : dump(doc, ret, e);
}

int hv_domain_cdrom_device(const char *xml, const char *iso, char **ret, struct error *e) {
        _cleanup_xmldoc_ xmlDocPtr doc = NULL;
        xmlNodePtr cd = NULL;
        int k = parse(xml, &doc, e);
        if (k < 0)
                return k;
        xmlNodePtr devices = child(xmlDocGetRootElement(doc), "devices", NULL);
        if (!first_cdrom(devices))
                return error_set(e, -ENOENT, "the domain has no CD drive");
        if ((k = set_cdrom(doc, iso, &cd, e)) < 0)
                return k;
        xmlBufferPtr buf = xmlBufferCreate();
        if (!buf || xmlNodeDump(buf, doc, cd, 0, 0) < 0) {
                xmlBufferFree(buf);
                return error_set(e, -ENOMEM, "out of memory writing XML");
        }
        *ret = strdup((const char *)xmlBufferContent(buf));
        xmlBufferFree(buf);
        return *ret ? 0 : error_set(e, -ENOMEM, "out of memory");
}
