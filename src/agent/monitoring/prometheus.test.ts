import { test } from 'node:test';
import assert from 'node:assert/strict';
import { requestCounters } from './prometheus.js';

const VECTOR = `# HELP phoenix_vector_requests_total HTTP requests answered by the vector API
# TYPE phoenix_vector_requests_total counter
phoenix_vector_requests_total{method="GET",route="/readyz",status="200"} 40
phoenix_vector_requests_total{method="POST",route="/collections/:name/points/search",status="200"} 50
phoenix_vector_requests_total{method="POST",route="/collections/:name/points/search",status="404"} 6
phoenix_vector_requests_total{method="PUT",route="/collections/:name",status="500"} 4
# TYPE phoenix_vector_request_duration_seconds histogram
phoenix_vector_request_duration_seconds_bucket{le="0.005",method="GET",route="/readyz"} 40
phoenix_vector_request_duration_seconds_bucket{le="0.1",method="GET",route="/readyz"} 40
phoenix_vector_request_duration_seconds_bucket{le="+Inf",method="GET",route="/readyz"} 40
phoenix_vector_request_duration_seconds_bucket{le="0.005",method="POST",route="/s"} 10
phoenix_vector_request_duration_seconds_bucket{le="0.1",method="POST",route="/s"} 60
phoenix_vector_request_duration_seconds_bucket{le="+Inf",method="POST",route="/s"} 60
phoenix_vector_collections 2
`;

test('request counters and the latency histogram are read from a replica’s /metrics, summed over routes', () => {
  assert.deepEqual(requestCounters(VECTOR), { requests: 100, clientErrors: 6, serverErrors: 4, buckets: [[0.005, 50], [0.1, 100]] });
});

test('other workloads are read by convention (Qdrant-style rest_responses_total with a status label)', () => {
  const qdrant = 'rest_responses_total{method="GET",endpoint="/collections",status="200"} 7\nrest_responses_fail_total{endpoint="/x"} 3\nrest_responses_total{method="GET",endpoint="/x",status="503"} 1\n';
  assert.deepEqual(requestCounters(qdrant), { requests: 8, clientErrors: 0, serverErrors: 1, buckets: [] });
});

test('text without request counters gives nothing, and garbage does not throw', () => {
  assert.equal(requestCounters('process_cpu_seconds_total 12\n'), undefined);
  assert.equal(requestCounters('{{{ not prometheus\n\u0000'), undefined);
});
