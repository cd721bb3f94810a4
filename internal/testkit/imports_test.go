package testkit

import (
	"os/exec"
	"strings"
	"testing"
)

// TestNoProgramImportsTheKit checks that no package of the module but the
// kit's own tests depends on the kit: it is for tests only.
func TestNoProgramImportsTheKit(t *testing.T) {
	cmd := exec.Command("go", "list", "-f", `{{.ImportPath}} {{join .Deps " "}}`, "./...")
	cmd.Dir = Root
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	const kit = "github.com/aposproxy/aposproxy/internal/testkit"
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		pkg, deps, _ := strings.Cut(line, " ")
		for _, dep := range strings.Fields(deps) {
			if dep == kit && pkg != kit {
				t.Errorf("%s imports %s", pkg, kit)
			}
		}
	}
}
