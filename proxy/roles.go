package proxy

// Role is a caller's rank, lowest to highest (DECISIONS 18).
type Role int8

// The roles, in increasing order of rights.
const (
	Anonymous Role = iota
	Guest
	Contributor
	Editor
	Admin
)

var roleNames = [...]string{"anonymous", "guest", "contributor", "editor", "admin"}

// String returns the role's configuration name.
func (r Role) String() string { return roleNames[r] }

// ParseRole returns the role named s.
func ParseRole(s string) (Role, bool) {
	for i, n := range roleNames {
		if n == s {
			return Role(i), true
		}
	}
	return Anonymous, false
}

// Principal is who is calling. Login (bearer tokens, sessions) will add
// principals with a user id; API keys give a nameless "System Task".
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

var anonymous = &Principal{Role: Anonymous, Title: "anonymous"}
