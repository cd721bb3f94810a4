package main

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/tidwall/gjson"
	"github.com/valyala/fasthttp"
)

// inventoryToken is the X-Api-Token of the suite's inventory service.
const inventoryToken = "bench-inventory-token"

// upstreamScenario measures GET one inventory item through aposproxy
// against the same calls sent straight to the inventory service, and
// through nginx's proxy_pass (keepalive) when nginx is installed. The
// service runs in a process of its own, so that the allocations counted
// here are the proxy's.
func (s *suite) upstreamScenario(ctx context.Context) error {
	inv := filepath.Join(s.tmp, "inventory")
	if err := s.goBuild(inv, "./examples/inventory"); err != nil {
		return err
	}
	addr, err := freeAddr()
	if err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, inv, "-listen", addr, "-token", inventoryToken)
	if err := cmd.Start(); err != nil {
		return err
	}
	defer func() { _ = cmd.Process.Signal(os.Interrupt); _ = cmd.Wait() }()
	if err := waitHTTP(addr, 30*time.Second); err != nil {
		return err
	}
	os.Setenv("INVENTORY_URL", "http://"+addr)
	os.Setenv("INVENTORY_TOKEN", inventoryToken)
	os.Setenv("SHOP_DB_DRIVER", "sqlite")
	os.Setenv("SHOP_DB_DSN", "file:"+filepath.Join(s.tmp, "shop-upstream.db"))
	data, err := os.ReadFile(filepath.Join(s.root, "config.toml"))
	if err != nil {
		return err
	}
	if !bytes.Contains(data, []byte("[types.inventory-item]")) {
		snippet, err := os.ReadFile(filepath.Join(s.root, "examples", "inventory", "config.toml.snippet"))
		if err != nil {
			return err
		}
		data = append(append(data, '\n'), snippet...)
	}
	px, stop, err := startProxy(ctx, s.root, data)
	if err != nil {
		return fmt.Errorf("starting aposproxy with the inventory type: %w", err)
	}
	defer stop()
	code, body, err := fasthttp.Get(nil, px.url+"/api/v1/inventory-item?aposLocale=en&perPage=100")
	if err != nil || code != fasthttp.StatusOK {
		return fmt.Errorf("aposproxy cannot list inventory-item (status %d, %v): %.200s", code, err, body)
	}
	var direct strings.Builder
	gjson.GetBytes(body, "results.#.aposDocId").ForEach(func(_, id gjson.Result) bool {
		fmt.Fprintf(&direct, "GET http://%s/v2/items/%s?language=en&state=live\nX-Api-Token: %s\n\n", addr, id.String(), inventoryToken)
		return true
	})
	directFile := filepath.Join(s.out, "inventory-direct.targets")
	if err := os.WriteFile(directFile, []byte(direct.String()), 0o644); err != nil {
		return err
	}
	systems := []system{
		{name: "aposproxy", args: []string{"-target", px.url + "/api/v1", "-types", "inventory-item", "-locales", "en", "-mix", "get=1"}, srv: px},
		{name: "direct", args: []string{"-targets", directFile}},
	}
	goals := []goal{{1, 0.70}}
	if ng, err := s.startNginx(ctx, addr); err != nil {
		s.notes = append(s.notes, "nginx was not measured: "+err.Error())
	} else {
		defer ng.stop()
		file := filepath.Join(s.out, "inventory-nginx.targets")
		text := strings.ReplaceAll(direct.String(), "http://"+addr, "http://"+ng.addr)
		if err := os.WriteFile(file, []byte(text), 0o644); err != nil {
			return err
		}
		systems = append(systems, system{name: "nginx proxy_pass", args: []string{"-targets", file}})
		goals = append(goals, goal{2, 1.0})
	}
	r, err := s.measure(ctx, "Upstream GET one", goals, systems)
	if err != nil {
		return err
	}
	s.results = append(s.results, r)
	return s.profile(ctx, "Upstream GET one", systems[0], nil)
}

// freeAddr returns a loopback address whose port was free just now.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}
