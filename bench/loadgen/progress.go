package loadgen

import (
	"fmt"
	"io"
	"os"
	"time"
)

// progress shows a live line on w while a round runs: rewritten in place
// on a terminal, a line every five seconds elsewhere (logs), nothing with
// -quiet. The returned func stops it.
func (o *options) progress(col *collector, label string, start time.Time, d time.Duration, w io.Writer) (stop func()) {
	if o.quiet {
		return func() {}
	}
	tty := isTerminal(w)
	every := 5 * time.Second
	if tty {
		every = 250 * time.Millisecond
	}
	before := col.done.Load()
	line := func() string {
		el := time.Since(start)
		n := col.done.Load() - before
		return fmt.Sprintf("%s  %4.1fs/%.1fs  %d requests  %.0f/s  %d not 2xx/3xx",
			label, el.Seconds(), d.Seconds(), n, float64(n)/el.Seconds(), col.failed.Load())
	}
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-done:
				if tty {
					fmt.Fprintf(w, "\r%-78s\n", line())
				}
				return
			case <-t.C:
				if tty {
					fmt.Fprintf(w, "\r%-78s", line())
				} else {
					fmt.Fprintln(w, line())
				}
			}
		}
	}()
	return func() { close(done); <-finished }
}

// isTerminal reports whether w is a character device, such as a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
