# hostd — GNU make. `make help` lists the targets.
VERSION    := 0.1.0
PREFIX     ?= /usr/local
DESTDIR    ?=
SANITIZE   ?=
CC         ?= cc
NPROC      := $(shell nproc 2>/dev/null || echo 2)

BUILD      := build$(if $(filter thread,$(SANITIZE)),-tsan,$(if $(SANITIZE),-san))$(if $(filter clang%,$(notdir $(CC))),-clang)
# Libraries through pkg-config; the list is in deps.mk.
include deps.mk
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
# The libraries in PKGS_LAZY are opened on first use (lib/lazy.h), not linked:
# their sonames go into the build instead.
PKG_LIBS   := $(shell pkg-config --libs $(filter-out $(PKGS_LAZY),$(PKGS)) 2>/dev/null)
soname_of   = $(shell objdump -p "$$(pkg-config --variable=libdir $(1))/$(2).so" 2>/dev/null | awk '$$1 == "SONAME" {print $$2}')
SONAMES    := CURL=$(call soname_of,libcurl,libcurl) VIRT=$(call soname_of,libvirt,libvirt) \
              XML2=$(call soname_of,libxml-2.0,libxml2) CRYPTO=$(call soname_of,libcrypto,libcrypto)
SONAME_CFLAGS := $(foreach s,$(SONAMES),$(if $(word 2,$(subst =, ,$(s))),-DSONAME_$(subst =,='"',$(s))'"'))

CFLAGS     ?= -O2 -g
CFLAGS     += -std=c17 -D_GNU_SOURCE -Wall -Wextra -Werror -Wshadow -Wno-unused-parameter \
              -Wstrict-prototypes -Wmissing-prototypes -fno-strict-aliasing \
              -DHOSTD_VERSION='"$(VERSION)"' -I. $(PKG_CFLAGS) $(SONAME_CFLAGS) -MMD -MP
LDFLAGS    += -Wl,--as-needed
LDLIBS     += $(PKG_LIBS) -lpthread
ifeq ($(SANITIZE),thread)
# SANITIZE=thread: ThreadSanitizer (build-tsan/), for hostd's threads
CFLAGS     += -fsanitize=thread -fno-omit-frame-pointer
LDFLAGS    += -fsanitize=thread
else ifneq ($(SANITIZE),)
CFLAGS     += -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
LDFLAGS    += -fsanitize=address,undefined
# ASan's interceptors of the XDR functions find the real ones when the program
# starts: with libvirt (and its libtirpc) opened later they would stay NULL.
LDLIBS     += -Wl,--push-state,--no-as-needed -l:libtirpc.so.3 -Wl,--pop-state
endif

