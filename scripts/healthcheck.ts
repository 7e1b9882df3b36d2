/**
 * The image's HEALTHCHECK (compiled: `node dist/scripts/healthcheck.js`): exit 0 when
 * HEALTHCHECK_URL (default: the gateway's http://127.0.0.1:3000/health/live) answers 2xx within
 * two seconds, else 1. docker-compose.yml points it at each service's own /health/live.
 */
const url = process.env.HEALTHCHECK_URL || 'http://127.0.0.1:3000/health/live';

fetch(url, { signal: AbortSignal.timeout(2000) }).then(
  (response) => process.exit(response.ok ? 0 : 1),
  () => process.exit(1),
);
