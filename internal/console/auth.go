package console

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"sync"
	"time"
)

// cookieName is the session cookie, scoped to Path=/console.
const cookieName = "barge_console"

// sessionTTL is how long a sign-in lasts.
const sessionTTL = 12 * time.Hour

// session is one signed-in browser: the request's view of its Session.
type session struct {
	accessKeyID string
	csrf        string
}

// Session is a signed-in browser as a SessionStore keeps it. The browser's
// cookie holds a random token, the store only its hash: whoever reads the
// store cannot present a session.
type Session struct {
	// TokenHash is the hex SHA-256 of the cookie's token.
	TokenHash   string
	AccessKeyID string
	// CSRF is the token that every form of the session posts.
	CSRF    string
	Expires time.Time
}

// SessionStore keeps the console's sessions. Servers that share a database
// share it, so that a browser signed in on one is signed in on all, and a
// sign-out on one ends the session on all.
type SessionStore interface {
	// CreateSession records s; it may drop the sessions expired by now.
	CreateSession(ctx context.Context, s Session, now time.Time) error
	// Session returns the session of a token hash, expired or not; ok is
	// false when there is none.
	Session(ctx context.Context, tokenHash string) (s Session, ok bool, err error)
	// DeleteSession ends a session; one that does not exist is no error.
	DeleteSession(ctx context.Context, tokenHash string) error
}

// memSessions is the SessionStore of a console configured with none (a
// server on a database of its own): it lives in memory, so a restart signs
// everyone out, which is the safe way round.
type memSessions struct {
	mu sync.Mutex
	m  map[string]Session
}

func (s *memSessions) CreateSession(_ context.Context, sess Session, now time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil {
		s.m = map[string]Session{}
	}
	for h, old := range s.m { // few sessions: sweep the expired ones on each sign-in
		if !now.Before(old.Expires) {
			delete(s.m, h)
		}
	}
	s.m[sess.TokenHash] = sess
	return nil
}

func (s *memSessions) Session(_ context.Context, tokenHash string) (Session, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sess, ok := s.m[tokenHash]
	return sess, ok, nil
}

func (s *memSessions) DeleteSession(_ context.Context, tokenHash string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, tokenHash)
	return nil
}

func newToken() string {
	var b [32]byte
	rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// tokenHash is the key of a cookie's token in the SessionStore. A lookup by
// hash leaks nothing through its timing: an attacker cannot choose what a
// guess's hash shares with a real one.
func tokenHash(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
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

// session returns the request's session, or nil when it has none that
// lasts: no cookie, a token no server made, a session signed out or
// expired. A store that cannot answer is an error.
func (c *Console) session(r *http.Request) (*session, error) {
	ck, err := r.Cookie(cookieName)
	if err != nil || ck.Value == "" {
		return nil, nil
	}
	sess, ok, err := c.sessions.Session(r.Context(), tokenHash(ck.Value))
	if err != nil || !ok || !c.now().Before(sess.Expires) {
		return nil, err
	}
	return &session{accessKeyID: sess.AccessKeyID, csrf: sess.CSRF}, nil
}

// sessionFailed answers a request whose session could not be read.
func (c *Console) sessionFailed(w http.ResponseWriter, r *http.Request, err error) {
	c.log.Error("console session could not be read", "path", r.URL.Path, "error", err)
	http.Error(w, "Your session could not be checked; the server log has the details. Try again.", http.StatusServiceUnavailable)
}

// Console request bodies are forms of a few fields: the largest is a job
// submission, which AWS caps at 30 KiB as JSON.
const (
	maxFormBody       = 4 << 10
	maxSubmitFormBody = 32 << 10
	// formTimeout is how long a form's body may take to arrive.
	formTimeout = 10 * time.Second
)

// readForm admits a request that may carry a body (every console action is
// a POST) and reads its form, before any handler runs: the request must come
// from the console's own origin, be an application/x-www-form-urlencoded
// form (a multipart form would be spooled to disk before anything could
// refuse it), and fit the path's limit within formTimeout. It reports
// whether the request may go on; if not, it has answered it.
func (c *Console) readForm(w http.ResponseWriter, r *http.Request) bool {
	if !sameOrigin(r) {
		http.Error(w, "Cross-origin request refused: console forms are posted from the console's own pages.", http.StatusForbidden)
		return false
	}
	if r.ContentLength != 0 {
		if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/x-www-form-urlencoded" {
			w.Header().Set("Connection", "close")
			http.Error(w, "The console takes forms as application/x-www-form-urlencoded.", http.StatusUnsupportedMediaType)
			return false
		}
	}
	limit := int64(maxFormBody)
	if r.URL.Path == "/console/submit" {
		limit = maxSubmitFormBody
	}
	if r.ContentLength > limit {
		w.Header().Set("Connection", "close")
		http.Error(w, fmt.Sprintf("The form is larger than the console takes (%d KiB).", limit>>10), http.StatusRequestEntityTooLarge)
		return false
	}
	rc := http.NewResponseController(w)
	rc.SetReadDeadline(time.Now().Add(formTimeout)) // an error means a writer that cannot set one: the server's own timeouts apply
	defer rc.SetReadDeadline(time.Time{})
	r.Body = http.MaxBytesReader(w, r.Body, limit)
	if err := r.ParseForm(); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			http.Error(w, fmt.Sprintf("The form is larger than the console takes (%d KiB).", limit>>10), http.StatusRequestEntityTooLarge)
			return false
		}
		w.Header().Set("Connection", "close")
		http.Error(w, "The form could not be read.", http.StatusBadRequest)
		return false
	}
	return true
}

