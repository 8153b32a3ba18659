package main

import (
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/batch"
	"github.com/aws/aws-sdk-go-v2/service/batch/types"
	"github.com/bargehq/barge/internal/executor/kubernetes"
	"github.com/bargehq/barge/internal/kubecluster"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/informers"
	k8s "k8s.io/client-go/kubernetes"
	corelisters "k8s.io/client-go/listers/core/v1"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// TestKubernetesScaleServer measures the whole server on kwok's fake nodes
// (BARGE_KUBE_SCALE=1; BARGE_KUBE_SCALE_TASKS and BARGE_KUBE_SCALE_NODES
// change the 10,000 jobs and 100 nodes, BARGE_KUBE_SCALE_SUBMITTERS the 8
// goroutines that submit, BARGE_KUBE_SCALE_RATE paces the submissions at
// that many jobs a second instead of as fast as the server takes them). A
// barge process with --executor kubernetes runs every job as a Pod of 0.25
// vCPU / 512 MiB that kwok marks Running and ends a second later; the jobs
// are submitted one by one with SubmitJob. It reports the wall time, Pods
// created per second, SubmitJob → RUNNING latency, barge's CPU per job and
// its share of barge's and the cluster's, and the API requests barge made
// per attempt, counted by a proxy in front of the API server; and, from a
// watch of the Pods, how the latency splits between the cluster and
// barge. It asserts only that every job succeeded, with one attempt. Run it with
// scripts/kube-scale.sh server (docs/PERFORMANCE.md records it).
func TestKubernetesScaleServer(t *testing.T) {
	if os.Getenv("BARGE_KUBE_SCALE") == "" {
		t.Skip("set BARGE_KUBE_SCALE=1 to measure the server on kwok's fake nodes (scripts/kube-scale.sh server)")
	}
	if err := kubecluster.KwokAvailable(); err != nil {
		t.Skipf("no kwok: %v", err)
	}
	jobs, nodes := max(envInt(t, "BARGE_KUBE_SCALE_TASKS", 10000), 1), max(envInt(t, "BARGE_KUBE_SCALE_NODES", 100), 1)
	submitters, rate := max(envInt(t, "BARGE_KUBE_SCALE_SUBMITTERS", 8), 1), envInt(t, "BARGE_KUBE_SCALE_RATE", 0)
	kc := kubeCluster(t)
	ctx := t.Context()
	undo, err := kc.StartKwokNodes(ctx, nodes)
	if err != nil {
		t.Fatalf("StartKwokNodes(%d) = %v", nodes, err)
	}
	defer undo()
	cs, err := k8s.NewForConfig(kc.Config)
	if err != nil {
		t.Fatal(err)
	}
	waitKwokReady(t, kc, cs, nodes)

	counter := &kubecluster.RequestCounter{}
	kubeconfig, kubelet := countingProxy(t, kc, counter)
	b := startKubeBarge(t, "--executor", "kubernetes", "--kubeconfig", kubeconfig, "--kube-namespace", kubeNamespace,
		"--log-level", "info") // debug, startKubeBarge's, would log every job
	c := b.ts.batch()
	createTaggedCE(t, c, "scale", types.CRTypeFargate, 100000, nil)
	waitCEStatus(t, c, "scale", types.CEStatusValid)
	createQueue(t, c, "scale", "scale")
	registerScript(t, c, "scale", "busybox", createExecRole(t, b.ts), "true", nil) // 0.25 vCPU, 512 MiB

	pid := b.cmd.Process.Pid
	bargeBefore, clusterBefore, selfBefore := processCPU(t, pid), clusterCPUs(t, kc), cpuTime()
	countsBefore, load0 := counter.Counts(), kubecluster.LoadAverage()
	ids, submitted := make([]string, jobs), make([]time.Time, jobs)
	var next atomic.Int64
	var pace <-chan time.Time
	if rate > 0 {
		tick := time.NewTicker(time.Second / time.Duration(rate))
		defer tick.Stop()
		pace = tick.C
	}
	began := time.Now()
	var wg sync.WaitGroup
	for range submitters {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < jobs; i = int(next.Add(1) - 1) {
				if pace != nil {
					<-pace
				}
				submitted[i] = time.Now()
				out, err := c.SubmitJob(ctx, &batch.SubmitJobInput{JobName: aws.String(fmt.Sprint("scale-", i)),
					JobQueue: aws.String("scale"), JobDefinition: aws.String("scale")})
				if err != nil {
					t.Errorf("SubmitJob(%d) = %v", i, err)
					return
				}
				ids[i] = aws.ToString(out.JobId)
			}
		})
	}
	wg.Wait()
	submitTime := time.Since(began)
	if t.Failed() {
		t.FailNow()
	}

	// Every job ends; then barge removes the last Pods, whose requests
	// count too.
	metricsURL := b.ts.URL + "/metrics"
	done := 0
	for progress := time.Now(); done < jobs; time.Sleep(500 * time.Millisecond) {
		fams := scrape(t, metricsURL)
		n := 0
		for _, status := range []string{"SUCCEEDED", "FAILED"} {
			n += max(int(value(fams, "barge_jobs", "queue", "scale", "status", status)), 0) // -1: none yet
		}
		if n > done {
			done, progress = n, time.Now()
		}
		if time.Since(progress) > 3*time.Minute {
			t.Fatalf("%d of %d jobs ended, none more in 3 minutes", done, jobs)
		}
	}
	for progress := time.Now(); ; time.Sleep(500 * time.Millisecond) {
		left, err := cs.CoreV1().Pods(kubeNamespace).List(ctx, metav1.ListOptions{LabelSelector: "barge/managed=true", Limit: 1})
		if err != nil {
			t.Fatal(err)
		}
		if len(left.Items) == 0 {
			break
		}
		if time.Since(progress) > 3*time.Minute {
			t.Fatalf("barge's Pods are left 3 minutes after every job ended: %s, ...", left.Items[0].Name)
		}
	}
	bargeCPU, clusterAfter, self := processCPU(t, pid)-bargeBefore, clusterCPUs(t, kc), cpuTime()-selfBefore
	var clusCPU time.Duration
	var byProcess []string
	for name, d := range clusterAfter {
		d -= clusterBefore[name]
		clusCPU += d
		byProcess = append(byProcess, fmt.Sprintf("%s %v", name, d.Round(100*time.Millisecond)))
	}
	slices.Sort(byProcess)
	countsAfter, load1 := counter.Counts(), kubecluster.LoadAverage()

	// Each job: SUCCEEDED with one attempt; SubmitJob → RUNNING from its
	// startedAt, which barge records (in milliseconds) when its informer
	// sees the Pod's container running.
	var latencies, runs, toBound, boundToRunning, toRunning, toEnd, podRuns []time.Duration
	var last time.Time
	bad := 0
	for i := 0; i < jobs; i += 100 {
		batchIDs := ids[i:min(i+100, jobs)]
		out, err := c.DescribeJobs(ctx, &batch.DescribeJobsInput{Jobs: batchIDs})
		if err != nil {
			t.Fatalf("DescribeJobs = %v", err)
		}
		byID := map[string]types.JobDetail{}
		for _, j := range out.Jobs {
			byID[aws.ToString(j.JobId)] = j
		}
		for k, id := range batchIDs {
			j, ok := byID[id]
			if !ok || j.Status != types.JobStatusSucceeded || len(j.Attempts) != 1 {
				if bad++; bad <= 10 {
					t.Errorf("job %s = %s %q with %d attempts, want SUCCEEDED with one", id, j.Status, aws.ToString(j.StatusReason), len(j.Attempts))
				}
				continue
			}
			latencies = append(latencies, time.UnixMilli(aws.ToInt64(j.StartedAt)).Sub(submitted[i+k]))
			runs = append(runs, time.Duration(aws.ToInt64(j.StoppedAt)-aws.ToInt64(j.StartedAt))*time.Millisecond)
			kubelet.mu.Lock()
			bound, running, ended := kubelet.podBound[id], kubelet.podRunning[id], kubelet.podEnded[id]
			kubelet.mu.Unlock()
			toBound = append(toBound, bound.Sub(submitted[i+k]))
			boundToRunning = append(boundToRunning, running.Sub(bound))
			toRunning = append(toRunning, time.UnixMilli(aws.ToInt64(j.StartedAt)).Sub(running))
			toEnd = append(toEnd, time.UnixMilli(aws.ToInt64(j.StoppedAt)).Sub(ended))
			podRuns = append(podRuns, ended.Sub(running))
			if end := time.UnixMilli(aws.ToInt64(j.StoppedAt)); end.After(last) {
				last = end
			}
		}
	}
	if bad > 0 {
		t.Fatalf("%d of %d jobs did not succeed once", bad, jobs)
	}
	slices.Sort(latencies)
	for _, d := range [][]time.Duration{runs, toBound, boundToRunning, toRunning, toEnd, podRuns} {
		slices.Sort(d)
	}
	pct := func(d []time.Duration, p float64) time.Duration {
		return d[min(len(d)-1, int(p*float64(len(d))))].Round(time.Millisecond)
	}
	wall := last.Sub(began)
	created := counter.Created()
	all, middle := kubecluster.CreationRate(created)
	total, detail := kubecluster.RequestsPer(countsBefore, countsAfter, jobs)
	beyond := total - (countsAfter["POST pods"] - countsBefore["POST pods"]) - (countsAfter["GET pods/NAME/log"] - countsBefore["GET pods/NAME/log"])
	pace0 := "as fast as the server took them"
	if rate > 0 {
		pace0 = fmt.Sprintf("paced at %d/s", rate)
	}
	t.Logf("%d jobs on %d kwok nodes, submitted by %d goroutines %s in %v (%.0f/s); first submit to last job's end %v: %.1f jobs/s end to end",
		jobs, nodes, submitters, pace0, submitTime.Round(time.Millisecond), float64(jobs)/submitTime.Seconds(),
		wall.Round(time.Millisecond), float64(jobs)/wall.Seconds())
	t.Logf("Pods created: %d, %.1f/s first to last, %.1f/s over the middle 80%%", len(created), all, middle)
	t.Logf("SubmitJob → RUNNING: p50 %v, p99 %v, max %v; RUNNING → SUCCEEDED (a Pod runs a second): p50 %v, p99 %v, max %v",
		pct(latencies, 0.50), pct(latencies, 0.99), pct(latencies, 1), pct(runs, 0.50), pct(runs, 0.99), pct(runs, 1))
	t.Logf("as a watch of the Pods sees them (p50, p99): SubmitJob → Pod bound to a node %v, %v; bound → Running (kwok) %v, %v; Pod Running → job RUNNING %v, %v; Pod Running → ended (kwok, a second) %v, %v; Pod ended → job SUCCEEDED %v, %v",
		pct(toBound, 0.5), pct(toBound, 0.99), pct(boundToRunning, 0.5), pct(boundToRunning, 0.99), pct(toRunning, 0.5), pct(toRunning, 0.99),
		pct(podRuns, 0.5), pct(podRuns, 0.99), pct(toEnd, 0.5), pct(toEnd, 0.99))
	t.Logf("CPU: barge %v = %.2f ms per job, %.1f%% of barge's and the cluster's; cluster %v = %.1f ms per job (%s); test process (client, proxy) %v",
		bargeCPU.Round(time.Millisecond), float64(bargeCPU.Microseconds())/1000/float64(jobs), 100*bargeCPU.Seconds()/(bargeCPU+clusCPU).Seconds(),
		clusCPU.Round(time.Millisecond), float64(clusCPU.Microseconds())/1000/float64(jobs), strings.Join(byProcess, ", "), self.Round(time.Millisecond))
	t.Logf("API requests by barge: %d, %.2f per attempt, %.2f beyond creating the Pod and reading its log: %s",
		total, float64(total)/float64(jobs), float64(beyond)/float64(jobs), detail)
	t.Logf("load average (1 min) %s before, %s after", load0, load1)
}

