#include "network.h"

#include "hypervisor/lazy_virt.h"

#include "hypervisor/xml.h"
#include "lib/strutil.h"

static int ensure(struct hv *h, const char *name, const char *xml, struct error *e) {
        virNetworkPtr n = virNetworkLookupByName(hv_conn(h), name);
        int created = 0, k = 0;
        if (!n) {
                if (!(n = virNetworkDefineXML(hv_conn(h), xml)))
                        return hv_error(e, -EIO, "cannot define network '%s'", name);
                created = 1;
        }
        if (virNetworkIsActive(n) != 1 && virNetworkCreate(n) < 0)
                k = hv_error(e, -EIO, "network '%s' does not start", name);
        else if (virNetworkSetAutostart(n, 1) < 0)
                k = hv_error(e, -EIO, "network '%s': cannot set autostart", name);
        if (k < 0 && created) {
                if (virNetworkIsActive(n) == 1)
                        virNetworkDestroy(n);
                virNetworkUndefine(n);
        }
        virNetworkFree(n);
        return k < 0 ? k : created;
}

int hv_network_nat_ensure(struct hv *h, const char *name, const char *bridge, const char *ip, struct error *e) {
        _cleanup_free_ char *xml = NULL;
        int k = hv_network_nat_xml(name, bridge, ip, &xml, e);
        return k < 0 ? k : ensure(h, name, xml, e);
}

int hv_network_bridge_ensure(struct hv *h, const char *name, const char *bridge, struct error *e) {
        _cleanup_free_ char *xml = NULL;
        int k = hv_network_bridge_xml(name, bridge, &xml, e);
        return k < 0 ? k : ensure(h, name, xml, e);
}

int hv_network_remove(struct hv *h, const char *name, struct error *e) {
        virNetworkPtr n = virNetworkLookupByName(hv_conn(h), name);
        if (!n)
                return 0;
        int k = 0;
        if (virNetworkIsActive(n) == 1 && virNetworkDestroy(n) < 0)
                k = hv_error(e, -EIO, "network '%s' does not stop", name);
        else if (virNetworkUndefine(n) < 0)
                k = hv_error(e, -EIO, "network '%s' cannot be undefined", name);
        virNetworkFree(n);
        return k;
}
