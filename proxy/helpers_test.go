package proxy

import (
	"errors"

	"github.com/valyala/fasthttp"
)

func errorsIs(err, target error) bool { return errors.Is(err, target) }

func parseArgs(q string) *fasthttp.Args {
	var a fasthttp.Args
	a.Parse(q)
	return &a
}
