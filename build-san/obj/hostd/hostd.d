build-san/obj/hostd/hostd.o: hostd/hostd.c lib/error.h lib/macro.h \
 lib/fileio.h lib/log.h lib/strutil.h
lib/error.h:
lib/macro.h:
lib/fileio.h:
lib/log.h:
lib/strutil.h:
