package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"time"
)

// nginx is an nginx started by the suite.
type nginx struct {
	addr string
	cmd  *exec.Cmd
}

// nginxConf proxies everything to one upstream over kept-alive
// connections, with the workers nginx would choose for the machine and no
// access log, the way a plain reverse proxy is deployed.
const nginxConf = `worker_processes auto;
pid %[1]s/nginx.pid;
error_log %[1]s/error.log warn;
daemon off;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path %[1]s/body;
  proxy_temp_path %[1]s/proxy;
  fastcgi_temp_path %[1]s/fastcgi;
  uwsgi_temp_path %[1]s/uwsgi;
  scgi_temp_path %[1]s/scgi;
  upstream inventory {
    server %[2]s;
    keepalive 64;
  }
  server {
    listen %[3]s;
    location / {
      proxy_pass http://inventory;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
  }
}
`

// startNginx runs nginx in front of the service at upstream, when nginx is
// installed; the suite works without it.
func (s *suite) startNginx(ctx context.Context, upstream string) (*nginx, error) {
	bin, err := exec.LookPath("nginx")
	if err != nil {
		for _, p := range []string{"/usr/sbin/nginx", "/usr/local/sbin/nginx"} {
			if _, statErr := os.Stat(p); statErr == nil {
				bin, err = p, nil
			}
		}
	}
	if err != nil {
		return nil, errors.New("nginx is not installed (apt-get install nginx)")
	}
	dir := filepath.Join(s.tmp, "nginx")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	conf := filepath.Join(dir, "nginx.conf")
	if err := os.WriteFile(conf, fmt.Appendf(nil, nginxConf, dir, upstream, addr), 0o644); err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, bin, "-p", dir, "-c", conf)
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	if err := waitHTTP(addr, 10*time.Second); err != nil {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		return nil, err
	}
	return &nginx{addr: addr, cmd: cmd}, nil
}

// stop asks nginx to quit and waits for it.
func (n *nginx) stop() {
	_ = n.cmd.Process.Signal(os.Interrupt)
	done := make(chan struct{})
	go func() { _ = n.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		_ = n.cmd.Process.Kill()
		<-done
	}
}
