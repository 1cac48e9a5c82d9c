build-clang/obj/lib/log.o: lib/log.c lib/log.h lib/macro.h

lib/log.h:

lib/macro.h:
