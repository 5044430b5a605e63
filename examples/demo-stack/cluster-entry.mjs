// Entry for the demo API cluster process: its TypeScript is loaded through jiti.
import { createJiti } from 'jiti';

await createJiti(import.meta.url).import('./cluster.ts');
