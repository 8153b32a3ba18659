// Package kubecluster runs a real single-node Kubernetes cluster on loopback
// for barge's tests: Debian's etcd, the pinned kube-apiserver,
// kube-controller-manager, kube-scheduler and kubelet that
// scripts/kube-build.sh builds, and a containerd of its own (Debian's, with
// runc and the CNI bridge plugin) whose images are built offline: busybox
// from the host's static busybox, and a pause program compiled here.
//
// Everything listens on 127.0.0.1 at free ports, under a fresh directory;
// Pods get addresses on a bridge of the cluster's own (never docker0). Stop
// deletes every Pod, stops the processes the cluster started by their PIDs,
// unmounts what is left under its directory and deletes its bridge. One
// cluster runs at a time on a machine (a lock file serialises them), since
// the kubelet owns the cgroups it creates.
//
// The recipe and its pitfalls are shared/reference/kubernetes-local-cluster.md.
package kubecluster

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/bargehq/barge/internal/executor/testimage"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	k8s "k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/utils/ptr"
)

// Version is the Kubernetes version the cluster runs, as scripts/kube-build.sh
// builds it.
const Version = "1.36.3"

// Bridge is the name of the Pods' bridge; Subnet is its range.
const (
	Bridge = "barge-kube0"
	Subnet = "10.244.251.0/24"
)

// lockPath serialises clusters on one machine.
const lockPath = "/tmp/barge-kubecluster.lock"

// BinDir returns where scripts/kube-build.sh puts the binaries:
// $BARGE_KUBE_BIN, or the cache it defaults to.
func BinDir() string {
	if d := os.Getenv("BARGE_KUBE_BIN"); d != "" {
		return d
	}
	cache := os.Getenv("XDG_CACHE_HOME")
	if cache == "" {
		home, _ := os.UserHomeDir()
		cache = filepath.Join(home, ".cache")
	}
	return filepath.Join(cache, "barge-kube", "v"+Version, "bin")
}

// Available returns why no cluster can run here, or nil: it needs root, the
// built binaries, Debian's etcd, containerd, runc, ctr and CNI plugins, the
// ip command and a static busybox.
func Available() error {
	if os.Geteuid() != 0 {
		return errors.New("the kubelet and containerd need root")
	}
	bin := BinDir()
	for _, b := range []string{"kube-apiserver", "kube-controller-manager", "kube-scheduler", "kubelet"} {
		if _, err := os.Stat(filepath.Join(bin, b)); err != nil {
			return fmt.Errorf("no %s in %s (scripts/kube-build.sh builds it)", b, bin)
		}
	}
	for _, c := range []string{"etcd", "containerd", "ctr", "runc", "ip"} {
		if _, err := exec.LookPath(c); err != nil {
			return fmt.Errorf("no %s (apt-get install etcd-server containerd runc iproute2)", c)
		}
	}
	for _, p := range []string{"bridge", "host-local", "loopback"} {
		if _, err := os.Stat(filepath.Join(cniBinDir, p)); err != nil {
			return fmt.Errorf("no CNI %s plugin in %s (apt-get install containernetworking-plugins)", p, cniBinDir)
		}
	}
	if _, err := exec.LookPath("go"); err != nil {
		return errors.New("no go command to build the pause program")
	}
	return nil
}

// cniBinDir is where Debian's containernetworking-plugins installs.
const cniBinDir = "/usr/lib/cni"

// Cluster is a running cluster.
type Cluster struct {
	// Dir holds its certificates, configuration, data and logs.
	Dir string
	// Kubeconfig is the path of an admin kubeconfig.
	Kubeconfig string
	// Config is the admin's client configuration.
	Config *rest.Config
	// Node is the name of its one node.
	Node string
	// StartupTime is how long Start took.
	StartupTime time.Duration

	procs       []*process
	containerd  string // its socket
	lock        *os.File
	madeBridge  bool
	keepDirOnce bool
}

