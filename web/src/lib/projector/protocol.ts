// Messages between the PROJECTOR tab and its worker (projection.worker.ts). Every request carries an id;
// a newer projection supersedes (and cancels) an older one.
import type { Metric, Neighbor } from './knn.ts';
import type { ProjectionMethod } from './url.ts';

export type ToWorker =
  | { type: 'data'; data: Float32Array; n: number; d: number }
  | { type: 'project'; id: number; method: ProjectionMethod; dim: 2 | 3; epochs?: number; neighbors?: number }
  | { type: 'cancel'; id: number }
  | { type: 'knn'; id: number; index: number; k: number; metric: Metric };

export type FromWorker =
  | { type: 'progress'; id: number; phase: 'neighbours' | 'epochs'; done: number; total: number }
  | { type: 'result'; id: number; method: ProjectionMethod; dim: 2 | 3; coords: Float32Array; explained?: number[]; final: boolean }
  | { type: 'cancelled'; id: number }
  | { type: 'knn'; id: number; index: number; neighbors: Neighbor[] }
  | { type: 'error'; id: number; message: string };
