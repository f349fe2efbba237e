import { LineChart } from '../components/chart';
import { Empty, Loading, PageHeader, Problem, Section } from '../components/ui';
import { usePoll } from '../hooks';

interface Series {
  service: string;
  points: Array<{ t: string; rps: number; errorRate: number; p99Ms: number | null; requests: number }>;
}

/** Requests/s, p99 latency and error rate per service over the last 15 minutes. */
export function Metrics() {
  const { data, error } = usePoll<{ binSeconds: number; services: Series[] }>('/api/metrics?window=15m', 5000);
  return (
    <>
      <PageHeader title="Metrics" />
      <p className="muted">Per service, from the replicas’ /metrics (read by their agents every few seconds), in {data?.binSeconds ?? 5} s steps over the last 15 minutes.</p>
      <Problem error={error} />
      {!data ? (
        <Loading what="metrics" />
      ) : data.services.length === 0 ? (
        <Empty>No figures yet: they appear once replicas have answered requests.</Empty>
      ) : (
        data.services.map((s) => {
          const pts = s.points.map((p) => ({ ...p, t: Date.parse(p.t) }));
          return (
            <Section key={s.service} title={s.service}>
              <div className="charts">
                <LineChart title="Requests/s" unit="req/s" points={pts.map((p) => ({ t: p.t, v: p.rps }))} />
                <LineChart title="p99 latency" unit="ms" points={pts.map((p) => ({ t: p.t, v: p.p99Ms }))} format={(v) => (v < 10 ? v.toFixed(1) : v.toFixed(0))} />
                <LineChart title="Error rate (5xx)" unit="%" points={pts.map((p) => ({ t: p.t, v: p.requests > 0 ? p.errorRate * 100 : null }))} max={1} />
              </div>
            </Section>
          );
        })
      )}
    </>
  );
}
