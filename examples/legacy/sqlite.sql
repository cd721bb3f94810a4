-- A small legacy "bookshop" schema with the awkward parts real databases
-- have: CamelCase identifiers, a key with no default (AuthorId), a
-- self-reference (MentorId), NUMERIC prices, DATETIME columns, a
-- composite key (BookTag), a view, and a log table without any key.
CREATE TABLE "Author" (
  "AuthorId" INT NOT NULL PRIMARY KEY, -- INT, not INTEGER: no rowid, no default
  "FullName" VARCHAR(120) NOT NULL,
  "MentorId" INT NULL REFERENCES "Author" ("AuthorId"),
  "BornAt" DATETIME NULL
);

CREATE TABLE "Book" (
  "BookId" INTEGER PRIMARY KEY AUTOINCREMENT,
  "Title" VARCHAR(200) NOT NULL,
  "AuthorId" INT NOT NULL REFERENCES "Author" ("AuthorId"),
  "Price" NUMERIC(8, 2) NOT NULL,
  "PublishedAt" DATETIME NULL
);

CREATE TABLE "BookTag" (
  "BookId" INT NOT NULL REFERENCES "Book" ("BookId"),
  "Tag" VARCHAR(40) NOT NULL,
  "Weight" INT NOT NULL DEFAULT 1,
  PRIMARY KEY ("BookId", "Tag")
);

CREATE TABLE "LoanLog" (
  "BookId" INT NOT NULL,
  "Borrower" VARCHAR(80) NOT NULL,
  "LoanedAt" DATETIME NOT NULL
);

CREATE VIEW "AuthorCard" AS
  SELECT "AuthorId", "FullName", "MentorId" FROM "Author";