type process struct {
	name string
	cmd  *exec.Cmd
	done chan struct{}
}

// Start brings a cluster up under a new directory in parent ("" for the
// system's temporary directory) and returns once its node is Ready and
// namespace exists with its default ServiceAccount. On failure it stops what
// it started.
func Start(ctx context.Context, parent, namespace string) (_ *Cluster, err error) {
	if err := Available(); err != nil {
		return nil, err
	}
	began := time.Now()
	lock, err := os.OpenFile(lockPath, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		lock.Close()
		return nil, fmt.Errorf("locking %s: %w", lockPath, err)
	}
	dir, err := os.MkdirTemp(parent, "barge-kube-")
	if err != nil {
		lock.Close()
		return nil, err
	}
	c := &Cluster{Dir: dir, lock: lock}
	defer func() {
		if err != nil {
			err = fmt.Errorf("%w (logs in %s)", err, filepath.Join(dir, "logs"))
			c.keepDirOnce = true
			c.Stop()
		}
	}()
	for _, d := range []string{"logs", "pki", "etcd", "kubelet", "cni/net.d", "cni/ipam", "containerd"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			return nil, err
		}
	}
	if err := c.checkBridge(); err != nil {
		return nil, err
	}
	ports, err := freePorts(7)
	if err != nil {
		return nil, err
	}
	etcdClient, etcdPeer, apiPort, kubeletPort, kubeletHealth, kcmPort, schedPort := ports[0], ports[1], ports[2], ports[3], ports[4], ports[5], ports[6]
	host, err := os.Hostname()
	if err != nil {
		return nil, err
	}
	c.Node = strings.ToLower(host)

	p, err := newPKI(filepath.Join(dir, "pki"))
	if err != nil {
		return nil, fmt.Errorf("certificates: %w", err)
	}
	server := fmt.Sprintf("https://127.0.0.1:%d", apiPort)
	kubeconfigs := map[string]string{}
	for _, k := range []struct{ name, cn, org string }{
		{"admin", "barge-admin", "system:masters"},
		{"controller-manager", "system:kube-controller-manager", ""},
		{"scheduler", "system:kube-scheduler", ""},
		{"kubelet", "system:node:" + c.Node, "system:nodes"},
	} {
		var orgs []string
		if k.org != "" {
			orgs = []string{k.org}
		}
		path, err := p.kubeconfig(k.name, k.cn, orgs, server)
		if err != nil {
			return nil, err
		}
		kubeconfigs[k.name] = path
	}
	c.Kubeconfig = kubeconfigs["admin"]
	pk := p.path

	// etcd, then the API server.
	etcdURL := fmt.Sprintf("http://127.0.0.1:%d", etcdClient)
	peerURL := fmt.Sprintf("http://127.0.0.1:%d", etcdPeer)
	if err := c.run("etcd", "etcd", "--name", "local", "--data-dir", filepath.Join(dir, "etcd"),
		"--listen-client-urls", etcdURL, "--advertise-client-urls", etcdURL,
		"--listen-peer-urls", peerURL, "--initial-advertise-peer-urls", peerURL,
		"--initial-cluster", "local="+peerURL, "--unsafe-no-fsync"); err != nil {
		return nil, err
	}
	bin := BinDir()
	if err := c.run("kube-apiserver", filepath.Join(bin, "kube-apiserver"),
		"--etcd-servers="+etcdURL, "--bind-address=127.0.0.1", "--advertise-address=127.0.0.1",
		"--secure-port="+strconv.Itoa(apiPort),
		"--tls-cert-file="+pk("apiserver.crt"), "--tls-private-key-file="+pk("apiserver.key"),
		"--client-ca-file="+pk("ca.crt"),
		"--service-account-issuer=https://kubernetes.default.svc.cluster.local",
		"--service-account-key-file="+pk("sa.pub"), "--service-account-signing-key-file="+pk("sa.key"),
		"--service-cluster-ip-range=10.0.0.0/24", "--authorization-mode=Node,RBAC",
		"--kubelet-client-certificate="+pk("admin.crt"), "--kubelet-client-key="+pk("admin.key"),
		"--enable-priority-and-fairness=false", "--kubelet-preferred-address-types=Hostname,InternalIP",
		"--endpoint-reconciler-type=none", "--feature-gates=PodLogsQuerySplitStreams=true"); err != nil {
		return nil, err
	}

	// containerd meanwhile, with the images.
	if err := c.startContainerd(ctx); err != nil {
		return nil, err
	}

	cfg, err := clientcmd.BuildConfigFromFlags("", c.Kubeconfig)
	if err != nil {
		return nil, err
	}
	cfg.QPS, cfg.Burst = 100, 200
	c.Config = cfg
	cs, err := k8s.NewForConfig(cfg)
	if err != nil {
		return nil, err
	}
	if err := c.until(ctx, "the API server to be ready", func() (bool, error) {
		_, err := cs.Discovery().RESTClient().Get().AbsPath("/readyz").DoRaw(ctx)
		return err == nil, nil
	}); err != nil {
		return nil, err
	}

	if err := c.run("kube-controller-manager", filepath.Join(bin, "kube-controller-manager"),
		"--kubeconfig="+kubeconfigs["controller-manager"], "--bind-address=127.0.0.1",
		"--secure-port="+strconv.Itoa(kcmPort), "--leader-elect=false",
		"--service-account-private-key-file="+pk("sa.key"), "--root-ca-file="+pk("ca.crt"),
		"--use-service-account-credentials=true", "--controllers=*"); err != nil {
		return nil, err
	}
	if err := c.run("kube-scheduler", filepath.Join(bin, "kube-scheduler"),
		"--kubeconfig="+kubeconfigs["scheduler"], "--bind-address=127.0.0.1",
		"--secure-port="+strconv.Itoa(schedPort), "--leader-elect=false",
		// Its client's default 50 requests a second (one per binding) would
		// bound the scale tests' Pods; kwokctl lifts it the same way.
		"--kube-api-qps=5000", "--kube-api-burst=10000"); err != nil {
		return nil, err
	}
	kubeletConfig := filepath.Join(dir, "kubelet.yaml")
	if err := os.WriteFile(kubeletConfig, []byte(fmt.Sprintf(kubeletYAML,
		kubeletPort, kubeletHealth, c.containerd, pk("ca.crt"))), 0o644); err != nil {
		return nil, err
	}
	if err := c.run("kubelet", filepath.Join(bin, "kubelet"), "--config="+kubeletConfig,
		"--kubeconfig="+kubeconfigs["kubelet"], "--root-dir="+filepath.Join(dir, "kubelet"),
		"--cert-dir="+filepath.Join(dir, "kubelet", "pki"), "--hostname-override="+c.Node); err != nil {
		return nil, err
	}

	if err := c.until(ctx, "the node to be Ready", func() (bool, error) {
		n, err := cs.CoreV1().Nodes().Get(ctx, c.Node, metav1.GetOptions{})
		if err != nil {
			return false, nil
		}
		for _, cond := range n.Status.Conditions {
			if cond.Type == corev1.NodeReady && cond.Status == corev1.ConditionTrue {
				return len(n.Spec.Taints) == 0, nil
			}
		}
		return false, nil
	}); err != nil {
		return nil, err
	}
	if namespace != "" {
		_, err := cs.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: namespace}}, metav1.CreateOptions{})
		if err != nil && !apierrors.IsAlreadyExists(err) {
			return nil, fmt.Errorf("creating namespace %s: %w", namespace, err)
		}
		if err := c.until(ctx, "the default ServiceAccount of "+namespace, func() (bool, error) {
			_, err := cs.CoreV1().ServiceAccounts(namespace).Get(ctx, "default", metav1.GetOptions{})
			return err == nil, nil
		}); err != nil {
			return nil, err
		}
	}
	c.StartupTime = time.Since(began)
	return c, nil
}

