// The coordinator's merge cost: one shard-second (5 000 samples over 20–100 ms) encoded as a shard
// sends it, then decoded and added 2 000 times (`npx jiti scripts/bench-merge.ts`).
import { decode, encode, newHistogram } from '../src/measure/histogram.ts';
const h = newHistogram();
for (let i = 0; i < 5000; i++) h.recordValue(20_000 + Math.floor(Math.random() * 80_000));
const enc = encode(h);
const acc = newHistogram();
const N = 2000;
const t0 = performance.now();
for (let i = 0; i < N; i++) acc.add(decode(enc));
const per = (performance.now() - t0) / N;
console.log(`encoded second: ${enc.length} chars; decode+add ${per.toFixed(3)} ms per shard-second`);
