package tickets

// Request asks for the ticket of one diagnosis.
type Request struct {
	// System is the ticket system; "" means the default.
	System    string
	Zone      string
	RequestID string
	// RulesetVersion goes into the key; "" means the Service's.
	RulesetVersion string
	// Ticket is what to file; Submit sets its Key and adds the labels.
	Ticket Ticket
	// DiagnosisHash fingerprints the diagnosis (see DiagnosisHash).
	DiagnosisHash string
	// Comment is posted on the existing ticket when the diagnosis changed.
	Comment Doc
}

// Outcome says what Submit did. Exactly one of Created, Existing, Pending
// and Spooled is true.
type Outcome struct {
	Key string
	// Ref is the ticket (Created or Existing).
	Ref Ref
	// Created: a new ticket was filed. Existing: the key already had one;
	// Commented: and the changed diagnosis was added to it as a comment.
	Created, Existing, Commented bool
	// Pending: another click is creating the ticket right now.
	Pending bool
	// Spooled: the ticket system failed; the request waits in SpoolFile.
	Spooled   bool
	SpoolFile string
	// Err is why the ticket was spooled, or why the comment failed.
	Err error
	// Warning is a partial failure, e.g. the bundle could not be attached.
	Warning string
	// KeptBundle is the spool copy of a bundle the system cannot hold.
	KeptBundle string
}