// kubeletYAML is the kubelet's configuration: loopback only, cgroup v1 and
// cgroupfs as on this host, the cluster's containerd, images never
// collected, no iptables chains of its own.
const kubeletYAML = `apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: 127.0.0.1
port: %d
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: %d
failCgroupV1: false
cgroupDriver: cgroupfs
containerRuntimeEndpoint: unix://%s
failSwapOn: false
resolvConf: ""
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
makeIPTablesUtilChains: false
serializeImagePulls: false
evictionHard:
  memory.available: 100Mi
  nodefs.available: 1%%
  nodefs.inodesFree: 1%%
  imagefs.available: 1%%
evictionPressureTransitionPeriod: 5s
authentication:
  anonymous:
    enabled: false
  webhook:
    enabled: false
  x509:
    clientCAFile: %s
authorization:
  mode: AlwaysAllow
featureGates:
  PodLogsQuerySplitStreams: true
`

// containerdTOML is containerd's configuration. restrict_oom_score_adj is
// needed where root lacks CAP_SYS_RESOURCE.
const containerdTOML = `version = 2
root = "%[1]s/root"
state = "%[1]s/state"
[grpc]
  address = "%[2]s"
[plugins."io.containerd.internal.v1.opt"]
  path = "%[1]s/opt"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "%[3]s"
  restrict_oom_score_adj = true
  [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
    runtime_type = "io.containerd.runc.v2"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
      SystemdCgroup = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "%[4]s"
    conf_dir = "%[5]s"
`

