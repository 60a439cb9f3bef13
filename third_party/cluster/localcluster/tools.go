package localcluster

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

var tools struct {
	sync.Mutex
	paths map[string]string
}

// Tool is the binary of one of build.sh's single-tool modes ("oidc", "helm"), built once per
// process (build.sh caches it across processes; a failed build is retried on the next call):
// <bin>/<name>-<the version named versionKey in versions.sh>.
func Tool(ctx context.Context, mode, name, versionKey string) (string, error) {
	tools.Lock()
	defer tools.Unlock()
	if p, ok := tools.paths[mode]; ok {
		return p, nil
	}
	version := versions()[versionKey]
	if version == "" {
		return "", fmt.Errorf("no %s in versions.sh", versionKey)
	}
	out, err := runCmd(ctx, "", "bash", filepath.Join(sourceDir(), "..", "build.sh"), mode)
	if err != nil {
		return "", fmt.Errorf("build %s: %w", name, err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	path := filepath.Join(lines[len(lines)-1], name+"-"+version)
	if _, err := os.Stat(path); err != nil {
		return "", fmt.Errorf("build.sh %s did not produce %s: %w", mode, path, err)
	}
	if tools.paths == nil {
		tools.paths = map[string]string{}
	}
	tools.paths[mode] = path
	return path, nil
}