# Layers (docs/ARCHITECTURE.md): lib <- raid hypervisor containers ipmi os <-
# provision <- cli, daemon. Each folder is a static library; hostctl links the
# CLI's, hostd the daemon's, each with the layers below, top to bottom.
DOMAINS    := raid hypervisor containers ipmi os
lib_of      = $(BUILD)/libhostd_$(1).a
srcs_of     = $(filter-out cli/hostctl.c daemon/hostd.c,$(wildcard $(1)/*.c))
objs_of     = $(patsubst %.c,$(BUILD)/obj/%.o,$(call srcs_of,$(1)))
BELOW_TOP  := provision $(DOMAINS) lib
LAYERS     := cli daemon $(BELOW_TOP)
LAYER_LIBS := $(foreach l,$(LAYERS),$(call lib_of,$(l)))
libs_for    = $(foreach l,$(1) $(BELOW_TOP),$(call lib_of,$(l)))

BINS       := $(BUILD)/hostctl $(BUILD)/hostd
UNIT_SRCS  := $(wildcard tests/unit/test_*.c)
UNIT_BINS  := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRCS))
HELPER_SRCS:= $(wildcard tests/helpers/*.c)
HELPER_BINS:= $(patsubst tests/helpers/%.c,$(BUILD)/tests/helpers/%,$(HELPER_SRCS))

.SECONDARY:
.PHONY: all deps check unit check-host check-lab demo bench install deb installer clean help print-deps
all: $(BINS)

help:
	@echo "make            build $(BINS)"
	@echo "make deps       install the Debian packages that are missing (root)"
	@echo "make unit       unit tests only (fast loop)"
	@echo "make check      deps + build + every test (unit, host, lab); SANITIZE=1 for ASan+UBSan"
	@echo "make demo       deps + build + the virtual R630 end to end"
	@echo "make bench      benchmarks against their baselines"
	@echo "make install    PREFIX=$(PREFIX) DESTDIR=..."
	@echo "make deb        build/deb/hostd_$(VERSION)_amd64.deb, checked by lintian"
	@echo "make installer  build/hostd-installer.iso (BIOS + UEFI; SPEC=host.yaml builds one in)"

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $@

define layer_rule
$(call lib_of,$(1)): $(call objs_of,$(1))
	@mkdir -p $$(dir $$@)
	rm -f $$@ && ar rcs $$@ $$^
endef
$(foreach l,$(LAYERS),$(eval $(call layer_rule,$(l))))

$(BUILD)/hostctl: $(BUILD)/obj/cli/hostctl.o $(call libs_for,cli)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)
$(BUILD)/hostd: $(BUILD)/obj/daemon/hostd.o $(call libs_for,daemon)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/tests/%: $(BUILD)/obj/tests/unit/%.o $(LAYER_LIBS)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) -lcmocka
$(BUILD)/tests/helpers/%: $(BUILD)/obj/tests/helpers/%.o
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^
# the one helper that drives a layer's code: an OS step on a test root
$(BUILD)/tests/helpers/os-step: $(BUILD)/obj/tests/helpers/os-step.o $(call lib_of,os) $(call lib_of,lib)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# ---- dependencies: the one list of Debian packages is deps.mk -----------------
deps:
	@scripts/install-deps.sh $(DEB_PACKAGES)
print-deps:
	@echo $(DEB_PACKAGES)

# ---- tests ---------------------------------------------------------------
TEST_ENV = BUILD=$(abspath $(BUILD)) HOSTCTL=$(abspath $(BUILD)/hostctl) HOSTD=$(abspath $(BUILD)/hostd)
unit: $(BINS) $(UNIT_BINS) $(HELPER_BINS)
	@$(TEST_ENV) tests/run-tests.sh unit
check-host: $(BINS) $(UNIT_BINS) $(HELPER_BINS) fuzz
	@$(TEST_ENV) tests/run-tests.sh host
check-lab: $(BINS)
	@$(TEST_ENV) tests/run-tests.sh lab
# the package and the installer image, built once for the tests that need them
# (t-deb, t-os-package, t-installer-image, t-firstboot, t-installer), with the
# lab's rootfs, by tests/prepare-check.sh while the first tests run; a failed
# build leaves no file, and those tests say so
DEB_FILE = $(DEB_DIR)/hostd_$(VERSION)_amd64.deb
check: deps
	@$(MAKE) --no-print-directory -j$(NPROC) $(BINS) $(UNIT_BINS) $(HELPER_BINS) fuzz
	@$(TEST_ENV) HOSTD_DEB=$(abspath $(DEB_FILE)) HOSTD_INSTALLER=$(abspath build/hostd-installer.iso) \
		HOSTD_VERSION=$(VERSION) PREPARE=$(abspath tests/prepare-check.sh) tests/run-tests.sh unit host lab

demo: deps
	@$(MAKE) --no-print-directory -j$(NPROC) $(BINS)
	@$(TEST_ENV) tests/lab/demo.sh

bench: $(BINS)
	@scripts/install-deps.sh $(DEB_BENCH)
	@$(TEST_ENV) bench/run-all.sh

# ---- install ---------------------------------------------------------------
install: $(BINS)
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/sbin $(DESTDIR)$(PREFIX)/share/man/man8
	install -m 0755 $(BUILD)/hostctl $(DESTDIR)$(PREFIX)/bin/hostctl
	install -m 0755 $(BUILD)/hostd $(DESTDIR)$(PREFIX)/sbin/hostd
	install -m 0644 man/*.8 $(DESTDIR)$(PREFIX)/share/man/man8/
	install -d $(DESTDIR)$(PREFIX)/share/bash-completion/completions
	install -m 0644 completion/hostctl.bash $(DESTDIR)$(PREFIX)/share/bash-completion/completions/hostctl
	install -d $(DESTDIR)$(PREFIX)/lib/systemd/system
	sed 's|@SBINDIR@|$(PREFIX)/sbin|g' systemd/hostd.service.in > $(DESTDIR)$(PREFIX)/lib/systemd/system/hostd.service

# ---- the Debian package: built from a copy of the tree, so the repo stays clean
DEB_DIR := build/deb
deb:
	@scripts/make-deb.sh $(VERSION) $(DEB_DIR)

# ---- the installer image: hostctl, the package and Debian's kernel on a hybrid ISO
installer: $(BINS)
	@scripts/install-deps.sh $(DEB_INSTALLER)
	@[ -f $(DEB_FILE) ] || scripts/make-deb.sh $(VERSION) $(DEB_DIR)
	@installer/build.sh --deb $(DEB_FILE) $(if $(SPEC),--spec $(SPEC)) $(if $(CMDLINE),--cmdline "$(CMDLINE)")

clean:
	rm -rf build build-san build-clang build-san-clang build-tsan build-tsan-clang

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)

# ---- fuzzing: libFuzzer targets (clang), one per parser; `make fuzz` builds them
.PHONY: fuzz
FUZZ_FLAGS := -std=c17 -D_GNU_SOURCE -g -O1 -fsanitize=fuzzer,address,undefined -I. $(PKG_CFLAGS) $(SONAME_CFLAGS)
fuzz: build/fuzz/fuzz_redfish
build/fuzz/fuzz_redfish: tests/fuzz/fuzz_redfish.c $(wildcard ipmi/*.c lib/*.c)
	@mkdir -p $(dir $@)
	clang $(FUZZ_FLAGS) -o $@ $^ $(PKG_LIBS) -lpthread
fuzz: build/fuzz/fuzz_api
FUZZ_API_SRCS := $(filter-out daemon/hostd.c,$(wildcard daemon/*.c)) \
                 $(wildcard raid/*.c hypervisor/*.c containers/*.c ipmi/*.c os/*.c lib/*.c)
build/fuzz/fuzz_api: tests/fuzz/fuzz_api.c $(FUZZ_API_SRCS)
	@mkdir -p $(dir $@)
	clang $(FUZZ_FLAGS) -o $@ $^ $(PKG_LIBS) -lpthread
fuzz: build/fuzz/fuzz_md_detail
build/fuzz/fuzz_md_detail: tests/fuzz/fuzz_md_detail.c raid/md_detail.c $(wildcard lib/*.c)
	@mkdir -p $(dir $@)
	clang $(FUZZ_FLAGS) -o $@ $^ $(PKG_LIBS) -lpthread
