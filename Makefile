# Thin wrapper over CMake. `make run` and `make test` install what they need.
# make run's output is the devnet's banner, not the build's chatter.
MAKEFLAGS += --no-print-directory
JOBS ?= $(shell nproc)
BUILD ?= build
SAN_BUILD ?= build-san
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 60
PREFIX ?= /usr/local

.PHONY: all deps test-deps build install run lint test test-fast test-san bench fuzz \
        fuzz-regress format format-check clean

all: build

deps:
	@bash scripts/install-deps.sh

# What only the tests need on top (chromium for the dashboard's test).
test-deps:
	@bash scripts/install-deps.sh --tests

build: deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	cmake --build $(BUILD) -j $(JOBS)

# Installs the cairn binary as $(DESTDIR)$(PREFIX)/bin/cairn.
install: build
	cmake --install $(BUILD) --prefix $(DESTDIR)$(PREFIX)

# A local network: a sequencer, a follower, six storage and two compute
# providers (with a sample workload), demo
# accounts funded; its files and options stay in ./devnet.
run: build
	./$(BUILD)/cairn devnet --dir devnet --storage 6 --compute 3 --validators 2 --wireless 12 --sensor 3

# Every test, plain and under ASan+UBSan, plus the fuzz corpus replay; the
# lint runs first and stops the build on a finding.
test: lint
	$(MAKE) test-fast test-san fuzz-regress

# Calls to banned functions (scripts/banned.txt says which and why), and
# any C file that differs from .clang-format (`make format` fixes it).
lint: deps
	bash scripts/check-banned.sh
	bash scripts/check-format.sh

test-fast: build test-deps
	cd $(BUILD) && ctest --output-on-failure -j 2

test-san: test-deps
	cmake -S . -B $(SAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DCAIRN_SANITIZE=ON >/dev/null
	cmake --build $(SAN_BUILD) -j $(JOBS)
	cd $(SAN_BUILD) && ASAN_OPTIONS=detect_leaks=1 ctest --output-on-failure -j 2

$(FUZZ_BUILD)/.configured: deps
	CC=clang cmake -S . -B $(FUZZ_BUILD) -DCMAKE_BUILD_TYPE=Debug -DCAIRN_FUZZ=ON >/dev/null
	touch $@

# Runs every fuzz target over its corpus and regression inputs once.
fuzz-regress: $(FUZZ_BUILD)/.configured
	cmake --build $(FUZZ_BUILD) -j $(JOBS)
	bash scripts/fuzz.sh regress $(FUZZ_BUILD)

# Fuzzes each target for FUZZ_SECONDS; crashes land in tests/fuzz/regress/.
fuzz: $(FUZZ_BUILD)/.configured
	cmake --build $(FUZZ_BUILD) -j $(JOBS)
	bash scripts/fuzz.sh run $(FUZZ_BUILD) $(FUZZ_SECONDS)

bench: build
	@for b in $(BUILD)/bench_*; do echo "== $$b"; $$b || exit 1; done
	@CAIRN_BIN=$(BUILD)/cairn bash bench/s3.sh

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

# Fails on any tracked file that `make format` would change.
format-check:
	bash scripts/check-format.sh

clean:
	rm -rf $(BUILD) $(SAN_BUILD) $(FUZZ_BUILD)
