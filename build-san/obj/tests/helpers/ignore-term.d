build-san/obj/tests/helpers/ignore-term.o: tests/helpers/ignore-term.c
