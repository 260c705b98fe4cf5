package commands

import (
	"bytes"
	"image/png"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDigestFormatting(t *testing.T) {
	for _, tc := range []struct {
		cur, prev int
		want      string
	}{{42, 32, "+31%"}, {13, 10, "+30%"}, {5, 10, "-50%"}, {7, 7, "±0%"}, {3, 0, "new"}, {0, 0, "±0"}, {0, 4, "-100%"}} {
		assert.Equal(t, tc.want, change(tc.cur, tc.prev), "%d vs %d", tc.cur, tc.prev)
	}
	assert.Equal(t, "1 denial", plural(1, "denial"))
	assert.Equal(t, "0 warnings", plural(0, "warning"))
	for d, want := range map[time.Duration]string{
		20 * time.Second: "0m", 45 * time.Minute: "45m", 24 * time.Hour: "24h", 90 * time.Minute: "1h30m",
		76*time.Hour + 12*time.Minute: "3d4h12m", 48 * time.Hour: "2d",
	} {
		assert.Equal(t, want, shortDuration(d), d.String())
	}
	assert.Equal(t, "Admin API", serviceName("api"))
	assert.Equal(t, "Gateway", serviceName("gateway"))
}

func TestDenialChart(t *testing.T) {
	assert.Nil(t, denialChart(make([]int, 24), make([]int, 24)), "nothing to draw")
	assert.Nil(t, denialChart(nil, nil))
	data := denialChart(append(make([]int, 167), 9), []int{4})
	require.NotNil(t, data)
	img, err := png.Decode(bytes.NewReader(data))
	require.NoError(t, err)
	assert.Equal(t, 2*chartPad+168*chartBarWidth, img.Bounds().Dx(), "one bar per hour of a 7-day window")
	assert.Equal(t, chartHeight+2*chartPad, img.Bounds().Dy())
	_, _, _, cur := chartColours()
	r, g, b, _ := img.At(chartPad+167*chartBarWidth+2, chartPad+1).RGBA()
	assert.Equal(t, [3]uint32{uint32(cur.R) * 0x101, uint32(cur.G) * 0x101, uint32(cur.B) * 0x101}, [3]uint32{r, g, b}, "the tallest bar reaches the top")
}
