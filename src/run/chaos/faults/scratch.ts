// Where a backup is restored: into a scratch PostgreSQL from this machine's binaries, or into a
// container of the backup's own PostgreSQL major (the image in the Docker engine). Pure: the
// facts (versions, whether Docker answered, whether it holds the image) are gathered first.

export type ScratchChoice =
  | { where: 'local'; note?: string }
  | { where: 'container'; image: string; imageId: string }
  | { where: 'nowhere'; why: string };

export interface ScratchFacts {
  use: 'auto' | 'always' | 'never';
  /** The image template, {major} replaced by the source's major. */
  imageTemplate: string;
  /** The source's major (server_version_num / 10000), when the environment's database answered. */
  sourceMajor?: number | undefined;
  /** The local binaries' major; undefined when there are none. */
  localMajor?: number | undefined;
  /** Asked only when a container is wanted. */
  docker?: { ok: true; host: string; imageId?: string | undefined } | { ok: false; why: string } | undefined;
}

export const imageFor = (template: string, major: number | undefined): string | undefined =>
  template.includes('{major}')
    ? major === undefined
      ? undefined
      : template.replaceAll('{major}', String(major))
    : template;

/** Whether a container is wanted, before Docker is asked. */
export function wantsContainer(f: Pick<ScratchFacts, 'use' | 'sourceMajor' | 'localMajor'>): boolean {
  if (f.use === 'never') return false;
  if (f.use === 'always' || f.localMajor === undefined) return true;
  return f.sourceMajor !== undefined && f.sourceMajor !== f.localMajor;
}

export function chooseScratch(f: ScratchFacts): ScratchChoice {
  const local =
    f.localMajor === undefined
      ? 'no local PostgreSQL binaries'
      : `this machine's binaries are PostgreSQL ${f.localMajor}`;
  // Older binaries cannot dump a newer server nor read its custom-format dumps.
  const localCanRestore = f.localMajor !== undefined && (f.sourceMajor === undefined || f.localMajor >= f.sourceMajor);
  if (!wantsContainer(f)) {
    return localCanRestore
      ? { where: 'local' }
      : { where: 'nowhere', why: `the source is PostgreSQL ${f.sourceMajor} and ${local} (container.use is never)` };
  }
  const image = imageFor(f.imageTemplate, f.sourceMajor);
  let missing: string;
  if (!image) missing = `the image ${f.imageTemplate} needs the source's major: give the environment a postgres.url`;
  else if (!f.docker?.ok) missing = `no Docker engine answered (${f.docker?.why ?? 'not asked'})`;
  else if (!f.docker.imageId)
    missing = `the Docker engine at ${f.docker.host} has no image ${image} (Gauntlet never pulls: build or pull it)`;
  else return { where: 'container', image, imageId: f.docker.imageId };
  if (f.use === 'auto' && localCanRestore)
    return {
      where: 'local',
      note: `restored into the local PostgreSQL ${f.localMajor}, not the source's ${f.sourceMajor}: ${missing}`,
    };
  const source = f.sourceMajor === undefined ? 'the source' : `the source is PostgreSQL ${f.sourceMajor}`;
  return { where: 'nowhere', why: `${source}, ${local}, and ${missing}` };
}
