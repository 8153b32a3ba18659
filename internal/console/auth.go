package console

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
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
// sign-in page, a POST without one or without the session's CSRF token is
// refused (readForm has refused one from another origin).
func (c *Console) authed(h func(http.ResponseWriter, *http.Request, *session)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s := c.session(r)
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
