//go:build tools

// The control-plane binaries the Kubernetes tests run, built from k8s.io/kubernetes: the real
// API server, controller manager and scheduler. `go build` of these packages is all this module does.
package kubeplane

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kube-scheduler"
	_ "k8s.io/kubernetes/cmd/kubelet"
)
