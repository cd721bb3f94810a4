-- Explicit ids in seed.sql leave the identity behind them.
SELECT setval(pg_get_serial_sequence('"Book"', 'BookId'), (SELECT MAX("BookId") FROM "Book"));
