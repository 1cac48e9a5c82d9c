/* The nouns of hostctl; each lives in its own cmd_*.c. */
#pragma once

#include "cli.h"

extern const struct command cmd_version;
