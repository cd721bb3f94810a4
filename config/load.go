package config

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"

	"github.com/BurntSushi/toml"
)

// Load reads the configuration file at path, expands ${VAR} references
// from the environment, fills in defaults and validates the result. The
// error lists every mistake found, each as file:line: key.path: message.
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return parse(data, filepath.Dir(path), path, os.LookupEnv)
}

// Parse is Load for a configuration already in memory; dir is the
// directory that relative paths (database bootstrap files) resolve
// against.
func Parse(data []byte, dir string) (*Config, error) {
	return parse(data, dir, "", os.LookupEnv)
}

// parse runs the load in its phases: TOML syntax, expansion and strict
// decoding, then defaults and validation. It stops after a phase that
// found mistakes, because later phases would only report their echoes
// (a mistyped key also looks like a missing one).
func parse(data []byte, dir, file string, lookup func(string) (string, bool)) (*Config, error) {
	var raw map[string]any
	md, err := toml.Decode(string(data), &raw)
	if err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			return nil, &Error{File: file, Line: pe.Position.Line, Msg: pe.Message}
		}
		return nil, &Error{File: file, Msg: err.Error()}
	}
	errs := &errorList{file: file, lines: locate(string(data))}
	(&expander{lookup: lookup, errs: errs}).tree(raw)
	cfg := &Config{}
	(&decoder{errs: errs}).value("", raw, reflect.ValueOf(cfg).Elem())
	if err := errs.err(); err != nil {
		return nil, err
	}
	if cfg.Dir, err = filepath.Abs(dir); err != nil {
		return nil, err
	}
	cfg.TypeOrder = typeOrder(md)
	cfg.setDefaults()
	cfg.validate(errs)
	if err := errs.err(); err != nil {
		return nil, err
	}
	cfg.resolve()
	return cfg, nil
}

// typeOrder lists the names of [types] in the order the file first
// mentions them; the decoded map has no order.
func typeOrder(md toml.MetaData) []string {
	var names []string
	for _, k := range md.Keys() {
		if len(k) >= 2 && k[0] == "types" && !slices.Contains(names, k[1]) {
			names = append(names, k[1])
		}
	}
	return names
}

// resolve turns the validated configuration into the one the proxy runs:
// API keys without a secret (their variable unset) are dropped, and
// bootstrap files become absolute paths, or are dropped for databases that
// are not SQLite, since only a SQLite file is created by the proxy.
func (c *Config) resolve() {
	for _, t := range c.Types {
		t.resolveTree()
		t.splitRelationships()
		t.splitProxyFields()
	}
	for name, k := range c.APIKeys {
		if k.Secret == "" {
			delete(c.APIKeys, name)
		}
	}
	for name, db := range c.Databases {
		if db.Driver != "sqlite" {
			db.Bootstrap = nil
		}
		for i, p := range db.Bootstrap {
			if !filepath.IsAbs(p) {
				db.Bootstrap[i] = filepath.Join(c.Dir, p)
			}
		}
		c.Databases[name] = db
	}
}
