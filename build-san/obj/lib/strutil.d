build-san/obj/lib/strutil.o: lib/strutil.c lib/strutil.h lib/macro.h
lib/strutil.h:
lib/macro.h:
