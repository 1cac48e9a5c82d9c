build-san/obj/tests/helpers/print-args.o: tests/helpers/print-args.c
