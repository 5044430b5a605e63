// The real node leaves nothing behind when the process that started it is killed outright: no
// kubelet, containerd, shim or container process, no mount, no cgroup. (Its own file: one real
// node at a time on this machine.)
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort } from '../src/targets/local/process.ts';
import { ROOT } from './helpers.ts';
import { sleep } from '../src/core/sleep.ts';

const cmdlines = () =>
  readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map((pid) => {
      try {
        return { pid: Number(pid), cmd: readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ') };
      } catch {
        return { pid: Number(pid), cmd: '' };
      }
    });

const answers = (port: number) =>
  fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(1000) }).then(
    (r) => r.ok,
    () => false,
  );

describe('a real node after SIGKILL of its owner', () => {
  it('dead man’s switches stop the control plane, the kubelet, containerd, the shims and the containers, and remove mounts and cgroups', async () => {
    const port = await freePort();
    const code = `
      const { createJiti } = await import('jiti');
      const jiti = createJiti(${JSON.stringify(join(ROOT, 'x.mjs'))});
      const { startKubePlane } = await jiti.import('./test/fixtures/kube.ts');
      const { IMAGES } = await jiti.import('./test/fixtures/kube-node.ts');
      const plane = await startKubePlane({ node: 'kubelet' });
      await plane.request('POST', '/api/v1/namespaces', { metadata: { name: 'x' } });
      for (let i = 0; i < 100; i++) {
        const r = await plane.request('POST', '/api/v1/namespaces/x/pods', {
          metadata: { name: 'app' },
          spec: { hostNetwork: true, terminationGracePeriodSeconds: 2, containers: [{ name: 'app', image: IMAGES.app,
            imagePullPolicy: 'Never', env: [{ name: 'PORT', value: '${port}' }] }] },
        });
        if (r.status === 201) break;
        await new Promise((r) => setTimeout(r, 200)); // the default service account comes first
      }
      for (;;) {
        const ok = await fetch('http://127.0.0.1:${port}/').then((r) => r.ok, () => false);
        if (ok) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      console.log('up ' + plane.node.dir);
      setInterval(() => {}, 1000);
    `;
    const child = spawn(process.execPath, ['--input-type=module', '-e', code], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const dir = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (c: Buffer) => {
        out += c.toString();
        const m = /up (\S+)/.exec(out);
        if (m) resolve(m[1]!);
      });
      child.on('exit', (c) => reject(new Error(`the node's owner exited ${c} before the node was up`)));
    });
    const root = `gauntlet-${dir
      .split('/')
      .at(-2)!
      .replace(/[^a-zA-Z0-9]/g, '')}`;
    // Up for real: the container answers, the runtime's processes run, its cgroup exists.
    expect(await answers(port)).toBe(true);
    // The node's processes name its folder; the control plane's name the folder above it.
    const ours = (c: string) => c.includes(dirname(dir));
    expect(cmdlines().filter((p) => ours(p.cmd)).length).toBeGreaterThanOrEqual(7); // etcd, API server, controllers, containerd, kubelet, shims
    expect(readFileSync('/proc/mounts', 'utf8')).toContain(dir);
    expect(existsSync(`/sys/fs/cgroup/cpu/${root}/kubepods`)).toBe(true);

    child.kill('SIGKILL');
    const deadline = Date.now() + 40_000; // the control plane gets 10 s to stop on SIGTERM
    const gone = async () =>
      !(await answers(port)) &&
      !cmdlines().some((p) => ours(p.cmd) && !p.cmd.startsWith('/bin/sh')) &&
      !readFileSync('/proc/mounts', 'utf8').includes(dir) &&
      !existsSync(`/sys/fs/cgroup/cpu/${root}`);
    while (!(await gone()) && Date.now() < deadline) await sleep(250);
    expect(await answers(port)).toBe(false);
    expect(cmdlines().filter((p) => ours(p.cmd) && !p.cmd.startsWith('/bin/sh'))).toEqual([]);
    expect(readFileSync('/proc/mounts', 'utf8')).not.toContain(dir);
    expect(existsSync(`/sys/fs/cgroup/cpu/${root}`)).toBe(false);
  }, 120_000);
});
