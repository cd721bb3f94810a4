-- The legacy bookshop on MySQL/MariaDB (see sqlite.sql).
CREATE TABLE `Author` (
  `AuthorId` INT NOT NULL PRIMARY KEY,
  `FullName` VARCHAR(120) NOT NULL,
  `MentorId` INT NULL,
  `BornAt` DATETIME NULL,
  FOREIGN KEY (`MentorId`) REFERENCES `Author` (`AuthorId`)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;

CREATE TABLE `Book` (
  `BookId` INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  `Title` VARCHAR(200) NOT NULL,
  `AuthorId` INT NOT NULL,
  `Price` DECIMAL(8, 2) NOT NULL,
  `PublishedAt` DATETIME NULL,
  FOREIGN KEY (`AuthorId`) REFERENCES `Author` (`AuthorId`)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;

CREATE TABLE `BookTag` (
  `BookId` INT NOT NULL,
  `Tag` VARCHAR(40) NOT NULL,
  `Weight` INT NOT NULL DEFAULT 1,
  PRIMARY KEY (`BookId`, `Tag`),
  FOREIGN KEY (`BookId`) REFERENCES `Book` (`BookId`)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;

CREATE TABLE `LoanLog` (
  `BookId` INT NOT NULL,
  `Borrower` VARCHAR(80) NOT NULL,
  `LoanedAt` DATETIME NOT NULL
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;

CREATE VIEW `AuthorCard` AS
  SELECT `AuthorId`, `FullName`, `MentorId` FROM `Author`;

-- seed.sql quotes identifiers with double quotes, as standard SQL does.
SET SESSION sql_mode = CONCAT(@@SESSION.sql_mode, ',ANSI_QUOTES');
