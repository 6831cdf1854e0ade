# make demo: install dependencies, build, compile the Fashion-MNIST example.
# make test: install dependencies, build, run every test.
BUILD ?= build
JOBS ?= 2

.PHONY: deps build demo test clean

deps:
	bash scripts/install-deps.sh

build: deps
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Release
	cmake --build $(BUILD) -j $(JOBS)

demo: build
	$(BUILD)/cli/tpuc compile --config examples/fmnist/config.yaml

test: build
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS)

clean:
	rm -rf $(BUILD) out
