// Where the k6 binary is: K6_PATH, then PATH, then where Gauntlet's own setup builds it.
import { accessSync, constants } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { cannotRun } from '../../core/errors.ts';

const executable = (p: string) => {
  try {
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

export function findK6(env: Record<string, string | undefined>): string {
  if (env.K6_PATH) {
    if (executable(env.K6_PATH)) return env.K6_PATH;
    throw cannotRun(`K6_PATH=${env.K6_PATH} is not an executable file`);
  }
  const candidates = [
    ...(env.PATH ?? '')
      .split(delimiter)
      .filter(Boolean)
      .map((d) => join(d, 'k6')),
    join(homedir(), '.cache', 'gauntlet', 'bin', 'k6'),
    join(homedir(), 'go', 'bin', 'k6'),
  ];
  const found = candidates.find(executable);
  if (found) return found;
  throw cannotRun(
    'k6 is not installed: the k6 engine needs the k6 binary (https://grafana.com/docs/k6/latest/set-up/install-k6/, or with Go: go install go.k6.io/k6@v1.8.1); set K6_PATH to use one outside PATH',
  );
}
