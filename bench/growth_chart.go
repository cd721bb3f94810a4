package main

import (
	"image/color"
	"math"
	"os"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgsvg"
)

// growthChart draws one panel per engine: each curve's median time against
// x, both axes logarithmic, so that a linear cost is a line of slope 1
// and a flat one is level.
func growthChart(path string, engines []*growthEngine, title, xLabel string, curves func(*growthEngine) []*growthCurve) error {
	var panels []*plot.Plot
	for _, e := range engines {
		cs := curves(e)
		if len(cs) == 0 {
			continue
		}
		p := plot.New()
		p.Title.Text = e.label + ": " + title
		p.X.Label.Text, p.Y.Label.Text = xLabel, "ms per request (median)"
		p.X.Scale, p.Y.Scale = plot.LogScale{}, plot.LogScale{}
		p.X.Tick.Marker, p.Y.Tick.Marker = plot.LogTicks{Prec: -1}, plot.LogTicks{Prec: -1}
		p.Add(plotter.NewGrid())
		for i, c := range cs {
			var xys plotter.XYs
			for _, pt := range c.points {
				// A log axis takes no zero: a sub-microsecond time is
				// drawn at the floor.
				xys = append(xys, plotter.XY{X: float64(pt.x), Y: math.Max(pt.ms, 0.01)})
			}
			if len(xys) == 0 {
				continue
			}
			l, pts, err := plotter.NewLinePoints(xys)
			if err != nil {
				return err
			}
			l.Color, pts.Color = plotutil.Color(i), plotutil.Color(i)
			l.Dashes = plotutil.Dashes(i / 7)
			pts.Shape = plotutil.Shape(i)
			p.Add(l, pts)
			p.Legend.Add(c.name, l, pts)
		}
		p.Legend.Top, p.Legend.Left = true, true
		p.Legend.TextStyle.Font.Size = vg.Points(8)
		panels = append(panels, p)
	}
	if len(panels) == 0 {
		return nil
	}
	return writePanels(path, panels, 560, 460)
}

// countChart draws, per engine and index, the page statement and the
// count statement of a list of 10 at the largest table, alone.
func countChart(path string, engines []*growthEngine) error {
	p := plot.New()
	p.Title.Text = "list of 10 at the largest table: page vs total count (statements alone)"
	p.Y.Label.Text = "ms (median)"
	var names []string
	var page, count plotter.Values
	for _, e := range engines {
		for _, c := range e.count {
			label := e.label + "\nno order index"
			if c.index != "" && c.index[0] == '`' {
				label = e.label + "\nwith order index"
			}
			names = append(names, label)
			page, count = append(page, c.pageStmt.ms), append(count, c.countStmt.ms)
		}
	}
	if len(names) == 0 {
		return nil
	}
	w := vg.Points(24)
	for i, v := range []struct {
		name string
		vals plotter.Values
		c    color.Color
	}{{"page statement", page, proxyColor}, {"count statement", count, targetColor}} {
		bars, err := plotter.NewBarChart(v.vals, w)
		if err != nil {
			return err
		}
		bars.Color = v.c
		bars.Offset = vg.Length(float64(i)-0.5) * w
		p.Add(bars)
		p.Legend.Add(v.name, bars)
	}
	p.Legend.Top = true
	p.Add(plotter.NewGrid())
	p.NominalX(names...)
	return writePanels(path, []*plot.Plot{p}, 700, 380)
}

// writePanels lays the plots out side by side in one SVG.
func writePanels(path string, panels []*plot.Plot, w, h float64) error {
	img := vgsvg.New(vg.Points(w*float64(len(panels))), vg.Points(h))
	tiles := draw.Tiles{Rows: 1, Cols: len(panels), PadX: vg.Points(30), PadTop: vg.Points(10), PadBottom: vg.Points(10),
		PadLeft: vg.Points(10), PadRight: vg.Points(10)}
	canvases := plot.Align([][]*plot.Plot{panels}, tiles, draw.New(img))
	for i, p := range panels {
		p.Draw(canvases[0][i])
	}
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
