//go:build tools

// etcd's server, built from its Go module: Debian's etcd 3.4 cannot serve the watch progress
// notifications recent Kubernetes clients (kwok among them) rely on for timely watches.
package etcd

import _ "go.etcd.io/etcd/server/v3"
