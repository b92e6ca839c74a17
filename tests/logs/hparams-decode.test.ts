import { describe, expect, it } from 'vitest';
import { hparamsRecord } from '../../server/logs/hparams-decode.ts';
import { PB } from '../../server/logs/tfevents-schema.ts';

const base = { wallTime: 5, step: 2, tag: '_hparams_/x' };
/** SummaryMetadata as protobufjs decodes it, carrying this HParamsPluginData. */
const metadata = (data: Record<string, unknown>) => ({
  plugin_data: { plugin_name: 'hparams', content: PB.HParamsPluginData.encode(PB.HParamsPluginData.fromObject(data)).finish() },
});

describe('hparamsRecord', () => {
  it('reads the experiment: metric tags (group/tag), hparam names and domains, enum names', () => {
    const rec = hparamsRecord(
      metadata({
        experiment: {
          name: 'sweep',
          hparam_infos: [
            { name: 'lr', display_name: 'Learning rate', type: 3, domain_interval: { min_value: 0.001, max_value: 0.1 } },
            { name: 'opt', type: 1, domain_discrete: { values: [{ string_value: 'adam' }, { string_value: 'sgd' }] } },
          ],
          metric_infos: [{ name: { group: 'validation', tag: 'loss' }, dataset_type: 2 }, { name: { tag: 'acc' } }],
        },
      }),
      base,
    );
    expect(rec).toMatchObject({ kind: 'hparams', part: 'experiment', step: 2, metrics: ['validation/loss', 'acc'] });
    expect({ ...rec!.hparams }).toEqual({ lr: 'Learning rate', opt: 'opt' });
    expect(rec!.experiment!.name).toBe('sweep');
    expect(rec!.experiment!.hparamInfos[0]).toMatchObject({ type: 'DATA_TYPE_FLOAT64', domainInterval: { minValue: 0.001, maxValue: 0.1 } });
    expect(rec!.experiment!.hparamInfos[1]).toMatchObject({ type: 'DATA_TYPE_STRING', domainDiscrete: ['adam', 'sgd'] });
    expect(rec!.experiment!.metricInfos.map((m) => m.datasetType)).toEqual(['DATASET_VALIDATION', 'DATASET_UNKNOWN']);
  });

  it("reads a session's values and end status", () => {
    const start = hparamsRecord(
      metadata({ session_start_info: { hparams: { lr: { number_value: 0.01 }, opt: { string_value: 'adam' }, bn: { bool_value: true } }, group_name: 'g1' } }),
      base,
    );
    expect(start).toMatchObject({ part: 'session_start', groupName: 'g1', startTimeSecs: 0 });
    expect({ ...start!.hparams }).toEqual({ lr: 0.01, opt: 'adam', bn: true });
    const end = hparamsRecord(metadata({ session_end_info: { status: 2, end_time_secs: 99 } }), base);
    expect(end).toMatchObject({ part: 'session_end', status: 'STATUS_FAILURE', endTimeSecs: 99 });
  });

  it('gives nothing for plugin data without a known part, and throws on bytes that do not decode', () => {
    expect(hparamsRecord({ plugin_data: { plugin_name: 'hparams' } }, base)).toBeUndefined();
    expect(() => hparamsRecord({ plugin_data: { content: new Uint8Array([0x12, 0x40, 1]) } }, base)).toThrow();
  });
});
