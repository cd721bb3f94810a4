package apos

// Role is a caller's rank, lowest to highest (docs/api-rules.md#7).
type Role int8

// The roles, in increasing order of rights.
const (
	Anonymous Role = iota
	Guest
	Contributor
	Editor
	Admin
)

// RoleNames are the roles' configuration names, lowest first.
var RoleNames = [...]string{"anonymous", "guest", "contributor", "editor", "admin"}

// String returns the role's configuration name.
func (r Role) String() string { return RoleNames[r] }

// ParseRole returns the role named s.
func ParseRole(s string) (Role, bool) {
	for i, n := range RoleNames {
		if n == s {
			return Role(i), true
		}
	}
	return Anonymous, false
}

// Principal is who is calling: an API key (a nameless "System Task"), a
// logged-in user (bearer token or session), or nobody.
type Principal struct {
	Role     Role
	ID       string // user id, empty for API keys and anonymous callers
	Username string
	Title    string
	Email    string
	// Via says how the caller authenticated: "", "apikey", "bearer", "session".
	Via string
}

// Authenticated reports whether the caller presented valid credentials.
func (p *Principal) Authenticated() bool { return p.Via != "" }

// CanViewDraft is Apostrophe's view-draft permission.
func (p *Principal) CanViewDraft() bool { return p.Role >= Contributor }

// Nobody is the anonymous caller. Callers share it; never modify it.
var Nobody = &Principal{Role: Anonymous, Title: "anonymous"}
