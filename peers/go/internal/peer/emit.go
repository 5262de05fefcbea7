// Package peer holds the pieces shared by the spike-ts interop peer programs:
// a JSON-lines event writer, gRPC error classification, and authorizer flags.
//
// Every program writes one JSON object per line on stdout. Each object has an
// "event" field; tests look for events by name and assert on their fields.
// Nothing secret (private keys, JWT tokens) is ever written.
package peer

import (
	"encoding/json"
	"io"
	"sync"
)

// Event is one JSON line. The "event" key names it.
type Event map[string]any

// Emitter writes events as JSON lines. It is safe for concurrent use.
type Emitter struct {
	mu sync.Mutex
	w  io.Writer
}

// NewEmitter returns an Emitter writing to w.
func NewEmitter(w io.Writer) *Emitter { return &Emitter{w: w} }

// Emit writes the event named name with the given fields.
func (e *Emitter) Emit(name string, fields Event) {
	out := Event{"event": name}
	for k, v := range fields {
		out[k] = v
	}
	b, err := json.Marshal(out)
	if err != nil {
		b, _ = json.Marshal(Event{"event": "emit_error", "message": err.Error()})
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	_, _ = e.w.Write(append(b, '\n'))
}

// Error writes an "error" event for the failed operation op, with the gRPC
// code of err when it carries one.
func (e *Emitter) Error(op string, err error) {
	e.Emit("error", ErrorFields(op, err))
}

// ErrorFields describes err for an event: op, message and, when err is a gRPC
// status error (possibly wrapped), code and grpcMessage.
func ErrorFields(op string, err error) Event {
	f := Event{"op": op, "message": err.Error()}
	if code, msg, ok := GRPCStatus(err); ok {
		f["code"] = code
		f["grpcMessage"] = msg
	}
	return f
}
