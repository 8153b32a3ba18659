package barge_test

import (
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// module is this module's path.
const module = "github.com/bargehq/barge"

// allowedImports is which of the module's packages each package under
// internal/ may import from its non-test files (shared/STYLE.md): adapters
// (one protocol or one dependency each) do not import each other; they may
// import the root package, which every package may, and the shared
// plumbing listed here. cmd/barge alone imports them all, and is not in
// the table. A package missing from the table fails the test: a new
// package must say what it may import.
var allowedImports = map[string][]string{
	// Shared plumbing: wire formats and signatures, imported by the wire
	// packages.
	"internal/awsproto": {},
	"internal/sigv4":    {},

	// The wire: the HTTP boundary and one package per AWS service.
	"internal/server": {"internal/awsproto", "internal/sigv4"},
	"internal/batch":  {"internal/awsproto", "internal/control"},
	"internal/logs":   {"internal/awsproto", "internal/logservice"},
	"internal/iam":    {"internal/awsproto", "internal/iamservice"},
	"internal/sts":    {"internal/awsproto"},
	"internal/ec2":    {"internal/awsproto"},
	"internal/ecs":    {"internal/awsproto"},

	// The typed services behind the wire: what the wire, the runner and
	// the console call.
	"internal/logservice": {},
	"internal/iamservice": {},

	// The Batch control plane behind the Batch API and the console, and
	// the owner of job status changes, which the control plane, the
	// scheduler and the runner go through.
	"internal/control":   {"internal/awsproto", "internal/jobstate"}, // job and resource IDs: awsproto.NewUUIDv7
	"internal/jobstate":  {},
	"internal/scheduler": {"internal/jobstate"},
	"internal/runner":    {"internal/jobstate"},

	// The store, the job bus and what follows the job changes.
	"internal/store":    {},
	"internal/jobbus":   {},
	"internal/jobfeed":  {"internal/awsproto"}, // event IDs: awsproto.NewUUID
	"internal/webhooks": {},
	"internal/costs":    {},
	"internal/metrics":  {},

	// Executors.
	"internal/executor/docker":     {},
	"internal/executor/local":      {},
	"internal/executor/simulate":   {},
	"internal/executor/kubernetes": {},

	// The console and the client commands.
	"internal/console": {"internal/control"},
	"internal/cli":     {},

	// Test support: imported only by tests (testOnly); apitest puts the
	// real server, SigV4 and the store together.
	"internal/apitest":              {"internal/server", "internal/sigv4", "internal/store"},
	"internal/awscli":               {},
	"internal/executor/conformance": {},
	"internal/executor/testimage":   {},
	// kubecluster runs a real single-node Kubernetes cluster for tests.
	"internal/kubecluster": {"internal/executor/testimage"},
	// pgtest runs a throwaway PostgreSQL server for tests.
	"internal/pgtest": {},
}

// testOnly are the test-support packages: only _test.go files import them.
var testOnly = []string{"internal/apitest", "internal/awscli", "internal/executor/conformance", "internal/executor/testimage", "internal/kubecluster", "internal/pgtest"}

// TestImportRules enforces shared/STYLE.md's import rules by reading the
// imports of every Go file of the module: the root package imports only the
// standard library; a package under internal/ imports, from its non-test
// files, only the root, third-party modules and what allowedImports lists;
// test-support packages are imported only from tests.
func TestImportRules(t *testing.T) {
	imports := readImports(t)
	if len(imports) == 0 {
		t.Fatal("read no Go files")
	}
	var dirs []string
	for dir := range imports {
		dirs = append(dirs, dir)
	}
	slices.Sort(dirs)
	for _, dir := range dirs {
		for _, imp := range imports[dir] {
			pkg, ours := strings.CutPrefix(imp.path, module)
			pkg = strings.TrimPrefix(pkg, "/")
			switch {
			case dir == "." && !imp.test && !isStd(imp.path):
				t.Errorf("%s: the root package imports %s; it may import only the standard library", imp.file, imp.path)
			case ours && slices.Contains(testOnly, pkg) && !imp.test && !slices.Contains(testOnly, dir):
				t.Errorf("%s imports %s, a test-support package, outside a _test.go file", imp.file, pkg)
			case !ours || pkg == "" || imp.test || dir == "." || strings.HasPrefix(dir, "cmd/"):
			case pkg == dir:
			case !slices.Contains(allowedImports[dir], pkg):
				t.Errorf("%s imports %s, which allowedImports does not allow %s: adapters do not import each other", imp.file, pkg, dir)
			}
		}
	}
	for _, dir := range dirs {
		if _, known := allowedImports[dir]; !known && dir != "." && !strings.HasPrefix(dir, "cmd/") {
			t.Errorf("package %s is not in allowedImports: add it with the packages it may import", dir)
		}
	}
	for dir := range allowedImports {
		if _, ok := imports[dir]; !ok {
			t.Errorf("allowedImports lists %s, which has no Go files: remove it", dir)
		}
	}
}

// anImport is one import of one file.
type anImport struct {
	file string // relative to the module's root
	path string
	test bool // imported by a _test.go file
}

// readImports returns the imports of every Go file under the module's root,
// by package directory ("." is the root).
func readImports(t *testing.T) map[string][]anImport {
	t.Helper()
	out := map[string][]anImport{}
	fset := token.NewFileSet()
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if path != "." && (name == "testdata" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") || name == "node_modules") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(name, ".go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		dir := filepath.ToSlash(filepath.Dir(path))
		list := out[dir]
		for _, spec := range f.Imports {
			p, err := strconv.Unquote(spec.Path.Value)
			if err != nil {
				return err
			}
			list = append(list, anImport{file: filepath.ToSlash(path), path: p, test: strings.HasSuffix(name, "_test.go")})
		}
		out[dir] = list // set even when empty: the directory has Go files
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// isStd reports whether path is a standard library package: its first
// element has no dot.
func isStd(path string) bool {
	first, _, _ := strings.Cut(path, "/")
	return !strings.Contains(first, ".")
}
