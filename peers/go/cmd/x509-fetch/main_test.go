package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spiffe/go-spiffe/v2/proto/spiffe/workload"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/spike-ts/spike-ts/peers/go/internal/peer"
	"github.com/spike-ts/spike-ts/peers/go/internal/peertest"
)

// fakeAgent is a minimal Workload API for testing x509-fetch itself: it checks
// the security header like SPIRE and serves one SVID, or no identity.
type fakeAgent struct {
	workload.UnimplementedSpiffeWorkloadAPIServer
	resp *workload.X509SVIDResponse // nil = no identity
}

func checkHeader(ctx context.Context) error {
	md, _ := metadata.FromIncomingContext(ctx)
	if v := md.Get("workload.spiffe.io"); len(v) != 1 || v[0] != "true" {
		return status.Error(codes.InvalidArgument, "security header missing from request")
	}
	return nil
}

func (f *fakeAgent) FetchX509SVID(_ *workload.X509SVIDRequest, s grpc.ServerStreamingServer[workload.X509SVIDResponse]) error {
	if err := checkHeader(s.Context()); err != nil {
		return err
	}
	if f.resp == nil {
		return status.Error(codes.PermissionDenied, "no identity issued")
	}
	if err := s.Send(f.resp); err != nil {
		return err
	}
	<-s.Context().Done()
	return nil
}

func (f *fakeAgent) FetchX509Bundles(_ *workload.X509BundlesRequest, s grpc.ServerStreamingServer[workload.X509BundlesResponse]) error {
	if err := checkHeader(s.Context()); err != nil {
		return err
	}
	if f.resp == nil {
		return status.Error(codes.PermissionDenied, "no identity issued")
	}
	if err := s.Send(&workload.X509BundlesResponse{Bundles: map[string][]byte{"spiffe://example.org": f.resp.Svids[0].Bundle}}); err != nil {
		return err
	}
	<-s.Context().Done()
	return nil
}

func startFake(t *testing.T, withIdentity bool) string {
	t.Helper()
	dir, err := os.MkdirTemp("/tmp", "sts-go-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	sock := filepath.Join(dir, "agent.sock")
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	agent := &fakeAgent{}
	if withIdentity {
		ca := peertest.NewCA(t, "example.org")
		svid := ca.Issue(t, "spiffe://example.org/workload", time.Now().Add(time.Hour))
		chain, key, err := svid.MarshalRaw()
		if err != nil {
			t.Fatal(err)
		}
		agent.resp = &workload.X509SVIDResponse{Svids: []*workload.X509SVID{{
			SpiffeId: "spiffe://example.org/workload", X509Svid: chain, X509SvidKey: key, Bundle: ca.Cert().Raw, Hint: "internal",
		}}}
	}
	srv := grpc.NewServer()
	workload.RegisterSpiffeWorkloadAPIServer(srv, agent)
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(srv.Stop)
	return "unix://" + sock
}

func runFetch(t *testing.T, args ...string) (bool, map[string][]map[string]any) {
	t.Helper()
	o, err := parseFlags(args)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var buf bytes.Buffer
	ok := run(ctx, o, peer.NewEmitter(&buf))
	events := map[string][]map[string]any{}
	for _, line := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("bad line %q", line)
		}
		name := m["event"].(string)
		events[name] = append(events[name], m)
	}
	return ok, events
}

func TestFetchesAndVerifiesTheX509Context(t *testing.T) {
	addr := startFake(t, true)
	ok, ev := runFetch(t, "-addr", addr, "-ops", "x509,x509bundles")
	if !ok {
		t.Fatalf("run failed: %v", ev)
	}
	ctx := ev["x509_context"][0]
	svid := ctx["svids"].([]any)[0].(map[string]any)
	if ctx["defaultSpiffeId"] != "spiffe://example.org/workload" || svid["chainVerified"] != true || svid["hint"] != "internal" {
		t.Errorf("x509_context: %v", ctx)
	}
	bundles := ev["x509_bundles"][0]["bundles"].([]any)
	if len(bundles) != 1 || bundles[0].(map[string]any)["trustDomain"] != "example.org" {
		t.Errorf("x509_bundles: %v", bundles)
	}
}

func TestReportsNoIdentityWithTheGRPCCode(t *testing.T) {
	addr := startFake(t, false)
	ok, ev := runFetch(t, "-addr", addr, "-ops", "x509")
	if ok {
		t.Fatal("run succeeded without an identity")
	}
	e := ev["error"][0]
	if e["op"] != "fetch_x509_context" || e["code"] != "PermissionDenied" || e["grpcMessage"] != "no identity issued" {
		t.Errorf("error event: %v", e)
	}
}

func TestHeaderProbeSeesEachVariant(t *testing.T) {
	addr := startFake(t, true)
	ok, ev := runFetch(t, "-addr", addr, "-ops", "header-probe")
	if !ok {
		t.Fatalf("run failed: %v", ev)
	}
	want := map[string]string{"missing": "InvalidArgument", "wrong-value": "InvalidArgument", "duplicated": "InvalidArgument", "present": "OK"}
	for _, r := range ev["header_probe"][0]["results"].([]any) {
		m := r.(map[string]any)
		if want[m["variant"].(string)] != m["code"] {
			t.Errorf("variant %v: code %v, want %v", m["variant"], m["code"], want[m["variant"].(string)])
		}
	}
}

func TestFlagValidation(t *testing.T) {
	t.Setenv("SPIFFE_ENDPOINT_SOCKET", "")
	if _, err := parseFlags(nil); err == nil || !strings.Contains(err.Error(), "SPIFFE_ENDPOINT_SOCKET") {
		t.Errorf("missing address: %v", err)
	}
	if _, err := parseFlags([]string{"-addr", "unix:///x", "-ops", "bogus"}); err == nil {
		t.Error("unknown op accepted")
	}
	o, err := parseFlags([]string{"-addr", "unix:///x", "-audience", "a, b"})
	if err != nil || len(o.audience) != 2 || o.audience[1] != "b" {
		t.Errorf("audiences: %v %v", o, err)
	}
}
