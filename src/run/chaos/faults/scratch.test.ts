import { describe, expect, it } from 'vitest';
import { chooseScratch, imageFor, wantsContainer } from './scratch.ts';

const docker = (imageId?: string) => ({ ok: true as const, host: 'unix:///run/d.sock', imageId });
const base = { use: 'auto' as const, imageTemplate: 'postgres:{major}' };

describe('where a backup is restored', () => {
  it('same major as the local binaries: locally, Docker never asked', () => {
    expect(wantsContainer({ ...base, sourceMajor: 15, localMajor: 15 })).toBe(false);
    expect(chooseScratch({ ...base, sourceMajor: 15, localMajor: 15 })).toEqual({ where: 'local' });
  });

  it('a newer source with its image in Docker: the version-matched container', () => {
    expect(wantsContainer({ ...base, sourceMajor: 17, localMajor: 15 })).toBe(true);
    expect(chooseScratch({ ...base, sourceMajor: 17, localMajor: 15, docker: docker('sha256:ab') })).toEqual({
      where: 'container',
      image: 'postgres:17',
      imageId: 'sha256:ab',
    });
  });

  it('a newer source and no way to match it: nowhere, saying why in one line', () => {
    const noDocker = chooseScratch({
      ...base,
      sourceMajor: 17,
      localMajor: 15,
      docker: { ok: false, why: 'connect ENOENT /var/run/docker.sock' },
    });
    expect(noDocker).toEqual({
      where: 'nowhere',
      why: "the source is PostgreSQL 17, this machine's binaries are PostgreSQL 15, and no Docker engine answered (connect ENOENT /var/run/docker.sock)",
    });
    const noImage = chooseScratch({ ...base, sourceMajor: 17, localMajor: 15, docker: docker() });
    expect(noImage).toMatchObject({ where: 'nowhere' });
    expect((noImage as { why: string }).why).toMatch(/has no image postgres:17 \(Gauntlet never pulls/);
  });

  it('an older source without its image: restored locally, and the record says it was not version-matched', () => {
    const c = chooseScratch({ ...base, sourceMajor: 13, localMajor: 15, docker: docker() });
    expect(c.where).toBe('local');
    expect((c as { note: string }).note).toMatch(/^restored into the local PostgreSQL 15, not the source's 13: /);
  });

  it('use: never keeps to the local binaries, and refuses a source they cannot read', () => {
    expect(chooseScratch({ ...base, use: 'never', sourceMajor: 13, localMajor: 15 })).toEqual({ where: 'local' });
    expect(chooseScratch({ ...base, use: 'never', sourceMajor: 17, localMajor: 15 })).toMatchObject({
      where: 'nowhere',
    });
  });

  it('use: always wants the container even on the same major, and fails rather than fall back', () => {
    expect(wantsContainer({ ...base, use: 'always', sourceMajor: 15, localMajor: 15 })).toBe(true);
    expect(chooseScratch({ ...base, use: 'always', sourceMajor: 15, localMajor: 15, docker: docker() })).toMatchObject({
      where: 'nowhere',
    });
  });

  it('no local binaries: a container whatever the major; a {major} image needs the source version', () => {
    expect(chooseScratch({ ...base, sourceMajor: 16, docker: docker('sha256:cd') })).toMatchObject({
      where: 'container',
      image: 'postgres:16',
    });
    const unknown = chooseScratch({ ...base, docker: docker('sha256:cd') });
    expect((unknown as { why: string }).why).toMatch(/needs the source's major: give the environment a postgres\.url/);
    expect(imageFor('registry.example/pg:16-custom', undefined)).toBe('registry.example/pg:16-custom');
  });
});
