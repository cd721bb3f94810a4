package main

import (
	"image/color"
	"os"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgsvg"
)

var (
	proxyColor    = color.RGBA{R: 0x2b, G: 0x6c, B: 0xb0, A: 0xff}
	baselineColor = color.RGBA{R: 0xa0, G: 0xa0, B: 0xa0, A: 0xff}
	targetColor   = color.RGBA{R: 0xc0, G: 0x30, B: 0x30, A: 0xff}
)

// chart draws the ratios of every scenario against its targets, and the
// p50 and p99 latencies of aposproxy and its first baseline, one above
// the other in one SVG. Bars run across, one row per comparison, so that
// every name has a line of its own however many scenarios there are.
func (s *suite) chart(path string) error {
	ratios, nRatios, err := s.ratioPlot()
	if err != nil {
		return err
	}
	lat, err := s.latencyPlot()
	if err != nil {
		return err
	}
	// Each plot's height follows its rows, plus room for its title and
	// axis.
	hRatios := vg.Points(float64(60 + rowHeight*nRatios))
	hLat := vg.Points(float64(60 + 2*rowHeight*len(s.results)))
	img := vgsvg.New(vg.Points(900), hRatios+hLat+vg.Points(20))
	c := draw.New(img)
	top := draw.Crop(c, 0, 0, hLat+vg.Points(20), 0)
	bottom := draw.Crop(c, 0, 0, 0, -(hRatios + vg.Points(20)))
	ratios.Draw(draw.Crop(top, vg.Points(10), -vg.Points(10), vg.Points(10), -vg.Points(10)))
	lat.Draw(draw.Crop(bottom, vg.Points(10), -vg.Points(10), vg.Points(10), -vg.Points(10)))
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := img.WriteTo(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// rowHeight is the height of one bar's row, in points.
const rowHeight = 22

// ratioPlot has one bar per scenario and baseline, with its target as a
// red tick, and returns how many bars it has.
func (s *suite) ratioPlot() (*plot.Plot, int, error) {
	p := plot.New()
	p.Title.Text = "aposproxy throughput / baseline (median of rounds); red: the target"
	p.X.Label.Text = "ratio"
	p.X.Min = 0
	var vals plotter.Values
	var names []string
	var ticks plotter.XYs
	// From the last to the first, the first on top.
	for i := len(s.results) - 1; i >= 0; i-- {
		r := s.results[i]
		for j := len(r.systems) - 1; j >= 1; j-- {
			for _, g := range r.goals {
				if g.vs == j {
					y := float64(len(vals))
					ticks = append(ticks, plotter.XY{X: g.min, Y: y - 0.4}, plotter.XY{X: g.min, Y: y + 0.4})
				}
			}
			vals = append(vals, r.ratio(0, j))
			names = append(names, r.name+" vs "+r.systems[j])
		}
	}
	if len(vals) == 0 {
		return p, 0, nil
	}
	bars, err := plotter.NewBarChart(vals, vg.Points(rowHeight*0.7))
	if err != nil {
		return nil, 0, err
	}
	bars.Horizontal = true
	bars.Color = proxyColor
	p.Add(bars)
	for i := 0; i+1 < len(ticks); i += 2 {
		l, err := plotter.NewLine(ticks[i : i+2])
		if err != nil {
			return nil, 0, err
		}
		l.Color, l.Width = targetColor, vg.Points(2)
		p.Add(l)
	}
	p.Add(plotter.NewGrid())
	p.NominalY(names...)
	p.Y.Tick.Label.Font.Size = vg.Points(8)
	return p, len(vals), nil
}

// latencyPlot groups the p50 and p99 of aposproxy and of the first
// baseline for each scenario.
func (s *suite) latencyPlot() (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = "latency, closed loop (median of rounds)"
	p.X.Label.Text = "ms"
	var names []string
	series := []struct {
		name   string
		sys    int
		f      func(sample) float64
		color  color.Color
		offset float64
	}{
		{"aposproxy p50", 0, p50, proxyColor, 1.5}, {"aposproxy p99", 0, p99, proxyColor, 0.5},
		{"baseline p50", 1, p50, baselineColor, -0.5}, {"baseline p99", 1, p99, baselineColor, -1.5},
	}
	w := vg.Points(rowHeight * 2 * 0.8 / 4)
	for k, se := range series {
		var vals plotter.Values
		for i := len(s.results) - 1; i >= 0; i-- { // the first on top
			r := s.results[i]
			vals = append(vals, r.column(se.sys, se.f))
			if k == 0 {
				names = append(names, r.name+" (vs "+r.systems[1]+")")
			}
		}
		if len(vals) == 0 {
			return p, nil
		}
		bars, err := plotter.NewBarChart(vals, w)
		if err != nil {
			return nil, err
		}
		bars.Horizontal = true
		bars.Color = se.color
		if k%2 == 1 {
			bars.Color = darker(se.color)
		}
		bars.Offset = vg.Length(se.offset) * w
		p.Add(bars)
		p.Legend.Add(se.name, bars)
	}
	// The legend at the top right, beside the longest bar rather than on it.
	p.Legend.Top = true
	p.Legend.TextStyle.Font.Size = vg.Points(8)
	p.Add(plotter.NewGrid())
	p.NominalY(names...)
	p.Y.Tick.Label.Font.Size = vg.Points(8)
	p.X.Max *= 1.25
	return p, nil
}

// darker is c at two thirds of its brightness.
func darker(c color.Color) color.Color {
	r, g, b, a := c.RGBA()
	return color.RGBA64{R: uint16(r * 2 / 3), G: uint16(g * 2 / 3), B: uint16(b * 2 / 3), A: uint16(a)}
}
