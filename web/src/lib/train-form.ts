// TRAIN form -> TrainRequest, validated with the server's own zod schema so the messages match.
import { TrainRequestSchema, type TrainRequest } from '../../../shared/protocol.ts';

export interface TrainForm {
  name: string;
  dataset: string;
  activations: string[];
  layers: string;
  batchSize: number;
  epochs: number;
  learningRate: number;
  optimizer: string;
  dropout: number;
  batchNorm: boolean;
  seed: number;
}

export const DEFAULT_FORM: TrainForm = {
  name: '',
  dataset: 'spiral',
  activations: ['relu', 'tanh'],
  layers: '16,16',
  batchSize: 32,
  epochs: 20,
  learningRate: 0.01,
  optimizer: 'adam',
  dropout: 0,
  batchNorm: false,
  seed: 1,
};

export type FormErrors = Partial<Record<keyof TrainForm | 'form', string>>;

/** Parses "16, 16" -> [16, 16]; null when a part is not an integer. */
export function parseLayers(s: string): number[] | null {
  const parts = s.split(',').map((p) => p.trim()).filter((p) => p !== '');
  if (parts.length === 0 || parts.some((p) => !/^\d+$/.test(p))) return null;
  return parts.map(Number);
}

export function validateTrainForm(f: TrainForm): { ok: true; request: TrainRequest } | { ok: false; errors: FormErrors } {
  const errors: FormErrors = {};
  const layers = parseLayers(f.layers);
  if (!layers) errors.layers = 'comma-separated unit counts, e.g. 16,16';
  const req = {
    dataset: f.dataset,
    activations: f.activations,
    layers: layers ?? [],
    batchSize: f.batchSize,
    epochs: f.epochs,
    learningRate: f.learningRate,
    optimizer: f.optimizer,
    dropout: f.dropout,
    batchNorm: f.batchNorm,
    seed: f.seed,
    ...(f.name.trim() ? { name: f.name.trim() } : {}),
  };
  const r = TrainRequestSchema.safeParse(req);
  if (!r.success) {
    for (const issue of r.error.issues) {
      const key = String(issue.path[0] ?? 'form') as keyof FormErrors;
      if (!errors[key]) errors[key] = key === 'activations' && f.activations.length === 0 ? 'pick at least one activation' : issue.message;
    }
  }
  if (Object.keys(errors).length) return { ok: false, errors };
  return { ok: true, request: (r as { data: TrainRequest }).data };
}
