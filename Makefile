# The two commands a newcomer runs (see README.md):
#   make run    install what is missing, build, and run myc
#   make test   run the whole test suite (what CI runs)

SWIFT        ?= swift
PREFIX       ?= /usr/local
# man-db, groff and mandoc render and lint the man pages; zsh, fish and bash-completion run the
# completions in the tests; systemd-analyze checks the example unit.
SYSTEM_PKGS  := libsodium-dev libedit-dev libsqlite3-dev pkg-config sqlite3 python3 \
                man-db groff-base mandoc zsh fish bash-completion systemd
BIN          := .build/debug/myc

# `make install` builds a release binary unless MYC_BIN names one already built.
MYC_BIN      ?=
INSTALL      ?= install
BINDIR       := $(DESTDIR)$(PREFIX)/bin
MANDIR       := $(DESTDIR)$(PREFIX)/share/man/man1
BASHCOMPDIR  := $(DESTDIR)$(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR   := $(DESTDIR)$(PREFIX)/share/zsh/site-functions
FISHCOMPDIR  := $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d
MANPAGES     := $(wildcard man/*.1)

.PHONY: run deps build test release clean install uninstall docs

# Installs the Debian packages that are missing (and only those).
deps:
	@missing=""; for p in $(SYSTEM_PKGS); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing:$$missing"; \
	  SUDO=""; [ "$$(id -u)" -eq 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && $$SUDO DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

build: deps
	$(SWIFT) build

# For now the main job shows an identity being made: a throwaway key file in a temp
# directory, then its fingerprint, the value people compare out of band.
run: build
	@tmp=$$(mktemp -d) && \
	  $(BIN) keygen --key-file $$tmp/identity.json && \
	  echo "Fingerprint read back: $$($(BIN) fingerprint --key-file $$tmp/identity.json)" && \
	  rm -rf $$tmp

# One test at a time: the integration tests wait on real processes with blocking calls,
# and run side by side on a 2-core machine they starve Swift's cooperative thread pool
# (as many threads as cores), so the async relay clients of other tests time out. Serial,
# the whole suite takes about 2 minutes here.
#
# Then the short proof runs, so they never rot: every libFuzzer target for 60 s (the
# sanitizer build of the pure core takes under a minute) and a 40 s soak of a debug relay.
test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --no-parallel
	@$(MAKE) --no-print-directory fuzz-smoke
	@$(MAKE) --no-print-directory soak-smoke

release: deps
	$(SWIFT) build -c release

# Regenerates man/ and completions/ from the debug binary (commit the result; a test checks it).
docs: build
	scripts/regenerate-docs

# The binary, the man pages and the shell completions, under PREFIX (and DESTDIR, for packaging).
install: $(if $(MYC_BIN),,release)
	$(INSTALL) -d $(BINDIR) $(MANDIR) $(BASHCOMPDIR) $(ZSHCOMPDIR) $(FISHCOMPDIR)
	$(INSTALL) -m 0755 $(or $(MYC_BIN),.build/release/myc) $(BINDIR)/myc
	$(INSTALL) -m 0644 $(MANPAGES) $(MANDIR)/
	$(INSTALL) -m 0644 completions/myc.bash $(BASHCOMPDIR)/myc
	$(INSTALL) -m 0644 completions/_myc $(ZSHCOMPDIR)/_myc
	$(INSTALL) -m 0644 completions/myc.fish $(FISHCOMPDIR)/myc.fish

uninstall:
	rm -f $(BINDIR)/myc $(addprefix $(MANDIR)/,$(notdir $(MANPAGES)))
	rm -f $(BASHCOMPDIR)/myc $(ZSHCOMPDIR)/_myc $(FISHCOMPDIR)/myc.fish

clean:
	rm -rf .build

# Every benchmark scenario (docs/performance.md), from a release build kept in its own
# scratch path so it never fights the debug build. Figures go to the terminal and to
# $(BENCH_OUT)/; they are measurements, not pass/fail checks.
BENCH_BUILD  ?= .build-release
BENCH_OUT    ?= bench-results
BENCH        := $(BENCH_BUILD)/release/myc-bench
BENCH_RELAY  := --myc $(BENCH_BUILD)/release/myc
# $(call bench_run,ARGS,FILE): runs the bench, shows and keeps its output, keeps its exit status.
bench_run = @{ $(BENCH) $(1); echo $$? > $(BENCH_OUT)/.status; } | tee $(BENCH_OUT)/$(2); exit $$(cat $(BENCH_OUT)/.status)
.PHONY: bench
bench: deps
	$(SWIFT) build -c release --scratch-path $(BENCH_BUILD)
	@mkdir -p $(BENCH_OUT)
	@echo "machine: $$(nproc) cores, $$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2-), load $$(cut -d' ' -f1-3 /proc/loadavg)" | tee $(BENCH_OUT)/machine.txt
	$(call bench_run,micro,micro.txt)
	$(call bench_run,relay $(BENCH_RELAY),relay.txt)
	$(call bench_run,relay $(BENCH_RELAY) --scenario pairs --rate 100000,relay-pairs-100k.txt)
	$(call bench_run,relay $(BENCH_RELAY) --scenario pairs --relay-event-loops 2,relay-pairs-two-loops.txt)
	$(call bench_run,peer $(BENCH_RELAY),peer-sqlite.txt)
	$(call bench_run,peer $(BENCH_RELAY) --store memory,peer-memory.txt)

# ---- Proof under crashes, fuzzing and load (issue #8) -------------------------------------
# make chaos   the kill -9 chaos run (relay, sender, recipient) with CHAOS_SEEDS random seeds
#              and CHAOS_KILLS kills per role; `make test` runs it once with a fixed seed.
# make fuzz    builds the libFuzzer targets (Fuzz/, own scratch path) and runs each for
#              FUZZ_RUNS inputs (default 1,000,000); FUZZ_SECONDS=60 gives a time budget instead.
# make soak    SOAK_SECONDS (600) of traffic against a release `myc relay` with SOAK_CONNECTIONS
#              (2000) held connections; prints the RSS series, errors and throughput.
CHAOS_SEEDS       ?= 5
CHAOS_KILLS       ?= 10
SOAK_SECONDS      ?= 600
SOAK_CONNECTIONS  ?= 2000

.PHONY: chaos fuzz fuzz-smoke soak soak-smoke

chaos: deps
	$(SWIFT) build --build-tests
	@for i in $$(seq 1 $(CHAOS_SEEDS)); do \
	  seed=$$(od -An -N4 -tu4 /dev/urandom | tr -d ' '); \
	  echo "chaos run $$i: MYC_CHAOS_SEED=$$seed MYC_CHAOS_KILLS=$(CHAOS_KILLS)"; \
	  out=$$(MYC_CHAOS_SEED=$$seed MYC_CHAOS_KILLS=$(CHAOS_KILLS) $(SWIFT) test --skip-build \
	    --filter ChaosDurabilityTests 2>&1); \
	  echo "$$out" | grep -E "chaos: seed|✘|issue"; \
	  echo "$$out" | grep -q "Test run with 1 test in 1 suite passed" || exit 1; \
	done

fuzz: deps
	FUZZ_RUNS=$(or $(FUZZ_RUNS),1000000) Fuzz/run

# The CI-sized fuzz run: 60 s per target (plus the sanitizer build of the core, ~40 s).
fuzz-smoke: deps
	FUZZ_SECONDS=$(or $(FUZZ_SECONDS),60) Fuzz/run

# The CI-sized soak: 40 s, 300 held connections, against the debug relay `make test` built.
soak-smoke:
	.build/debug/myc-bench soak --myc $(BIN) --duration 40 --segment 10 --sample 2 \
	  --connections 300 --rate 1000

soak: deps
	$(SWIFT) build -c release --scratch-path $(BENCH_BUILD)
	$(BENCH) soak $(BENCH_RELAY) --duration $(SOAK_SECONDS) --connections $(SOAK_CONNECTIONS)
