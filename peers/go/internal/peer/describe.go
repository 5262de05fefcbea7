package peer

import (
	"crypto/sha256"
	"encoding/hex"
	"sort"
	"time"

	"github.com/spiffe/go-spiffe/v2/bundle/jwtbundle"
	"github.com/spiffe/go-spiffe/v2/bundle/x509bundle"
	"github.com/spiffe/go-spiffe/v2/svid/jwtsvid"
	"github.com/spiffe/go-spiffe/v2/svid/x509svid"
	"github.com/spiffe/go-spiffe/v2/workloadapi"
)

// TimeFormat is how every timestamp is printed (RFC 3339, UTC, seconds).
const TimeFormat = time.RFC3339

// DescribeX509SVID summarises an SVID: ID, hint, validity, certificate count,
// the leaf's SHA-256 fingerprint (to tell rotations apart) and whether the
// chain verifies against bundles at now.
func DescribeX509SVID(svid *x509svid.SVID, bundles x509bundle.Source, now time.Time) Event {
	leaf := svid.Certificates[0]
	sum := sha256.Sum256(leaf.Raw)
	d := Event{
		"spiffeId":        svid.ID.String(),
		"hint":            svid.Hint,
		"certCount":       len(svid.Certificates),
		"notBefore":       leaf.NotBefore.UTC().Format(TimeFormat),
		"notAfter":        leaf.NotAfter.UTC().Format(TimeFormat),
		"serial":          leaf.SerialNumber.Text(16),
		"leafSha256":      hex.EncodeToString(sum[:]),
		"expiredAtOutput": !now.Before(leaf.NotAfter),
	}
	if bundles != nil {
		id, chains, err := x509svid.Verify(svid.Certificates, bundles, x509svid.WithTime(now))
		if err != nil {
			d["chainVerified"] = false
			d["verifyError"] = err.Error()
		} else {
			d["chainVerified"] = id == svid.ID
			d["verifiedChainLength"] = len(chains[0])
		}
	}
	return d
}

// DescribeX509Bundles lists the bundles of a set sorted by trust domain, with
// the number of authorities each holds.
func DescribeX509Bundles(set *x509bundle.Set) []Event {
	out := []Event{}
	if set == nil {
		return out
	}
	for _, b := range set.Bundles() {
		out = append(out, Event{"trustDomain": b.TrustDomain().Name(), "authorities": len(b.X509Authorities())})
	}
	sort.Slice(out, func(i, j int) bool { return out[i]["trustDomain"].(string) < out[j]["trustDomain"].(string) })
	return out
}

// DescribeJWTBundles lists the JWT bundles of a set sorted by trust domain,
// with their key IDs (sorted).
func DescribeJWTBundles(set *jwtbundle.Set) []Event {
	out := []Event{}
	if set == nil {
		return out
	}
	for _, b := range set.Bundles() {
		kids := []string{}
		for kid := range b.JWTAuthorities() {
			kids = append(kids, kid)
		}
		sort.Strings(kids)
		out = append(out, Event{"trustDomain": b.TrustDomain().Name(), "keyIds": kids, "keys": len(kids)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i]["trustDomain"].(string) < out[j]["trustDomain"].(string) })
	return out
}

// DescribeX509Context summarises a whole X.509 context: every SVID (verified
// against the context's own bundles), the default SVID's ID and the bundles.
func DescribeX509Context(ctx *workloadapi.X509Context, now time.Time) Event {
	svids := []Event{}
	for _, s := range ctx.SVIDs {
		svids = append(svids, DescribeX509SVID(s, ctx.Bundles, now))
	}
	d := Event{"svids": svids, "bundles": DescribeX509Bundles(ctx.Bundles)}
	if def := ctx.DefaultSVID(); def != nil {
		d["defaultSpiffeId"] = def.ID.String()
	}
	return d
}

// DescribeJWTSVID summarises a JWT-SVID without its token: sub, aud, exp,
// hint, and the header's key ID and algorithm are left to the caller.
func DescribeJWTSVID(svid *jwtsvid.SVID) Event {
	aud := append([]string{}, svid.Audience...)
	return Event{
		"spiffeId": svid.ID.String(),
		"audience": aud,
		"expiry":   svid.Expiry.UTC().Format(TimeFormat),
		"hint":     svid.Hint,
	}
}
