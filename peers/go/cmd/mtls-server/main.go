// Command mtls-server is a go-spiffe v2 mTLS HTTPS server: it gets its SVID
// and bundles from the Workload API, accepts only clients allowed by the
// authorizer flag, and answers each request with the caller's SPIFFE ID.
// It prints a "listening" JSON line when ready; see peers/README.md.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spiffe/go-spiffe/v2/spiffetls/tlsconfig"
	"github.com/spiffe/go-spiffe/v2/workloadapi"

	"github.com/spike-ts/spike-ts/peers/go/internal/peer"
)

func main() {
	out := peer.NewEmitter(os.Stdout)
	if err := run(os.Args[1:], out); err != nil {
		out.Error("mtls_server", err)
		os.Exit(1)
	}
}

func run(args []string, out *peer.Emitter) error {
	fs := flag.NewFlagSet("mtls-server", flag.ContinueOnError)
	addr := fs.String("addr", os.Getenv("SPIFFE_ENDPOINT_SOCKET"), "Workload API address; default $SPIFFE_ENDPOINT_SOCKET")
	listen := fs.String("listen", "127.0.0.1:0", "TCP address to listen on (port 0 = any free port)")
	var az peer.AuthorizerFlags
	fs.StringVar(&az.ID, "authorize-id", "", "allow only clients with this SPIFFE ID")
	fs.StringVar(&az.MemberOf, "authorize-member-of", "", "allow clients of this trust domain")
	fs.BoolVar(&az.Any, "authorize-any", false, "allow any client whose chain verifies")
	startTimeout := fs.Duration("start-timeout", 30*time.Second, "how long to wait for the first SVID")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *addr == "" {
		return errors.New("no Workload API address: pass -addr or set SPIFFE_ENDPOINT_SOCKET")
	}
	authorizer, desc, err := az.Authorizer()
	if err != nil {
		return err
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	sctx, cancel := context.WithTimeout(ctx, *startTimeout)
	source, err := workloadapi.NewX509Source(sctx, workloadapi.WithClientOptions(workloadapi.WithAddr(*addr)))
	cancel()
	if err != nil {
		return fmt.Errorf("x509 source: %w", err)
	}
	defer source.Close()
	svid, err := source.GetX509SVID()
	if err != nil {
		return fmt.Errorf("x509 source: %w", err)
	}

	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           peer.PeerIDHandler(out),
		TLSConfig:         tlsconfig.MTLSServerConfig(source, source, authorizer),
		ErrorLog:          peer.TLSErrorLog(out),
		ReadHeaderTimeout: 10 * time.Second,
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.ServeTLS(ln, "", "") }()
	a := ln.Addr().(*net.TCPAddr)
	out.Emit("listening", peer.Event{
		"address":   a.String(),
		"port":      a.Port,
		"url":       fmt.Sprintf("https://%s/", a.String()),
		"spiffeId":  svid.ID.String(),
		"authorize": desc,
	})
	select {
	case err := <-errc:
		if errors.Is(err, http.ErrServerClosed) {
			return nil
		}
		return err
	case <-ctx.Done():
	}
	shutdown, cancelShutdown := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancelShutdown()
	_ = srv.Shutdown(shutdown)
	out.Emit("stopped", nil)
	return nil
}
