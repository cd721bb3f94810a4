-- The legacy bookshop's rows, for every engine (identifiers in standard
-- double quotes; mysql.sql turns on ANSI_QUOTES for its session).
INSERT INTO "Author" ("AuthorId", "FullName", "MentorId", "BornAt") VALUES
  (1, 'Ada Quill', NULL, '1950-03-14 08:30:00'),
  (2, 'Bram Ledger', 1, '1962-11-02 00:00:00'),
  (3, 'Cleo Margin', 1, NULL),
  (4, 'Dov Serif', 2, '1980-07-21 17:45:10');

INSERT INTO "Book" ("BookId", "Title", "AuthorId", "Price", "PublishedAt") VALUES
  (1, 'Ink and Iron', 1, 12.50, '1979-05-01 00:00:00'),
  (2, 'The Quiet Press', 1, 9.99, '1984-09-15 12:00:00'),
  (3, 'Ledger Lines', 2, 24.00, '1999-01-31 09:15:00'),
  (4, 'Margins', 3, 1.10, NULL),
  (5, 'Serif Nights', 4, 15.75, '2011-10-10 22:05:00');

INSERT INTO "BookTag" ("BookId", "Tag", "Weight") VALUES
  (1, 'classic', 3),
  (1, 'print', 1),
  (2, 'print', 2),
  (3, 'ledger/accounts', 1),
  (3, 'classic', 1),
  (5, 'night', 5);

INSERT INTO "LoanLog" ("BookId", "Borrower", "LoanedAt") VALUES
  (1, 'E. Reader', '2024-01-02 10:00:00'),
  (1, 'F. Page', '2024-02-03 11:00:00'),
  (3, 'E. Reader', '2024-03-04 12:00:00');
