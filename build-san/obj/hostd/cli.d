build-san/obj/hostd/cli.o: hostd/cli.c hostd/cli.h lib/error.h \
 lib/macro.h lib/json.h lib/log.h lib/strutil.h
hostd/cli.h:
lib/error.h:
lib/macro.h:
lib/json.h:
lib/log.h:
lib/strutil.h:
