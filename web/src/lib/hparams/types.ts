// The hparams plugin's answers as the dashboard reads them (TensorBoard's /experiment and /session_groups
// JSON; server/render/hparams-*.ts writes them). Only the fields the HPARAMS tab uses.
export type HpValue = string | number | boolean;

export interface MetricName {
  group: string;
  tag: string;
}

export interface HparamInfo {
  name: string;
  displayName: string;
  description: string;
  type: string;
  domainDiscrete?: HpValue[];
  domainInterval?: { minValue: number; maxValue: number };
}

export interface MetricInfo {
  name: MetricName;
  displayName: string;
  description: string;
}

export interface Experiment {
  hparamInfos: HparamInfo[];
  metricInfos: MetricInfo[];
}

export interface MetricValue {
  name: MetricName;
  value: number;
  trainingStep: number;
  wallTimeSecs: number;
}

export interface SessionGroup {
  name: string;
  hparams: Record<string, HpValue>;
  metricValues: MetricValue[];
  sessions: { name: string; status: string; endTimeSecs: number; metricValues: MetricValue[] }[];
}
