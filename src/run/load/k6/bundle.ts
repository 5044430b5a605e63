// esbuild bundles what k6 runs: generated and hand-written TypeScript scenarios with their local
// helpers inlined; k6's own modules (and remote jslib imports) stay external for k6 to resolve.
import { build, type Message } from 'esbuild';
import { relative } from 'node:path';
import { configError } from '../../../core/errors.ts';

const EXTERNAL = ['k6', 'k6/*', 'https://*', 'http://*'];

export interface Bundled {
  code: string;
  /** Names the entry exports (options, default, setup, handleSummary, scenario functions…). */
  exports: string[];
}

/** Bundle an entry file (or text given as stdin resolving from `resolveDir`). */
export async function bundle(
  entry: { file: string } | { contents: string; resolveDir: string; name: string },
  cwd: string,
): Promise<Bundled> {
  try {
    const r = await build({
      ...('file' in entry
        ? { entryPoints: [entry.file] }
        : { stdin: { contents: entry.contents, resolveDir: entry.resolveDir, sourcefile: entry.name, loader: 'js' } }),
      bundle: true,
      write: false,
      format: 'esm',
      platform: 'neutral',
      target: 'es2020',
      external: EXTERNAL,
      metafile: true,
      logLevel: 'silent',
      outfile: 'k6-script.js',
    });
    const out = r.outputFiles[0]!;
    const meta = Object.values(r.metafile.outputs)[0];
    return { code: out.text, exports: meta?.exports ?? [] };
  } catch (e) {
    const errors = (e as { errors?: Message[] }).errors;
    if (!errors?.length) throw e;
    const lines = errors.map(
      (m) =>
        `${m.location ? `${relative(cwd, m.location.file) || m.location.file}:${m.location.line}:${m.location.column + 1}: ` : ''}${m.text}`,
    );
    throw configError(`k6 script does not compile: ${lines[0]}`, lines.slice(1));
  }
}
