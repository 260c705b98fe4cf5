package caracaltest

import (
	"encoding/json"
	"reflect"
	"time"

	"github.com/caracal-bot/caracal-bot/integrations/caracal"
)

// Reply is a canned HTTP answer: a status and a JSON body sent verbatim. When
// the body is a JSON object with a "requestId" key, the simulator replaces
// its value with the request's own x-request-id, as Caracal's 5xx bodies do.
type Reply struct {
	Status int             `json:"status"`         // HTTP status
	Body   json.RawMessage `json:"body,omitempty"` // JSON body; empty sends no body
	// Hang keeps the request open until the client gives up, as the Admin
	// API and the Coordinator sometimes do during a Redis outage (API.md §0).
	Hang bool `json:"hang,omitempty"`
}

// ServiceState is how one Caracal service behaves in a World.
type ServiceState struct {
	// Down closes every connection to the service without an answer.
	Down bool `json:"down,omitempty"`
	// Hang keeps every request open until the client gives up.
	Hang bool `json:"hang,omitempty"`
	// Health overrides GET /health; nil is the service's healthy answer.
	Health *Reply `json:"health,omitempty"`
	// Ready overrides GET /ready; nil is the service's healthy answer.
	Ready *Reply `json:"ready,omitempty"`
}

// World is everything the simulator serves: per-service health, operator
// metrics, the zones with their configuration and audit tables, and STS
// approvals. A World is plain data; build one with Simulator.World, change
// it, and install it with Simulator.SetWorld.
type World struct {
	// How each service behaves.
	API         ServiceState `json:"api"`
	STS         ServiceState `json:"sts"`
	Gateway     ServiceState `json:"gateway"`
	Audit       ServiceState `json:"audit"`
	Coordinator ServiceState `json:"coordinator"`

	// AdminAPIFailure, when set, is the answer of every Admin API /v1 route
	// (e.g. 500 internal_error while Redis is down).
	AdminAPIFailure *Reply `json:"admin_api_failure,omitempty"`
	// AdminTokenZone, when set, scopes the admin token to that zone, as
	// WithZoneScopedToken does: the recommended credential of the bot.
	AdminTokenZone string `json:"admin_token_zone,omitempty"`

	// Operator metrics: STS, Gateway and Audit /metrics.json, Coordinator /stats.
	STSMetrics       caracal.STSMetrics       `json:"sts_metrics"`
	GatewayMetrics   caracal.GatewayMetrics   `json:"gateway_metrics"`
	AuditMetrics     caracal.AuditMetrics     `json:"audit_metrics"`
	CoordinatorStats caracal.CoordinatorStats `json:"coordinator_stats"`

	// Zones, in any order; GET /v1/zones lists them all, newest first.
	Zones []ZoneData `json:"zones"`

	// Approvals answers STS GET /approvals/{id}.
	Approvals []caracal.ApprovalStatus `json:"approvals"`
}

// ZoneData is one zone's configuration and tables.
type ZoneData struct {
	Zone caracal.Zone `json:"zone"` // the zone object (GET /v1/zones/{id})
	// Configuration, in any order: lists are sorted as the Admin API sorts them.
	Applications []caracal.Application `json:"applications"`
	Resources    []caracal.Resource    `json:"resources"`
	// Policies carry their Versions (newest first); the list route drops them.
	Policies []caracal.Policy `json:"policies"`
	// PolicySets; at most one has an active version.
	PolicySets []caracal.PolicySet `json:"policy_sets"`
	// PolicySetVersions of every set, with manifest_json and policies filled.
	PolicySetVersions []caracal.PolicySetVersion `json:"policy_set_versions"`
	// Activations answers activation-status, keyed by policy set and version.
	Activations []caracal.ActivationStatus `json:"activations"`
	// Delegated grants, governed Sessions, authority records and admin-audit rows.
	Grants           []caracal.Grant           `json:"grants"`
	Sessions         []caracal.Session         `json:"sessions"`
	AuthorityRecords []caracal.AuthorityRecord `json:"authority_records"`
	AdminAudit       []caracal.AdminAuditRow   `json:"admin_audit"`
	// Audit holds rows with unredacted metadata, in insertion order; reads
	// redact them and sort them as the Admin API does.
	Audit []caracal.AuditRow `json:"audit"`
	// Synthetic is deny traffic generated on demand beside Audit; nil: none.
	Synthetic *SyntheticDenials `json:"synthetic_denials,omitempty"`
}

// Service returns the state of one service, or nil for an unknown name.
func (w *World) Service(svc caracal.Service) *ServiceState {
	switch svc {
	case caracal.ServiceAPI:
		return &w.API
	case caracal.ServiceSTS:
		return &w.STS
	case caracal.ServiceGateway:
		return &w.Gateway
	case caracal.ServiceAudit:
		return &w.Audit
	case caracal.ServiceCoordinator:
		return &w.Coordinator
	}
	return nil
}

