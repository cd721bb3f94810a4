package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/aposproxy/aposproxy/backends/sqldb"
	"github.com/aposproxy/aposproxy/config"
	"github.com/aposproxy/aposproxy/introspect"
)

// introspectCmd reads a database's schema and writes a starting
// configuration (package introspect) to -o, or to stdout. Exit code 0 when
// written, 1 when the database cannot be read or the file cannot be
// written, 2 for bad arguments.
func introspectCmd(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("aposproxy introspect", flag.ContinueOnError)
	fs.SetOutput(stderr)
	driver := fs.String("driver", "", "sqlite, postgres or mysql")
	dsn := fs.String("dsn", "", "the database's data source name, as in [databases.<name>] dsn")
	tables := fs.String("tables", "", "comma-separated tables to map (default: every table)")
	out := fs.String("o", "", "file to write (default: standard output); an existing file is not overwritten")
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	if *driver == "" || *dsn == "" || fs.NArg() > 0 {
		fmt.Fprintln(stderr, "usage: aposproxy introspect -driver sqlite|postgres|mysql -dsn DSN [-tables t1,t2] [-o config.toml]")
		return exitUsage
	}
	if *out != "" {
		if _, err := os.Stat(*out); err == nil {
			fmt.Fprintf(stderr, "aposproxy introspect: %s exists; remove it or choose another -o\n", *out)
			return exitUsage
		}
	}
	text, err := introspectDB(*driver, *dsn, splitList(*tables), "aposproxy introspect "+strings.Join(redactDSN(args), " "))
	if err != nil {
		fmt.Fprintf(stderr, "aposproxy introspect: %v\n", err)
		return exitInvalid
	}
	if *out == "" {
		_, err = stdout.Write(text)
	} else {
		err = os.WriteFile(*out, text, 0o644)
	}
	if err != nil {
		fmt.Fprintf(stderr, "aposproxy introspect: %v\n", err)
		return exitInvalid
	}
	return exitOK
}

// introspectDB opens the database, reads its schema and writes the
// configuration. A SQLite file that does not exist is an error, not a new
// empty database.
func introspectDB(driver, dsn string, tables []string, command string) ([]byte, error) {
	if driver == "sqlite" {
		file, _, _ := strings.Cut(strings.TrimPrefix(strings.TrimPrefix(dsn, "file:"), "//"), "?")
		if _, err := os.Stat(file); err != nil {
			return nil, err
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	db, err := sqldb.Open(ctx, config.Database{Driver: driver, DSN: dsn, MaxOpen: 2})
	if err != nil {
		return nil, err
	}
	defer db.Close()
	read, err := introspect.Read(ctx, db, tables)
	if err != nil {
		return nil, err
	}
	if len(read) == 0 {
		return nil, errors.New("the database has no tables")
	}
	return introspect.Generate(ctx, db, read, introspect.Options{Driver: driver, DSN: dsn, Command: command})
}

// splitList splits a comma-separated list, dropping empty items.
func splitList(s string) []string {
	var out []string
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// redactDSN replaces the value of -dsn in args, for the file's comment.
func redactDSN(args []string) []string {
	out := append([]string{}, args...)
	for i, a := range out {
		switch {
		case (a == "-dsn" || a == "--dsn") && i+1 < len(out):
			out[i+1] = "..."
		case strings.HasPrefix(a, "-dsn=") || strings.HasPrefix(a, "--dsn="):
			out[i] = "-dsn=..."
		}
	}
	return out
}
