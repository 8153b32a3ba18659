package main

import (
	"crypto/rand"
	"encoding/base32"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// credentialsFile holds the generated root credentials inside the data
// directory, readable by its owner only.
const credentialsFile = "credentials.json"

// Credentials is the root access key pair.
type Credentials struct {
	AccessKeyID     string `json:"accessKeyId"`
	SecretAccessKey string `json:"secretAccessKey"`
}

// loadOrCreateCredentials returns the pair stored in dir, or generates,
// stores (0600) and returns a new one; created reports which.
func loadOrCreateCredentials(dir string) (c Credentials, created bool, err error) {
	path := filepath.Join(dir, credentialsFile)
	b, err := os.ReadFile(path)
	if err == nil {
		if err := json.Unmarshal(b, &c); err != nil || c.AccessKeyID == "" || c.SecretAccessKey == "" {
			return Credentials{}, false, fmt.Errorf("%s is damaged: delete it to generate new credentials, or set BARGE_ACCESS_KEY_ID and BARGE_SECRET_ACCESS_KEY", path)
		}
		return c, false, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return Credentials{}, false, err
	}
	var id [10]byte
	var secret [30]byte
	rand.Read(id[:])
	rand.Read(secret[:])
	c = Credentials{
		AccessKeyID:     "AKIA" + base32.StdEncoding.EncodeToString(id[:])[:16],
		SecretAccessKey: base64.StdEncoding.EncodeToString(secret[:]),
	}
	b, _ = json.MarshalIndent(c, "", "  ")
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return Credentials{}, false, err
	}
	if _, err := f.Write(append(b, '\n')); err != nil {
		f.Close()
		return Credentials{}, false, err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return Credentials{}, false, err
	}
	return c, true, f.Close()
}