// ZoneByID returns the zone with that id, or nil.
func (w *World) ZoneByID(id string) *ZoneData {
	for i := range w.Zones {
		if w.Zones[i].Zone.ID == id {
			return &w.Zones[i]
		}
	}
	return nil
}

// Approval returns the STS approval with that id, or nil.
func (w *World) Approval(id string) *caracal.ApprovalStatus {
	for i := range w.Approvals {
		if w.Approvals[i].ID == id {
			return &w.Approvals[i]
		}
	}
	return nil
}

// SetApproval adds or replaces an STS approval.
func (w *World) SetApproval(a caracal.ApprovalStatus) {
	if p := w.Approval(a.ID); p != nil {
		*p = a
		return
	}
	w.Approvals = append(w.Approvals, a)
}

// Clone returns a deep copy of the world.
func (w *World) Clone() World { return w.shifted(0) }

// shifted returns a deep copy of the world with every timestamp moved by
// d, keeping its layout: each string, map key and raw JSON value that is a
// timestamp, wherever it is, and the Audit service's Unix sweep times. The
// copy is made field by field, not through JSON: building worlds was most
// of a simulator's start.
func (w *World) shifted(d time.Duration) World {
	var out World
	copyShifted(reflect.ValueOf(&out).Elem(), reflect.ValueOf(w).Elem(), d)
	shiftUnix(&out.AuditMetrics, d)
	return out
}

var rawMessageType = reflect.TypeFor[json.RawMessage]()

// copyShifted sets dst to a deep copy of src (of the same type, plain data)
// with its timestamp strings moved by d.
func copyShifted(dst, src reflect.Value, d time.Duration) {
	switch src.Kind() {
	case reflect.String:
		s := src.String()
		if d != 0 && len(s) >= len(layoutSeconds) && s[4] == '-' && s[10] == 'T' {
			s = shiftStamp(s, d)
		}
		dst.SetString(s)
	case reflect.Slice:
		switch {
		case src.IsNil():
		case src.Type() == rawMessageType:
			dst.SetBytes(append([]byte(nil), shiftJSON(src.Bytes(), d)...))
		default:
			out := reflect.MakeSlice(src.Type(), src.Len(), src.Len())
			for i := range src.Len() {
				copyShifted(out.Index(i), src.Index(i), d)
			}
			dst.Set(out)
		}
	case reflect.Map:
		if src.IsNil() {
			return
		}
		out := reflect.MakeMapWithSize(src.Type(), src.Len())
		for it := src.MapRange(); it.Next(); {
			k, v := reflect.New(src.Type().Key()).Elem(), reflect.New(src.Type().Elem()).Elem()
			copyShifted(k, it.Key(), d)
			copyShifted(v, it.Value(), d)
			out.SetMapIndex(k, v)
		}
		dst.Set(out)
	case reflect.Pointer, reflect.Interface:
		if src.IsNil() {
			return
		}
		elem := src.Elem()
		v := reflect.New(elem.Type())
		copyShifted(v.Elem(), elem, d)
		if src.Kind() == reflect.Interface {
			dst.Set(v.Elem())
		} else {
			dst.Set(v)
		}
	case reflect.Struct:
		for i := range src.NumField() {
			copyShifted(dst.Field(i), src.Field(i), d)
		}
	default: // numbers and booleans
		dst.Set(src)
	}
}

// PolicySet returns the zone's policy set with that id, or nil.
func (z *ZoneData) PolicySet(id string) *caracal.PolicySet {
	for i := range z.PolicySets {
		if z.PolicySets[i].ID == id {
			return &z.PolicySets[i]
		}
	}
	return nil
}

// Policy returns the zone's policy with that id, or nil.
func (z *ZoneData) Policy(id string) *caracal.Policy {
	for i := range z.Policies {
		if z.Policies[i].ID == id {
			return &z.Policies[i]
		}
	}
	return nil
}

// Activation returns the stored activation status of a policy-set version, or nil.
func (z *ZoneData) Activation(policySetID, versionID string) *caracal.ActivationStatus {
	for i := range z.Activations {
		a := &z.Activations[i]
		if a.PolicySetID == policySetID && a.VersionID == versionID {
			return a
		}
	}
	return nil
}

// SetActivation adds or replaces the activation status of a policy-set version.
func (z *ZoneData) SetActivation(a caracal.ActivationStatus) {
	if p := z.Activation(a.PolicySetID, a.VersionID); p != nil {
		*p = a
		return
	}
	z.Activations = append(z.Activations, a)
}

// AddAudit appends audit rows (unredacted metadata) to the zone's table.
func (z *ZoneData) AddAudit(rows ...caracal.AuditRow) {
	z.Audit = append(z.Audit, rows...)
}
