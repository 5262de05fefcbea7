package peer

import (
	"bytes"
	"encoding/json"
	"errors"
	"github.com/spike-ts/spike-ts/peers/go/internal/peertest"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/spiffe/go-spiffe/v2/spiffeid"
	"github.com/spiffe/go-spiffe/v2/spiffetls/tlsconfig"
)

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startServer runs the same server the mtls-server command runs, with static
// sources instead of the Workload API.
func startServer(t *testing.T, ca *peertest.CA, serverID string, authorizer tlsconfig.Authorizer) (string, *syncBuffer) {
	t.Helper()
	events := &syncBuffer{}
	out := NewEmitter(events)
	svid := ca.Issue(t, serverID, time.Now().Add(time.Hour))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{
		Handler:   PeerIDHandler(out),
		TLSConfig: tlsconfig.MTLSServerConfig(svid, ca.Bundle(), authorizer),
		ErrorLog:  TLSErrorLog(out),
	}
	done := make(chan error, 1)
	go func() { done <- srv.ServeTLS(ln, "", "") }()
	t.Cleanup(func() {
		_ = srv.Close()
		if err := <-done; !errors.Is(err, http.ErrServerClosed) {
			t.Errorf("server: %v", err)
		}
	})
	return "https://" + ln.Addr().String() + "/whoami", events
}

func clientFor(t *testing.T, ca *peertest.CA, clientID string, expect tlsconfig.Authorizer) *http.Client {
	t.Helper()
	svid := ca.Issue(t, clientID, time.Now().Add(time.Hour))
	tr := &http.Transport{TLSClientConfig: tlsconfig.MTLSClientConfig(svid, ca.Bundle(), expect)}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: 10 * time.Second}
}

func TestMTLSServerAnswersWithThePeerID(t *testing.T) {
	ca := peertest.NewCA(t, "example.org")
	url, events := startServer(t, ca, "spiffe://example.org/server", tlsconfig.AuthorizeMemberOf(ca.TD))
	client := clientFor(t, ca, "spiffe://example.org/client", tlsconfig.AuthorizeID(spiffeid.RequireFromString("spiffe://example.org/server")))

	resp, err := client.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var got map[string]string
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatalf("body %q: %v", body, err)
	}
	if resp.StatusCode != 200 || got["peerId"] != "spiffe://example.org/client" || got["path"] != "/whoami" {
		t.Errorf("status %d body %v", resp.StatusCode, got)
	}
	if !strings.Contains(events.String(), `"peerId":"spiffe://example.org/client"`) {
		t.Errorf("no request event: %s", events.String())
	}
}

func TestMTLSServerRefusesAnUnauthorizedClient(t *testing.T) {
	ca := peertest.NewCA(t, "example.org")
	url, events := startServer(t, ca, "spiffe://example.org/server", tlsconfig.AuthorizeID(spiffeid.RequireFromString("spiffe://example.org/allowed")))
	client := clientFor(t, ca, "spiffe://example.org/intruder", tlsconfig.AuthorizeAny())

	resp, err := client.Get(url)
	if err == nil {
		resp.Body.Close()
		t.Fatalf("request succeeded with status %d", resp.StatusCode)
	}
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(events.String(), `unexpected ID \"spiffe://example.org/intruder\"`) {
		if time.Now().After(deadline) {
			t.Fatalf("no tls_error naming the intruder; events: %s", events.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestMTLSClientRefusesTheWrongServer(t *testing.T) {
	ca := peertest.NewCA(t, "example.org")
	url, _ := startServer(t, ca, "spiffe://example.org/impostor", tlsconfig.AuthorizeAny())
	client := clientFor(t, ca, "spiffe://example.org/client", tlsconfig.AuthorizeID(spiffeid.RequireFromString("spiffe://example.org/server")))

	_, err := client.Get(url)
	if err == nil || !strings.Contains(err.Error(), `unexpected ID "spiffe://example.org/impostor"`) {
		t.Fatalf("want an unexpected-ID error, got %v", err)
	}
}
