// A command's files, read once: the plan reads each suite, profile and experiment to check it,
// and the run is handed the same parsed objects — never a second read that could differ from
// what was checked (a file edited between the two, a TS file with side effects run twice).
import { resolve } from 'node:path';
import type { LoadedConfig } from '../config/load.ts';
import { findSuiteFiles, loadSuites, type LoadedSuite } from '../config/suites.ts';
import { loadProfile } from '../config/profiles.ts';
import { loadExperiment, type LoadedExperiment } from '../config/experiments.ts';

type LoadedProfile = Awaited<ReturnType<typeof loadProfile>>;

export class PlannedFiles {
  readonly #profiles = new Map<string, Promise<LoadedProfile>>();
  readonly #experiments = new Map<string, Promise<LoadedExperiment>>();
  #suites: Promise<LoadedSuite[]> | undefined;
  #suiteFiles: Promise<string[]> | undefined;

  constructor(
    private readonly loaded: LoadedConfig,
    private readonly cwd: string,
  ) {}

  /** A load profile (relative to the working directory), the config's thresholds merged in. */
  profile(file: string): Promise<LoadedProfile> {
    return once(this.#profiles, resolve(this.cwd, file), (abs) =>
      loadProfile(abs, this.cwd, this.loaded.config.slos.thresholds),
    );
  }

  /** A chaos experiment (relative to the working directory), the config's SLOs as the defaults of those it sets none of. */
  experiment(file: string): Promise<LoadedExperiment> {
    return once(this.#experiments, resolve(this.cwd, file), (abs) =>
      loadExperiment(abs, this.cwd, this.loaded.config.slos),
    );
  }

  /** The files the config's smoke globs match, sorted. */
  suiteFiles(): Promise<string[]> {
    this.#suiteFiles ??= findSuiteFiles(this.loaded.dir, this.loaded.config.smoke);
    return this.#suiteFiles;
  }

  suites(): Promise<LoadedSuite[]> {
    this.#suites ??= this.suiteFiles().then((files) => loadSuites(files, this.cwd));
    return this.#suites;
  }
}

function once<T>(memo: Map<string, Promise<T>>, key: string, read: (key: string) => Promise<T>): Promise<T> {
  let p = memo.get(key);
  if (!p) {
    p = read(key);
    memo.set(key, p);
  }
  return p;
}
