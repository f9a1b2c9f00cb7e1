# syntax=docker/dockerfile:1
# Multi-stage build of a static, non-root scrubgate image.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/scrubgate ./cmd/scrubgate

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/scrubgate /usr/local/bin/scrubgate
USER 65532:65532
ENTRYPOINT ["/usr/local/bin/scrubgate"]
CMD ["--help"]
