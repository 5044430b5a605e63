// The workload the real-node Kubernetes tests run: a small HTTP API in a container. With host
// networking on one node, every replica of a Deployment binds the same loopback port, so it
// listens with SO_REUSEPORT and the kernel spreads connections over the replicas the way a
// Service would (Node 20, which the demo API runs on, cannot set SO_REUSEPORT).
//
// Probes are exec probes on files in the container's own filesystem (`test -f /tmp/ready`,
// `test -f /tmp/healthy`): an HTTP probe to the shared port would reach any replica, not this one.
// POST /break removes /tmp/healthy in whichever replica answers, so its liveness probe fails and
// the kubelet restarts that container. SIGTERM stops accepting, drains, and exits.
package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	addr := "127.0.0.1:" + os.Getenv("PORT")
	pod := os.Getenv("POD_NAME")
	lc := net.ListenConfig{Control: func(_, _ string, c syscall.RawConn) error {
		var serr error
		err := c.Control(func(fd uintptr) {
			serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, 0xf /* SO_REUSEPORT */, 1)
		})
		if err != nil {
			return err
		}
		return serr
	}}
	ln, err := lc.Listen(context.Background(), "tcp", addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "listen:", err)
		os.Exit(1)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("content-type", "application/json")
		fmt.Fprintf(w, "{\"ok\":true,\"pod\":%q}\n", pod)
	})
	mux.HandleFunc("/health", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("content-type", "application/json")
		fmt.Fprintln(w, `{"status":"ok"}`)
	})
	mux.HandleFunc("/break", func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			http.Error(w, "POST only", http.StatusMethodNotAllowed)
			return
		}
		os.Remove("/tmp/healthy")
		fmt.Fprintf(w, "{\"broken\":%q}\n", pod)
	})
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	for _, f := range []string{"/tmp/healthy", "/tmp/ready"} {
		if err := os.WriteFile(f, []byte(pod), 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "probe file:", err)
			os.Exit(1)
		}
	}
	fmt.Printf("listening on %s as %s\n", addr, pod)
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
	go func() {
		<-stop
		os.Remove("/tmp/ready")
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	}()
	if err := srv.Serve(ln); err != nil && err != http.ErrServerClosed {
		fmt.Fprintln(os.Stderr, "serve:", err)
		os.Exit(1)
	}
	fmt.Println("drained, exiting")
}
