// Package testimage makes the tiny images barge's tests run, with no
// registry: a root filesystem holding the host's static busybox (Debian's
// busybox-static) and its applet links, imported into the engine as an
// image. They are built once per engine and kept.
package testimage

import (
	"archive/tar"
	"bytes"
	"context"
	"debug/elf"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/moby/moby/client"
)

// The images Ensure provides.
const (
	// Name is busybox with CMD ["echo", "image-cmd"], so that a test can
	// tell the image's command from the job's.
	Name = "barge-test/busybox:1"
	// EntrypointName is busybox with ENTRYPOINT ["echo", "entrypoint"] and
	// CMD ["image-cmd"].
	EntrypointName = "barge-test/busybox-entrypoint:1"
)

// busyboxPaths are where Debian's busybox-static installs busybox.
var busyboxPaths = []string{"/bin/busybox", "/usr/bin/busybox"}

// Ensure makes sure the engine at host ("" for DOCKER_HOST or the default
// socket) has the test images, building them if needed, and returns Name.
// It skips the test when the host has no static busybox to build from.
func Ensure(ctx context.Context, t testing.TB, host string) string {
	t.Helper()
	opts := []client.Opt{client.FromEnv}
	if host != "" {
		opts = append(opts, client.WithHost(host))
	}
	cli, err := client.New(opts...)
	if err != nil {
		t.Fatalf("docker client: %v", err)
	}
	defer cli.Close()
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()

	images := []struct {
		name    string
		changes []string
	}{
		{Name, []string{`CMD ["echo", "image-cmd"]`, "ENV PATH=/bin"}},
		{EntrypointName, []string{`ENTRYPOINT ["echo", "entrypoint"]`, `CMD ["image-cmd"]`, "ENV PATH=/bin"}},
	}
	var rootfs []byte
	for _, img := range images {
		if _, err := cli.ImageInspect(ctx, img.name); err == nil {
			continue
		}
		if rootfs == nil {
			rootfs = busyboxRootfs(t)
		}
		res, err := cli.ImageImport(ctx, client.ImageImportSource{Source: bytes.NewReader(rootfs), SourceName: "-"},
			img.name, client.ImageImportOptions{Changes: img.changes})
		if err != nil {
			t.Fatalf("importing %s: %v", img.name, err)
		}
		res.Close()
		if _, err := cli.ImageInspect(ctx, img.name); err != nil {
			t.Fatalf("imported %s, but the engine does not have it: %v", img.name, err)
		}
	}
	return Name
}

// ErrNoBusybox is Rootfs's error on a host without a static busybox.
var ErrNoBusybox = errors.New("no static busybox on this host to build the test image from (apt-get install busybox-static)")

// busyboxRootfs returns Rootfs, skipping the test without a static busybox.
func busyboxRootfs(t testing.TB) []byte {
	t.Helper()
	b, err := Rootfs()
	if errors.Is(err, ErrNoBusybox) {
		t.Skip(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Rootfs returns a tar of a root filesystem with the host's static busybox
// as /bin/busybox and a link to it for each of its applets, for Docker and
// for the Kubernetes test cluster's containerd. It returns ErrNoBusybox
// when the host has no static busybox.
func Rootfs() ([]byte, error) {
	bin := ""
	for _, p := range busyboxPaths {
		if isStatic(p) {
			bin = p
			break
		}
	}
	if bin == "" {
		return nil, ErrNoBusybox
	}
	body, err := os.ReadFile(bin)
	if err != nil {
		return nil, err
	}
	list, err := exec.Command(bin, "--list").Output()
	if err != nil {
		return nil, fmt.Errorf("%s --list: %w", bin, err)
	}

	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	now := time.Now()
	var werr error
	add := func(h *tar.Header, data []byte) {
		h.ModTime = now
		if werr == nil {
			werr = tw.WriteHeader(h)
		}
		if werr == nil {
			_, werr = tw.Write(data)
		}
	}
	for _, d := range []string{"bin", "dev", "etc", "proc", "root", "sys"} {
		add(&tar.Header{Typeflag: tar.TypeDir, Name: d + "/", Mode: 0o755}, nil)
	}
	add(&tar.Header{Typeflag: tar.TypeDir, Name: "tmp/", Mode: 0o1777}, nil)
	add(&tar.Header{Typeflag: tar.TypeReg, Name: "bin/busybox", Mode: 0o755, Size: int64(len(body))}, body)
	for _, applet := range strings.Fields(string(list)) {
		if applet == "busybox" || strings.Contains(applet, "/") {
			continue
		}
		add(&tar.Header{Typeflag: tar.TypeSymlink, Name: "bin/" + applet, Linkname: "busybox", Mode: 0o777}, nil)
	}
	for name, text := range map[string]string{
		"etc/passwd": "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n",
		"etc/group":  "root:x:0:\nnogroup:x:65534:\n",
	} {
		add(&tar.Header{Typeflag: tar.TypeReg, Name: name, Mode: 0o644, Size: int64(len(text))}, []byte(text))
	}
	if werr != nil {
		return nil, werr
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// isStatic reports whether path is an ELF executable without a dynamic
// loader, one that runs in an empty root filesystem.
func isStatic(path string) bool {
	f, err := elf.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			return false
		}
	}
	return true
}
