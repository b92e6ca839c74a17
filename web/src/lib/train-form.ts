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
  /** Points generated for the 2-D sets; digits used for mnist. */
  samples: number;
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
  samples: 1000,
};

/** The digits the bundled MNIST set has (the `mnist` package): more samples than that use them all. */
export const MNIST_DIGITS = 10_000;

/** What the form calls each field, for error messages (never the request's internal names). */
export const FIELD_LABELS: Record<keyof TrainForm | 'form', string> = {
  name: 'Name',
  dataset: 'Dataset',
  activations: 'Activations',
  layers: 'Hidden layers',
  batchSize: 'Batch size',
  epochs: 'Epochs',
  learningRate: 'Learning rate',
  optimizer: 'Optimizer',
  dropout: 'Dropout',
  batchNorm: 'Batch norm',
  seed: 'Seed',
  samples: 'Samples',
  form: 'Form',
};

/** The samples field's label: the count means digits for mnist. */
export function samplesLabel(dataset: string): string {
  return dataset === 'mnist' ? `Digits (of ${MNIST_DIGITS.toLocaleString('en-US')})` : 'Samples';
}

/** Error lines as shown under the form: "<label>: <message>", activations last (shown by their fieldset). */
export function errorLines(errors: FormErrors, dataset = ''): { field: string; text: string }[] {
  return Object.entries(errors)
    .filter(([, msg]) => msg)
    .map(([field, msg]) => ({ field, text: `${field === 'samples' ? samplesLabel(dataset) : (FIELD_LABELS[field as keyof FormErrors] ?? field)}: ${msg}` }));
}

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
  // More would silently use the 10,000 there are.
  if (f.dataset === 'mnist' && f.samples > MNIST_DIGITS) errors.samples = `at most ${MNIST_DIGITS.toLocaleString('en-US')} digits are available`;
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
    samples: f.samples,
    ...(f.name.trim() ? { name: f.name.trim() } : {}),
  };
  const r = TrainRequestSchema.safeParse(req);
  if (!r.success) {
    for (const issue of r.error.issues) {
      const raw = String(issue.path[0] ?? 'form');
      const key = (raw in FIELD_LABELS ? raw : 'form') as keyof FormErrors;
      if (!errors[key]) errors[key] = key === 'activations' && f.activations.length === 0 ? 'pick at least one activation' : issue.message;
    }
  }
  if (Object.keys(errors).length) return { ok: false, errors };
  return { ok: true, request: (r as { data: TrainRequest }).data };
}
