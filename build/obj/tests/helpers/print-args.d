build/obj/tests/helpers/print-args.o: tests/helpers/print-args.c
