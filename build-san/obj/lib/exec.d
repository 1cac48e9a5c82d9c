build-san/obj/lib/exec.o: lib/exec.c lib/exec.h lib/error.h lib/macro.h \
 lib/log.h lib/strutil.h
lib/exec.h:
lib/error.h:
lib/macro.h:
lib/log.h:
lib/strutil.h:
