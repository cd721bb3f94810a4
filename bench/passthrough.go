package main

import (
	"time"

	"github.com/valyala/fasthttp"
)

// passThrough is the simplest Go reverse proxy for the upstream scenario:
// a fasthttp server handing each request as it came to a fasthttp
// HostClient with kept-alive connections to the service, and the
// service's answer back as it came, translating nothing. It stands
// between the service called directly and aposproxy, in the same
// language and on the same libraries as aposproxy: what any Go proxy of
// this shape costs, beside what nginx's event loop in C costs.
func passThrough(addr string) fasthttp.RequestHandler {
	hc := &fasthttp.HostClient{
		Addr:                addr,
		MaxConns:            512,
		ReadTimeout:         30 * time.Second,
		WriteTimeout:        30 * time.Second,
		MaxIdleConnDuration: time.Minute,
	}
	return func(ctx *fasthttp.RequestCtx) {
		if err := hc.Do(&ctx.Request, &ctx.Response); err != nil {
			ctx.Error(`{"name":"badgateway","data":{},"message":"badgateway"}`, fasthttp.StatusBadGateway)
		}
	}
}
