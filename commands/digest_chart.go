package commands

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"strings"
	"time"

	"github.com/caracal-bot/caracal-bot/chat"
)

// Chart geometry, in pixels.
const (
	chartBarWidth = 8
	chartHeight   = 120
	chartPad      = 10
	chartMinWidth = 240
)

// Chart colours: current window in red, the previous window behind it in
// grey, quarter grid lines and six-hour ticks in light grey.
func chartColours() (bg, grid, prev, cur color.RGBA) {
	return color.RGBA{0xff, 0xff, 0xff, 0xff}, color.RGBA{0xe3, 0xe3, 0xe3, 0xff},
		color.RGBA{0xbd, 0xbd, 0xbd, 0xff}, color.RGBA{0xd9, 0x3f, 0x3f, 0xff}
}

// denialChart draws denials per hour as a PNG bar chart, oldest hour on the
// left: the window's bars in red over the previous window's in grey, scaled
// to the tallest bar. It returns nil when there is nothing to draw.
func denialChart(cur, prev []int) []byte {
	peak := 0
	for _, n := range append(append([]int(nil), cur...), prev...) {
		peak = max(peak, n)
	}
	if len(cur) == 0 || peak == 0 {
		return nil
	}
	bg, grid, prevColour, curColour := chartColours()
	w := max(chartMinWidth, 2*chartPad+len(cur)*chartBarWidth)
	h := chartHeight + 2*chartPad
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	fill(img, img.Bounds(), bg)
	base := chartPad + chartHeight
	for q := 0; q <= 4; q++ {
		y := base - q*chartHeight/4
		fill(img, image.Rect(chartPad, y, w-chartPad, y+1), grid)
	}
	for i := 0; i < len(cur); i += 6 {
		x := chartPad + i*chartBarWidth
		fill(img, image.Rect(x, base, x+1, base+chartPad/2), grid)
	}
	bar := func(i, n, inset int, c color.RGBA) {
		if n <= 0 {
			return
		}
		top := base - int(math.Ceil(float64(n)*chartHeight/float64(peak)))
		x := chartPad + i*chartBarWidth
		fill(img, image.Rect(x+inset, top, x+chartBarWidth-1-inset, base), c)
	}
	for i := range cur {
		if i < len(prev) {
			bar(i, prev[i], 0, prevColour)
		}
		bar(i, cur[i], 1, curColour)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil
	}
	return buf.Bytes()
}

func fill(img *image.RGBA, r image.Rectangle, c color.RGBA) {
	r = r.Intersect(img.Bounds())
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			img.SetRGBA(x, y, c)
		}
	}
}

// hourlyTotals adds the zones' denials per hour, for the window and the
// previous window.
func hourlyTotals(rep *DigestReport) (cur, prev []int) {
	add := func(dst []int, src []int) []int {
		for len(dst) < len(src) {
			dst = append(dst, 0)
		}
		for i, n := range src {
			dst[i] += n
		}
		return dst
	}
	for _, z := range rep.Zones {
		if z.Denials != nil {
			cur = add(cur, z.Denials.Hourly)
		}
		if z.Previous != nil {
			prev = add(prev, z.Previous.Hourly)
		}
	}
	return cur, prev
}

// denialTotals adds the zones' denied requests; ok is false when a zone's
// count could not be read.
func denialTotals(rep *DigestReport) (cur, prev int, curOK, prevOK, curPartial bool) {
	curOK, prevOK = len(rep.Zones) > 0, len(rep.Zones) > 0
	for _, z := range rep.Zones {
		if z.Denials == nil {
			curOK = false
		} else {
			cur += z.Denials.Requests
			curPartial = curPartial || z.Denials.Truncated
		}
		if z.Previous == nil || z.Previous.Truncated {
			prevOK = false // a partly read window is no base for a change
		} else {
			prev += z.Previous.Requests
		}
	}
	return cur, prev, curOK, prevOK && !curPartial, curPartial
}

func zoneIDs(rep *DigestReport) []string {
	out := make([]string, 0, len(rep.Zones))
	for _, z := range rep.Zones {
		out = append(out, z.ZoneID)
	}
	return out
}

// change renders the change from prev to cur: "+30%", "-12%", "±0%", "new"
// (nothing before) or "±0" (nothing either time).
func change(cur, prev int) string {
	switch {
	case prev == 0 && cur == 0:
		return "±0"
	case prev == 0:
		return "new"
	}
	pct := int(math.Round(float64(cur-prev) * 100 / float64(prev)))
	switch {
	case pct > 0:
		return fmt.Sprintf("+%d%%", pct)
	case pct < 0:
		return fmt.Sprintf("%d%%", pct)
	}
	return "±0%"
}

// plural renders "1 denial", "2 denials", "3 policy sets".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

func markIf(bad bool) string {
	if bad {
		return chat.MarkWarn
	}
	return chat.MarkPass
}

// shortDuration renders a duration to the minute: "45m", "24h", "3d4h12m".
func shortDuration(d time.Duration) string {
	d = d.Round(time.Minute)
	if d < time.Minute {
		return "0m"
	}
	var b strings.Builder
	if d >= 48*time.Hour {
		fmt.Fprintf(&b, "%dd", d/(24*time.Hour))
		d %= 24 * time.Hour
	}
	if h := d / time.Hour; h > 0 {
		fmt.Fprintf(&b, "%dh", h)
	}
	if m := (d % time.Hour) / time.Minute; m > 0 {
		fmt.Fprintf(&b, "%dm", m)
	}
	if b.Len() == 0 {
		return "0m"
	}
	return b.String()
}
