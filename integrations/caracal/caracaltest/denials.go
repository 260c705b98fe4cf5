package caracaltest

import (
	"fmt"
	"time"
)

// AddDenials adds n denied requests to the world, as a burst of the same
// denial would leave them: each a copy of the audit rows of a scenario's
// request (by name or request ID) under a request ID of its own, so that
// `why` diagnoses each as the scenario. The k-th occurs at at + k*every
// (its rows as far apart as the scenario's, each ingested as late as its
// original). It returns the new request IDs, oldest first. A row added
// with an occurred_at older than rows already read is a late row.
func (w *World) AddDenials(scenario string, n int, at time.Time, every time.Duration) ([]string, error) {
	sc, ok := findScenario(Scenarios(), scenario)
	if !ok {
		return nil, fmt.Errorf("caracaltest: unknown scenario %q", scenario)
	}
	z := w.ZoneByID(sc.Zone)
	rows := traceRows(z, sc.ID)
	if len(rows) == 0 {
		return nil, fmt.Errorf("caracaltest: scenario %q has no audit rows to copy", sc.Name)
	}
	first := parseStamp(rows[0].OccurredAt)
	ids := make([]string, 0, n)
	for k := range n {
		start := at.Add(time.Duration(k) * every)
		salt := fmt.Sprintf("denials/%s/%d/%d", sc.Name, at.UnixNano(), k)
		id := uuid7At(start, salt)
		ids = append(ids, id)
		for i, r := range rows {
			occurred := start.Add(parseStamp(r.OccurredAt).Sub(first))
			c := r
			c.ID = uuid7At(occurred, fmt.Sprintf("%s/%d", salt, i))
			c.RequestID = strp(id)
			c.OccurredAt = ts(occurred)
			c.IngestedAt = ts(occurred.Add(parseStamp(r.IngestedAt).Sub(parseStamp(r.OccurredAt))))
			z.AddAudit(c)
		}
	}
	return ids, nil
}
