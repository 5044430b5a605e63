// The dead man's switch under the faults' rollbacks: what it arms runs when its owner is killed
// outright, and never once the owner disarmed it.
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './helpers.ts';
import { sleep } from '../src/core/sleep.ts';

/** A Node process that arms a switch writing `marker`, says "armed", then does what `then` says. */
function owner(marker: string, then: 'wait' | 'disarm' | 'nothing') {
  const code = `
    const { createJiti } = await import('jiti');
    const { onOwnerDeath, shellWord } = await createJiti(${JSON.stringify(join(ROOT, 'x.mjs'))}).import('./src/targets/local/deadman.ts');
    const s = onOwnerDeath('echo undone-after-' + process.pid + ' > ' + shellWord(${JSON.stringify(marker)}));
    console.log('armed ' + s.pid);
    ${{ wait: 'setInterval(() => {}, 1000);', disarm: 's.disarm();', nothing: '' }[then]}
  `;
  const child = spawn(process.execPath, ['--input-type=module', '-e', code], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const armed = new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /armed (\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.on('exit', (code) =>
      /armed/.test(out) ? undefined : reject(new Error(`owner exited ${code} before arming`)),
    );
  });
  return { child, armed };
}

const waitFor = async (ok: () => boolean, ms: number) => {
  const deadline = Date.now() + ms;
  while (!ok() && Date.now() < deadline) await sleep(50);
  return ok();
};

describe('dead man’s switch', () => {
  it('runs the undo once its owner is killed with SIGKILL, not before', async () => {
    const marker = join(mkdtempSync(join(tmpdir(), 'gauntlet-deadman-')), 'undone');
    const { child, armed } = owner(marker, 'wait');
    await armed;
    await sleep(500);
    expect(existsSync(marker)).toBe(false);
    child.kill('SIGKILL');
    expect(await waitFor(() => existsSync(marker), 5000)).toBe(true);
    expect(readFileSync(marker, 'utf8')).toBe(`undone-after-${child.pid}\n`);
  });

  it('never runs once disarmed', async () => {
    const marker = join(mkdtempSync(join(tmpdir(), 'gauntlet-deadman-')), 'undone');
    const { child, armed } = owner(marker, 'disarm');
    const watcher = await armed;
    const code = await new Promise<number | null>((r) => child.on('exit', r));
    expect(code).toBe(0);
    await sleep(1000);
    expect(existsSync(marker)).toBe(false);
    // Gone, or a zombie waiting for whoever adopted it to reap it: not running either way.
    const state = existsSync(`/proc/${watcher}/stat`)
      ? readFileSync(`/proc/${watcher}/stat`, 'utf8').replace(/^.*\) /s, '')[0]
      : 'gone';
    expect(['gone', 'Z']).toContain(state);
  });

  it('does not keep its owner alive; an owner that ends without disarming is undone after', async () => {
    const marker = join(mkdtempSync(join(tmpdir(), 'gauntlet-deadman-')), 'undone');
    const { child, armed } = owner(marker, 'nothing');
    await armed;
    const code = await new Promise<number | null>((r) => child.on('exit', r));
    expect(code).toBe(0);
    expect(await waitFor(() => existsSync(marker), 5000)).toBe(true);
  });
});
