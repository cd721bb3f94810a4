package sqldb

import (
	"context"
	"database/sql"
	"database/sql/driver"
)

// Hook, when set, wraps the connector of every database Open opens from
// then on. It is for measurements, such as counting the statements a
// request sends (the relationship benchmark in package proxy); set it
// before Open and never while databases open.
var Hook func(driver.Connector) driver.Connector

// RawHook is Hook's counterpart for SQLite's raw read path (raw.go),
// whose connections are not the driver's: when set as Open opens a
// database, each statement that database's raw path ran is passed to it
// with its arguments. Set and cleared with Hook.
var RawHook func(query string, args []any)

// openPool opens the pool of driver name at dsn, through Hook when set.
func openPool(name, dsn string) (*sql.DB, error) {
	if Hook == nil {
		return sql.Open(name, dsn)
	}
	x, err := sql.Open(name, dsn)
	if err != nil {
		return nil, err
	}
	drv := x.Driver()
	x.Close()
	var c driver.Connector = dsnConnector{drv, dsn}
	if dc, ok := drv.(driver.DriverContext); ok {
		if c, err = dc.OpenConnector(dsn); err != nil {
			return nil, err
		}
	}
	return openConnector(c), nil
}

// openConnector opens the pool of connector c, through Hook when set.
func openConnector(c driver.Connector) *sql.DB {
	if Hook != nil {
		c = Hook(c)
	}
	return sql.OpenDB(c)
}

// dsnConnector is the connector of a driver without one of its own.
type dsnConnector struct {
	drv driver.Driver
	dsn string
}

func (c dsnConnector) Connect(context.Context) (driver.Conn, error) { return c.drv.Open(c.dsn) }
func (c dsnConnector) Driver() driver.Driver                        { return c.drv }
