package caracaltest

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/caracal-bot/caracal-bot/integrations/caracal"
)

// decodeFixture decodes an embedded fixture into a wire model, refusing
// fields the model does not know: the world starts from the contract's own
// shapes, field for field. The fixtures are compiled in, so a failure is a
// programming error.
func decodeFixture[T any](name string) T {
	var v T
	raw, err := Fixture(name)
	if err != nil {
		panic(fmt.Sprintf("caracaltest: fixture %s: %v", name, err))
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&v); err != nil {
		panic(fmt.Sprintf("caracaltest: fixture %s does not decode into %T: %v", name, v, err))
	}
	return v
}

// fixtureReply is a fixture served verbatim (compacted) with a status.
func fixtureReply(status int, name string) *Reply {
	raw, err := Fixture(name)
	if err != nil {
		panic(fmt.Sprintf("caracaltest: fixture %s: %v", name, err))
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, raw); err != nil {
		panic(fmt.Sprintf("caracaltest: fixture %s: %v", name, err))
	}
	return &Reply{Status: status, Body: buf.Bytes()}
}

// jsonReply builds a Reply from a value.
func jsonReply(status int, v any) *Reply {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("caracaltest: reply: %v", err))
	}
	return &Reply{Status: status, Body: b}
}

// goNotReady is a Go service's failed readiness body (keys sorted, as Go
// encodes maps).
func goNotReady(reason string) *Reply {
	return jsonReply(503, map[string]any{"ok": false, "ready": false, "reason": reason})
}

// fixtureTrace loads the rows of an explain fixture as stored audit rows:
// the metadata is un-redacted with the values the fixture's own
// policy_input shows (session_id is the only redacted key in the fixtures),
// or with sid for rows the fixture has no policy_input for.
func fixtureTrace(name, sid string) []caracal.AuditRow {
	ex := decodeFixture[caracal.Explain](name)
	raw := map[string]string{}
	for _, d := range ex.Denied {
		var in struct {
			Context struct {
				SessionID *string `json:"session_id"`
			} `json:"context"`
		}
		if err := json.Unmarshal(d.PolicyInput, &in); err == nil && in.Context.SessionID != nil {
			raw[d.EventID] = *in.Context.SessionID
		}
	}
	rows := ex.Events
	for i := range rows {
		v, ok := raw[rows[i].ID]
		if !ok {
			v = sid
		}
		unredact(rows[i].MetadataJSON, v)
	}
	return rows
}

// unredact restores the authority record id in metadata read back redacted.
func unredact(md map[string]any, sessionID string) {
	if md == nil {
		return
	}
	if s, ok := md["session_id"].(string); ok && s == redacted {
		md["session_id"] = sessionID
	}
}

func strp(s string) *string { return &s }

func boolp(b bool) *bool { return &b }
