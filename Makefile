# make demo: install dependencies, build, compile the Fashion-MNIST example.
# make test: install dependencies, build, run every test.
# make lint: formatting, 100 columns and clang-tidy (scripts/lint.sh); not part of test.
# make bench: the benchmarks of bench/ (figures go to bench/RESULTS.md by hand; not part of test).
BUILD ?= build
JOBS ?= 2

.PHONY: deps build demo test bench lint clean

deps:
	bash scripts/install-deps.sh

build: deps
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Release
	cmake --build $(BUILD) -j $(JOBS)

demo: build
	$(BUILD)/cli/tpuc compile --config examples/fmnist/config.yaml

test: build
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS)

bench: build
	bash scripts/install-deps.sh bench
	bash bench/host_vs_onnxruntime/run.sh $(BUILD)
	bash bench/quant/run.sh $(BUILD)
	bash bench/chip/run.sh $(BUILD)
	bash bench/zoo/run.sh $(BUILD)
	bash bench/zoo/run.sh $(BUILD) slurm
	bash bench/conformance/run.sh $(BUILD)
	bash bench/torchvision/run.sh $(BUILD)
	bash bench/fidelity/run.sh $(BUILD)

lint: build
	bash scripts/install-deps.sh lint
	bash scripts/lint.sh $(BUILD)

clean:
	rm -rf $(BUILD) out
