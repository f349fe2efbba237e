/**
 * nginx configurations for the proxy benchmark: the shared backend (an mTLS `return 200` with a
 * Qdrant-like JSON body, plus a TLS-only listener for the direct measurement) and the nginx → nginx
 * chain, one worker per process, `proxy_ssl_verify on`, upstream keep-alive.
 */
export interface TlsFiles {
  cert: string;
  key: string;
  root: string;
}

export const BACKEND_BODY = JSON.stringify({
  result: Array.from({ length: 3 }, (_, i) => ({ id: i + 1, version: 0, score: 0.9 - i / 10, payload: { city: 'Berlin' } })),
  status: 'ok',
  time: 0.0001,
});

function head(dir: string, name: string): string {
  return `worker_processes 1;
daemon off;
pid ${dir}/${name}.pid;
error_log ${dir}/${name}-error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${dir}/${name}-body;
  proxy_temp_path ${dir}/${name}-proxy;
  keepalive_requests 1000000;
  keepalive_timeout 65s;
  ssl_protocols TLSv1.2 TLSv1.3;
  ssl_session_cache shared:${name}:1m;
`;
}

export function backendConfig(dir: string, tls: TlsFiles, mtlsPort: number, directPort: number): string {
  const body = BACKEND_BODY.replace(/'/g, "\\'");
  const server = (port: number, verify: boolean) => `  server {
    listen 127.0.0.1:${port} ssl;
    ssl_certificate ${tls.cert};
    ssl_certificate_key ${tls.key};
${verify ? `    ssl_client_certificate ${tls.root};\n    ssl_verify_client on;\n` : ''}    location / {
      default_type application/json;
      return 200 '${body}';
    }
  }
`;
  return `${head(dir, 'backend')}${server(mtlsPort, true)}${server(directPort, false)}}
`;
}

/** One proxy hop: listens with `listenTls` (requiring a client certificate when `verifyClient`), forwards with `clientTls`. */
export function hopConfig(dir: string, name: string, o: { port: number; listenTls: TlsFiles; verifyClient: boolean; upstreamPort: number; clientTls: TlsFiles }): string {
  return `${head(dir, name)}  upstream next {
    server 127.0.0.1:${o.upstreamPort};
    keepalive 128;
  }
  server {
    listen 127.0.0.1:${o.port} ssl;
    ssl_certificate ${o.listenTls.cert};
    ssl_certificate_key ${o.listenTls.key};
${o.verifyClient ? `    ssl_client_certificate ${o.listenTls.root};\n    ssl_verify_client on;\n` : ''}    client_max_body_size 32m;
    location / {
      proxy_pass https://next;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
      proxy_ssl_certificate ${o.clientTls.cert};
      proxy_ssl_certificate_key ${o.clientTls.key};
      proxy_ssl_trusted_certificate ${o.clientTls.root};
      proxy_ssl_verify on;
      proxy_ssl_verify_depth 2;
      proxy_ssl_name localhost;
      proxy_ssl_server_name on;
      proxy_ssl_session_reuse on;
    }
  }
}
`;
}
