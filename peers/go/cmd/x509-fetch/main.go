// Command x509-fetch is a go-spiffe v2 Workload API client used to check a
// Workload API server (SPIRE's agent or the spike-ts dev server) from the
// reference implementation. It prints JSON lines; see peers/README.md.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/spiffe/go-spiffe/v2/bundle/jwtbundle"
	"github.com/spiffe/go-spiffe/v2/proto/spiffe/workload"
	"github.com/spiffe/go-spiffe/v2/spiffeid"
	"github.com/spiffe/go-spiffe/v2/svid/jwtsvid"
	"github.com/spiffe/go-spiffe/v2/workloadapi"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"

	"github.com/spike-ts/spike-ts/peers/go/internal/peer"
)

type options struct {
	addr     string
	ops      map[string]bool
	audience []string
	subject  string
	token    string
	watch    int
	timeout  time.Duration
}

var knownOps = []string{"x509", "x509bundles", "jwt", "jwtbundles", "validate", "header-probe"}

func parseFlags(args []string) (*options, error) {
	fs := flag.NewFlagSet("x509-fetch", flag.ContinueOnError)
	addr := fs.String("addr", os.Getenv("SPIFFE_ENDPOINT_SOCKET"), "Workload API address (unix:///path or tcp://127.0.0.1:port); default $SPIFFE_ENDPOINT_SOCKET")
	ops := fs.String("ops", "x509,jwt,validate", "comma-separated operations: "+strings.Join(knownOps, ","))
	audience := fs.String("audience", "spiffe://example.org/spike-ts-test", "JWT audience; comma-separated for extra audiences (first = primary)")
	subject := fs.String("subject", "", "SPIFFE ID to request the JWT-SVID for (default: the server's choice)")
	token := fs.String("token", "", "validate this JWT instead of the fetched one (with -ops validate)")
	watch := fs.Int("watch", 0, "after the fetches, watch the X.509 context until this many updates after the first")
	timeout := fs.Duration("timeout", 30*time.Second, "overall deadline")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	o := &options{addr: *addr, subject: *subject, token: *token, watch: *watch, timeout: *timeout, ops: map[string]bool{}}
	if o.addr == "" {
		return nil, errors.New("no Workload API address: pass -addr or set SPIFFE_ENDPOINT_SOCKET")
	}
	for _, op := range strings.Split(*ops, ",") {
		op = strings.TrimSpace(op)
		if op == "" {
			continue
		}
		if !contains(knownOps, op) {
			return nil, fmt.Errorf("unknown op %q (known: %s)", op, strings.Join(knownOps, ","))
		}
		o.ops[op] = true
	}
	for _, a := range strings.Split(*audience, ",") {
		if a = strings.TrimSpace(a); a != "" {
			o.audience = append(o.audience, a)
		}
	}
	if (o.ops["jwt"] || o.ops["validate"]) && len(o.audience) == 0 {
		return nil, errors.New("-audience is required for the jwt and validate operations")
	}
	if o.watch < 0 {
		return nil, errors.New("-watch must be >= 0")
	}
	return o, nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func main() {
	out := peer.NewEmitter(os.Stdout)
	o, err := parseFlags(os.Args[1:])
	if err != nil {
		out.Error("flags", err)
		os.Exit(2)
	}
	ctx, cancel := context.WithTimeout(context.Background(), o.timeout)
	defer cancel()
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	ok := run(ctx, o, out)
	out.Emit("done", peer.Event{"ok": ok})
	if !ok {
		os.Exit(1)
	}
}

func run(ctx context.Context, o *options, out *peer.Emitter) bool {
	client, err := workloadapi.New(ctx, workloadapi.WithAddr(o.addr))
	if err != nil {
		out.Error("client", err)
		return false
	}
	defer client.Close()
	ok := true

	if o.ops["header-probe"] {
		ok = headerProbe(ctx, o.addr, out) && ok
	}
	if o.ops["x509"] {
		x509ctx, err := client.FetchX509Context(ctx)
		if err != nil {
			out.Error("fetch_x509_context", err)
			ok = false
		} else {
			out.Emit("x509_context", peer.DescribeX509Context(x509ctx, time.Now()))
		}
	}
	if o.ops["x509bundles"] {
		set, err := client.FetchX509Bundles(ctx)
		if err != nil {
			out.Error("fetch_x509_bundles", err)
			ok = false
		} else {
			out.Emit("x509_bundles", peer.Event{"bundles": peer.DescribeX509Bundles(set)})
		}
	}
	var jwtBundles *jwtbundle.Set
	if o.ops["jwtbundles"] || o.ops["validate"] {
		jwtBundles, err = client.FetchJWTBundles(ctx)
		if err != nil {
			out.Error("fetch_jwt_bundles", err)
			ok = false
		} else {
			out.Emit("jwt_bundles", peer.Event{"bundles": peer.DescribeJWTBundles(jwtBundles)})
		}
	}
	token := o.token
	if o.ops["jwt"] {
		params := jwtsvid.Params{Audience: o.audience[0], ExtraAudiences: o.audience[1:]}
		if o.subject != "" {
			if params.Subject, err = spiffeid.FromString(o.subject); err != nil {
				out.Error("flags", err)
				return false
			}
		}
		svid, err := client.FetchJWTSVID(ctx, params)
		if err != nil {
			out.Error("fetch_jwt_svid", err)
			ok = false
		} else {
			ev := peer.DescribeJWTSVID(svid)
			ev["tokenParts"] = len(strings.Split(svid.Marshal(), "."))
			out.Emit("jwt_svid", ev)
			if token == "" {
				token = svid.Marshal()
			}
		}
	}
	if o.ops["validate"] {
		switch {
		case token == "":
			out.Emit("error", peer.Event{"op": "validate", "message": "no token to validate (the jwt fetch failed and no -token was given)"})
			ok = false
		default:
			ok = validate(ctx, client, jwtBundles, token, o.audience[0], out) && ok
		}
	}
	if o.watch > 0 {
		ok = watch(ctx, client, o.watch, out) && ok
	}
	return ok
}

// validate checks token twice: locally against the fetched JWT bundles
// (jwtsvid.ParseAndValidate) and remotely with the ValidateJWTSVID RPC.
func validate(ctx context.Context, client *workloadapi.Client, bundles *jwtbundle.Set, token, audience string, out *peer.Emitter) bool {
	ok := true
	if bundles != nil {
		svid, err := jwtsvid.ParseAndValidate(token, bundles, []string{audience})
		if err != nil {
			out.Emit("jwt_validate_local", peer.Event{"ok": false, "message": err.Error()})
			ok = false
		} else {
			ev := peer.DescribeJWTSVID(svid)
			ev["ok"] = true
			out.Emit("jwt_validate_local", ev)
		}
	}
	svid, err := client.ValidateJWTSVID(ctx, token, audience)
	if err != nil {
		ev := peer.ErrorFields("validate_jwt_svid", err)
		ev["ok"] = false
		out.Emit("jwt_validate_remote", ev)
		return false
	}
	ev := peer.DescribeJWTSVID(svid)
	ev["ok"] = true
	out.Emit("jwt_validate_remote", ev)
	return ok
}

type watcher struct {
	out     *peer.Emitter
	want    int
	seen    int
	done    chan struct{}
	lastErr error
}

func (w *watcher) OnX509ContextUpdate(c *workloadapi.X509Context) {
	ev := peer.DescribeX509Context(c, time.Now())
	ev["n"] = w.seen
	w.out.Emit("x509_update", ev)
	w.seen++
	if w.seen == w.want+1 {
		close(w.done)
	}
}

func (w *watcher) OnX509ContextWatchError(err error) {
	w.lastErr = err
	w.out.Emit("watch_error", peer.ErrorFields("watch_x509_context", err))
}

// watch prints the initial X.509 context (n = 0) and then n more updates.
func watch(ctx context.Context, client *workloadapi.Client, n int, out *peer.Emitter) bool {
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	w := &watcher{out: out, want: n, done: make(chan struct{})}
	errc := make(chan error, 1)
	go func() { errc <- client.WatchX509Context(wctx, w) }()
	select {
	case <-w.done:
		cancel()
		<-errc
		out.Emit("watch_done", peer.Event{"updates": w.seen - 1})
		return true
	case err := <-errc:
		out.Error("watch_x509_context", err)
		return false
	case <-ctx.Done():
		cancel()
		<-errc
		out.Emit("error", peer.Event{"op": "watch_x509_context", "message": fmt.Sprintf("deadline before %d updates (saw %d after the first)", n, max(w.seen-1, 0))})
		return false
	}
}

// headerProbe calls FetchX509SVID with grpc-go directly, once without the
// workload.spiffe.io header and once with it, and reports the codes seen. A
// conforming server answers InvalidArgument to the first.
func headerProbe(ctx context.Context, addr string, out *peer.Emitter) bool {
	target, err := workloadapi.TargetFromAddress(addr)
	if err != nil {
		out.Error("header_probe", err)
		return false
	}
	conn, err := grpc.NewClient(target, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		out.Error("header_probe", err)
		return false
	}
	defer conn.Close()
	api := workload.NewSpiffeWorkloadAPIClient(conn)
	probe := func(label string, md metadata.MD) peer.Event {
		cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		if md != nil {
			cctx = metadata.NewOutgoingContext(cctx, md)
		}
		ev := peer.Event{"variant": label}
		stream, err := api.FetchX509SVID(cctx, &workload.X509SVIDRequest{})
		if err == nil {
			var resp *workload.X509SVIDResponse
			resp, err = stream.Recv()
			if err == nil {
				ev["code"] = "OK"
				ev["svids"] = len(resp.Svids)
				return ev
			}
		}
		if code, msg, ok := peer.GRPCStatus(err); ok {
			ev["code"] = code
			ev["grpcMessage"] = msg
		} else {
			ev["code"] = "none"
			ev["message"] = err.Error()
		}
		return ev
	}
	results := []peer.Event{
		probe("missing", nil),
		probe("wrong-value", metadata.Pairs("workload.spiffe.io", "false")),
		probe("duplicated", metadata.MD{"workload.spiffe.io": []string{"true", "true"}}),
		probe("present", metadata.Pairs("workload.spiffe.io", "true")),
	}
	out.Emit("header_probe", peer.Event{"results": results})
	return true
}