// waitKwokReady waits until kwok has made the n fake nodes Ready.
func waitKwokReady(t *testing.T, kc *kubecluster.Cluster, cs *k8s.Clientset, n int) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for {
		list, err := cs.CoreV1().Nodes().List(t.Context(), metav1.ListOptions{LabelSelector: kubecluster.KwokLabel + "=" + kubecluster.KwokValue})
		if err != nil {
			t.Fatal(err)
		}
		ready := 0
		for _, node := range list.Items {
			for _, cond := range node.Status.Conditions {
				if cond.Type == corev1.NodeReady && cond.Status == corev1.ConditionTrue {
					ready++
				}
			}
		}
		if ready == n {
			return
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(filepath.Join(kc.Dir, "logs", "kwok.log"))
			t.Fatalf("%d of %d fake nodes Ready after 2 minutes; kwok's log ends:\n%s", ready, n, log[max(len(log)-4000, 0):])
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// countingProxy serves the cluster's API through a proxy that counts every
// request (counter) and returns a kubeconfig that reaches the cluster
// through it. It answers the requests for a Pod's log itself, as a kubelet
// would (kubeletLogs, returned, which also times each Pod's life), since
// kwok's nodes serve none. The proxy speaks TLS and HTTP/2, as the API server does, so
// that barge's client does the same work as without it; it authenticates
// to the API server with the cluster's own credentials.
func countingProxy(t *testing.T, kc *kubecluster.Cluster, counter *kubecluster.RequestCounter) (string, *kubeletLogs) {
	t.Helper()
	rt, err := rest.TransportFor(kc.Config)
	if err != nil {
		t.Fatal(err)
	}
	target, err := url.Parse(kc.Config.Host)
	if err != nil {
		t.Fatal(err)
	}
	logs := newKubeletLogs(t, kc, rt)
	proxy := &httputil.ReverseProxy{
		Rewrite:       func(r *httputil.ProxyRequest) { r.SetURL(target) },
		Transport:     counter.Wrap(logs),
		FlushInterval: -1, // watches and log follows stream
	}
	srv := httptest.NewUnstartedServer(proxy)
	srv.EnableHTTP2 = true
	srv.StartTLS()
	t.Cleanup(srv.Close)

	cfg := clientcmdapi.NewConfig()
	cfg.Clusters["scale"] = &clientcmdapi.Cluster{Server: srv.URL,
		CertificateAuthorityData: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})}
	cfg.AuthInfos["scale"] = &clientcmdapi.AuthInfo{}
	cfg.Contexts["scale"] = &clientcmdapi.Context{Cluster: "scale", AuthInfo: "scale", Namespace: kubeNamespace}
	cfg.CurrentContext = "scale"
	path := filepath.Join(t.TempDir(), "kubeconfig")
	if err := clientcmd.WriteToFile(*cfg, path); err != nil {
		t.Fatal(err)
	}
	return path, logs
}

