package main

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/batch/types"
)

// consoleClient is a browser stand-in: a cookie jar, no redirects followed
// (the tests look at each answer), and the Origin a browser sends.
type consoleClient struct {
	t    *testing.T
	base string
	c    *http.Client
}

func newConsoleClient(t *testing.T, ts *testServer) *consoleClient {
	jar, _ := cookiejar.New(nil)
	return &consoleClient{t: t, base: ts.URL, c: &http.Client{Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (cc *consoleClient) get(path string) (*http.Response, string) {
	cc.t.Helper()
	resp, err := cc.c.Get(cc.base + path)
	if err != nil {
		cc.t.Fatalf("GET %s = %v", path, err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, string(b)
}

// post posts a form from origin ("" sends no Origin header).
func (cc *consoleClient) post(path, origin string, form url.Values) (*http.Response, string) {
	cc.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, cc.base+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if origin != "" {
		req.Header.Set("Origin", origin)
	}
	resp, err := cc.c.Do(req)
	if err != nil {
		cc.t.Fatalf("POST %s = %v", path, err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, string(b)
}

func (cc *consoleClient) signIn(keyID, secret string) *http.Response {
	cc.t.Helper()
	resp, _ := cc.post("/console/signin", cc.base, url.Values{"accessKeyId": {keyID}, "secretAccessKey": {secret}})
	return resp
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// csrf returns the CSRF token of the signed-in session, from a page's form.
func (cc *consoleClient) csrf() string {
	cc.t.Helper()
	_, body := cc.get("/console/")
	m := csrfField.FindStringSubmatch(body)
	if m == nil {
		cc.t.Fatalf("the dashboard has no CSRF token: %s", body)
	}
	return m[1]
}

func TestConsoleSignIn(t *testing.T) {
	ts := startServer(t, "")

	t.Run("pages need a session", func(t *testing.T) {
		cc := newConsoleClient(t, ts)
		resp, _ := cc.get("/console/jobs?queue=q")
		if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/console/signin?next=") {
			t.Fatalf("GET /console/jobs without a session = %d to %q, want 303 to the sign-in page", resp.StatusCode, resp.Header.Get("Location"))
		}
		resp, _ = cc.get("/console/signin")
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET /console/signin = %d, want 200", resp.StatusCode)
		}
	})

	for _, tc := range []struct{ name, id, secret string }{
		{"wrong secret", testKeyID, testSecret + "x"},
		{"unknown key", "AKIDNOTKNOWN00000000", testSecret},
		{"empty", "", ""},
	} {
		t.Run("refuses "+tc.name, func(t *testing.T) {
			cc := newConsoleClient(t, ts)
			resp, body := cc.post("/console/signin", ts.URL, url.Values{"accessKeyId": {tc.id}, "secretAccessKey": {tc.secret}})
			if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(body, "not one this server accepts") {
				t.Fatalf("sign-in with %s = %d, want 401 saying the keys are not accepted", tc.name, resp.StatusCode)
			}
			if len(resp.Cookies()) != 0 {
				t.Fatalf("a refused sign-in set cookies %v", resp.Cookies())
			}
			if resp, _ := cc.get("/console/"); resp.StatusCode != http.StatusSeeOther {
				t.Fatalf("GET /console/ after a refused sign-in = %d, want 303 to sign in", resp.StatusCode)
			}
		})
	}

	t.Run("cookie flags", func(t *testing.T) {
		cc := newConsoleClient(t, ts)
		resp := cc.signIn(testKeyID, testSecret)
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/console/" {
			t.Fatalf("sign-in = %d to %q, want 303 to /console/", resp.StatusCode, resp.Header.Get("Location"))
		}
		var ck *http.Cookie
		for _, c := range resp.Cookies() {
			if c.Name == "barge_console" {
				ck = c
			}
		}
		if ck == nil {
			t.Fatalf("sign-in set no barge_console cookie: %v", resp.Header["Set-Cookie"])
		}
		if !ck.HttpOnly || ck.SameSite != http.SameSiteStrictMode || ck.Path != "/console" || len(ck.Value) < 40 {
			t.Fatalf("session cookie = %q, want HttpOnly, SameSite=Strict, Path=/console and a long random value", resp.Header.Get("Set-Cookie"))
		}
		if ck.Secure {
			t.Fatalf("session cookie over plain HTTP is Secure: a browser would never send it back")
		}
		if strings.Contains(ck.Value, testSecret) || strings.Contains(ck.Value, testKeyID) {
			t.Fatalf("session cookie %q carries the keys", ck.Value)
		}
		if resp, body := cc.get("/console/"); resp.StatusCode != http.StatusOK || !strings.Contains(body, "Dashboard") {
			t.Fatalf("GET /console/ signed in = %d, want the dashboard", resp.StatusCode)
		}
	})

	t.Run("sign-in from another origin is refused", func(t *testing.T) {
		cc := newConsoleClient(t, ts)
		resp, _ := cc.post("/console/signin", "http://evil.example", url.Values{"accessKeyId": {testKeyID}, "secretAccessKey": {testSecret}})
		if resp.StatusCode != http.StatusForbidden || len(resp.Cookies()) != 0 {
			t.Fatalf("cross-origin sign-in = %d with cookies %v, want 403 and none", resp.StatusCode, resp.Cookies())
		}
	})

	t.Run("sign-out ends the session", func(t *testing.T) {
		cc := newConsoleClient(t, ts)
		cc.signIn(testKeyID, testSecret)
		token := cc.csrf()
		old := cc.c.Jar.Cookies(&url.URL{Scheme: "http", Host: strings.TrimPrefix(ts.URL, "http://"), Path: "/console/"})
		resp, _ := cc.post("/console/signout", ts.URL, url.Values{"csrf": {token}})
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/console/signin" {
			t.Fatalf("sign-out = %d to %q, want 303 to the sign-in page", resp.StatusCode, resp.Header.Get("Location"))
		}
		if resp, _ := cc.get("/console/"); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("GET /console/ after sign-out = %d, want 303 to sign in", resp.StatusCode)
		}
		// The old cookie, replayed, no longer opens anything: the session
		// is gone on the server, not only in the browser.
		replay := newConsoleClient(t, ts)
		replay.c.Jar.SetCookies(&url.URL{Scheme: "http", Host: strings.TrimPrefix(ts.URL, "http://"), Path: "/console/"}, old)
		if resp, _ := replay.get("/console/"); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("GET /console/ with the signed-out cookie = %d, want 303 to sign in", resp.StatusCode)
		}
	})
}

func TestConsoleActionsNeedCSRF(t *testing.T) {
	ts := startServer(t, "")
	c := ts.batch()
	ce := createFargateCE(t, c, "ce", types.CRTypeFargate, 4)
	waitCEStatus(t, c, "ce", types.CEStatusValid)
	createQueue(t, c, "q", ce)
	jqSettles(t, c, "q", types.JQStatusCreating, types.JQStatusValid)

	cc := newConsoleClient(t, ts)
	cc.signIn(testKeyID, testSecret)
	token := cc.csrf()
	disable := url.Values{"state": {"DISABLED"}}

	queueState := func() types.JQState {
		q, _ := describeJQ(t, c, "q")
		return q.State
	}
	for _, tc := range []struct {
		name   string
		origin string
		csrf   string
		want   int
	}{
		{"no CSRF token", ts.URL, "", http.StatusForbidden},
		{"a wrong CSRF token", ts.URL, token + "x", http.StatusForbidden},
		{"another origin", "http://evil.example", token, http.StatusForbidden},
	} {
		form := url.Values{"state": disable["state"]}
		if tc.csrf != "" {
			form.Set("csrf", tc.csrf)
		}
		resp, _ := cc.post("/console/queues/q/state", tc.origin, form)
		if resp.StatusCode != tc.want {
			t.Fatalf("disable a queue with %s = %d, want %d", tc.name, resp.StatusCode, tc.want)
		}
		if st := queueState(); st != types.JQStateEnabled {
			t.Fatalf("after a refused disable (%s) the queue is %s, want ENABLED", tc.name, st)
		}
	}

	// Another session's token does not do either.
	other := newConsoleClient(t, ts)
	other.signIn(testKeyID, testSecret)
	if resp, _ := cc.post("/console/queues/q/state", ts.URL, url.Values{"state": {"DISABLED"}, "csrf": {other.csrf()}}); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("disable with another session's CSRF token = %d, want 403", resp.StatusCode)
	}

	// Without a session, a right-looking form is still refused.
	anon := newConsoleClient(t, ts)
	if resp, _ := anon.post("/console/queues/q/state", ts.URL, url.Values{"state": {"DISABLED"}, "csrf": {token}}); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("disable without a session = %d, want 401", resp.StatusCode)
	}

	resp, _ := cc.post("/console/queues/q/state", ts.URL, url.Values{"state": {"DISABLED"}, "csrf": {token}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("disable with the session's token = %d, want 303", resp.StatusCode)
	}
	if st := queueState(); st != types.JQStateDisabled {
		t.Fatalf("after disabling from the console the queue is %s, want DISABLED", st)
	}
	jqSettles(t, c, "q", types.JQStatusUpdating, types.JQStatusValid)
	if resp, _ := cc.post("/console/queues/q/state", ts.URL, url.Values{"state": {"ENABLED"}, "csrf": {token}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("enable = %d, want 303", resp.StatusCode)
	}
	if st := queueState(); st != types.JQStateEnabled {
		t.Fatalf("after enabling from the console the queue is %s, want ENABLED", st)
	}

	// The API's refusals come back in its own words.
	resp, body := cc.post("/console/ces/nope/state", ts.URL, url.Values{"state": {"DISABLED"}, "csrf": {token}})
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "nope") {
		t.Fatalf("disable a missing compute environment = %d %s, want 400 naming it", resp.StatusCode, body)
	}
}