// cniConflist puts Pods on the cluster's own bridge, with addresses from
// host-local kept under the cluster's directory.
const cniConflist = `{
  "cniVersion": "0.4.0",
  "name": "barge-kube",
  "plugins": [
    {
      "type": "bridge",
      "bridge": "%s",
      "isGateway": true,
      "ipMasq": false,
      "ipam": {"type": "host-local", "ranges": [[{"subnet": "%s"}]], "dataDir": "%s"}
    }
  ]
}
`

// startContainerd starts the cluster's containerd and imports its images.
func (c *Cluster) startContainerd(ctx context.Context) error {
	root := filepath.Join(c.Dir, "containerd")
	c.containerd = filepath.Join(root, "containerd.sock")
	netd := filepath.Join(c.Dir, "cni", "net.d")
	if err := os.WriteFile(filepath.Join(netd, "10-barge.conflist"),
		[]byte(fmt.Sprintf(cniConflist, Bridge, Subnet, filepath.Join(c.Dir, "cni", "ipam"))), 0o644); err != nil {
		return err
	}
	cfg := filepath.Join(root, "config.toml")
	if err := os.WriteFile(cfg, []byte(fmt.Sprintf(containerdTOML, root, c.containerd, PauseImage, cniBinDir, netd)), 0o644); err != nil {
		return err
	}
	if err := c.run("containerd", "containerd", "--config", cfg); err != nil {
		return err
	}
	if err := c.until(ctx, "containerd's socket", func() (bool, error) {
		_, err := os.Stat(c.containerd)
		return err == nil, nil
	}); err != nil {
		return err
	}
	busybox, err := testimage.Rootfs()
	if err != nil {
		return err
	}
	return importImages(ctx, c.Dir, c.containerd, busybox)
}

// checkBridge deletes a bridge left by a cluster that did not stop (the
// lock says no other cluster runs).
func (c *Cluster) checkBridge() error {
	c.madeBridge = true
	if _, err := net.InterfaceByName(Bridge); err != nil {
		return nil
	}
	if out, err := exec.Command("ip", "link", "delete", Bridge).CombinedOutput(); err != nil {
		return fmt.Errorf("deleting the bridge %s left by an earlier cluster: %v: %s", Bridge, err, out)
	}
	return nil
}

