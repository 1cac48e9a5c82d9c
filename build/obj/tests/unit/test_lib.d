build/obj/tests/unit/test_lib.o: tests/unit/test_lib.c lib/error.h \
 lib/macro.h lib/fileio.h lib/json.h lib/strutil.h
lib/error.h:
lib/macro.h:
lib/fileio.h:
lib/json.h:
lib/strutil.h:
