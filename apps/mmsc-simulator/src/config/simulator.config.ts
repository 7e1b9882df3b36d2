import { z } from 'zod';
import { commonEnv, loadConfig, portVariable } from '@mms/config';
import { MM_STATUS_VALUES } from '../mm7/mm7-constants';

const milliseconds = (max: number) => z.coerce.number().int().min(0).max(max);
const percent = z.coerce.number().min(0).max(100);
/** An MM7 status code: four digits (TS 23.140 status code classes 1xxx to 4xxx, and carriers' own). */
export const statusCodeVariable = z.coerce.number().int().min(1000).max(9999);
/** An HTTP status a receiver may answer with (2xx to 5xx). */
export const httpStatusVariable = z.coerce.number().int().min(200).max(599);

/**
 * The MMSC simulator's environment. It needs no database and no Redis: only the logging and
 * shutdown variables of the fleet's common set.
 */
export const simulatorEnvSchema = z.object({
  LOG_LEVEL: commonEnv.LOG_LEVEL,
  LOG_FORMAT: commonEnv.LOG_FORMAT,
  SHUTDOWN_TIMEOUT_MS: commonEnv.SHUTDOWN_TIMEOUT_MS,
  MMSC_SIM_PORT: portVariable.default(4000),
  MMSC_SIM_HOST: z.string().min(1).default('127.0.0.1'),
  /** Basic auth the VASP must send to /mm7 (wrong or missing: HTTP 401 with status 4001). Off without a password. */
  MMSC_SIM_USERNAME: z.string().min(1).optional(),
  MMSC_SIM_PASSWORD: z.string().min(1).optional(),
  /** When set, a SubmitReq must name this VASPID (else 4001 Improper identification). */
  MMSC_SIM_VASP_ID: z.string().min(1).optional(),
  /** Messages kept in memory (oldest dropped first), and the bytes they may hold together. */
  MMSC_SIM_MAX_MESSAGES: z.coerce.number().int().min(1).max(100_000).default(1000),
  MMSC_SIM_MAX_STORED_BYTES: z.coerce.number().int().min(1024 * 1024).max(4 * 1024 * 1024 * 1024).default(256 * 1024 * 1024),
  /** Largest HTTP request accepted on /mm7. */
  MMSC_SIM_BODY_LIMIT_BYTES: z.coerce.number().int().min(1024).max(100 * 1024 * 1024).default(5 * 1024 * 1024),
  /** Content larger than this is refused with 2004 Multimedia content refused (unset: no limit). */
  MMSC_SIM_MAX_CONTENT_BYTES: z.coerce.number().int().min(1).optional(),
  /** The MMSRelayServerID in delivery reports. */
  MMSC_SIM_RELAY_SERVER_ID: z.string().min(1).default('mmsc-simulator'),

  /** Where DeliveryReportReq goes (the fleet: the gateway's /mm7/delivery-reports). Unset: none sent. */
  MMSC_SIM_DLR_URL: z.url({ protocol: /^https?$/ }).optional(),
  MMSC_SIM_DLR_USERNAME: z.string().min(1).optional(),
  MMSC_SIM_DLR_PASSWORD: z.string().min(1).optional(),
  MMSC_SIM_DLR_DELAY_MS: milliseconds(3_600_000).default(1000),
  MMSC_SIM_DLR_STATUS: z.enum(MM_STATUS_VALUES).default('Retrieved'),
  /** requested: only when the SubmitReq asks (DeliveryReport true, as TS 23.140 has it); always; never. */
  MMSC_SIM_DLR_WHEN: z.enum(['requested', 'always', 'never']).default('requested'),
  /** The handset in UACapabilities (REL-6 reports only). */
  MMSC_SIM_DLR_UAPROF: z.string().min(1).default('iPhoneOS'),
  /** Tries per report (a failed POST or a non-1000 answer is tried again after DLR_DELAY_MS x attempt). */
  MMSC_SIM_DLR_ATTEMPTS: z.coerce.number().int().min(1).max(10).default(3),
  MMSC_SIM_DLR_TIMEOUT_MS: milliseconds(120_000).default(5000),

  /** Failure injection (also settable at run time: POST /api/config). */
  MMSC_SIM_FAIL_STATUS: statusCodeVariable.optional(),
  MMSC_SIM_FAIL_PERCENT: percent.default(0),
  MMSC_SIM_FAIL_PERCENT_STATUS: statusCodeVariable.default(3000),
  MMSC_SIM_LATENCY_MS: milliseconds(600_000).default(0),
  MMSC_SIM_TIMEOUT_MS: milliseconds(3_600_000).default(0),
  MMSC_SIM_DROP_PERCENT: percent.default(0),
  /** How refusals of a SubmitReq are written: a SubmitRsp (HTTP 200) or a SOAP Fault with RSErrorRsp (HTTP 500). */
  MMSC_SIM_ERROR_STYLE: z.enum(['rsp', 'fault']).default('rsp'),

  /** Partner postbacks received on POST /postbacks: how many requests are kept (oldest dropped first). */
  MMSC_SIM_POSTBACKS_KEPT: z.coerce.number().int().min(1).max(100_000).default(1000),
  /** The account's postback secret: when set, X-Postback-Signature is checked (else only recorded). */
  MMSC_SIM_POSTBACK_SECRET: z.string().min(1).optional(),
  /** The HTTP status POST /postbacks answers (also at run time: postbackStatusCode), to try the sender's retries. */
  MMSC_SIM_POSTBACK_STATUS: httpStatusVariable.default(200),
});

export type SimulatorConfig = z.output<typeof simulatorEnvSchema>;
export const SIMULATOR_CONFIG = Symbol('SIMULATOR_CONFIG');

export function loadSimulatorConfig(env: NodeJS.ProcessEnv = process.env): SimulatorConfig {
  return loadConfig(simulatorEnvSchema, env);
}
