// Our own .proto schema for the parts of TensorFlow / TensorBoard protos that event files use.
// Field numbers follow tensorflow/core/util/event.proto, framework/{summary,tensor,tensor_shape,
// graph,node_def,attr_value,types}.proto and tensorboard/plugins/hparams/{api,plugin_data}.proto.
// Parsed once with keepCase so decoded objects use the proto's snake_case names.
import protobuf from 'protobufjs';

export const TFEVENTS_PROTO = `
syntax = "proto3";
package ts;

message Event {
  double wall_time = 1;
  int64 step = 2;
  oneof what {
    string file_version = 3;
    bytes graph_def = 4;
    Summary summary = 5;
    LogMessage log_message = 6;
    SessionLog session_log = 7;
    TaggedRunMetadata tagged_run_metadata = 8;
    bytes meta_graph_def = 9;
  }
  SourceMetadata source_metadata = 10;
}
message SourceMetadata { string writer = 1; }
message LogMessage {
  enum Level { UNKNOWN = 0; DEBUGGING = 10; INFO = 20; WARN = 30; ERROR = 40; FATAL = 50; }
  Level level = 1;
  string message = 2;
}
message SessionLog {
  enum SessionStatus { STATUS_UNSPECIFIED = 0; START = 1; STOP = 2; CHECKPOINT = 3; }
  SessionStatus status = 1;
  string checkpoint_path = 2;
  string msg = 3;
}
message TaggedRunMetadata { string tag = 1; bytes run_metadata = 2; }

enum DataClass { DATA_CLASS_UNKNOWN = 0; DATA_CLASS_SCALAR = 1; DATA_CLASS_TENSOR = 2; DATA_CLASS_BLOB_SEQUENCE = 3; }
message SummaryMetadata {
  message PluginData { string plugin_name = 1; bytes content = 2; }
  PluginData plugin_data = 1;
  string display_name = 2;
  string summary_description = 3;
  DataClass data_class = 4;
}
message HistogramProto {
  double min = 1;
  double max = 2;
  double num = 3;
  double sum = 4;
  double sum_squares = 5;
  repeated double bucket_limit = 6 [packed = true];
  repeated double bucket = 7 [packed = true];
}
message Summary {
  message Image {
    int32 height = 1;
    int32 width = 2;
    int32 colorspace = 3;
    bytes encoded_image_string = 4;
  }
  message Audio {
    float sample_rate = 1;
    int64 num_channels = 2;
    int64 length_frames = 3;
    bytes encoded_audio_string = 4;
    string content_type = 5;
  }
  message Value {
    string node_name = 7;
    string tag = 1;
    SummaryMetadata metadata = 9;
    oneof value {
      float simple_value = 2;
      bytes obsolete_old_style_histogram = 3;
      Image image = 4;
      HistogramProto histo = 5;
      Audio audio = 6;
      TensorProto tensor = 8;
    }
  }
  repeated Value value = 1;
}

enum DataType {
  DT_INVALID = 0; DT_FLOAT = 1; DT_DOUBLE = 2; DT_INT32 = 3; DT_UINT8 = 4; DT_INT16 = 5; DT_INT8 = 6;
  DT_STRING = 7; DT_COMPLEX64 = 8; DT_INT64 = 9; DT_BOOL = 10; DT_QINT8 = 11; DT_QUINT8 = 12;
  DT_QINT32 = 13; DT_BFLOAT16 = 14; DT_QINT16 = 15; DT_QUINT16 = 16; DT_UINT16 = 17;
  DT_COMPLEX128 = 18; DT_HALF = 19; DT_RESOURCE = 20; DT_VARIANT = 21; DT_UINT32 = 22; DT_UINT64 = 23;
}
message TensorShapeProto {
  message Dim { int64 size = 1; string name = 2; }
  repeated Dim dim = 2;
  bool unknown_rank = 3;
}
message TensorProto {
  DataType dtype = 1;
  TensorShapeProto tensor_shape = 2;
  int32 version_number = 3;
  bytes tensor_content = 4;
  repeated int32 half_val = 13 [packed = true];
  repeated float float_val = 5 [packed = true];
  repeated double double_val = 6 [packed = true];
  repeated int32 int_val = 7 [packed = true];
  repeated bytes string_val = 8;
  repeated float scomplex_val = 9 [packed = true];
  repeated int64 int64_val = 10 [packed = true];
  repeated bool bool_val = 11 [packed = true];
  repeated double dcomplex_val = 12 [packed = true];
  repeated uint32 uint32_val = 16 [packed = true];
  repeated uint64 uint64_val = 17 [packed = true];
}

// tensorflow/core/protobuf/config.proto RunMetadata and framework/step_stats.proto (scalar fields only).
message RunMetadata {
  message FunctionGraphs {
    repeated GraphDef partition_graphs = 1;
    GraphDef pre_optimization_graph = 2;
    GraphDef post_optimization_graph = 3;
  }
  StepStats step_stats = 1;
  repeated GraphDef partition_graphs = 3;
  repeated FunctionGraphs function_graphs = 4;
}
message StepStats { repeated DeviceStepStats dev_stats = 1; }
message DeviceStepStats {
  string device = 1;
  repeated NodeExecStats node_stats = 2;
  map<uint32, string> thread_names = 3;
}
message NodeExecStats {
  string node_name = 1;
  int64 all_start_micros = 2;
  int64 op_start_rel_micros = 3;
  int64 op_end_rel_micros = 4;
  int64 all_end_rel_micros = 5;
  string timeline_label = 8;
  int64 scheduled_micros = 9;
  uint32 thread_id = 10;
  int64 all_start_nanos = 13;
  int64 op_start_rel_nanos = 14;
  int64 op_end_rel_nanos = 15;
  int64 all_end_rel_nanos = 16;
  int64 scheduled_nanos = 17;
}

message GraphDef {
  repeated NodeDef node = 1;
  VersionDef versions = 4;
  int32 version = 3;
}
message VersionDef { int32 producer = 1; int32 min_consumer = 2; repeated int32 bad_consumers = 3; }
message NodeDef {
  string name = 1;
  string op = 2;
  repeated string input = 3;
  string device = 4;
  map<string, AttrValue> attr = 5;
}
message NameAttrList { string name = 1; map<string, AttrValue> attr = 2; }
message AttrValue {
  message ListValue {
    repeated bytes s = 2;
    repeated int64 i = 3 [packed = true];
    repeated float f = 4 [packed = true];
    repeated bool b = 5 [packed = true];
    repeated DataType type = 6 [packed = true];
    repeated TensorShapeProto shape = 7;
    repeated TensorProto tensor = 8;
    repeated NameAttrList func = 9;
  }
  oneof value {
    bytes s = 2;
    int64 i = 3;
    float f = 4;
    bool b = 5;
    DataType type = 6;
    TensorShapeProto shape = 7;
    TensorProto tensor = 8;
    ListValue list = 1;
    NameAttrList func = 10;
    string placeholder = 9;
  }
}

// google.protobuf.Value / ListValue / Struct, redefined here (same field numbers).
enum NullValue { NULL_VALUE = 0; }
message Value {
  oneof kind {
    NullValue null_value = 1;
    double number_value = 2;
    string string_value = 3;
    bool bool_value = 4;
    Struct struct_value = 5;
    ListValue list_value = 6;
  }
}
message ListValue { repeated Value values = 1; }
message Struct { map<string, Value> fields = 1; }

// tensorboard.hparams
message HParamsPluginData {
  int32 version = 1;
  oneof data {
    Experiment experiment = 2;
    SessionStartInfo session_start_info = 3;
    SessionEndInfo session_end_info = 4;
  }
}
message Experiment {
  string name = 6;
  string description = 1;
  string user = 2;
  double time_created_secs = 3;
  repeated HParamInfo hparam_infos = 4;
  repeated MetricInfo metric_infos = 5;
}
enum HParamDataType { DATA_TYPE_UNSET = 0; DATA_TYPE_STRING = 1; DATA_TYPE_BOOL = 2; DATA_TYPE_FLOAT64 = 3; }
message Interval { double min_value = 1; double max_value = 2; }
message HParamInfo {
  string name = 1;
  string display_name = 2;
  string description = 3;
  HParamDataType type = 4;
  oneof domain {
    ListValue domain_discrete = 5;
    Interval domain_interval = 6;
  }
  bool differs = 7;
}
message MetricName { string group = 1; string tag = 2; }
enum DatasetType { DATASET_UNKNOWN = 0; DATASET_TRAINING = 1; DATASET_VALIDATION = 2; }
message MetricInfo {
  MetricName name = 1;
  string display_name = 3;
  string description = 4;
  DatasetType dataset_type = 5;
}
enum HParamStatus { STATUS_UNKNOWN = 0; STATUS_SUCCESS = 1; STATUS_FAILURE = 2; STATUS_RUNNING = 3; }
message SessionStartInfo {
  map<string, Value> hparams = 1;
  string model_uri = 2;
  string monitor_url = 3;
  string group_name = 4;
  double start_time_secs = 5;
}
message SessionEndInfo { HParamStatus status = 1; double end_time_secs = 2; }
`;

