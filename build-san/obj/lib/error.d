build-san/obj/lib/error.o: lib/error.c lib/error.h lib/macro.h
lib/error.h:
lib/macro.h:
