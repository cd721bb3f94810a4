package sqldb

import (
	"database/sql/driver"
	"net"
	"strconv"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// postgresConnector is the connector of a PostgreSQL pool whose
// connections bound every statement and every wait on the network to
// timeout, so that a read detached from its request's cancellation
// (ReadContext) can neither run nor hang longer than the request could:
//
//   - the server cancels any statement that runs longer than timeout
//     (statement_timeout, set once per connection as it starts; it
//     replaces any statement_timeout the DSN sets), which answers
//     SQLSTATE 57014, the timeout class, as a passed deadline does;
//   - connecting gives up after timeout (a smaller connect_timeout of the
//     DSN stays);
//   - a server or network that dies mid-statement is noticed within about
//     timeout: TCP keepalive probes an idle connection after half of it,
//     and TCP_USER_TIMEOUT drops a connection whose data or probes go
//     unanswered for timeout, where TCP alone would retry for minutes.
func postgresConnector(dsn string, timeout time.Duration) (driver.Connector, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, err
	}
	cfg.RuntimeParams["statement_timeout"] = strconv.FormatInt(timeout.Milliseconds(), 10)
	if cfg.ConnectTimeout <= 0 || cfg.ConnectTimeout > timeout {
		cfg.ConnectTimeout = timeout
	}
	cfg.DialFunc = boundedDialer(timeout).DialContext
	return stdlib.GetConnector(*cfg), nil
}

// boundedDialer dials TCP connections that notice a dead peer within about
// timeout (see postgresConnector); Unix sockets are dialled as they are.
func boundedDialer(timeout time.Duration) *net.Dialer {
	return &net.Dialer{
		KeepAliveConfig: net.KeepAliveConfig{
			Enable:   true,
			Idle:     timeout / 2,
			Interval: timeout / 4,
			Count:    2,
		},
		Control: func(network, _ string, c syscall.RawConn) error {
			if network != "tcp" && network != "tcp4" && network != "tcp6" {
				return nil
			}
			return setUserTimeout(c, timeout)
		},
	}
}
