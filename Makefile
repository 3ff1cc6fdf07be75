# Rivulet: the two commands a new user needs are `make demo` and `make test`.
# Both install missing Debian packages first (scripts/install-deps.sh), then configure and build.

BUILD      ?= build
ASAN_BUILD ?= build-asan
JOBS       ?= $(shell nproc)
DEMO_DIR   ?= $(BUILD)/demo

.PHONY: all deps build build-asan demo test bench clean

all: build

deps:
	@bash scripts/install-deps.sh

$(BUILD)/CMakeCache.txt: | deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo

build: deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

$(ASAN_BUILD)/CMakeCache.txt: | deps
	cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DRIVULET_SANITIZE=ON -DRIVULET_BENCH=OFF

build-asan: deps $(ASAN_BUILD)/CMakeCache.txt
	cmake --build $(ASAN_BUILD) -j $(JOBS)

# Simulates one night of alerts, ingests it into the embedded store and prints the summary.
# Builds only the program (tests and benchmarks are not needed for it).
demo: deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) --target rivulet -j $(JOBS)
	rm -rf $(DEMO_DIR) && mkdir -p $(DEMO_DIR)
	$(BUILD)/rivulet simulate --night 2458800.5 --alerts 2000 --out $(DEMO_DIR)/night
	$(BUILD)/rivulet ingest $(DEMO_DIR)/night --db $(DEMO_DIR)/rivulet.db
	$(BUILD)/rivulet stats --db $(DEMO_DIR)/rivulet.db

# The whole suite, under AddressSanitizer + UBSan.
test: build-asan
	cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 UBSAN_OPTIONS=print_stacktrace=1 ctest --output-on-failure -j $(JOBS)

bench: build
	$(BUILD)/bench/decode_ingest

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)
