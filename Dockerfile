# Multi-stage build: a static binary on a distroless, non-root base with no shell.
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/caracal-bot ./cmd/caracal-bot

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/caracal-bot /usr/local/bin/caracal-bot
# distroless' nonroot user, by number: Kubernetes' runAsNonRoot can only
# verify a numeric user.
USER 65532:65532
ENTRYPOINT ["/usr/local/bin/caracal-bot"]
CMD ["--help"]
