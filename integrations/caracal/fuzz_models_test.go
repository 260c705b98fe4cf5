package caracal

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"
)

// decodeFunc decodes a 2xx body the way one client method does.
type decodeFunc func(cl call, body []byte) (any, error)

// asObject decodes like getObject.
func asObject[T any](cl call, body []byte) (any, error) {
	v := new(T)
	if err := decodeObject(cl, body, v); err != nil {
		return nil, err
	}
	return v, nil
}

// asList decodes like getList.
func asList[T any](cl call, body []byte) (any, error) {
	l, err := decodeList[T](cl, body)
	if err != nil {
		return nil, err
	}
	return l, nil
}

// asArray decodes like AuditByRequest.
func asArray[T any](cl call, body []byte) (any, error) {
	var rows []T
	if err := decodeArray(cl, body, &rows); err != nil {
		return nil, err
	}
	return rows, nil
}

// modelDecoders lists every response model the client reads (Explain has
// FuzzDecodeExplain).
var modelDecoders = []struct {
	name   string
	cl     call
	decode decodeFunc
}{
	{"zones", call{svc: ServiceAPI, path: "/v1/zones"}, asList[Zone]},
	{"zone", call{svc: ServiceAPI, path: "/v1/zones/z"}, asObject[Zone]},
	{"zone overview", call{svc: ServiceAPI, path: "/v1/zones/z/overview"}, asObject[ZoneOverview]},
	{"applications", call{svc: ServiceAPI, path: "/v1/zones/z/applications"}, asList[Application]},
	{"resources", call{svc: ServiceAPI, path: "/v1/zones/z/resources"}, asList[Resource]},
	{"resource", call{svc: ServiceAPI, path: "/v1/zones/z/resources/r"}, asObject[Resource]},
	{"policies", call{svc: ServiceAPI, path: "/v1/zones/z/policies"}, asList[Policy]},
	{"policy", call{svc: ServiceAPI, path: "/v1/zones/z/policies/p"}, asObject[Policy]},
	{"policy sets", call{svc: ServiceAPI, path: "/v1/zones/z/policy-sets"}, asList[PolicySet]},
	{"policy set", call{svc: ServiceAPI, path: "/v1/zones/z/policy-sets/s"}, asObject[PolicySet]},
	{"policy set versions", call{svc: ServiceAPI, path: "/v1/zones/z/policy-sets/s/versions"}, asList[PolicySetVersion]},
	{"policy set version", call{svc: ServiceAPI, path: "/v1/zones/z/policy-sets/s/versions/v"}, asObject[PolicySetVersion]},
	{"activation status", call{svc: ServiceAPI, path: "/v1/zones/z/policy-sets/s/activation-status"}, asObject[ActivationStatus]},
	{"grants", call{svc: ServiceAPI, path: "/v1/zones/z/grants"}, asList[Grant]},
	{"audit", call{svc: ServiceAPI, path: "/v1/zones/z/audit"}, asList[AuditRow]},
	{"audit by request", call{svc: ServiceAPI, path: "/v1/zones/z/audit/by-request/r"}, asArray[AuditRow]},
	{"admin audit", call{svc: ServiceAPI, path: "/v1/zones/z/admin-audit"}, asList[AdminAuditRow]},
	{"sessions", call{svc: ServiceAPI, path: "/v1/zones/z/sessions"}, asList[Session]},
	{"authority records", call{svc: ServiceAPI, path: "/v1/zones/z/authority-records"}, asList[AuthorityRecord]},
	{"approval status", call{svc: ServiceSTS, path: "/approvals/a"}, asObject[ApprovalStatus]},
	{"sts metrics", call{svc: ServiceSTS, path: "/metrics.json"}, asObject[STSMetrics]},
	{"gateway metrics", call{svc: ServiceGateway, path: "/metrics.json"}, asObject[GatewayMetrics]},
	{"audit metrics", call{svc: ServiceAudit, path: "/metrics.json"}, asObject[AuditMetrics]},
	{"coordinator stats", call{svc: ServiceCoordinator, path: "/stats"}, asObject[CoordinatorStats]},
}

// FuzzDecodeModels: every model either decodes to a value that re-encodes
// to a fixed point of the same shape, or fails with a clean *DecodeError.
func FuzzDecodeModels(f *testing.F) {
	seedFixtures(f, func(b []byte) { f.Add(b) })
	for _, s := range []string{`{"items":null}`, `{"items":{}}`, `{"next_cursor":"c"}`, `{"items":[null],"next_cursor":null}`,
		`{"ITEMS":[{"ID":1}]}`, `[null,{}]`, ` [] `, `{"versions":[null]}`, `{"invocations":{"x":1e999}}`,
		`{"requests_total":-1}`, `{"sts":{"graph_traversals":1.5}}`, `{"metadata_json":{"a":[1,{"b":null}]}}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, m := range modelDecoders {
			v, err := m.decode(m.cl, body)
			if err != nil {
				var de *DecodeError
				if !errors.As(err, &de) || de.Path != m.cl.path || de.Service != m.cl.svc {
					t.Fatalf("%s: want *DecodeError, got %T %v", m.name, err, err)
				}
				assertClean(t, m.name+" error", err.Error(), len(body)+256)
				continue
			}
			once, err := json.Marshal(v)
			if err != nil {
				t.Fatalf("%s: re-encode: %v", m.name, err)
			}
			if trimmed := bytes.TrimSpace(body); trimmed[0] != once[0] {
				t.Fatalf("%s: accepted %q as %s", m.name, body, once)
			}
			again, err := m.decode(m.cl, once)
			if err != nil {
				t.Fatalf("%s: re-decode %s: %v", m.name, once, err)
			}
			if twice, err := json.Marshal(again); err != nil || !bytes.Equal(once, twice) {
				t.Fatalf("%s: round trip not stable:\n%s\n%s", m.name, once, twice)
			}
		}
	})
}
