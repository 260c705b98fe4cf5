# caracal-bot. `make demo` needs only Go; `make test` also installs nothing.
GO        ?= go
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS   := -s -w -X main.version=$(VERSION)
BIN       := bin/caracal-bot
FUZZTIME  ?= 20s

.PHONY: build test chart-test demo lint bench load fuzz sim clean

build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/caracal-bot

## demo: a terminal chat against the built-in Caracal simulator (no tokens needed)
demo:
	$(GO) run ./cmd/caracal-bot demo

## test: vet and run every test with the race detector
# atexit_sleep_ms=0: a race-enabled binary otherwise sleeps 1 s as it exits,
# a second per test binary and per bot process the tests start.
# -parallel 8: parallel tests that mostly wait (bot processes, Redis, a
# Discord session closing) overlap with the others, not just two at a time;
# -p 4 does the same for test binaries that mostly wait.
test: export GORACE ?= atexit_sleep_ms=0
test:
	$(GO) vet ./...
	$(GO) test -race -count=1 -parallel 8 -p 4 ./...

## chart-test: helm lint --strict and render deploy/helm/caracal-bot with every values
## file, decode each object strictly into its Kubernetes type and check it. Helm is built
## once into bin/ from the Go module proxy (about 3 minutes on two cores, so not in `test`).
HELM_VERSION ?= v4.3.2
HELM         ?= $(CURDIR)/bin/helm-$(HELM_VERSION)
chart-test: $(HELM)
	HELM=$(HELM) $(GO) test -count=1 ./deploy/helm/...

$(HELM):
	GOBIN=$(CURDIR)/bin/helm-build $(GO) install helm.sh/helm/v4/cmd/helm@$(HELM_VERSION)
	mv $(CURDIR)/bin/helm-build/helm $(HELM) && rmdir $(CURDIR)/bin/helm-build

lint:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || (gofmt -l $$(git ls-files '*.go'); exit 1)
	$(GO) vet ./...

## bench: the why-latency benchmark against the simulator (figures go to docs/BENCHMARKS.md)
bench: load
	$(GO) test -run '^$$' -bench . -benchtime 10x ./bench/...

## load: two replicas on Redis under signed slash commands (needs redis-server); SOAK=10m adds a soak
RATES    ?= 50,100,200
DURATION ?= 10s
LATENCY  ?= 0s
SOAK     ?= 0
load: build
	$(GO) run ./bench/loadgen -bin $(BIN) -rates $(RATES) -duration $(DURATION) -soak $(SOAK) -latency $(LATENCY)

## fuzz: run every fuzz target (found with go test -list) for FUZZTIME each
fuzz:
	@for pkg in $$($(GO) list ./...); do \
	  for target in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
	    echo "$$pkg $$target"; \
	    $(GO) test -run '^$$' -fuzz "^$$target\$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; \
	  done; \
	done

## sim: the Caracal simulator on one port (path prefixes /api /sts /gateway /audit /coordinator)
sim:
	$(GO) run ./cmd/caracal-bot sim --addr 127.0.0.1:7000

clean:
	rm -rf bin
