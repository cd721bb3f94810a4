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

// upstream is the upstream scenario's running systems: aposproxy over
// the inventory service, the service itself (direct), the simplest Go
// proxy in front of it (passthrough.go), and nginx's proxy_pass when
// nginx is installed.
type upstream struct {
	systems []system
	goals   []goal
	stop    func()
}

// startUpstream starts the inventory service (a process of its own, so
// that the allocations counted here are the proxy's), aposproxy over it,
// and nginx when installed.
func (s *suite) startUpstream(ctx context.Context) (_ *upstream, err error) {
	up := &upstream{}
	var stops []func()
	up.stop = func() {
		for i := len(stops) - 1; i >= 0; i-- {
			stops[i]()
		}
	}
	defer func() {
		if err != nil {
			up.stop()
		}
	}()
	addr, invPID, stopInventory, err := s.startInventory(ctx)
	if err != nil {
		return nil, err
	}
	stops = append(stops, stopInventory)
	data, err := s.inventoryConfig(addr)
	if err != nil {
		return nil, err
	}
	px, stop, err := startProxy(ctx, s.root, data)
	if err != nil {
		return nil, fmt.Errorf("starting aposproxy with the inventory type: %w", err)
	}
	stops = append(stops, stop)
	direct, err := directTargets(px.url, addr)
	if err != nil {
		return nil, err
	}
	directFile := filepath.Join(s.tmp, "inventory-direct.targets")
	if err := os.WriteFile(directFile, []byte(direct), 0o644); err != nil {
		return nil, err
	}
	up.systems = []system{
		{name: "aposproxy", args: []string{"-target", px.url + "/api/v1", "-types", "inventory-item", "-locales", "en", "-mix", "get=1"}, srv: px},
		{name: "direct", args: []string{"-targets", directFile}, pid: invPID},
	}
	up.goals = []goal{{1, 0.50}}
	pt, err := serve(passThrough(addr), nil)
	if err != nil {
		return nil, err
	}
	stops = append(stops, pt.close)
	ptFile := filepath.Join(s.tmp, "inventory-passthrough.targets")
	if err := os.WriteFile(ptFile, []byte(strings.ReplaceAll(direct, "http://"+addr, pt.url)), 0o644); err != nil {
		return nil, err
	}
	up.systems = append(up.systems, system{name: "Go pass-through", args: []string{"-targets", ptFile}, srv: pt})
	if ng, err := s.startNginx(ctx, addr); err != nil {
		s.notes = append(s.notes, "nginx was not measured: "+err.Error())
	} else {
		stops = append(stops, ng.stop)
		file := filepath.Join(s.tmp, "inventory-nginx.targets")
		text := strings.ReplaceAll(direct, "http://"+addr, "http://"+ng.addr)
		if err := os.WriteFile(file, []byte(text), 0o644); err != nil {
			return nil, err
		}
		up.systems = append(up.systems, system{name: "nginx proxy_pass", args: []string{"-targets", file}, pid: ng.cmd.Process.Pid})
		up.goals = append(up.goals, goal{len(up.systems) - 1, 1.0})
	}
	return up, nil
}

// upstreamScenario measures GET one inventory item through aposproxy
// against the same calls sent straight to the inventory service, through
// the Go pass-through and through nginx.
func (s *suite) upstreamScenario(ctx context.Context) error {
	up, err := s.startUpstream(ctx)
	if err != nil {
		return err
	}
	defer up.stop()
	r, err := s.measure(ctx, "Upstream GET one", up.goals, up.systems)
	if err != nil {
		return err
	}
	s.results = append(s.results, r)
	return s.profile(ctx, "Upstream GET one", up.systems[0], nil)
}

// startInventory builds and starts the inventory service on a free
// loopback address, and returns the address and how to stop it.
func (s *suite) startInventory(ctx context.Context) (addr string, pid int, stop func(), err error) {
	inv := filepath.Join(s.tmp, "inventory")
	if err := s.goBuild(inv, "./examples/inventory"); err != nil {
		return "", 0, nil, err
	}
	if addr, err = freeAddr(); err != nil {
		return "", 0, nil, err
	}
	cmd := exec.CommandContext(ctx, inv, "-listen", addr, "-token", inventoryToken)
	if err := cmd.Start(); err != nil {
		return "", 0, nil, err
	}
	stop = func() { _ = cmd.Process.Signal(os.Interrupt); _ = cmd.Wait() }
	if err := waitHTTP(addr, 30*time.Second); err != nil {
		stop()
		return "", 0, nil, err
	}
	return addr, cmd.Process.Pid, stop, nil
}

// inventoryConfig sets the environment of the shop's config for the
// inventory service at addr and a SQLite shop, and returns the config with
// the inventory type (appending the example's snippet when it lacks it).
func (s *suite) inventoryConfig(addr string) ([]byte, error) {
	os.Setenv("INVENTORY_URL", "http://"+addr)
	os.Setenv("INVENTORY_TOKEN", inventoryToken)
	os.Setenv("SHOP_DB_DRIVER", "sqlite")
	os.Setenv("SHOP_DB_DSN", "file:"+filepath.Join(s.tmp, "shop-upstream.db"))
	data, err := os.ReadFile(filepath.Join(s.root, "config.toml"))
	if err != nil {
		return nil, err
	}
	if !bytes.Contains(data, []byte("[types.inventory-item]")) {
		snippet, err := os.ReadFile(filepath.Join(s.root, "examples", "inventory", "config.toml.snippet"))
		if err != nil {
			return nil, err
		}
		data = append(append(data, '\n'), snippet...)
	}
	return data, nil
}

// directTargets lists the inventory items through the proxy at pxURL and
// returns the load generator's targets that GET each one straight from
// the service at addr.
func directTargets(pxURL, addr string) (string, error) {
	code, body, err := fasthttp.Get(nil, pxURL+"/api/v1/inventory-item?aposLocale=en&perPage=100")
	if err != nil || code != fasthttp.StatusOK {
		return "", fmt.Errorf("aposproxy cannot list inventory-item (status %d, %v): %.200s", code, err, body)
	}
	var direct strings.Builder
	gjson.GetBytes(body, "results.#.aposDocId").ForEach(func(_, id gjson.Result) bool {
		fmt.Fprintf(&direct, "GET http://%s/v2/items/%s?language=en&state=live\nX-Api-Token: %s\n\n", addr, id.String(), inventoryToken)
		return true
	})
	return direct.String(), nil
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