function build() {
  const root = protobuf.parse(TFEVENTS_PROTO, { keepCase: true }).root;
  const type = (name: string): protobuf.Type => root.lookupType(`ts.${name}`);
  return {
    root,
    Event: type('Event'),
    Summary: type('Summary'),
    SummaryValue: type('Summary.Value'),
    SummaryMetadata: type('SummaryMetadata'),
    HistogramProto: type('HistogramProto'),
    TensorProto: type('TensorProto'),
    GraphDef: type('GraphDef'),
    RunMetadata: type('RunMetadata'),
    HParamsPluginData: type('HParamsPluginData'),
    DataType: root.lookupEnum('ts.DataType'),
    HParamStatus: root.lookupEnum('ts.HParamStatus'),
    HParamDataType: root.lookupEnum('ts.HParamDataType'),
    DatasetType: root.lookupEnum('ts.DatasetType'),
    SessionStatus: root.lookupEnum('ts.SessionLog.SessionStatus'),
  };
}
type Schema = ReturnType<typeof build>;
let built: Schema | null = null;

/**
 * The protobufjs types we use, parsed on first use: the common records decode without them
 * (fast-decode.ts), and parsing the schema was a good part of a restart's time before the port answered.
 */
export const PB = new Proxy({} as Schema, {
  get: (_t, key) => (built ??= build())[key as keyof Schema],
});

/** DataType enum number -> name ("DT_FLOAT"); unknown numbers render as "DT_<n>". */
export function dtypeName(n: number): string {
  return PB.DataType.valuesById[n] ?? `DT_${n}`;
}
