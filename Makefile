# The two commands a newcomer runs (see README.md):
#   make run    install what is missing, build, and run myc
#   make test   run the whole test suite (what CI runs)

SWIFT        ?= swift
PREFIX       ?= /usr/local
SYSTEM_PKGS  := libsodium-dev libedit-dev libsqlite3-dev pkg-config sqlite3 python3
BIN          := .build/debug/myc

.PHONY: run deps build test release clean

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

test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

release: deps
	$(SWIFT) build -c release

clean:
	rm -rf .build
