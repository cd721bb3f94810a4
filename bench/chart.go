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
// p50 and p99 latencies of aposproxy and its first baseline, side by side
// in one SVG.
func (s *suite) chart(path string) error {
	ratios, err := s.ratioPlot()
	if err != nil {
		return err
	}
	lat, err := s.latencyPlot()
	if err != nil {
		return err
	}
	img := vgsvg.New(vg.Points(1100), vg.Points(420))
	tiles := draw.Tiles{Rows: 1, Cols: 2, PadX: vg.Points(30), PadTop: vg.Points(10), PadBottom: vg.Points(10),
		PadLeft: vg.Points(10), PadRight: vg.Points(10)}
	plots := [][]*plot.Plot{{ratios, lat}}
	canvases := plot.Align(plots, tiles, draw.New(img))
	ratios.Draw(canvases[0][0])
	lat.Draw(canvases[0][1])
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

// ratioPlot has one bar per scenario and baseline, with its target as a
// red tick.
func (s *suite) ratioPlot() (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = "aposproxy throughput / baseline (median of rounds)"
	p.Y.Label.Text = "ratio"
	p.Y.Min = 0
	var vals plotter.Values
	var names []string
	var ticks plotter.XYs
	for _, r := range s.results {
		for j := 1; j < len(r.systems); j++ {
			for _, g := range r.goals {
				if g.vs == j {
					x := float64(len(vals))
					ticks = append(ticks, plotter.XY{X: x - 0.35, Y: g.min}, plotter.XY{X: x + 0.35, Y: g.min})
				}
			}
			vals = append(vals, r.ratio(0, j))
			names = append(names, r.name+"\nvs "+r.systems[j])
		}
	}
	if len(vals) == 0 {
		return p, nil
	}
	bars, err := plotter.NewBarChart(vals, vg.Points(28))
	if err != nil {
		return nil, err
	}
	bars.Color = proxyColor
	p.Add(bars)
	for i := 0; i+1 < len(ticks); i += 2 {
		l, err := plotter.NewLine(ticks[i : i+2])
		if err != nil {
			return nil, err
		}
		l.Color, l.Width = targetColor, vg.Points(2)
		p.Add(l)
	}
	p.Add(plotter.NewGrid())
	p.NominalX(names...)
	p.X.Tick.Label.Font.Size = vg.Points(7)
	return p, nil
}

// latencyPlot groups the p50 and p99 of aposproxy and of the first
// baseline for each scenario.
func (s *suite) latencyPlot() (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = "latency, closed loop (median of rounds)"
	p.Y.Label.Text = "ms"
	var names []string
	series := []struct {
		name   string
		sys    int
		f      func(sample) float64
		color  color.Color
		offset float64
	}{
		{"aposproxy p50", 0, p50, proxyColor, -1.5}, {"aposproxy p99", 0, p99, proxyColor, -0.5},
		{"baseline p50", 1, p50, baselineColor, 0.5}, {"baseline p99", 1, p99, baselineColor, 1.5},
	}
	w := vg.Points(9)
	for k, se := range series {
		var vals plotter.Values
		for _, r := range s.results {
			vals = append(vals, r.column(se.sys, se.f))
			if k == 0 {
				names = append(names, r.name)
			}
		}
		if len(vals) == 0 {
			return p, nil
		}
		bars, err := plotter.NewBarChart(vals, w)
		if err != nil {
			return nil, err
		}
		bars.Color = se.color
		if k%2 == 1 {
			bars.Color = darker(se.color)
		}
		bars.Offset = vg.Length(se.offset) * w
		p.Add(bars)
		p.Legend.Add(se.name, bars)
	}
	p.Legend.Top = true
	p.Add(plotter.NewGrid())
	p.NominalX(names...)
	p.X.Tick.Label.Font.Size = vg.Points(7)
	return p, nil
}

// darker is c at two thirds of its brightness.
func darker(c color.Color) color.Color {
	r, g, b, a := c.RGBA()
	return color.RGBA64{R: uint16(r * 2 / 3), G: uint16(g * 2 / 3), B: uint16(b * 2 / 3), A: uint16(a)}
}