// run starts a process of the cluster, its output in logs/<name>.log.
func (c *Cluster) run(name, path string, args ...string) error {
	logf, err := os.Create(filepath.Join(c.Dir, "logs", name+".log"))
	if err != nil {
		return err
	}
	cmd := exec.Command(path, args...)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		logf.Close()
		return fmt.Errorf("starting %s: %w", name, err)
	}
	p := &process{name: name, cmd: cmd, done: make(chan struct{})}
	go func() {
		cmd.Wait()
		logf.Close()
		close(p.done)
	}()
	c.procs = append(c.procs, p)
	return nil
}

// until calls ok every 200 ms until it says so, a process of the cluster
// exits, or two minutes pass.
func (c *Cluster) until(ctx context.Context, what string, ok func() (bool, error)) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	for {
		done, err := ok()
		if err != nil {
			return fmt.Errorf("waiting for %s: %w", what, err)
		}
		if done {
			return nil
		}
		for _, p := range c.procs {
			select {
			case <-p.done:
				return fmt.Errorf("waiting for %s: %s exited (%v)", what, p.name, p.cmd.ProcessState)
			default:
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("waiting for %s: %w", what, ctx.Err())
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// Stop deletes every Pod, stops the cluster's processes by PID, unmounts
// what is left under its directory, deletes its bridge and its directory
// (kept, with the logs, when BARGE_KUBE_KEEP is set).
// It returns what it could not clean up.
func (c *Cluster) Stop() error {
	var errs []error
	if c.Config != nil && c.running("kubelet") {
		errs = append(errs, c.deletePods())
	}
	// The kubelet first, so that it restarts nothing; containerd's tasks
	// next, then containerd and the control plane.
	for _, name := range []string{"kwok", "kubelet", "kube-scheduler", "kube-controller-manager"} {
		c.stop(name)
	}
	if c.running("containerd") {
		errs = append(errs, c.killTasks())
	}
	c.stop("containerd")
	errs = append(errs, c.killShims())
	c.stop("kube-apiserver")
	c.stop("etcd")
	errs = append(errs, unmountUnder(c.Dir))
	removeCgroups()
	if c.madeBridge {
		if _, err := net.InterfaceByName(Bridge); err == nil {
			if out, err := exec.Command("ip", "link", "delete", Bridge).CombinedOutput(); err != nil {
				errs = append(errs, fmt.Errorf("ip link delete %s: %v: %s", Bridge, err, out))
			}
		}
	}
	if !c.keepDirOnce && os.Getenv("BARGE_KUBE_KEEP") == "" {
		if err := os.RemoveAll(c.Dir); err != nil {
			errs = append(errs, err)
		}
	}
	if c.lock != nil {
		c.lock.Close() // releases the flock
	}
	return errors.Join(errs...)
}

// running reports whether the process name was started and runs.
func (c *Cluster) running(name string) bool {
	for _, p := range c.procs {
		if p.name == name {
			select {
			case <-p.done:
				return false
			default:
				return true
			}
		}
	}
	return false
}

// stop ends the process name: SIGTERM, then SIGKILL after ten seconds.
func (c *Cluster) stop(name string) {
	for _, p := range c.procs {
		if p.name != name {
			continue
		}
		p.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-p.done:
		case <-time.After(10 * time.Second):
			p.cmd.Process.Kill()
			<-p.done
		}
	}
}

// deletePods force-deletes every Pod (finalizers off) and waits a while
// for the kubelet to stop their sandboxes, which removes their network
// namespaces and veths.
func (c *Cluster) deletePods() error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cs, err := k8s.NewForConfig(c.Config)
	if err != nil {
		return err
	}
	pods, err := cs.CoreV1().Pods("").List(ctx, metav1.ListOptions{})
	if err != nil {
		return fmt.Errorf("listing Pods to delete: %w", err)
	}
	for _, pod := range pods.Items {
		pc := cs.CoreV1().Pods(pod.Namespace)
		if len(pod.Finalizers) > 0 {
			pc.Patch(ctx, pod.Name, "application/merge-patch+json", []byte(`{"metadata":{"finalizers":null}}`), metav1.PatchOptions{})
		}
		pc.Delete(ctx, pod.Name, metav1.DeleteOptions{GracePeriodSeconds: ptr.To[int64](0)})
	}
	for ctx.Err() == nil {
		if ids, err := c.tasks(ctx); err == nil && len(ids) == 0 {
			return nil
		}
		time.Sleep(300 * time.Millisecond)
	}
	return nil // what is left, killTasks kills
}

// tasks lists the IDs of containerd's running tasks.
func (c *Cluster) tasks(ctx context.Context) ([]string, error) {
	out, err := exec.CommandContext(ctx, "ctr", "--address", c.containerd, "--namespace", "k8s.io", "tasks", "list", "--quiet").Output()
	if err != nil {
		return nil, err
	}
	return strings.Fields(string(out)), nil
}

// killTasks kills and deletes containerd's tasks that are left.
func (c *Cluster) killTasks() error {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	ids, err := c.tasks(ctx)
	if err != nil {
		return fmt.Errorf("listing containerd's tasks: %w", err)
	}
	for _, id := range ids {
		exec.CommandContext(ctx, "ctr", "--address", c.containerd, "--namespace", "k8s.io", "tasks", "kill", "--all", "--signal", "SIGKILL", id).Run()
	}
	for _, id := range ids {
		exec.CommandContext(ctx, "ctr", "--address", c.containerd, "--namespace", "k8s.io", "tasks", "delete", "--force", id).Run()
	}
	return nil
}

// killShims kills the containerd shims this cluster's containerd started:
// they outlive it, and are found by the socket address in their command
// line.
func (c *Cluster) killShims() error {
	if c.containerd == "" {
		return nil
	}
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return err
	}
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		cmdline, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err != nil {
			continue
		}
		args := strings.Split(string(cmdline), "\x00")
		if len(args) > 0 && strings.Contains(filepath.Base(args[0]), "containerd-shim") && slices.Contains(args, c.containerd) {
			syscall.Kill(pid, syscall.SIGKILL)
		}
	}
	return nil
}

