package diagnose

import (
	"cmp"
	"slices"
	"strings"
)

// Surface names the part of Caracal that failed: a token of ROUTER.md
// "Surfaces and causes". Surfaces are a public contract.
type Surface string

// The surfaces of ROUTER.md, in its order.
const (
	SurfaceInfrastructure     Surface = "infrastructure"
	SurfaceSTSPolicy          Surface = "sts_policy"
	SurfaceGatewayVerifier    Surface = "gateway_verifier"
	SurfaceResourceDefinition Surface = "resource_definition"
	SurfaceConfig             Surface = "config"
	SurfaceApproval           Surface = "approval"
	SurfaceAuditPipeline      Surface = "audit_pipeline"
	SurfaceRevocation         Surface = "revocation"
	SurfaceAuthentication     Surface = "authentication"
	SurfaceNone               Surface = "none"
	SurfaceUnknown            Surface = "unknown"
)

// Surfaces lists every surface, in ROUTER.md's order.
func Surfaces() []Surface {
	return []Surface{SurfaceInfrastructure, SurfaceSTSPolicy, SurfaceGatewayVerifier, SurfaceResourceDefinition,
		SurfaceConfig, SurfaceApproval, SurfaceAuditPipeline, SurfaceRevocation, SurfaceAuthentication, SurfaceNone, SurfaceUnknown}
}

// Cause is a stable cause token: scripts branch on it. Every token is the
// Cause of one registry entry (see Causes), except the values Caracal
// itself writes that the two open entries pass through.
type Cause string

// Entry is everything the bot knows about one cause: its token and
// surface, the ROUTER.md rows that conclude it, the verdict, the next
// actions and what it says about the steps of the walk.
type Entry struct {
	Cause   Cause
	Surface Surface
	// Rules are the ROUTER.md rows that conclude this cause (most causes
	// have one), each with its condition over the evidence.
	Rules []Rule
	// Verdict is the sentence a person reads first, naming the object at fault.
	Verdict func(ev *Evidence) string
	// Actions are the ordered fixes, each with the docs page that covers it.
	Actions []NextAction
	// Steps are what the cause says about steps of the walk (see StepNote).
	Steps []StepNote
	// Open is set on the entries whose token is the value Caracal wrote
	// (ROUTER.md rows 4 and 10); Cause then says in angle brackets where
	// that value comes from. Open reads it. When it is another entry's token,
	// that entry's actions and step notes apply, never the catch-all's:
	// unknown from an open entry means Caracal wrote no value.
	Open func(ev *Evidence) Cause
}

// Rule is one ROUTER.md row that concludes a cause.
type Rule struct {
	Row int
	// When is the row's condition in words.
	When string
	// Match reports whether the evidence meets the condition. Rules run in
	// row order, and in registry order within a row; the first that
	// matches decides, so Match may assume that every earlier rule failed.
	Match func(ev *Evidence) bool
}

// DocPage is a page of the Caracal docs (ROUTER.md "Docs pages for next
// actions"), relative to the docs base.
type DocPage string

// The docs pages next actions link to.
const (
	DocTroubleshooting DocPage = "/operations/troubleshooting/"
	DocDebugging       DocPage = "/operations/debugging/"
	DocObservability   DocPage = "/operations/observability/"
	DocRedis           DocPage = "/operations/redis/"
	DocErrors          DocPage = "/reference/errors/"
	DocAuthorize       DocPage = "/guides/authorize-access/"
	DocPolicy          DocPage = "/concepts/policy/"
	DocAuthorPolicy    DocPage = "/guides/author-policy/"
	DocResourceGrant   DocPage = "/concepts/resource-grant/"
	DocActivate        DocPage = "/guides/activate-policy-set/"
	DocGateway         DocPage = "/api/gateway/"
	DocRevocation      DocPage = "/concepts/sessions-revocation/"
	DocApproval        DocPage = "/guides/human-approval/"
	DocAuditLedger     DocPage = "/concepts/audit-ledger/"
	DocConsoleObs      DocPage = "/runtime-console/observability/"
	DocFAQ             DocPage = "/reference/faq/"
)