// processCPU returns the CPU time process pid has used.
func processCPU(t *testing.T, pid int) time.Duration {
	t.Helper()
	d, err := procCPU(pid)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// clusterCPUs returns the CPU time each of the cluster's processes has
// used.
func clusterCPUs(t *testing.T, kc *kubecluster.Cluster) map[string]time.Duration {
	t.Helper()
	d, err := kc.CPUTimes()
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// kubeletLogs answers the requests for the log of barge's Pods in place of
// the kubelets that kwok's fake nodes lack (kwok's own log server follows a
// log until the client goes, where a kubelet ends the stream when the
// container ends, and barge waits for that end): the log is one line,
// "hello", stamped with the Pod's creation time; a follow request streams
// it and ends when the Pod has ended or is gone, a plain read returns it.
// So barge reads each log as it would on real nodes: a follow, then a read
// to the end. Other requests go on to next.
type kubeletLogs struct {
	next   http.RoundTripper
	lister corelisters.PodNamespaceLister
	mu     sync.Mutex
	ended  map[string]*podEnd
	// When this informer first saw each job's Pod bound to a node,
	// running, and ended.
	podBound, podRunning, podEnded map[string]time.Time
}

// podEnd is closed when a Pod has ended or is gone.
type podEnd struct {
	ch     chan struct{}
	closed bool
}

func newKubeletLogs(t *testing.T, kc *kubecluster.Cluster, next http.RoundTripper) *kubeletLogs {
	t.Helper()
	cs, err := k8s.NewForConfig(kc.Config)
	if err != nil {
		t.Fatal(err)
	}
	factory := informers.NewSharedInformerFactoryWithOptions(cs, 0, informers.WithNamespace(kubeNamespace),
		informers.WithTweakListOptions(func(o *metav1.ListOptions) { o.LabelSelector = "barge/managed=true" }))
	pods := factory.Core().V1().Pods()
	k := &kubeletLogs{next: next, lister: pods.Lister().Pods(kubeNamespace), ended: map[string]*podEnd{},
		podBound: map[string]time.Time{}, podRunning: map[string]time.Time{}, podEnded: map[string]time.Time{}}
	check := func(obj any) {
		pod, ok := obj.(*corev1.Pod)
		if !ok {
			return
		}
		now, job := time.Now(), pod.Labels[kubernetes.LabelJobID]
		if pod.Spec.NodeName != "" {
			k.mu.Lock()
			if _, seen := k.podBound[job]; !seen {
				k.podBound[job] = now
			}
			k.mu.Unlock()
		}
		switch pod.Status.Phase {
		case corev1.PodRunning:
			k.mu.Lock()
			if _, seen := k.podRunning[job]; !seen {
				k.podRunning[job] = now
			}
			k.mu.Unlock()
		case corev1.PodSucceeded, corev1.PodFailed:
			k.mu.Lock()
			if _, seen := k.podEnded[job]; !seen {
				k.podEnded[job] = now
			}
			k.mu.Unlock()
			k.end(pod.Name)
		}
	}
	pods.Informer().AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    check,
		UpdateFunc: func(_, obj any) { check(obj) },
		DeleteFunc: func(obj any) {
			if d, ok := obj.(cache.DeletedFinalStateUnknown); ok {
				obj = d.Obj
			}
			if pod, ok := obj.(*corev1.Pod); ok {
				k.end(pod.Name)
			}
		},
	})
	stop := make(chan struct{})
	t.Cleanup(func() { close(stop) })
	factory.Start(stop)
	factory.WaitForCacheSync(stop)
	return k
}

