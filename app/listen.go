package app

import (
	"fmt"
	"net"

	"github.com/valyala/fasthttp"

	"github.com/aposproxy/aposproxy/config"
)

// served is a server and its listener.
type served struct {
	srv  *fasthttp.Server
	ln   net.Listener
	addr string
}

// listen opens the main listener, whose handler serves the operator's
// routes outside the API prefix and everything else with the current
// generation, and the admin listener when cfg has one.
func listen(cfg *config.Config, p *Program, l *live, adm *admin) ([]served, error) {
	srv := p.Server(cfg)
	onMain := cfg.Admin.Metrics == "main"
	srv.Handler = func(ctx *fasthttp.RequestCtx) {
		if !adm.route(ctx, onMain) {
			l.serve(ctx)
		}
		lingerIfRefused(ctx)
	}
	srv.ErrorHandler = func(ctx *fasthttp.RequestCtx, err error) {
		lingerOnClose(ctx) // fasthttp closes the connection after this answer
		l.errorHandler(ctx, err)
	}
	ln, err := net.Listen("tcp", cfg.Server.Listen)
	if err != nil {
		return nil, startError{fmt.Errorf("server.listen: %w", err)}
	}
	ln = lingerListener{ln} // linger.go
	out := []served{{srv: srv, ln: ln, addr: ln.Addr().String()}}
	if cfg.Admin.Listen == "" {
		return out, nil
	}
	aln, err := net.Listen("tcp", cfg.Admin.Listen)
	if err != nil {
		ln.Close()
		return nil, startError{fmt.Errorf("admin.listen: %w", err)}
	}
	asrv := &fasthttp.Server{
		Name:                  "aposproxy-admin",
		Logger:                srv.Logger,
		SecureErrorLogMessage: true,
		ReadTimeout:           srv.ReadTimeout,
		WriteTimeout:          srv.WriteTimeout,
		IdleTimeout:           srv.IdleTimeout,
		Handler: func(ctx *fasthttp.RequestCtx) {
			if !adm.route(ctx, true) {
				adm.answer(ctx, fasthttp.StatusNotFound, []byte(`{"name":"notfound","data":{},"message":"notfound"}`))
			}
		},
	}
	return append(out, served{srv: asrv, ln: aln, addr: aln.Addr().String()}), nil
}
