// Command mtls-client is a go-spiffe v2 mTLS HTTPS client: it gets its SVID
// and bundles from the Workload API, calls -url, requires the server's SPIFFE
// ID to satisfy the -expect-* flag, and prints one "response" or "error" JSON
// line per request; see peers/README.md.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/spiffe/go-spiffe/v2/spiffetls/tlsconfig"
	"github.com/spiffe/go-spiffe/v2/workloadapi"

	"github.com/spike-ts/spike-ts/peers/go/internal/peer"
)

func main() {
	out := peer.NewEmitter(os.Stdout)
	ok, err := run(os.Args[1:], out)
	if err != nil {
		out.Error("mtls_client", err)
		os.Exit(2)
	}
	if !ok {
		os.Exit(1)
	}
}

func run(args []string, out *peer.Emitter) (bool, error) {
	fs := flag.NewFlagSet("mtls-client", flag.ContinueOnError)
	addr := fs.String("addr", os.Getenv("SPIFFE_ENDPOINT_SOCKET"), "Workload API address; default $SPIFFE_ENDPOINT_SOCKET")
	url := fs.String("url", "", "https URL to call (required)")
	method := fs.String("method", "GET", "HTTP method")
	body := fs.String("body", "", "request body (sent with Content-Type: application/json)")
	var az peer.AuthorizerFlags
	fs.StringVar(&az.ID, "expect-id", "", "require the server to have this SPIFFE ID")
	fs.StringVar(&az.MemberOf, "expect-member-of", "", "require the server to be in this trust domain")
	fs.BoolVar(&az.Any, "expect-any", false, "accept any server whose chain verifies")
	count := fs.Int("count", 1, "number of requests, each on a new connection")
	timeout := fs.Duration("timeout", 30*time.Second, "overall deadline")
	if err := fs.Parse(args); err != nil {
		return false, err
	}
	if *addr == "" {
		return false, errors.New("no Workload API address: pass -addr or set SPIFFE_ENDPOINT_SOCKET")
	}
	if !strings.HasPrefix(*url, "https://") {
		return false, fmt.Errorf("-url must be an https URL, got %q", *url)
	}
	authorizer, _, err := az.Authorizer()
	if err != nil {
		return false, err
	}

	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	source, err := workloadapi.NewX509Source(ctx, workloadapi.WithClientOptions(workloadapi.WithAddr(*addr)))
	if err != nil {
		return false, fmt.Errorf("x509 source: %w", err)
	}
	defer source.Close()

	ok := true
	for i := 0; i < *count; i++ {
		transport := &http.Transport{TLSClientConfig: tlsconfig.MTLSClientConfig(source, source, authorizer), DisableKeepAlives: true}
		client := &http.Client{Transport: transport}
		if !call(ctx, client, *method, *url, *body, i, out) {
			ok = false
		}
		transport.CloseIdleConnections()
	}
	return ok, nil
}

func call(ctx context.Context, client *http.Client, method, url, body string, n int, out *peer.Emitter) bool {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		out.Emit("error", peer.Event{"n": n, "op": "request", "message": err.Error()})
		return false
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := client.Do(req)
	if err != nil {
		out.Emit("error", peer.Event{"n": n, "op": "request", "message": err.Error()})
		return false
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		out.Emit("error", peer.Event{"n": n, "op": "read_body", "message": err.Error(), "status": resp.StatusCode})
		return false
	}
	ev := peer.Event{"n": n, "status": resp.StatusCode, "body": string(b)}
	if resp.TLS != nil && len(resp.TLS.PeerCertificates) > 0 {
		for _, u := range resp.TLS.PeerCertificates[0].URIs {
			ev["serverId"] = u.String()
		}
	}
	out.Emit("response", ev)
	return true
}
