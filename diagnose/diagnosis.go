package diagnose

// StepStatus is the outcome of one of the eight checks of the denied-call walk.
type StepStatus string

// Step statuses.
const (
	StepPass StepStatus = "pass"
	StepFail StepStatus = "fail"
	StepWarn StepStatus = "warn"
	StepSkip StepStatus = "skip"
)

// The eight steps of Caracal's denied-call walk, in order (ROUTER.md "Output").
var stepNames = [8]string{
	"runtime healthy",
	"configuration",
	"request trace",
	"grant and policy",
	"policy-set activation",
	"requested scopes",
	"Gateway route or verifier",
	"audit trace",
}

// Step is one check of the walk with its outcome.
type Step struct {
	N      int        `json:"n"`
	Name   string     `json:"name"`
	Status StepStatus `json:"status"`
	Detail string     `json:"detail"`
}

// Fact is one piece of evidence the diagnosis used, with the endpoint it came from.
type Fact struct {
	Name   string `json:"name"`
	Value  string `json:"value"`
	Source string `json:"source"`
}

// Action is one concrete next step with the Caracal docs page that covers it.
type Action struct {
	Text string `json:"text"`
	Doc  string `json:"doc"`
}

// Missing names evidence that could not be fetched and why.
type Missing struct {
	What   string `json:"what"`
	Source string `json:"source"`
	Reason string `json:"reason"`
}

// Diagnosis is the router's answer. Its JSON form is the stable contract of
// `why --format json`: exactly these keys.
type Diagnosis struct {
	RequestID       string    `json:"request_id"`
	ZoneID          string    `json:"zone_id"`
	Surface         Surface   `json:"surface"`
	Cause           Cause     `json:"cause"`
	Verdict         string    `json:"verdict"`
	Decision        string    `json:"decision"`
	Steps           []Step    `json:"steps"`
	Evidence        []Fact    `json:"evidence"`
	NextActions     []Action  `json:"next_actions"`
	MissingEvidence []Missing `json:"missing_evidence"`
}

// Severity grades a diagnosis for display: how urgent the channel should read it.
type Severity string

// Severities, from calm to urgent.
const (
	SeverityOK      Severity = "ok"
	SeverityInfo    Severity = "info"
	SeverityWarning Severity = "warning"
	SeverityError   Severity = "error"
	SeverityOutage  Severity = "outage"
)

// Severity grades the diagnosis: an outage for infrastructure surfaces, ok for
// an allowed request, info when nothing could be decided, an error otherwise.
func (d *Diagnosis) Severity() Severity {
	switch d.Surface {
	case SurfaceInfrastructure:
		return SeverityOutage
	case SurfaceNone:
		return SeverityOK
	case SurfaceUnknown:
		return SeverityInfo
	case SurfaceApproval, SurfaceAuditPipeline:
		return SeverityWarning
	default:
		return SeverityError
	}
}
