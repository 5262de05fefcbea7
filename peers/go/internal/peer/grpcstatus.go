package peer

import (
	"errors"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// GRPCStatus returns the gRPC code name (for example "PermissionDenied") and
// status message carried by err, unwrapping as needed. ok is false when err
// carries no gRPC status.
func GRPCStatus(err error) (code string, message string, ok bool) {
	if err == nil {
		return "", "", false
	}
	var se interface{ GRPCStatus() *status.Status }
	if !errors.As(err, &se) {
		return "", "", false
	}
	st := se.GRPCStatus()
	if st == nil || st.Code() == codes.OK {
		return "", "", false
	}
	return st.Code().String(), st.Message(), true
}
