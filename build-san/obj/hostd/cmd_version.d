build-san/obj/hostd/cmd_version.o: hostd/cmd_version.c hostd/commands.h \
 hostd/cli.h lib/error.h lib/macro.h lib/json.h
hostd/commands.h:
hostd/cli.h:
lib/error.h:
lib/macro.h:
lib/json.h:
