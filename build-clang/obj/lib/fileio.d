build-clang/obj/lib/fileio.o: lib/fileio.c lib/fileio.h lib/error.h \
  lib/macro.h lib/strutil.h

lib/fileio.h:

lib/error.h:

lib/macro.h:

lib/strutil.h:
