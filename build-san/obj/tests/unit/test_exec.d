build-san/obj/tests/unit/test_exec.o: tests/unit/test_exec.c lib/exec.h \
 lib/error.h lib/macro.h lib/log.h lib/strutil.h
lib/exec.h:
lib/error.h:
lib/macro.h:
lib/log.h:
lib/strutil.h:
