import { ConfigError } from '@mms/config';
import { settingsFromConfig } from '../settings/simulator-settings';
import { loadSimulatorConfig } from './simulator.config';

describe('loadSimulatorConfig', () => {
  it('needs nothing: port 4000, no auth, reports off, no failure injection', () => {
    const config = loadSimulatorConfig({});
    expect(config).toMatchObject({
      MMSC_SIM_PORT: 4000,
      MMSC_SIM_MAX_MESSAGES: 1000,
      MMSC_SIM_DLR_DELAY_MS: 1000,
      MMSC_SIM_DLR_STATUS: 'Retrieved',
      MMSC_SIM_DLR_WHEN: 'requested',
      MMSC_SIM_DLR_UAPROF: 'iPhoneOS',
      MMSC_SIM_ERROR_STYLE: 'rsp',
      MMSC_SIM_POSTBACKS_KEPT: 1000,
      MMSC_SIM_POSTBACK_STATUS: 200,
    });
    expect(config.MMSC_SIM_POSTBACK_SECRET).toBeUndefined();
    expect(config.MMSC_SIM_PASSWORD).toBeUndefined();
    expect(settingsFromConfig(config)).toEqual({
      statusCode: null,
      failurePercent: 0,
      failureStatusCode: 3000,
      latencyMs: 0,
      timeoutMs: 0,
      dropPercent: 0,
      errorStyle: 'rsp',
      dlrUrl: null,
      dlrStatus: 'Retrieved',
      dlrDelayMs: 1000,
      dlrWhen: 'requested',
      postbackStatusCode: 200,
    });
  });

  it('reads the fleet settings and the failure injection', () => {
    const config = loadSimulatorConfig({
      MMSC_SIM_DLR_URL: 'http://127.0.0.1:3000/mm7/delivery-reports',
      MMSC_SIM_DLR_STATUS: 'Unrecognised',
      MMSC_SIM_FAIL_STATUS: '4006',
      MMSC_SIM_FAIL_PERCENT: '12.5',
      MMSC_SIM_TIMEOUT_MS: '',
      MMSC_SIM_POSTBACK_STATUS: '503',
    });
    expect(settingsFromConfig(config)).toMatchObject({
      dlrUrl: 'http://127.0.0.1:3000/mm7/delivery-reports',
      dlrStatus: 'Unrecognised',
      statusCode: 4006,
      failurePercent: 12.5,
      timeoutMs: 0,
      postbackStatusCode: 503,
    });
  });

  it('refuses bad values, naming each variable', () => {
    let error: unknown;
    try {
      loadSimulatorConfig({
        MMSC_SIM_PORT: '70000',
        MMSC_SIM_DLR_URL: 'ftp://x/y',
        MMSC_SIM_FAIL_STATUS: '42',
        MMSC_SIM_DLR_STATUS: 'Delivered',
        MMSC_SIM_POSTBACKS_KEPT: '0',
        MMSC_SIM_POSTBACK_STATUS: '99',
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems.map((p) => p.split(':')[0]).sort()).toEqual([
      'MMSC_SIM_DLR_STATUS',
      'MMSC_SIM_DLR_URL',
      'MMSC_SIM_FAIL_STATUS',
      'MMSC_SIM_PORT',
      'MMSC_SIM_POSTBACKS_KEPT',
      'MMSC_SIM_POSTBACK_STATUS',
    ]);
  });
});
