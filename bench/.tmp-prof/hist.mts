import { summarizeHistogram, bucketIndexReference } from '../../shared/histogram.ts';
const v = Float32Array.from({ length: 220_000 }, () => (Math.random() - 0.5) * 0.2);
for (let i = 0; i < 5; i++) summarizeHistogram(v);
let t0 = performance.now(); for (let i = 0; i < 20; i++) summarizeHistogram(v); console.log('fast ms', ((performance.now() - t0) / 20).toFixed(2));
t0 = performance.now(); let s = 0; for (let i = 0; i < 5; i++) for (let j = 0; j < v.length; j++) s += bucketIndexReference(v[j]); console.log('ref index loop ms', ((performance.now() - t0) / 5).toFixed(2));
