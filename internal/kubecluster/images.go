package kubecluster

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"time"
)

// The images the cluster's containerd has, built offline.
const (
	// BusyboxImage is busybox with CMD ["echo", "image-cmd"] (as
	// testimage.Name on Docker).
	BusyboxImage = "barge-test/busybox:1"
	// EntrypointImage is busybox with ENTRYPOINT ["echo", "entrypoint"] and
	// CMD ["image-cmd"].
	EntrypointImage = "barge-test/busybox-entrypoint:1"
	// PauseImage is the sandbox image containerd is configured with: a
	// static program that waits for SIGTERM.
	PauseImage = "registry.k8s.io/pause:3.10"
	// DockerHubBusybox is busybox tagged as Docker Hub's busybox:latest
	// (CMD ["sh"]), so that job definitions naming "busybox" run
	// unchanged, offline.
	DockerHubBusybox = "docker.io/library/busybox:latest"
)

const pauseSource = `package main

import (
	"os"
	"os/signal"
	"syscall"
)

func main() {
	c := make(chan os.Signal, 1)
	signal.Notify(c, syscall.SIGTERM, syscall.SIGINT)
	<-c
}
`

// image is one image of a docker-save archive.
type image struct {
	tag        string
	layer      []byte // a tar of its root filesystem
	entrypoint []string
	cmd        []string
}

// importImages builds the images and imports them into the containerd at
// address, in the k8s.io namespace the CRI plugin uses.
func importImages(ctx context.Context, dir, address string, busybox []byte) error {
	pause, err := buildPause(ctx, dir)
	if err != nil {
		return err
	}
	archive, err := dockerArchive([]image{
		{tag: BusyboxImage, layer: busybox, cmd: []string{"echo", "image-cmd"}},
		{tag: EntrypointImage, layer: busybox, entrypoint: []string{"echo", "entrypoint"}, cmd: []string{"image-cmd"}},
		{tag: PauseImage, layer: pause, entrypoint: []string{"/pause"}},
		{tag: DockerHubBusybox, layer: busybox, cmd: []string{"sh"}},
	})
	if err != nil {
		return err
	}
	path := filepath.Join(dir, "images.tar")
	if err := os.WriteFile(path, archive, 0o644); err != nil {
		return err
	}
	out, err := exec.CommandContext(ctx, "ctr", "--address", address, "--namespace", "k8s.io", "images", "import", path).CombinedOutput()
	if err != nil {
		return fmt.Errorf("ctr images import: %v: %s", err, out)
	}
	return nil
}

// buildPause compiles the pause program statically and returns a layer
// holding it as /pause.
func buildPause(ctx context.Context, dir string) ([]byte, error) {
	src := filepath.Join(dir, "pause")
	if err := os.MkdirAll(src, 0o755); err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(src, "main.go"), []byte(pauseSource), 0o644); err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(src, "go.mod"), []byte("module pause\n\ngo 1.22\n"), 0o644); err != nil {
		return nil, err
	}
	bin := filepath.Join(src, "pause")
	cmd := exec.CommandContext(ctx, "go", "build", "-trimpath", "-ldflags=-s -w", "-o", bin, ".")
	cmd.Dir = src
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOFLAGS=", "GOWORK=off")
	if out, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("building the pause program: %v: %s", err, out)
	}
	body, err := os.ReadFile(bin)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: "pause", Mode: 0o755, Size: int64(len(body)), ModTime: time.Now()}); err != nil {
		return nil, err
	}
	if _, err := tw.Write(body); err != nil {
		return nil, err
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// dockerArchive returns a `docker save` archive of the images, one layer
// each, which `ctr images import` reads.
func dockerArchive(images []image) ([]byte, error) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	add := func(name string, data []byte) error {
		if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: name, Mode: 0o644, Size: int64(len(data)), ModTime: time.Now()}); err != nil {
			return err
		}
		_, err := tw.Write(data)
		return err
	}
	type entry struct {
		Config   string
		RepoTags []string
		Layers   []string
	}
	var manifest []entry
	layers := map[string]bool{}
	for _, img := range images {
		sum := sha256.Sum256(img.layer)
		diffID := hex.EncodeToString(sum[:])
		layerName := diffID + "/layer.tar"
		if !layers[layerName] {
			layers[layerName] = true
			if err := add(layerName, img.layer); err != nil {
				return nil, err
			}
		}
		cfg, err := json.Marshal(map[string]any{
			"architecture": runtime.GOARCH,
			"os":           "linux",
			"created":      time.Now().UTC().Format(time.RFC3339),
			"config": map[string]any{
				"Entrypoint": img.entrypoint,
				"Cmd":        img.cmd,
				"Env":        []string{"PATH=/bin"},
			},
			"rootfs": map[string]any{"type": "layers", "diff_ids": []string{"sha256:" + diffID}},
		})
		if err != nil {
			return nil, err
		}
		csum := sha256.Sum256(cfg)
		cfgName := hex.EncodeToString(csum[:]) + ".json"
		if err := add(cfgName, cfg); err != nil {
			return nil, err
		}
		manifest = append(manifest, entry{Config: cfgName, RepoTags: []string{img.tag}, Layers: []string{layerName}})
	}
	m, err := json.Marshal(manifest)
	if err != nil {
		return nil, err
	}
	if err := add("manifest.json", m); err != nil {
		return nil, err
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
