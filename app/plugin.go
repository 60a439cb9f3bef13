package main

import (
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"

	"github.com/go-kratos/kratos/v2/log"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/kruise-dashboard/kruise-dashboard/adapters"
	"github.com/kruise-dashboard/kruise-dashboard/app/conf"
	"github.com/kruise-dashboard/kruise-dashboard/app/telemetry"
	"github.com/kruise-dashboard/kruise-dashboard/configs"
)

// PluginName is the binary's name as a kubectl plugin: `kubectl kruise-dashboard` runs it.
const PluginName = "kubectl-kruise_dashboard"

// isPlugin tells whether the binary runs as the kubectl plugin (by its name).
func isPlugin(arg0 string) bool {
	return strings.HasPrefix(filepath.Base(arg0), PluginName)
}

// runPlugin serves the dashboard for the current kubeconfig context on 127.0.0.1, as its user
// (auth mode none: loopback only), opens the browser, and stops on Ctrl-C.
func runPlugin(args []string, stdout io.Writer, logger log.Logger) error {
	fs := flag.NewFlagSet("kubectl kruise-dashboard", flag.ContinueOnError)
	port := fs.Int("port", 0, "port on 127.0.0.1 (0: a free one)")
	kubeconfig := fs.String("kubeconfig", "", "kubeconfig (default: $KUBECONFIG, then ~/.kube/config)")
	kubeContext := fs.String("context", "", "kubeconfig context (default: the current one); several, comma separated: the first is the home cluster, the others are served too (the fleet)")
	allContexts := fs.Bool("all-contexts", false, "serve every context of the kubeconfig: the current one (or the first of --context) is the home cluster")
	noBrowser := fs.Bool("no-browser", false, "do not open the browser")
	if err := fs.Parse(args); err != nil {
		return err
	}
	// The checkout's config is built in; KD_* variables still apply.
	confFile, err := os.CreateTemp("", "kruise-dashboard-*.yaml")
	if err != nil {
		return err
	}
	defer os.Remove(confFile.Name())
	if _, err := confFile.Write(configs.Config); err != nil {
		return err
	}
	_ = confFile.Close()
	bc, err := conf.Load(confFile.Name())
	if err != nil {
		return err
	}
	home, others := pluginContexts(*kubeContext, *allContexts)
	path, name, err := pluginKubeconfig(*kubeconfig, home)
	if err != nil {
		return err
	}
	if bc.Fleet == nil {
		bc.Fleet = &conf.Fleet{}
	}
	bc.Fleet.Contexts = others
	defer os.Remove(path)
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(*port))
	if *port == 0 {
		l, err := net.Listen("tcp", addr)
		if err != nil {
			return err
		}
		addr = l.Addr().String()
		_ = l.Close()
	}
	bc.Server.Addr, bc.Auth.Mode, bc.Kubernetes.Kubeconfig = addr, "none", path
	bc.Server.MetricsAddr = "" // a personal dashboard: nothing to scrape
	tp, flush, err := telemetry.NewTracerProvider(bc.Tracing, Version)
	if err != nil {
		return err
	}
	defer flush()
	app, cleanup, err := wireApp(bc, log.NewFilter(logger, log.FilterLevel(log.LevelWarn)), tp, adapters.All)
	if err != nil {
		return err
	}
	defer cleanup()
	url := "http://" + addr
	also := ""
	if len(others) > 0 {
		also = fmt.Sprintf(", and contexts %s", strings.Join(others, ","))
	}
	fmt.Fprintf(stdout, "Kruise Dashboard for context %q%s on %s (as your kubeconfig's user; Ctrl-C stops it)\n", name, also, url)
	if !*noBrowser {
		openBrowser(url)
	}
	return app.Run()
}

// pluginContexts reads --context and --all-contexts: the home context ("" the current one) and
// the other contexts served ("*" every one but the home).
func pluginContexts(list string, all bool) (home string, others []string) {
	var names []string
	for _, n := range strings.Split(list, ",") {
		if n = strings.TrimSpace(n); n != "" {
			names = append(names, n)
		}
	}
	if len(names) > 0 {
		home, others = names[0], names[1:]
	}
	if all {
		others = []string{"*"}
	}
	return home, others
}

// pluginKubeconfig writes the kubeconfig of the chosen context (as kubectl resolves it) to a
// temporary file the dashboard reads, and names the context.
func pluginKubeconfig(path, context string) (string, string, error) {
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	if path != "" {
		rules.ExplicitPath = path
	}
	raw, err := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, &clientcmd.ConfigOverrides{CurrentContext: context}).RawConfig()
	if err != nil {
		return "", "", fmt.Errorf("read kubeconfig: %w", err)
	}
	if context == "" {
		context = raw.CurrentContext
	}
	if _, ok := raw.Contexts[context]; !ok {
		return "", "", fmt.Errorf("kubeconfig has no context %q", context)
	}
	raw.CurrentContext = context
	f, err := os.CreateTemp("", "kruise-dashboard-kubeconfig-*")
	if err != nil {
		return "", "", err
	}
	_ = f.Close()
	if err := clientcmd.WriteToFile(raw, f.Name()); err != nil {
		return "", "", err
	}
	return f.Name(), context, nil
}

// openBrowser asks the desktop to open url; without one the printed address is enough.
func openBrowser(url string) {
	cmd := "xdg-open"
	switch runtime.GOOS {
	case "darwin":
		cmd = "open"
	case "windows":
		cmd = "explorer"
	}
	_ = exec.Command(cmd, url).Start()
}
