package testkit

import (
	"os/exec"
	"strings"
	"testing"
)

// TestNoProgramImportsTheKit checks that no package of the module outside
// the kit depends on the kit or its packages: they are for tests only.
func TestNoProgramImportsTheKit(t *testing.T) {
	cmd := exec.Command("go", "list", "-f", `{{.ImportPath}} {{join .Deps " "}}`, "./...")
	cmd.Dir = Root
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	const kit = "github.com/aposproxy/aposproxy/internal/testkit"
	inKit := func(pkg string) bool { return pkg == kit || strings.HasPrefix(pkg, kit+"/") }
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		pkg, deps, _ := strings.Cut(line, " ")
		for _, dep := range strings.Fields(deps) {
			if inKit(dep) && !inKit(pkg) {
				t.Errorf("%s imports %s", pkg, dep)
			}
		}
	}
}