// sameOrigin rejects a request that a browser did not send from the
// console's own origin. Browsers send Origin on every POST, and
// Sec-Fetch-Site on every request; a request with neither is refused, as
// there is then no telling where it came from.
func sameOrigin(r *http.Request) bool {
	switch r.Header.Get("Sec-Fetch-Site") {
	case "", "same-origin":
	default: // cross-site, same-site (another port or subdomain), none (typed into the address bar)
		return false
	}
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
	return r.Header.Get("Sec-Fetch-Site") == "same-origin"
}

func (c *Console) setCookie(w http.ResponseWriter, r *http.Request, token string, maxAge int) {
	http.SetCookie(w, &http.Cookie{
		Name: cookieName, Value: token, Path: "/console",
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil,
		MaxAge: maxAge,
	})
}

func (c *Console) signInPage(w http.ResponseWriter, r *http.Request) {
	s, err := c.session(r)
	if err != nil {
		c.sessionFailed(w, r, err)
		return
	}
	if s != nil {
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

// signIn checks a posted key pair; readForm has checked the origin and read
// the form.
func (c *Console) signIn(w http.ResponseWriter, r *http.Request) {
	keyID, secret := r.PostFormValue("accessKeyId"), r.PostFormValue("secretAccessKey")
	next := safeNext(r.PostFormValue("next"))
	if !c.checkKeys(keyID, secret) {
		c.log.Info("console sign-in refused", "access_key_id", keyID)
		c.render(w, r, nil, "signin", http.StatusUnauthorized, signInData{
			Error: "The access key ID or secret access key is not one this server accepts.", KeyID: keyID, Next: next})
		return
	}
	token, now := newToken(), c.now()
	sess := Session{TokenHash: tokenHash(token), AccessKeyID: keyID, CSRF: newToken(), Expires: now.Add(sessionTTL)}
	if err := c.sessions.CreateSession(r.Context(), sess, now); err != nil {
		c.log.Error("console session could not be recorded", "access_key_id", keyID, "error", err)
		c.render(w, r, nil, "signin", http.StatusServiceUnavailable, signInData{
			Error: "The sign-in could not be recorded; the server log has the details. Try again.", KeyID: keyID, Next: next})
		return
	}
	c.setCookie(w, r, token, int(sessionTTL/time.Second))
	http.Redirect(w, r, next, http.StatusSeeOther)
}

func (c *Console) signOut(w http.ResponseWriter, r *http.Request, s *session) {
	if ck, err := r.Cookie(cookieName); err == nil {
		if err := c.sessions.DeleteSession(r.Context(), tokenHash(ck.Value)); err != nil {
			c.log.Error("console session could not be ended", "error", err)
			http.Error(w, "The sign-out could not be recorded; the server log has the details. Try again.", http.StatusServiceUnavailable)
			return
		}
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
// sign-in page, a POST without one or without the session's CSRF token is
// refused (readForm has refused one from another origin).
func (c *Console) authed(h func(http.ResponseWriter, *http.Request, *session)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s, err := c.session(r)
		if err != nil {
			c.sessionFailed(w, r, err)
			return
		}
		if r.Method == http.MethodPost {
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
