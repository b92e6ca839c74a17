// The custom_scalars plugin's answers: layouts (a serialized Layout proto per run, merged in run-name
// order: same-title categories merge their charts, duplicates skipped) and regex-selected scalars.
// The tag regex is user input, so it runs on RE2 (linear time), never on a native RegExp. Pure.
import protobuf from 'protobufjs';
import { dict } from '../../shared/dict.ts';
import { RE2JS } from 're2js';
import type { ScalarTuple } from '../../shared/types.ts';

export const LAYOUT_TAG = 'custom_scalars__config__';

/** The Layout type, parsed on first use (not at every start of the server). */
let layoutType: protobuf.Type | null = null;
const layout = (): protobuf.Type => (layoutType ??= protobuf.parse(
  `syntax = "proto3";
  message Layout { int32 version = 1; repeated Category category = 2; }
  message Category { string title = 1; repeated Chart chart = 2; bool closed = 3; }
  message Chart { string title = 1; oneof content { MultilineChartContent multiline = 2; MarginChartContent margin = 3; } }
  message MultilineChartContent { repeated string tag = 1; }
  message MarginChartContent {
    message Series { string value = 1; string lower = 2; string upper = 3; }
    repeated Series series = 1;
  }`,
  { keepCase: true },
).root.lookupType('Layout'));

export interface ChartJson {
  title: string;
  multiline?: { tag: string[] };
  margin?: { series: { value: string; lower: string; upper: string }[] };
}
export interface CategoryJson {
  title: string;
  chart: ChartJson[];
  closed: boolean;
}
export interface LayoutJson {
  version: number;
  category: CategoryJson[];
}

type Msg = Record<string, any>;

/** Serialized Layout -> TensorBoard's JSON of it (defaults included, as proto_to_json writes). */
export function decodeLayout(bytes: Uint8Array): LayoutJson {
  const m = layout().decode(bytes) as unknown as Msg;
  return {
    version: m.version ?? 0,
    category: ((m.category ?? []) as Msg[]).map((c) => ({
      title: c.title ?? '',
      closed: c.closed ?? false,
      chart: ((c.chart ?? []) as Msg[]).map((ch) => {
        const out: ChartJson = { title: ch.title ?? '' };
        if (ch.multiline) out.multiline = { tag: [...(ch.multiline.tag ?? [])] };
        if (ch.margin) {
          out.margin = {
            series: ((ch.margin.series ?? []) as Msg[]).map((s) => ({ value: s.value ?? '', lower: s.lower ?? '', upper: s.upper ?? '' })),
          };
        }
        return out;
      }),
    })),
  };
}

/** Layouts in run-name order -> one merged layout; undefined when there is none. */
export function mergeLayouts(layouts: LayoutJson[]): LayoutJson | undefined {
  if (layouts.length === 0) return undefined;
  const merged: LayoutJson = { version: layouts[0].version, category: [] };
  const byTitle = new Map<string, CategoryJson>();
  layouts.forEach((l, i) => {
    for (const c of l.category) {
      const seen = i > 0 ? byTitle.get(c.title) : undefined;
      if (seen) {
        const have = new Set(seen.chart.map((x) => JSON.stringify(x)));
        for (const ch of c.chart) if (!have.has(JSON.stringify(ch))) seen.chart.push(ch);
      } else {
        const copy = { ...c, chart: [...c.chart] };
        merged.category.push(copy);
        byTitle.set(c.title, copy);
      }
    }
  });
  return merged;
}

/** TensorBoard's /scalars answer: the run's scalar tags whose start matches the regex (re.match). */
export function regexScalars(
  pattern: string | undefined,
  tags: string[],
  series: (tag: string) => ScalarTuple[],
): { regex_valid: boolean; tag_to_events: Record<string, ScalarTuple[]> } {
  if (!pattern) return { regex_valid: false, tag_to_events: {} };
  let re: RE2JS;
  try {
    re = RE2JS.compile(pattern);
  } catch {
    return { regex_valid: false, tag_to_events: {} };
  }
  const out = dict<ScalarTuple[]>();
  for (const tag of tags) if (re.matcher(tag).lookingAt()) out[tag] = series(tag);
  return { regex_valid: true, tag_to_events: out };
}
