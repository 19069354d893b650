// Prometheus remote-write (protocol 1.0: protobuf WriteRequest, snappy block compression) for tests: writes
// series and exemplars into a REAL Prometheus the way Tempo's metrics generator does.
import protobuf from 'protobufjs';
import { compressSync } from 'snappy';

// prometheus/prompb types.proto, the fields remote write 1.0 uses
const root = protobuf.Root.fromJSON({
  nested: {
    prometheus: {
      nested: {
        WriteRequest: { fields: { timeseries: { rule: 'repeated', type: 'TimeSeries', id: 1 } } },
        TimeSeries: {
          fields: {
            labels: { rule: 'repeated', type: 'Label', id: 1 },
            samples: { rule: 'repeated', type: 'Sample', id: 2 },
            exemplars: { rule: 'repeated', type: 'Exemplar', id: 3 },
          },
        },
        Label: { fields: { name: { type: 'string', id: 1 }, value: { type: 'string', id: 2 } } },
        Sample: { fields: { value: { type: 'double', id: 1 }, timestamp: { type: 'int64', id: 2 } } },
        Exemplar: {
          fields: {
            labels: { rule: 'repeated', type: 'Label', id: 1 },
            value: { type: 'double', id: 2 },
            timestamp: { type: 'int64', id: 3 },
          },
        },
      },
    },
  },
});
const WriteRequest = root.lookupType('prometheus.WriteRequest');

export interface Series {
  labels: Record<string, string>;
  samples: { value: number; timestampMs: number }[];
  exemplars?: { labels: Record<string, string>; value: number; timestampMs: number }[];
}

const labelList = (l: Record<string, string>) =>
  Object.entries(l)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, value]) => ({ name, value }));

export function encodeWriteRequest(series: Series[]): Buffer {
  const msg = WriteRequest.fromObject({
    timeseries: series.map((s) => ({
      labels: labelList(s.labels),
      samples: s.samples.map((x) => ({ value: x.value, timestamp: x.timestampMs })),
      exemplars: (s.exemplars ?? []).map((e) => ({ labels: labelList(e.labels), value: e.value, timestamp: e.timestampMs })),
    })),
  });
  return compressSync(Buffer.from(WriteRequest.encode(msg).finish()));
}

/** POST to /api/v1/write; returns the HTTP status and body (204 when accepted). */
export async function remoteWrite(prometheusUrl: string, series: Series[]): Promise<{ status: number; body: string }> {
  const res = await fetch(`${prometheusUrl}/api/v1/write`, {
    method: 'POST',
    headers: {
      'Content-Encoding': 'snappy',
      'Content-Type': 'application/x-protobuf',
      'X-Prometheus-Remote-Write-Version': '0.1.0',
      'User-Agent': 'tempo-workbook-tests',
    },
    body: encodeWriteRequest(series),
  });
  return { status: res.status, body: await res.text() };
}