// DocPages lists every docs page next actions may link to.
func DocPages() []DocPage {
	return []DocPage{DocTroubleshooting, DocDebugging, DocObservability, DocRedis, DocErrors, DocAuthorize, DocPolicy,
		DocAuthorPolicy, DocResourceGrant, DocActivate, DocGateway, DocRevocation, DocApproval, DocAuditLedger, DocConsoleObs, DocFAQ}
}

// NextAction is a fix with the docs page that covers it. Its text may name
// the diagnosed zone as {{zone}}, the request as {{request}} and the cause
// as {{cause}}.
type NextAction struct {
	Text string
	Page DocPage
	// When, if set, limits the action to the evidence it holds for (a fix
	// for one shape of the cause, a question not yet answered).
	When func(ev *Evidence) bool
}

// StepNote is what a cause says about one step of the walk (1–8). Each step
// reads its note where it ranks it: steps 5 and 6 before the evidence,
// step 4 after a policy deny row of the trace.
type StepNote struct {
	Step   int
	Status StepStatus
	Detail string
}

// failsStep notes that a cause fails step n, naming the cause.
func failsStep(n int, c Cause) StepNote {
	return StepNote{Step: n, Status: StepFail, Detail: string(c)}
}

// finding is what the registry concludes from the evidence.
type finding struct {
	Surface Surface
	Cause   Cause
	Verdict string
	// entry holds the actions and step notes that apply: the concluding
	// entry's, or those of the entry an open token names.
	entry Entry
}

// note returns the finding's note on step n.
func (f finding) note(n int) (StepNote, bool) {
	i := slices.IndexFunc(f.entry.Steps, func(s StepNote) bool { return s.Step == n })
	if i < 0 {
		return StepNote{}, false
	}
	return f.entry.Steps[i], true
}

// Conclusion is a rule of the registry with the entry it concludes.
type Conclusion struct {
	Rule
	Entry Entry
}

// Conclusions lists the rules of the registry in the order they run: by
// ROUTER.md row, and in registry order within a row.
func Conclusions() []Conclusion { return conclusions(Causes()) }

func conclusions(causes []Entry) []Conclusion {
	var out []Conclusion
	for _, e := range causes {
		for _, r := range e.Rules {
			out = append(out, Conclusion{Rule: r, Entry: e})
		}
	}
	slices.SortStableFunc(out, func(a, b Conclusion) int { return cmp.Compare(a.Row, b.Row) })
	return out
}

// decide runs the registry's rules in order and returns the finding of the
// first that matches, with its ROUTER.md row. The last rule (row 22)
// matches any evidence.
func decide(ev *Evidence) (finding, int) {
	causes := Causes()
	rules := conclusions(causes)
	r := rules[slices.IndexFunc(rules, func(r Conclusion) bool { return r.Match(ev) })]
	f := finding{Surface: r.Entry.Surface, Cause: r.Entry.Cause, Verdict: r.Entry.Verdict(ev), entry: r.Entry}
	if r.Entry.Open != nil {
		f.Cause = r.Entry.Open(ev)
		if named, ok := closedEntry(causes, f.Cause); ok {
			f.entry = named
		}
	}
	return f, r.Row
}

// closedEntry finds the entry of a token that is not open and not the
// catch-all.
func closedEntry(causes []Entry, c Cause) (Entry, bool) {
	i := slices.IndexFunc(causes, func(e Entry) bool { return e.Cause == c && e.Open == nil && c != CauseUnknown })
	if i < 0 {
		return Entry{}, false
	}
	return causes[i], true
}

// nextActions returns the finding's fixes with absolute docs links.
func nextActions(ev *Evidence, f finding, docsBase string) []Action {
	base := strings.TrimRight(docsBase, "/")
	fill := strings.NewReplacer("{{zone}}", ev.DiagnosisZone(), "{{request}}", ev.Query.RequestID, "{{cause}}", string(f.Cause))
	out := make([]Action, 0, len(f.entry.Actions))
	for _, a := range f.entry.Actions {
		if a.When == nil || a.When(ev) {
			out = append(out, Action{Text: fill.Replace(a.Text), Doc: base + string(a.Page)})
		}
	}
	return out
}
