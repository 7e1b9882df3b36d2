import { Inject, Injectable } from '@nestjs/common';
import { z } from 'zod';
import { MM_STATUS_VALUES } from '../mm7/mm7-constants';
import { SIMULATOR_CONFIG, SimulatorConfig, httpStatusVariable, statusCodeVariable } from '../config/simulator.config';

/**
 * What the simulator does at run time: failure injection, delivery-report behaviour and the
 * postback receiver's answer. Starts from the environment; tests change it with POST /api/config
 * and put it back with DELETE.
 */
export const runtimeSettingsSchema = z
  .object({
    /** Every SubmitReq is answered with this status (null: off). */
    statusCode: statusCodeVariable.nullable(),
    /** This share of SubmitReqs (0-100) is answered with failureStatusCode. */
    failurePercent: z.number().min(0).max(100),
    failureStatusCode: statusCodeVariable,
    /** Added before every MM7 answer. */
    latencyMs: z.number().int().min(0).max(600_000),
    /** The answer is held this long (the message is still taken): clients see a timeout. */
    timeoutMs: z.number().int().min(0).max(3_600_000),
    /** This share of MM7 requests (0-100) gets its connection destroyed before any answer. */
    dropPercent: z.number().min(0).max(100),
    errorStyle: z.enum(['rsp', 'fault']),
    dlrUrl: z.url({ protocol: /^https?$/ }).nullable(),
    dlrStatus: z.enum(MM_STATUS_VALUES),
    dlrDelayMs: z.number().int().min(0).max(3_600_000),
    dlrWhen: z.enum(['requested', 'always', 'never']),
    /** What POST /postbacks answers; not 200: the request is still stored, the sender sees a failure. */
    postbackStatusCode: httpStatusVariable,
  })
  .strict();

export type RuntimeSettings = z.output<typeof runtimeSettingsSchema>;
export const runtimeSettingsPatchSchema = runtimeSettingsSchema.partial().strict();
export type RuntimeSettingsPatch = z.output<typeof runtimeSettingsPatchSchema>;

export function settingsFromConfig(config: SimulatorConfig): RuntimeSettings {
  return {
    statusCode: config.MMSC_SIM_FAIL_STATUS ?? null,
    failurePercent: config.MMSC_SIM_FAIL_PERCENT,
    failureStatusCode: config.MMSC_SIM_FAIL_PERCENT_STATUS,
    latencyMs: config.MMSC_SIM_LATENCY_MS,
    timeoutMs: config.MMSC_SIM_TIMEOUT_MS,
    dropPercent: config.MMSC_SIM_DROP_PERCENT,
    errorStyle: config.MMSC_SIM_ERROR_STYLE,
    dlrUrl: config.MMSC_SIM_DLR_URL ?? null,
    dlrStatus: config.MMSC_SIM_DLR_STATUS,
    dlrDelayMs: config.MMSC_SIM_DLR_DELAY_MS,
    dlrWhen: config.MMSC_SIM_DLR_WHEN,
    postbackStatusCode: config.MMSC_SIM_POSTBACK_STATUS,
  };
}

@Injectable()
export class SimulatorSettings {
  private current: RuntimeSettings;

  constructor(@Inject(SIMULATOR_CONFIG) private readonly config: SimulatorConfig) {
    this.current = settingsFromConfig(config);
  }

  get(): RuntimeSettings {
    return this.current;
  }

  update(patch: RuntimeSettingsPatch): RuntimeSettings {
    this.current = { ...this.current, ...patch };
    return this.current;
  }

  reset(): RuntimeSettings {
    this.current = settingsFromConfig(this.config);
    return this.current;
  }
}
