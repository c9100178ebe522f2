/**
 * Fails the run if any page broke the Content-Security-Policy: browsers
 * report each violation to the portal (`/csp-report`), which counts them in
 * `portal_csp_violations_total` on its metrics listener. The reports are
 * sent as the violation happens; a last one may still be on its way, so the
 * count is read until it holds still.
 */
const METRICS_URL = process.env.PORTAL_E2E_METRICS_URL ?? "http://127.0.0.1:9464/metrics";

async function violations(): Promise<number> {
  const response = await fetch(METRICS_URL);
  if (!response.ok) throw new Error(`${METRICS_URL}: ${response.status}`);
  const line = (await response.text()).split("\n").find((l) => l.startsWith("portal_csp_violations_total"));
  return line ? Number(line.split(" ").pop()) : 0;
}

export default async function globalTeardown(): Promise<void> {
  let seen = await violations();
  for (let settled = 0; settled < 3; settled++) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    const now = await violations();
    if (now !== seen) settled = 0;
    seen = now;
  }
  if (seen > 0) {
    throw new Error(`${seen} Content-Security-Policy violation(s): see "content security policy violation" in the server log`);
  }
}
