module gauntlet.local/kubeapp

go 1.22
