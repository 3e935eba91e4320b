# ws101 — the README's two commands are `make serve` and `make test`.
.PHONY: serve test setup build bench clean

serve:          ## build, then serve the explainer page and the live worker in workerd
	@scripts/serve.sh

test:           ## install what is missing, build, and run every test job
	@scripts/test.sh

setup:          ## install the toolchain, browsers and npm/pip packages (idempotent)
	@scripts/bootstrap.sh

build:          ## build the npm package into pkg/
	@scripts/build.sh

bench:          ## end-to-end echo (native load generator; ws101, ws, ws+bufferutil, Bun), handshake, frames → docs/BENCHMARKS.md
	@scripts/bench.sh

clean:
	rm -rf pkg target
