package proxy

import "time"

// stamp is what the proxy itself writes into auto fields: when, and who
// (docs/api-rules.md#26; Apostrophe's updatedAt and updatedBy).
type stamp struct {
	now time.Time
	by  string
}

// stamp returns the call's stamp: now, and the caller's username, or for
// an API key its title ("System Task", as Apostrophe's updatedBy shows).
func (c *call) stamp() stamp {
	by := c.who.Username
	if by == "" {
		by = c.who.Title
	}
	return stamp{now: time.Now().UTC(), by: by}
}
