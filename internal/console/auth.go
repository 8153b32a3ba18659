package console

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"net/url"
	"sync"
	"time"
)

// cookieName is the session cookie, scoped to Path=/console.
const cookieName = "barge_console"

// sessionTTL is how long a sign-in lasts.
const sessionTTL = 12 * time.Hour

// session is one signed-in browser. The token in its cookie is the key of
// the sessions map; the CSRF token goes in every form it posts.
type session struct {
	accessKeyID string
	csrf        string
	expires     time.Time
}

// sessions is the server-side session table. It lives in memory: a restart
// signs everyone out, which is the safe way round.
type sessions struct {
	mu sync.Mutex
	m  map[string]*session
}

func newToken() string {
	var b [32]byte
	rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

func (s *sessions) create(keyID string, now time.Time) (token string, sess *session) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil {
		s.m = map[string]*session{}
	}
	for t, old := range s.m { // few sessions: sweep the expired ones on each sign-in
		if !now.Before(old.expires) {
			delete(s.m, t)
		}
	}
	token = newToken()
	sess = &session{accessKeyID: keyID, csrf: newToken(), expires: now.Add(sessionTTL)}
	s.m[token] = sess
	return token, sess
}

func (s *sessions) get(token string, now time.Time) *session {
	s.mu.Lock()
	defer s.mu.Unlock()
	sess, ok := s.m[token]
	if !ok {
		return nil
	}
	if !now.Before(sess.expires) {
		delete(s.m, token)
		return nil
	}
	return sess
}

func (s *sessions) delete(token string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, token)
}

// checkKeys reports whether the pair is one the server accepts, comparing
// the secret in constant time.
func (c *Console) checkKeys(keyID, secret string) bool {
	if keyID == "" || secret == "" {
		return false
	}
	want, ok := c.cfg.Lookup(keyID)
	if !ok {
		subtle.ConstantTimeCompare([]byte(secret), []byte(secret)) // same work either way
		return false
	}
	return subtle.ConstantTimeCompare([]byte(secret), []byte(want)) == 1
}

// session returns the request's session, or nil.
func (c *Console) session(r *http.Request) *session {
	ck, err := r.Cookie(cookieName)
	if err != nil || ck.Value == "" {
		return nil
	}
	return c.sessions.get(ck.Value, c.now())
}

// sameOrigin rejects a cross-origin POST. Browsers send Origin on every
// POST; when a browser sends none, Sec-Fetch-Site says where it came from.
// A client that sends neither is no browser, so no other site can have made
// it post: the session cookie and CSRF token still have to be right.
func sameOrigin(r *http.Request) bool {
	if o := r.Header.Get("Origin"); o != "" {
		u, err := url.Parse(o)
		if err != nil || o == "null" {
			return false
		}
		scheme := "http"
		if r.TLS != nil {
			scheme = "https"
		}
		return u.Scheme == scheme && u.Host == r.Host
	}
	switch r.Header.Get("Sec-Fetch-Site") {
	case "", "same-origin", "none":
		return true
	}
	return false
}

func (c *Console) setCookie(w http.ResponseWriter, r *http.Request, token string, maxAge int) {
	http.SetCookie(w, &http.Cookie{
		Name: cookieName, Value: token, Path: "/console",
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil,
		MaxAge: maxAge,
	})
}

func (c *Console) signInPage(w http.ResponseWriter, r *http.Request) {
	if c.session(r) != nil {
		http.Redirect(w, r, "/console/", http.StatusSeeOther)
		return
	}
	c.render(w, r, nil, "signin", http.StatusOK, signInData{Next: safeNext(r.URL.Query().Get("next"))})
}

type signInData struct {
	Error string
	KeyID string
	Next  string
}

func (c *Console) signIn(w http.ResponseWriter, r *http.Request) {
	if !sameOrigin(r) {
		http.Error(w, "Cross-origin sign-in refused.", http.StatusForbidden)
		return
	}
	keyID, secret := r.PostFormValue("accessKeyId"), r.PostFormValue("secretAccessKey")
	next := safeNext(r.PostFormValue("next"))
	if !c.checkKeys(keyID, secret) {
		c.log.Info("console sign-in refused", "access_key_id", keyID)
		c.render(w, r, nil, "signin", http.StatusUnauthorized, signInData{
			Error: "The access key ID or secret access key is not one this server accepts.", KeyID: keyID, Next: next})
		return
	}
	token, _ := c.sessions.create(keyID, c.now())
	c.setCookie(w, r, token, int(sessionTTL/time.Second))
	http.Redirect(w, r, next, http.StatusSeeOther)
}

func (c *Console) signOut(w http.ResponseWriter, r *http.Request, s *session) {
	if ck, err := r.Cookie(cookieName); err == nil {
		c.sessions.delete(ck.Value)
	}
	c.setCookie(w, r, "", -1)
	http.Redirect(w, r, "/console/signin", http.StatusSeeOther)
}

// safeNext keeps a post-sign-in redirect on the console.
func safeNext(next string) string {
	if len(next) > 1 && next[0] == '/' && next[1] != '/' && next[1] != '\\' && len(next) >= len("/console/") && next[:len("/console/")] == "/console/" {
		return next
	}
	return "/console/"
}

// authed wraps a handler that needs a session: a GET without one goes to the
// sign-in page, a POST without one, from another origin or without the
// session's CSRF token is refused.
func (c *Console) authed(h func(http.ResponseWriter, *http.Request, *session)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s := c.session(r)
		if r.Method == http.MethodPost {
			if !sameOrigin(r) {
				http.Error(w, "Cross-origin request refused.", http.StatusForbidden)
				return
			}
			if s == nil {
				http.Error(w, "Sign in first: your session has ended.", http.StatusUnauthorized)
				return
			}
			got := r.PostFormValue("csrf")
			if subtle.ConstantTimeCompare([]byte(got), []byte(s.csrf)) != 1 {
				http.Error(w, "The form's CSRF token is missing or stale: reload the page and try again.", http.StatusForbidden)
				return
			}
			h(w, r, s)
			return
		}
		if s == nil {
			if wantsJSON(r) {
				http.Error(w, "Sign in first.", http.StatusUnauthorized)
				return
			}
			http.Redirect(w, r, "/console/signin?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
			return
		}
		h(w, r, s)
	}
}

func wantsJSON(r *http.Request) bool {
	return r.Header.Get("Accept") == "application/json"
}
