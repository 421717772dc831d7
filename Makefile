# Makefile - builds postern's programs into build/bin, runs tests and benchmarks
#
#   make            programs into build/bin/ (hardened, -O2)
#   make test       dependencies, then an ASan+UBSan build in build/test/,
#                   then prove over the unit tests and t/*.t
#   make run        a self-contained instance under ./run on 127.0.0.1:2525
#   make bench      the benchmark scenarios against postern (bench/)
#   make install    DESTDIR, PREFIX: programs, man pages, sample conf
#
# Each program is the .c files of its directory linked with util/.

PREFIX	?= /usr
DESTDIR	?=
BUILD	?= build
CC	?= cc

PROGS	= master smtpd cleanup qmgr local postern showq sendmail postdrop pickup
LIBS	= -lseccomp -ldb

WARN	= -Wall -Wextra -Werror -Wshadow -Wpointer-arith -Wstrict-prototypes \
	  -Wmissing-prototypes -Wformat=2 -Wno-format-nonliteral
HARDEN	= -D_FORTIFY_SOURCE=2 -fstack-protector-strong -fPIE
CFLAGS	?= -O2 -g
ALL_CFLAGS = -std=c17 $(WARN) $(HARDEN) $(CFLAGS) -Iutil -MMD -MP
LDFLAGS_HARD = -pie -Wl,-z,relro,-z,now
ifeq ($(SANITIZE),1)
ALL_CFLAGS += -fsanitize=address,undefined -fno-omit-frame-pointer \
	  -fno-sanitize-recover=undefined -DPOSTERN_SANITIZE=1
LDFLAGS_HARD += -fsanitize=address,undefined
endif

UTIL_SRC = $(sort $(wildcard util/*.c))
UTIL_OBJ = $(UTIL_SRC:%.c=$(BUILD)/obj/%.o)
UTIL_LIB = $(BUILD)/lib/libpostern.a
BINS	 = $(PROGS:%=$(BUILD)/bin/%)
UNIT_SRC = $(sort $(wildcard t/unit/*_test.c))
UNITS	 = $(UNIT_SRC:t/unit/%_test.c=$(BUILD)/t/%.t)
FUZZ_SRC = $(sort $(wildcard t/fuzz/*.c))
FUZZ	 = $(FUZZ_SRC:t/fuzz/%.c=$(BUILD)/fuzz/%)

.PHONY: all test units run stop bench install deps clean
.SECONDARY:

all: $(BINS) $(BUILD)/bin/mailq $(BUILD)/bin/newaliases

# sendmail is multi-call: mailq and newaliases are links to it
$(BUILD)/bin/mailq $(BUILD)/bin/newaliases: $(BUILD)/bin/sendmail
	ln -sf sendmail $@

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(UTIL_LIB): $(UTIL_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

# a program: every .c in its directory, with util
.SECONDEXPANSION:
prog_srcobjs = $(patsubst %.c,$(BUILD)/obj/%.o,$(wildcard $(1)/*.c))
$(BUILD)/bin/%: $$(call prog_srcobjs,$$*) $(UTIL_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_HARD) -o $@ $(filter %.o,$^) $(UTIL_LIB) $(LIBS)

# a unit test: t/unit/X_test.c with util; a test named PROG_X_test.c also
# links the objects of program PROG except PROG.o (which holds only main)
prog_of = $(firstword $(subst _, ,$(1)))
prog_objs = $(filter-out %/$(call prog_of,$(1)).o,$(patsubst %.c,$(BUILD)/obj/%.o,$(wildcard $(call prog_of,$(1))/*.c)))
$(BUILD)/t/%.t: $(BUILD)/obj/t/unit/%_test.o $$(call prog_objs,$$*) $(UTIL_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_HARD) -o $@ $(filter %.o,$^) $(UTIL_LIB) $(LIBS)

units: $(UNITS) $(FUZZ)

# a fuzz target: t/fuzz/X.c with util (and, named PROG_x, like a unit
# test, PROG's objects but PROG.o); reads one input (file or stdin)
$(BUILD)/fuzz/%: $(BUILD)/obj/t/fuzz/%.o $$(call prog_objs,$$*) $(UTIL_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_HARD) -o $@ $(filter %.o,$^) $(UTIL_LIB) $(LIBS)


deps:
	@sh mk/deps.sh

test: deps
	@$(MAKE) --no-print-directory BUILD=build/test SANITIZE=1 all units
	@POSTERN_BIN=$(CURDIR)/build/test/bin POSTERN_UNITS=$(CURDIR)/build/test/t \
	  POSTERN_FUZZ=$(CURDIR)/build/test/fuzz \
	  sh t/lib/prove.sh

run: deps all
	@sh mk/run-instance.sh start

stop:
	@sh mk/run-instance.sh stop

bench: deps all
	@sh mk/bench.sh

install: all
	sh mk/install.sh "$(DESTDIR)" "$(PREFIX)" "$(BUILD)/bin"

clean:
	rm -rf build

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
