# The README's two commands are `make example` and `make test`; the other
# targets serve development.
GO ?= go

.PHONY: build example test lint generate check-generated bench fmt

build:
	$(GO) build -o bin/meshlint ./cmd/meshlint

example: build
	./bin/meshlint examples/ ; test $$? -le 1

test:
	$(GO) test ./...

lint:
	gofmt -l . | tee /dev/stderr | (! read -r _)
	$(GO) vet ./...
	golangci-lint run ./...

generate:
	$(GO) generate ./...
	$(GO) test ./internal/ruledoc -run 'UpToDate' -update

check-generated:
	$(GO) test ./internal/ruledoc -run 'UpToDate|TestCoverage'

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./bench/

fmt:
	gofmt -w .
