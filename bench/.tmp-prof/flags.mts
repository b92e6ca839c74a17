import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../server/training/backend.ts';
await initBackend('wasm');
console.log('simd', await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'), 'mt', await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT'), 'prod', tf.env().getBool('PROD'));
const b = tf.backend() as any; console.log(Object.keys(b), Object.keys(b.wasm).filter(k=>/thread|Thread/.test(k)));
