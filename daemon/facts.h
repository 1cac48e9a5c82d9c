/* The host's facts (os/host_facts.h) as the API serves them: what does not
 * change while the machine runs is read once per facts root; the network
 * interfaces are read on each request (their link comes and goes). */
#pragma once

#include "daemon.h"
#include "os/host_facts.h"

/* The facts under cfg's facts_root (this machine without one). Never NULL;
 * valid until the process ends. */
const struct host_facts *daemon_host_facts(const struct daemon_config *cfg);
/* The root to read under: cfg's facts_root or "". */
const char *daemon_facts_root(const struct daemon_config *cfg);
