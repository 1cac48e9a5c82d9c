/* libvirt networks for VMs: hostd's NAT network and networks that hand
 * guests to a bridge on a host interface. */
#pragma once

#include "hypervisor/connect.h"

/* Define (if missing), start and autostart a NAT network: bridge name and
 * host address (a /24; DHCP hands out .2-.254). Returns 1 when created. */
int hv_network_nat_ensure(struct hv *h, const char *name, const char *bridge, const char *ip, struct error *e);
/* The same for a network of forward mode bridge over an existing host bridge. */
int hv_network_bridge_ensure(struct hv *h, const char *name, const char *bridge, struct error *e);
/* Stop and undefine; a missing network is not an error. */
int hv_network_remove(struct hv *h, const char *name, struct error *e);
