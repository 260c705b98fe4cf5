package caracaltest

// Planting values where the bot reads them. Red-team tests put secrets in
// Caracal's own data (audit metadata, names, readiness reasons) to prove
// that nothing the bot reads from Caracal leaves it unredacted.

// MergeMetadata sets every key of md in the metadata of each audit row of
// requestID in zone (a key already there takes the new value), and returns
// how many rows changed: 0 when the zone or the request is unknown. Reads
// redact the metadata as the Admin API does, so a value under a key Caracal
// itself redacts (token, password, ...) never reaches the bot.
func (w *World) MergeMetadata(zone, requestID string, md map[string]any) int {
	z := w.ZoneByID(zone)
	if z == nil {
		return 0
	}
	n := 0
	for i := range z.Audit {
		r := &z.Audit[i]
		if r.RequestID == nil || *r.RequestID != requestID {
			continue
		}
		if r.MetadataJSON == nil {
			r.MetadataJSON = map[string]any{}
		}
		for k, v := range md {
			r.MetadataJSON[k] = v
		}
		n++
	}
	return n
}

// NotReady is the /ready answer of a Go service (STS, Gateway, Audit) that
// is not ready for reason: 503 {"ok":false,"ready":false,"reason":reason}.
// Install it as a ServiceState's Ready.
func NotReady(reason string) *Reply { return goNotReady(reason) }
