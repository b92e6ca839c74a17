// One image tag: a reservoir of steps, each holding the samples logged at that step (TF2 image
// tensors log several per step). Every image gets an id (ImageRef.index) that is never reused, so
// fetching bytes by (run, tag, index) stays stable while the image is kept.
import type { ImageRef } from '../../shared/types.ts';
import type { ImageRecord } from '../logs/records.ts';
import { Reservoir, type AddResult, type Rng } from './reservoir.ts';

/** Samples kept per step (more are dropped). */
export const MAX_IMAGES_PER_STEP = 64;

interface StoredImage {
  index: number;
  wallTime: number;
  width: number;
  height: number;
  sample: number;
  data: Uint8Array;
}
interface ImageGroup {
  images: StoredImage[];
}

/** Sniff the encoding from magic bytes. */
export function imageMime(data: Uint8Array): string {
  const b = data;
  if (b.length >= 8 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47) return 'image/png';
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'image/jpeg';
  if (b.length >= 6 && b[0] === 0x47 && b[1] === 0x49 && b[2] === 0x46 && b[3] === 0x38) return 'image/gif';
  if (b.length >= 12 && b[0] === 0x52 && b[1] === 0x49 && b[2] === 0x46 && b[3] === 0x46 && b[8] === 0x57 && b[9] === 0x45 && b[10] === 0x42 && b[11] === 0x50)
    return 'image/webp';
  if (b.length >= 2 && b[0] === 0x42 && b[1] === 0x4d) return 'image/bmp';
  return 'application/octet-stream';
}

function toRef(step: number, im: StoredImage): ImageRef {
  return { wallTime: im.wallTime, step, width: im.width, height: im.height, index: im.index, sample: im.sample };
}

export class ImageSeries {
  private readonly res: Reservoir<ImageGroup>;
  private nextIndex = 0;

  constructor(capacity: number, rng?: Rng) {
    this.res = new Reservoir<ImageGroup>(capacity, rng);
  }

  /** Id the next accepted image will get (ids of one ingest batch are >= this). */
  get peekIndex(): number {
    return this.nextIndex;
  }
  get lastStep(): number | undefined {
    return this.res.lastStep;
  }

  /**
   * Add one image. A later sample of the newest step joins that step; anything else is a new step
   * (a step or sample that is not after the newest is a rewind, per the reservoir).
   */
  add(rec: ImageRecord): AddResult {
    const im: StoredImage = {
      index: -1,
      wallTime: rec.wallTime,
      width: rec.width,
      height: rec.height,
      sample: rec.sample,
      // A decoder may hand out a view into a whole file chunk: keep only this image's bytes.
      data: rec.data.byteLength === rec.data.buffer.byteLength ? rec.data : rec.data.slice(),
    };
    const last = this.res.last();
    if (last && rec.step === last.step) {
      const imgs = last.item.images;
      if (rec.sample > imgs[imgs.length - 1].sample) {
        if (imgs.length >= MAX_IMAGES_PER_STEP) return { accepted: false, rewound: false, slot: -1 };
        im.index = this.nextIndex++;
        imgs.push(im);
        return { accepted: true, rewound: false, slot: this.res.newestSlot };
      }
    }
    const r = this.res.add(rec.step, { images: [im] });
    if (r.accepted) im.index = this.nextIndex++;
    return r;
  }

  /** Drops every kept image with step >= `step` (a restart); true if any was. */
  truncateFrom(step: number): boolean {
    return this.res.truncateFrom(step);
  }

  /** Refs in step/sample order; only step > afterStep when given. */
  refs(afterStep?: number): ImageRef[] {
    const out: ImageRef[] = [];
    for (const { step, item } of this.res.items(afterStep)) for (const im of item.images) out.push(toRef(step, im));
    return out;
  }

  /** Refs of images with index >= minIndex held in the given slots (see AddResult.slot), in order. */
  refsForSlots(slots: readonly number[], minIndex: number): ImageRef[] {
    const out: ImageRef[] = [];
    for (const slot of Array.from(new Set(slots)).sort((a, b) => this.res.stepAt(a) - this.res.stepAt(b))) {
      const g = this.res.itemAt(slot);
      if (!g) continue;
      const step = this.res.stepAt(slot);
      for (const im of g.images) if (im.index >= minIndex) out.push(toRef(step, im));
    }
    return out;
  }

  // In-place reads by ordered index (one index = one kept step with its samples), for replays.
  get size(): number {
    return this.res.size;
  }
  get rewinds(): number {
    return this.res.rewinds;
  }
  indexAfter(afterStep: number): number {
    return this.res.indexAfter(afterStep);
  }
  orderedStep(i: number): number {
    return this.res.orderedStep(i);
  }
  /** Wall time of the i-th kept step's first sample. */
  orderedWallTime(i: number): number {
    return this.res.orderedItem(i)?.images[0].wallTime ?? NaN;
  }
  /** Refs of the kept steps with ordered index in [from, to), samples in order. */
  refsBetween(from: number, to: number): ImageRef[] {
    const out: ImageRef[] = [];
    const end = Math.min(this.res.size, to);
    for (let i = Math.max(0, from); i < end; i++) {
      const g = this.res.orderedItem(i);
      if (!g) continue;
      const step = this.res.orderedStep(i);
      for (const im of g.images) out.push(toRef(step, im));
    }
    return out;
  }

  /** Bytes held: the kept images' encoded bytes plus a rough per-image overhead. Walks the kept steps. */
  get bytes(): number {
    let b = 0;
    for (let i = 0; i < this.res.size; i++) for (const im of this.res.orderedItem(i)?.images ?? []) b += im.data.byteLength + 96;
    return b;
  }

  /** Bytes and mime type of a kept image by id. */
  data(index: number): { data: Uint8Array; mime: string } | undefined {
    // Ids increase with step order among kept groups: binary search on each group's first id.
    const groups = this.res.items();
    let lo = 0;
    let hi = groups.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const imgs = groups[mid].item.images;
      if (index < imgs[0].index) hi = mid - 1;
      else if (index > imgs[imgs.length - 1].index) lo = mid + 1;
      else {
        const im = imgs.find((x) => x.index === index);
        return im ? { data: im.data, mime: imageMime(im.data) } : undefined;
      }
    }
    return undefined;
  }
}
