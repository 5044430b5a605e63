// Worker threads start here: the load worker is TypeScript, loaded through jiti like the rest.
import { createJiti } from 'jiti';

await createJiti(import.meta.url).import('./worker.ts');
