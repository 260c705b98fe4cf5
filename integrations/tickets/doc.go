package tickets

// Doc is a ticket's text as structure: the bot's own formatting (headings,
// lists, bold labels, code spans, links) kept apart from the values it
// echoes (Caracal names, IDs, verdicts, user names), so that each system's
// renderer writes the formatting in its markup and escapes every value for
// it (see Markdown and JiraWiki). Nothing in a Doc is markup.
type Doc struct {
	Blocks []Block `json:"blocks"`
}

// Block kinds.
const (
	BlockHeading   = "heading"
	BlockParagraph = "paragraph"
	BlockBullet    = "bullet"
	BlockNumbered  = "numbered"
	BlockRule      = "rule"
)

// Block is one line of a Doc: a heading, a paragraph, a list item or a
// horizontal rule.
type Block struct {
	Kind string `json:"kind"`
	// Level is a heading's level (1 to 6).
	Level int `json:"level,omitempty"`
	// N is a numbered item's number.
	N     int    `json:"n,omitempty"`
	Spans []Span `json:"spans,omitempty"`
}

// Span kinds; plain text has none.
const (
	SpanStrong = "strong"
	SpanCode   = "code"
	SpanLink   = "link"
)

// Span is a run of text within a block. Its Text is always literal: the
// renderers fold it to one line and escape it.
type Span struct {
	Kind string `json:"kind,omitempty"`
	Text string `json:"text"`
	// URL is a link's target; only absolute http(s) URLs become links.
	URL string `json:"url,omitempty"`
}

// Text is literal text.
func Text(s string) Span { return Span{Text: s} }

// Strong is literal text in bold.
func Strong(s string) Span { return Span{Kind: SpanStrong, Text: s} }

// Code is literal text in monospace (identifiers).
func Code(s string) Span { return Span{Kind: SpanCode, Text: s} }

// Link is literal text linking to url; a url that is not http(s) leaves
// the text alone.
func Link(text, url string) Span { return Span{Kind: SpanLink, Text: text, URL: url} }

// Heading adds a heading of level 1 to 6 (renderers clamp other levels).
func (d *Doc) Heading(level int, spans ...Span) {
	d.Blocks = append(d.Blocks, Block{Kind: BlockHeading, Level: level, Spans: spans})
}

// Paragraph adds a paragraph.
func (d *Doc) Paragraph(spans ...Span) {
	d.Blocks = append(d.Blocks, Block{Kind: BlockParagraph, Spans: spans})
}

// Bullet adds a bulleted list item.
func (d *Doc) Bullet(spans ...Span) {
	d.Blocks = append(d.Blocks, Block{Kind: BlockBullet, Spans: spans})
}

// Numbered adds a numbered list item.
func (d *Doc) Numbered(n int, spans ...Span) {
	d.Blocks = append(d.Blocks, Block{Kind: BlockNumbered, N: n, Spans: spans})
}

// Rule adds a horizontal rule.
func (d *Doc) Rule() { d.Blocks = append(d.Blocks, Block{Kind: BlockRule}) }

// Append adds the blocks of other.
func (d *Doc) Append(other Doc) { d.Blocks = append(d.Blocks, other.Blocks...) }

// Empty reports whether the Doc has no blocks.
func (d Doc) Empty() bool { return len(d.Blocks) == 0 }

// mapText returns a copy of d with f applied to every span's text and URL
// (the Service scrubs secrets with it).
func (d Doc) mapText(f func(string) string) Doc {
	out := Doc{Blocks: make([]Block, len(d.Blocks))}
	for i, b := range d.Blocks {
		b.Spans = append([]Span(nil), b.Spans...)
		for j := range b.Spans {
			b.Spans[j].Text, b.Spans[j].URL = f(b.Spans[j].Text), f(b.Spans[j].URL)
		}
		out.Blocks[i] = b
	}
	return out
}