// removeCgroups removes the kubelet's empty kubepods cgroups, deepest
// first, in each cgroup v1 hierarchy (and under cgroup v2). A cgroup that
// still has a process stays.
func removeCgroups() {
	roots, _ := filepath.Glob("/sys/fs/cgroup/*/kubepods")
	if _, err := os.Stat("/sys/fs/cgroup/kubepods"); err == nil {
		roots = append(roots, "/sys/fs/cgroup/kubepods")
	}
	for _, root := range roots {
		var dirs []string
		filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
			if err == nil && d.IsDir() {
				dirs = append(dirs, path)
			}
			return nil
		})
		for _, d := range slices.Backward(dirs) {
			syscall.Rmdir(d)
		}
	}
}

// unmountUnder lazily unmounts every mount point under dir, deepest first.
func unmountUnder(dir string) error {
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return err
	}
	defer f.Close()
	var points []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) > 4 && strings.HasPrefix(fields[4], dir+"/") {
			points = append(points, fields[4])
		}
	}
	slices.SortFunc(points, func(a, b string) int { return len(b) - len(a) })
	var errs []error
	for _, p := range points {
		if err := syscall.Unmount(p, syscall.MNT_DETACH); err != nil && !errors.Is(err, syscall.EINVAL) && !errors.Is(err, syscall.ENOENT) {
			errs = append(errs, fmt.Errorf("unmounting %s: %w", p, err))
		}
	}
	return errors.Join(errs...)
}

// freePorts returns n distinct free TCP ports on 127.0.0.1.
func freePorts(n int) ([]int, error) {
	var ports []int
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}
