package peer

import (
	"bytes"
	"encoding/json"
	"fmt"
	"github.com/spike-ts/spike-ts/peers/go/internal/peertest"
	"strings"
	"testing"
	"time"

	"github.com/spiffe/go-spiffe/v2/bundle/x509bundle"
	"github.com/spiffe/go-spiffe/v2/spiffeid"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

func decodeLines(t *testing.T, b []byte) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		if line == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("not a JSON line: %q: %v", line, err)
		}
		out = append(out, m)
	}
	return out
}

func TestEmitterWritesOneJSONObjectPerLine(t *testing.T) {
	var buf bytes.Buffer
	e := NewEmitter(&buf)
	e.Emit("listening", Event{"port": 1234})
	e.Error("fetch_x509_context", fmt.Errorf("fetch: %w", status.Error(codes.PermissionDenied, "no identity issued")))
	lines := decodeLines(t, buf.Bytes())
	if len(lines) != 2 {
		t.Fatalf("want 2 lines, got %d: %s", len(lines), buf.String())
	}
	if lines[0]["event"] != "listening" || lines[0]["port"] != float64(1234) {
		t.Errorf("first line: %v", lines[0])
	}
	want := map[string]any{"event": "error", "op": "fetch_x509_context", "code": "PermissionDenied", "grpcMessage": "no identity issued"}
	for k, v := range want {
		if lines[1][k] != v {
			t.Errorf("error line %s = %v, want %v", k, lines[1][k], v)
		}
	}
}

func TestGRPCStatus(t *testing.T) {
	cases := []struct {
		err      error
		code     string
		message  string
		hasState bool
	}{
		{status.Error(codes.InvalidArgument, "security header missing from request"), "InvalidArgument", "security header missing from request", true},
		{fmt.Errorf("outer: %w", status.Error(codes.Unavailable, "down")), "Unavailable", "down", true},
		{fmt.Errorf("plain"), "", "", false},
		{nil, "", "", false},
	}
	for _, c := range cases {
		code, msg, ok := GRPCStatus(c.err)
		if code != c.code || msg != c.message || ok != c.hasState {
			t.Errorf("GRPCStatus(%v) = %q %q %v, want %q %q %v", c.err, code, msg, ok, c.code, c.message, c.hasState)
		}
	}
}

func TestAuthorizerFlags(t *testing.T) {
	if _, _, err := (AuthorizerFlags{}).Authorizer(); err == nil {
		t.Error("no flag: want an error")
	}
	if _, _, err := (AuthorizerFlags{ID: "spiffe://a/b", Any: true}).Authorizer(); err == nil {
		t.Error("two flags: want an error")
	}
	if _, _, err := (AuthorizerFlags{ID: "https://a/b"}).Authorizer(); err == nil {
		t.Error("bad ID: want an error")
	}
	az, desc, err := (AuthorizerFlags{ID: "spiffe://example.org/server"}).Authorizer()
	if err != nil || desc != "id:spiffe://example.org/server" {
		t.Fatalf("id authorizer: %q %v", desc, err)
	}
	if err := az(spiffeid.RequireFromString("spiffe://example.org/server"), nil); err != nil {
		t.Errorf("matching ID refused: %v", err)
	}
	if err := az(spiffeid.RequireFromString("spiffe://example.org/other"), nil); err == nil {
		t.Error("other ID allowed")
	}
	az, desc, err = (AuthorizerFlags{MemberOf: "spiffe://example.org"}).Authorizer()
	if err != nil || desc != "member-of:example.org" {
		t.Fatalf("member-of authorizer: %q %v", desc, err)
	}
	if err := az(spiffeid.RequireFromString("spiffe://other.org/x"), nil); err == nil {
		t.Error("foreign trust domain allowed")
	}
}

func TestDescribeX509SVID(t *testing.T) {
	ca := peertest.NewCA(t, "example.org")
	other := peertest.NewCA(t, "example.org")
	notAfter := time.Now().Add(10 * time.Minute).Truncate(time.Second)
	svid := ca.Issue(t, "spiffe://example.org/workload", notAfter)

	d := DescribeX509SVID(svid, ca.Bundle(), time.Now())
	if d["spiffeId"] != "spiffe://example.org/workload" || d["chainVerified"] != true || d["certCount"] != 1 {
		t.Errorf("verified description: %v", d)
	}
	if d["notAfter"] != notAfter.UTC().Format(TimeFormat) || d["expiredAtOutput"] != false {
		t.Errorf("validity: %v", d)
	}

	d = DescribeX509SVID(svid, other.Bundle(), time.Now())
	if d["chainVerified"] != false || d["verifyError"] == nil {
		t.Errorf("wrong bundle should not verify: %v", d)
	}

	d = DescribeX509SVID(svid, ca.Bundle(), notAfter.Add(time.Second))
	if d["expiredAtOutput"] != true || d["chainVerified"] != false {
		t.Errorf("after notAfter: %v", d)
	}
}

func TestDescribeX509BundlesSortsByTrustDomain(t *testing.T) {
	a := peertest.NewCA(t, "b.example")
	b := peertest.NewCA(t, "a.example")
	set := x509bundle.NewSet(a.Bundle(), b.Bundle())
	got := DescribeX509Bundles(set)
	if len(got) != 2 || got[0]["trustDomain"] != "a.example" || got[1]["trustDomain"] != "b.example" || got[0]["authorities"] != 1 {
		t.Errorf("bundles: %v", got)
	}
}
