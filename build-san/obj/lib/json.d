build-san/obj/lib/json.o: lib/json.c lib/json.h lib/error.h lib/macro.h \
 lib/fileio.h
lib/json.h:
lib/error.h:
lib/macro.h:
lib/fileio.h:
