package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// rawPost sends the headers of a POST to the console and the first part of
// its body, and reads the answer without sending the rest: an answer that
// arrives shows the server did not wait for (or spool) the body.
func rawPost(t *testing.T, ts *testServer, path, header, body string) (int, string) {
	t.Helper()
	addr := strings.TrimPrefix(ts.URL, "http://")
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(time.Minute)) // only stops a broken server from hanging the test
	fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: %s\r\nOrigin: %s\r\n%s\r\n%s", path, addr, ts.URL, header, body)
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("reading the answer: %v", err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestConsolePosts checks what the console refuses to read: bodies over its
// few-KiB cap, multipart forms (which Go would spool to disk), and posts
// that a browser did not send from the console's own origin.
func TestConsolePosts(t *testing.T) {
	t.Parallel()
	ts := startServer(t, "")
	signIn := url.Values{"accessKeyId": {testKeyID}, "secretAccessKey": {testSecret}}.Encode()

	tests := []struct {
		name       string
		path       string
		header     string
		body       string
		wantStatus int
	}{
		{"form over 4 KiB", "/console/signin", "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 5000\r\n",
			"", http.StatusRequestEntityTooLarge},
		{"chunked form over 4 KiB", "/console/signin", "Content-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n",
			fmt.Sprintf("%x\r\n%s\r\n", 8<<10, "a="+strings.Repeat("x", 8<<10-2)), http.StatusRequestEntityTooLarge},
		{"submission over 32 KiB", "/console/submit", "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 40000\r\n",
			"", http.StatusRequestEntityTooLarge},
		{"multipart sign-in", "/console/signin", "Content-Type: multipart/form-data; boundary=x\r\nContent-Length: 300000000\r\n",
			"--x\r\nContent-Disposition: form-data; name=\"f\"; filename=\"big\"\r\n\r\n" + strings.Repeat("x", 1000), http.StatusUnsupportedMediaType},
		{"small multipart sign-in", "/console/signin", "Content-Type: multipart/form-data; boundary=x\r\nContent-Length: 10\r\n",
			"--x--\r\n\r\n", http.StatusUnsupportedMediaType},
		{"chunked multipart sign-in", "/console/signin", "Content-Type: multipart/form-data; boundary=x\r\nTransfer-Encoding: chunked\r\n",
			"400\r\n" + strings.Repeat("x", 1024) + "\r\n", http.StatusUnsupportedMediaType},
		{"JSON sign-in", "/console/signin", "Content-Type: application/json\r\nContent-Length: 2\r\n", "{}", http.StatusUnsupportedMediaType},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if status, body := rawPost(t, ts, tt.path, tt.header, tt.body); status != tt.wantStatus {
				t.Errorf("POST %s = %d %s, want %d", tt.path, status, body, tt.wantStatus)
			}
		})
	}

	origins := []struct {
		name, origin, fetchSite string
		want                    int
	}{
		{"same origin", ts.URL, "same-origin", http.StatusSeeOther},
		{"Origin only", ts.URL, "", http.StatusSeeOther},
		{"Sec-Fetch-Site only", "", "same-origin", http.StatusSeeOther},
		{"neither header", "", "", http.StatusForbidden},
		{"another origin", "http://evil.example", "cross-site", http.StatusForbidden},
		{"another port of this site", "http://127.0.0.1:1", "same-site", http.StatusForbidden},
		{"cross-site with a forged Origin", ts.URL, "cross-site", http.StatusForbidden},
		{"opaque origin", "null", "cross-site", http.StatusForbidden},
	}
	for _, o := range origins {
		t.Run(o.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodPost, ts.URL+"/console/signin", strings.NewReader(signIn))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			if o.origin != "" {
				req.Header.Set("Origin", o.origin)
			}
			if o.fetchSite != "" {
				req.Header.Set("Sec-Fetch-Site", o.fetchSite)
			}
			client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
			resp, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != o.want {
				t.Errorf("sign-in from %s = %d, want %d", o.name, resp.StatusCode, o.want)
			}
			if signedIn := len(resp.Cookies()) > 0; signedIn != (o.want == http.StatusSeeOther) {
				t.Errorf("sign-in from %s set cookies %v", o.name, resp.Cookies())
			}
		})
	}
}
