package peer

import (
	"encoding/json"
	"log"
	"net/http"
	"strings"

	"github.com/spiffe/go-spiffe/v2/spiffetls"
)

// PeerIDHandler answers every request with a JSON object naming the caller's
// SPIFFE ID (read from the verified client certificate), the method and the
// path. It emits a "request" event for each one.
func PeerIDHandler(out *Emitter) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.TLS == nil {
			http.Error(w, `{"error":"not a TLS connection"}`, http.StatusBadRequest)
			return
		}
		id, err := spiffetls.PeerIDFromConnectionState(*r.TLS)
		if err != nil {
			out.Emit("request", Event{"ok": false, "message": err.Error(), "path": r.URL.Path})
			http.Error(w, `{"error":"no peer SPIFFE ID"}`, http.StatusForbidden)
			return
		}
		out.Emit("request", Event{"ok": true, "peerId": id.String(), "method": r.Method, "path": r.URL.Path})
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]string{"peerId": id.String(), "method": r.Method, "path": r.URL.Path})
	})
}

// TLSErrorLog returns a logger for http.Server.ErrorLog that turns each line
// (TLS handshake failures, mostly) into a "tls_error" event.
func TLSErrorLog(out *Emitter) *log.Logger {
	return log.New(eventWriter{out}, "", 0)
}

type eventWriter struct{ out *Emitter }

func (w eventWriter) Write(p []byte) (int, error) {
	w.out.Emit("tls_error", Event{"message": strings.TrimSpace(string(p))})
	return len(p), nil
}
