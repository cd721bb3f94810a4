package auth

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"strings"

	"golang.org/x/crypto/bcrypt"
)

// HashPassword is the hash-password subcommand: it reads one password
// from standard input and prints its bcrypt hash, for an
// [[auth.users]] password_hash or a row of a users table. The password
// is never an argument, which would leave it in shell history and
// process lists. It returns the exit code.
func HashPassword(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("aposproxy hash-password", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cost := fs.Int("cost", bcrypt.DefaultCost, fmt.Sprintf("bcrypt cost, %d to %d", bcrypt.MinCost, bcrypt.MaxCost))
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: echo -n PASSWORD | aposproxy hash-password [-cost N]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return 2
	}
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && err != io.EOF {
		fmt.Fprintf(stderr, "aposproxy hash-password: %v\n", err)
		return 1
	}
	password := strings.TrimRight(line, "\r\n")
	if password == "" {
		fmt.Fprintln(stderr, "aposproxy hash-password: no password on standard input")
		return 2
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(password), *cost)
	if err != nil {
		fmt.Fprintf(stderr, "aposproxy hash-password: %v\n", err)
		return 2
	}
	fmt.Fprintln(stdout, string(hash))
	return 0
}
