build-clang/obj/hostd/hostctl.o: hostd/hostctl.c hostd/cli.h lib/error.h \
  lib/macro.h hostd/commands.h

hostd/cli.h:

lib/error.h:

lib/macro.h:

hostd/commands.h:
