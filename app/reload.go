package app

import (
	"context"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/fsnotify/fsnotify"

	"github.com/aposproxy/aposproxy/config"
)

// reloader reloads the configuration file into l (docs/api-rules.md#223):
// on SIGHUP, and on a change of the file with server.watch_config.
type reloader struct {
	l    *live
	cfg  *config.Config // the configuration serving now
	log  *slog.Logger
	opts Options
}

// run reloads on each trigger until ctx ends.
func (r *reloader) run(ctx context.Context) {
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	changed := r.watch(ctx)
	for {
		select {
		case <-ctx.Done():
			return
		case <-hup:
			r.reload(ctx, "SIGHUP")
		case <-changed:
			r.reload(ctx, "file changed")
		}
	}
}

// watch reports changes of the configuration file (its directory is
// watched: editors replace files by renaming), a burst of events once.
// Without server.watch_config, it never reports.
func (r *reloader) watch(ctx context.Context) <-chan struct{} {
	out := make(chan struct{}, 1)
	if !r.cfg.Server.WatchConfig {
		return out
	}
	w, err := fsnotify.NewWatcher()
	if err == nil {
		err = w.Add(filepath.Dir(r.opts.ConfigPath))
	}
	if err != nil {
		r.log.Error("server.watch_config: cannot watch the configuration file", "err", err)
		return out
	}
	name := filepath.Clean(r.opts.ConfigPath)
	go func() {
		defer w.Close()
		var settle <-chan time.Time
		for {
			select {
			case <-ctx.Done():
				return
			case ev := <-w.Events:
				if filepath.Clean(ev.Name) == name && ev.Op&(fsnotify.Write|fsnotify.Create|fsnotify.Rename) != 0 {
					settle = time.After(200 * time.Millisecond)
				}
			case err := <-w.Errors:
				r.log.Warn("server.watch_config", "err", err)
			case <-settle:
				select {
				case out <- struct{}{}:
				default:
				}
			}
		}
	}()
	return out
}

// reload loads and checks the file, builds it against the live backends,
// and swaps it in; the replaced configuration finishes its requests and
// jobs, then closes. A file that does not load, or does not match the
// backends, is refused with the reason and the old one goes on serving.
func (r *reloader) reload(ctx context.Context, why string) {
	start := time.Now()
	cfg, err := config.Load(r.opts.ConfigPath)
	if err != nil {
		r.log.Error("reload refused; the previous configuration keeps serving", "trigger", why, "err", err)
		return
	}
	if r.opts.listen != "" {
		cfg.Server.Listen = r.opts.listen
	}
	for _, k := range restartKeys(r.cfg, cfg) {
		r.log.Warn("reload: this key only changes on a restart", "key", k)
	}
	opts := r.opts
	opts.keepJobs = true
	p, err := Build(ctx, cfg, r.log, opts)
	if err != nil {
		r.log.Error("reload refused; the previous configuration keeps serving", "trigger", why, "err", err)
		return
	}
	r.l.swap(newGeneration(p), r.cfg.Server.ShutdownTimeout.Duration)
	r.cfg = cfg
	r.log.Info("configuration reloaded", "trigger", why, "types", len(cfg.Types), "took", time.Since(start))
}

// restartKeys lists the keys whose change a reload cannot apply: the
// listeners and their limits, and the log.
func restartKeys(old, cfg *config.Config) []string {
	var keys []string
	o, n := old.Server, cfg.Server
	for _, k := range []struct {
		key     string
		changed bool
	}{
		{"server.listen", o.Listen != n.Listen},
		{"admin.listen", old.Admin.Listen != cfg.Admin.Listen},
		{"admin.metrics", old.Admin.Metrics != cfg.Admin.Metrics},
		{"server.max_conns", o.MaxConns != n.MaxConns},
		{"server.max_body_bytes", o.MaxBodyBytes != n.MaxBodyBytes},
		{"server.read_timeout", o.ReadTimeout != n.ReadTimeout},
		{"server.write_timeout", o.WriteTimeout != n.WriteTimeout},
		{"log", old.Log.Format != cfg.Log.Format || old.Log.Level != cfg.Log.Level || *old.Log.Requests != *cfg.Log.Requests},
	} {
		if k.changed {
			keys = append(keys, k.key)
		}
	}
	return keys
}
