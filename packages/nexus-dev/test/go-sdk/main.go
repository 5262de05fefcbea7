// go-sdk-probe drives a SPIKE Nexus with the official Go SDK (spike-sdk-go v0.19.9), to check
// that the dev Nexus answers in a way the real SDK understands. Our own program: it only calls
// the SDK's public API. Output: one JSON object per line, {"step","ok","code","value"}, then
// {"step":"done"}. Env: SPIFFE_ENDPOINT_SOCKET, SPIKE_NEXUS_API_URL, SPIKE_TRUST_ROOT_NEXUS.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"sort"
	"strconv"
	"time"

	"github.com/spiffe/spike-sdk-go/api"
	"github.com/spiffe/spike-sdk-go/api/entity/data"
	sdkErrors "github.com/spiffe/spike-sdk-go/errors"
)

type line struct {
	Step  string `json:"step"`
	OK    bool   `json:"ok"`
	Code  string `json:"code,omitempty"`
	Value any    `json:"value,omitempty"`
}

func emit(step string, value any, err *sdkErrors.SDKError) {
	l := line{Step: step, OK: err == nil, Value: value}
	if err != nil {
		l.Code = fmt.Sprint(err.Code)
	}
	b, _ := json.Marshal(l)
	fmt.Println(string(b))
}

func main() {
	mode := flag.String("mode", "pilot", "pilot or workload")
	prefix := flag.String("prefix", "gosdk/", "secret path prefix")
	name := flag.String("policy", "gosdk-policy", "policy name to create and delete")
	flag.Parse()

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	client, err := api.NewWithContext(ctx)
	if err != nil {
		emit("connect", nil, err)
		fmt.Println(`{"step":"done"}`)
		os.Exit(1)
	}
	defer client.Close()
	p := *prefix + "db"

	if *mode == "workload" {
		_, err := client.GetSecret(ctx, p)
		emit("workload-get", nil, err)
		_, err = client.ListSecretKeys(ctx)
		emit("workload-list", nil, err)
		fmt.Println(`{"step":"done"}`)
		return
	}

	emit("put", nil, client.PutSecret(ctx, p, map[string]string{"user": "app", "pass": "x <&> ü"}))
	s, err := client.GetSecret(ctx, p)
	emit("get", secretData(s), err)
	emit("put2", nil, client.PutSecret(ctx, p, map[string]string{"v": "2"}))
	s, err = client.GetSecretVersion(ctx, p, 1)
	emit("get-v1", secretData(s), err)
	_, err = client.GetSecretVersion(ctx, p, 7)
	emit("get-v7", nil, err)
	m, err := client.GetSecretMetadata(ctx, p, 0)
	emit("metadata", metadata(m), err)
	emit("delete-v2", nil, client.DeleteSecretVersions(ctx, p, []int{2}))
	s, err = client.GetSecret(ctx, p)
	emit("get-after-delete", secretData(s), err)
	m, err = client.GetSecretMetadata(ctx, p, 0)
	emit("metadata-after-delete", metadata(m), err)
	items0, err := client.ListPolicies(ctx, "", "^none$")
	emit("policy-list-filtered-empty", len(*items0), err)
	emit("undelete-v2", nil, client.UndeleteSecret(ctx, p, []int{2}))
	s, err = client.GetSecret(ctx, p)
	emit("get-after-undelete", secretData(s), err)
	emit("undelete-nothing", nil, client.UndeleteSecret(ctx, p, []int{2}))
	keys, err := client.ListSecretKeys(ctx)
	var listed []string
	if keys != nil {
		listed = *keys
	}
	emit("list", listed, err)
	_, err = client.GetSecret(ctx, "bad path")
	emit("get-bad-path", nil, err)

	perms := []data.PolicyPermission{data.PermissionRead, data.PermissionList}
	emit("policy-create", nil, client.CreatePolicy(ctx, *name, `^spiffe://example\.org/x$`, "^a/", perms))
	pol, err := client.GetPolicy(ctx, *name)
	emit("policy-get", policy(pol), err)
	items, err := client.ListAllPolicies(ctx)
	var names []string
	if items != nil {
		for _, it := range *items {
			names = append(names, it.Name)
		}
	}
	emit("policy-list", names, err)
	emit("policy-delete", nil, client.DeletePolicy(ctx, *name))
	_, err = client.GetPolicy(ctx, *name)
	emit("policy-get-missing", nil, err)

	blob, err := client.CipherEncryptStream(ctx, bytes.NewReader([]byte("hello")))
	emit("encrypt-stream", len(blob), err)
	plain, err := client.CipherDecryptStream(ctx, bytes.NewReader(blob))
	emit("decrypt-stream", string(plain), err)
	ct, err := client.CipherEncrypt(ctx, []byte("hello"), "")
	emit("encrypt-json", len(ct), err)
	if len(blob) > 13 {
		plain, err = client.CipherDecrypt(ctx, blob[0], blob[1:13], blob[13:], "")
		emit("decrypt-json", string(plain), err)
	}
	fmt.Println(`{"step":"done"}`)
}

func secretData(s *data.Secret) any {
	if s == nil {
		return nil
	}
	return s.Data
}

func metadata(m *data.SecretMetadata) any {
	if m == nil {
		return nil
	}
	var versions []string
	for k, v := range m.Versions {
		versions = append(versions, strconv.Itoa(k)+":"+strconv.Itoa(v.Version)+":"+strconv.FormatBool(v.DeletedTime != nil)+":"+strconv.FormatBool(!v.CreatedTime.IsZero()))
	}
	sort.Strings(versions)
	return map[string]any{
		"currentVersion": m.Metadata.CurrentVersion,
		"oldestVersion":  m.Metadata.OldestVersion,
		"maxVersions":    m.Metadata.MaxVersions,
		"createdSet":     !m.Metadata.CreatedTime.IsZero(),
		"updatedAfter":   !m.Metadata.UpdatedTime.Before(m.Metadata.CreatedTime),
		"versions":       versions,
	}
}

func policy(p *data.Policy) any {
	if p == nil {
		return nil
	}
	return map[string]any{
		"id": p.ID, "name": p.Name, "spiffeidPattern": p.SPIFFEIDPattern, "pathPattern": p.PathPattern,
		"permissions": p.Permissions, "createdSet": !p.CreatedAt.IsZero(), "updatedSet": !p.UpdatedAt.IsZero(),
	}
}
