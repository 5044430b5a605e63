// Finding and validating smoke suite files (TS suites via jiti, YAML suites), all problems at once.
import { resolve } from 'node:path';
import { glob } from 'tinyglobby';
import { configError } from '../core/errors.ts';
import { readSource, formatIssues } from './load.ts';
import { Suite } from './suite.ts';
import { GauntletError } from '../core/errors.ts';

export interface LoadedSuite extends Suite {
  file: string;
}

export async function findSuiteFiles(dir: string, patterns: readonly string[]): Promise<string[]> {
  const files = await glob([...patterns], { cwd: dir, absolute: true, onlyFiles: true });
  return files.sort();
}

export async function loadSuites(files: readonly string[], cwd: string): Promise<LoadedSuite[]> {
  const suites: LoadedSuite[] = [];
  const problems: string[] = [];
  for (const file of files) {
    try {
      const source = await readSource(resolve(file), cwd);
      const data = Array.isArray(source.data) ? { name: source.file, checks: source.data } : source.data;
      const parsed = Suite.safeParse(data);
      if (parsed.success) suites.push({ ...parsed.data, file: source.file });
      else problems.push(...formatIssues(source, parsed.error));
    } catch (err) {
      if (err instanceof GauntletError) problems.push(err.message, ...err.details);
      else throw err;
    }
  }
  const names = new Set<string>();
  for (const s of suites) {
    for (const c of s.checks) {
      const key = `${s.name} › ${c.name}`;
      if (names.has(key))
        problems.push(`${s.file}: check "${c.name}" appears twice in suite "${s.name}"; names must be unique`);
      names.add(key);
    }
  }
  if (problems.length > 0)
    throw configError(`${problems.length} problem${problems.length === 1 ? '' : 's'} in the smoke suites`, problems);
  return suites;
}
