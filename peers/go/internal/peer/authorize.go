package peer

import (
	"errors"
	"fmt"

	"github.com/spiffe/go-spiffe/v2/spiffeid"
	"github.com/spiffe/go-spiffe/v2/spiffetls/tlsconfig"
)

// AuthorizerFlags are the mutually exclusive ways to say which peer is allowed.
type AuthorizerFlags struct {
	// ID is an exact SPIFFE ID (for example spiffe://example.org/server).
	ID string
	// MemberOf is a trust domain name or spiffe://td ID.
	MemberOf string
	// Any allows every peer whose chain verifies against the bundle.
	Any bool
}

// Authorizer builds the go-spiffe authorizer for the flags and a short
// description of it (for the ready event). Exactly one flag must be set.
func (f AuthorizerFlags) Authorizer() (tlsconfig.Authorizer, string, error) {
	set := 0
	if f.ID != "" {
		set++
	}
	if f.MemberOf != "" {
		set++
	}
	if f.Any {
		set++
	}
	if set != 1 {
		return nil, "", errors.New("exactly one of the ID, member-of or any authorizer flags is required")
	}
	switch {
	case f.ID != "":
		id, err := spiffeid.FromString(f.ID)
		if err != nil {
			return nil, "", fmt.Errorf("invalid SPIFFE ID %q: %w", f.ID, err)
		}
		return tlsconfig.AuthorizeID(id), "id:" + id.String(), nil
	case f.MemberOf != "":
		td, err := spiffeid.TrustDomainFromString(f.MemberOf)
		if err != nil {
			return nil, "", fmt.Errorf("invalid trust domain %q: %w", f.MemberOf, err)
		}
		return tlsconfig.AuthorizeMemberOf(td), "member-of:" + td.Name(), nil
	default:
		return tlsconfig.AuthorizeAny(), "any", nil
	}
}
