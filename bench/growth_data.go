package main

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// The growth run's generated data, made by the engine itself in one
// statement per table (a recursive CTE on SQLite, generate_series on
// PostgreSQL) inside one transaction: a million rows take seconds, and
// nothing of it is kept in git.
//
// Products come in pairs, a live and a draft English row per product
// G-<k>: the list of published English products sees half the table. A
// product's name is scattered over the order of titles, one product in a
// thousand says "zebra" in its description (the search), its colour cycles
// through the five choices (the unindexed filter), and its category is one
// of a thousand generated ones, whose column the run indexes (the indexed
// filter): the shop's own schema indexes no column but the keys.

// genSeries is the engine's row source of i in [$1, $2).
func genSeries(engine string) string {
	if engine == "postgres" {
		return "generate_series(CAST($1 AS BIGINT), CAST($2 AS BIGINT) - 1) AS n(i)"
	}
	return "n"
}

// genWith is the CTE SQLite's row source needs before the INSERT.
func genWith(engine string) string {
	if engine == "postgres" {
		return ""
	}
	return "WITH RECURSIVE n(i) AS (SELECT ?1 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < ?2) "
}

// stamp is a literal of a TIMESTAMP (or DATE) column on engine.
func stamp(engine, kind, v string) string {
	if engine == "postgres" {
		return kind + " '" + v + "'"
	}
	return "'" + v + "'"
}

// growthDB generates rows into the shop's tables on one engine.
type growthDB struct {
	engine string
	db     *sql.DB
	next   int64 // the next generated product row's number
	pages  int64 // generated pages so far
}

// exec runs the statements in one transaction.
func (g *growthDB) exec(ctx context.Context, stmts ...func(*sql.Tx) error) error {
	tx, err := g.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	for _, st := range stmts {
		if err := st(tx); err != nil {
			_ = tx.Rollback()
			return err
		}
	}
	return tx.Commit()
}

// series runs an INSERT whose rows come from i in [from, to).
func (g *growthDB) series(ctx context.Context, tx *sql.Tx, insert, sel string, from, to int64) error {
	q := genWith(g.engine) + insert + " SELECT " + sel + " FROM " + genSeries(g.engine)
	if _, err := tx.ExecContext(ctx, q, from, to); err != nil {
		return fmt.Errorf("generating rows: %w\n%s", err, q)
	}
	return nil
}

// prepare adds the generated categories and the index on the products'
// category column, once.
func (g *growthDB) prepare(ctx context.Context) error {
	return g.exec(ctx, func(tx *sql.Tx) error {
		if err := g.series(ctx, tx, "INSERT INTO categories (id, name, parent_id)",
			"i, 'Generated category ' || i, NULL", 100, 1100); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, "CREATE INDEX growth_products_category ON products (category_id)")
		return err
	})
}

// products grows the products table to rows rows.
func (g *growthDB) products(ctx context.Context, rows int64) error {
	var have int64
	if err := g.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM products").Scan(&have); err != nil {
		return err
	}
	if have >= rows {
		return nil
	}
	from, to := g.next, g.next+rows-have
	sel := strings.Join([]string{
		"'G-' || (i / 2)", "'en'", "CASE i % 2 WHEN 0 THEN 'live' ELSE 'draft' END",
		"'Item ' || ((i / 2) * 7919 % 1000003)",
		"'Generated product ' || (i / 2) || CASE WHEN (i / 2) % 1000 = 7 THEN ' zebra' ELSE '' END",
		"100 + (i / 2) % 9900",
		"CASE (i / 2) % 5 WHEN 0 THEN 'red' WHEN 1 THEN 'green' WHEN 2 THEN 'blue' WHEN 3 THEN 'black' ELSE 'white' END",
		"(i / 2) % 3 <> 0", "NULL", "100 + (i / 2) % 1000",
		stamp(g.engine, "TIMESTAMP", "2024-01-01 00:00:00"), stamp(g.engine, "TIMESTAMP", "2024-06-01 00:00:00"),
	}, ", ")
	err := g.exec(ctx, func(tx *sql.Tx) error {
		if err := g.series(ctx, tx, "INSERT INTO products (product_id, lang, status, name, description, price_cents, color, in_stock, attributes, category_id, created_at, updated_at)", sel, from, to); err != nil {
			return err
		}
		// Their slugs, as the proxy would make them from the titles: its
		// own sweep of a locale's records without one is done in the
		// first request that needs them, and took over 80 s at 10^5
		// rows (see growth_reading.md).
		return g.series(ctx, tx, "INSERT INTO aposproxy_slugs (aposproxy_type, aposproxy_doc, aposproxy_locale, aposproxy_mode, aposproxy_slug)",
			"'product', 'G-' || (i / 2), 'en', CASE i % 2 WHEN 0 THEN 'published' ELSE 'draft' END, 'item-' || ((i / 2) * 7919 % 1000003)", from, to)
	})
	if err != nil {
		return err
	}
	g.next = to
	return g.analyze(ctx)
}

// someProduct is the aposDocId of a generated product in the middle of
// those made so far.
func (g *growthDB) someProduct() string { return fmt.Sprintf("G-%d", g.next/4) }

// analyze refreshes the planner's statistics, as a DBA would after a bulk
// load (PostgreSQL's autovacuum would, later).
func (g *growthDB) analyze(ctx context.Context) error {
	_, err := g.db.ExecContext(ctx, "ANALYZE")
	return err
}

// articles adds n articles, newer than the shop's, each featuring three of
// the shop's products through article_products.
func (g *growthDB) articles(ctx context.Context, n int64) error {
	return g.exec(ctx, func(tx *sql.Tx) error {
		if err := g.series(ctx, tx, "INSERT INTO articles (id, headline, body, author, published_on)",
			"1000 + i, 'Generated article ' || i, '<p>Generated.</p>', 'Bench', "+stamp(g.engine, "DATE", "2026-01-01"), 0, n); err != nil {
			return err
		}
		return g.series(ctx, tx, "INSERT INTO article_products (article_id, product_id, position, relevance)",
			"1000 + i / 3, 'P-' || (1001 + i % 40), i % 3, 'generated'", 0, 3*n)
	})
}

// pageTree grows the generated page tree under "About us" (page 2) to n
// published English pages, ten children per page; the deepest page is the
// last one.
func (g *growthDB) pageTree(ctx context.Context, n int64) (deepest string, err error) {
	if n > g.pages {
		err = g.exec(ctx, func(tx *sql.Tx) error {
			return g.series(ctx, tx, "INSERT INTO pages (page_id, lang, status, parent_id, sort_order, slug, title, page_type, body)",
				"1000 + i, 'en', 'live', CASE WHEN i = 0 THEN 2 ELSE 1000 + (i - 1) / 10 END, i % 10, '/gen/' || i, 'Page ' || i, 'default-page', '<p>Generated</p>'",
				g.pages, n)
		})
		if err != nil {
			return "", err
		}
		g.pages = n
		if err := g.analyze(ctx); err != nil {
			return "", err
		}
	}
	return fmt.Sprint(1000 + n - 1), nil
}