// endOf returns the channel closed when Pod name has ended.
func (k *kubeletLogs) endOf(name string) *podEnd {
	k.mu.Lock()
	defer k.mu.Unlock()
	e := k.ended[name]
	if e == nil {
		e = &podEnd{ch: make(chan struct{})}
		k.ended[name] = e
	}
	return e
}

func (k *kubeletLogs) end(name string) {
	e := k.endOf(name)
	k.mu.Lock()
	defer k.mu.Unlock()
	if !e.closed {
		e.closed = true
		close(e.ch)
	}
}

func (k *kubeletLogs) RoundTrip(req *http.Request) (*http.Response, error) {
	parts := strings.Split(strings.Trim(req.URL.Path, "/"), "/")
	if req.Method != http.MethodGet || len(parts) < 3 || parts[len(parts)-1] != "log" || parts[len(parts)-3] != "pods" {
		return k.next.RoundTrip(req)
	}
	name := parts[len(parts)-2]
	stamp := time.Now()
	if pod, err := k.lister.Get(name); err == nil {
		stamp = pod.CreationTimestamp.Time
	}
	line := "hello\n"
	if req.URL.Query().Get("timestamps") == "true" {
		line = stamp.UTC().Format(time.RFC3339Nano) + " " + line
	}
	if since := req.URL.Query().Get("sinceTime"); since != "" {
		if t, err := time.Parse(time.RFC3339, since); err == nil && stamp.Before(t) {
			line = ""
		}
	}
	body := io.NopCloser(strings.NewReader(line))
	if req.URL.Query().Get("follow") == "true" {
		r, w := io.Pipe()
		go func() {
			io.WriteString(w, line)
			select {
			case <-k.endOf(name).ch:
			case <-req.Context().Done():
			}
			w.Close()
		}()
		body = r
	}
	return &http.Response{StatusCode: http.StatusOK, Status: "200 OK", Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: http.Header{"Content-Type": {"text/plain"}}, Body: body, ContentLength: -1, Request: req}, nil
}
