package auth_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/tidwall/gjson"
	"golang.org/x/crypto/bcrypt"
)

const (
	credentials = "Your credentials are incorrect, or there is no such user"
	tooMany     = "Too many attempts. You may try again in a minute."
	loginRoute  = "/@apostrophecms/login/login"
)

// guestUser is a listed user with an email, hashed at bcrypt's default
// cost so that checking a password takes as long as in production.
func guestUser(t *testing.T) string {
	h, err := bcrypt.GenerateFromPassword([]byte("guest-pass"), bcrypt.DefaultCost)
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf(`
[[auth.users]]
username = "guest"
email = "guest@shop.example"
role = "guest"
password_hash = %q
`, h)
}

// TestLoginBurst sends 39 wrong passwords at once, then the right one while
// they are still being checked: only the first three may be checked, and
// the right one must find the username locked.
func TestLoginBurst(t *testing.T) {
	s := startDelayed(t, "1h", "1s", guestUser(t))
	answers := map[string]int{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for range 39 {
		wg.Go(func() {
			status, body, _ := s.call(t, "POST", loginRoute, `{"username":"guest","password":"wrong"}`)
			mu.Lock()
			defer mu.Unlock()
			answers[fmt.Sprint(status, " ", gjson.Get(body, "message").Str)]++
		})
	}
	time.Sleep(300 * time.Millisecond)
	status, body, _ := s.call(t, "POST", loginRoute, `{"username":"guest","password":"guest-pass"}`)
	wg.Wait()
	t.Logf("the 39 wrong passwords: %v; the right one: %d %s", answers, status, body)
	if status != 400 || gjson.Get(body, "message").Str != tooMany {
		t.Errorf("the right password after a burst of wrong ones: %d %s, want 400 %q", status, body, tooMany)
	}
	if answers["400 "+credentials] != 3 || answers["400 "+tooMany] != 36 {
		t.Errorf("the wrong passwords were answered %v; want 3 checked and 36 refused", answers)
	}
}

// TestLoginAliases locks a user, not a way of naming them: failures under
// the username count against the email too.
func TestLoginAliases(t *testing.T) {
	s := start(t, "1h", guestUser(t))
	for _, name := range []string{"guest", "guest@shop.example", "guest"} {
		status, body, _ := s.call(t, "POST", loginRoute, `{"username":"`+name+`","password":"wrong"}`)
		if status != 400 || gjson.Get(body, "message").Str != credentials {
			t.Fatalf("wrong password as %s: %d %s", name, status, body)
		}
	}
	for _, name := range []string{"guest@shop.example", "guest"} {
		status, body, _ := s.call(t, "POST", loginRoute, `{"username":"`+name+`","password":"guest-pass"}`)
		if status != 400 || gjson.Get(body, "message").Str != tooMany {
			t.Errorf("the right password as %s after three failures under both names: %d %s, want %q", name, status, body, tooMany)
		}
	}
	s.login(t) // another user is not locked
}

// TestLoginGivesBack checks that a success gives back the attempts it
// reserved: logins from one address never use up its allowance, and a
// success forgets the user's failures.
func TestLoginGivesBack(t *testing.T) {
	s := start(t, "1h", "[auth.throttle]\nattempts = 3\naddress_attempts = 3\n")
	for range 5 {
		s.login(t)
	}
	wrong := func(want string) {
		t.Helper()
		status, body, _ := s.call(t, "POST", loginRoute, `{"username":"editor","password":"wrong"}`)
		if status != 400 || gjson.Get(body, "message").Str != want {
			t.Fatalf("wrong password: %d %s, want 400 %q", status, body, want)
		}
	}
	wrong(credentials)
	wrong(credentials)
	s.login(t)
	wrong(credentials) // the user's count starts again; the address's is at 3
	wrong(tooMany)
}
