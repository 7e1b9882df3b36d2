import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { installShutdownDeadline } from '@mms/config';
import { createSimulatorApp } from './bootstrap';
import { loadSimulatorConfig } from './config/simulator.config';

/** The MMSC simulator: MM7 on /mm7, the inbox on /, partner postbacks on /postbacks, JSON on /api (FIXED-POINTS.md). */
async function main(): Promise<void> {
  const config = loadSimulatorConfig();
  installShutdownDeadline('mmsc-simulator', config.SHUTDOWN_TIMEOUT_MS);
  const app = await createSimulatorApp(config);
  await app.listen({ port: config.MMSC_SIM_PORT, host: config.MMSC_SIM_HOST });
  const base = `http://${config.MMSC_SIM_HOST}:${config.MMSC_SIM_PORT}`;
  new Logger('mmsc-simulator').log(
    `MM7 endpoint ${base}/mm7, inbox ${base}/, messages ${base}/api/messages, postbacks caught at ${base}/postbacks; delivery reports ` +
      (config.MMSC_SIM_DLR_URL === undefined ? 'off (MMSC_SIM_DLR_URL unset)' : `to ${config.MMSC_SIM_DLR_URL} (${config.MMSC_SIM_DLR_WHEN})`),
  );
}

main().catch((error: unknown) => {
  console.error(`mmsc-simulator: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
