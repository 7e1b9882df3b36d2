import { ProductionConfigError } from '@mms/config';
import { loadDeliveryConfig } from './delivery.config';

const production = {
  NODE_ENV: 'production',
  DATABASE_URL: 'postgresql://mmsgw:Vq8uJx2rT0pLz7Wc@db:5432/mmsgw',
  MM7_URL: 'https://mmsc.carrier.example/mm7',
  MM7_PASSWORD: 'given-by-the-carrier',
};

describe('loadDeliveryConfig in production mode', () => {
  it('starts with an MMSC and secrets of its own', () => {
    expect(loadDeliveryConfig(production)).toMatchObject({ NODE_ENV: 'production', MM7_URL: production.MM7_URL });
  });

  it('starts with MM7_CONNECTORS alone', () => {
    const connectors = JSON.stringify([{ name: 'uk', url: 'https://mmsc.uk.example/mm7', username: 'u', password: 'given-by-the-carrier' }]);
    expect(() => loadDeliveryConfig({ ...production, MM7_URL: undefined, MM7_CONNECTORS: connectors })).not.toThrow();
  });

  it('refuses without an MMSC: the outbox folder is a development stand-in', () => {
    expect(() => loadDeliveryConfig({ ...production, MM7_URL: undefined })).toThrow(
      new ProductionConfigError([
        'MM7_URL or MM7_CONNECTORS: is required in production: without an MMSC, composed messages only go to the outbox folder (a development stand-in)',
      ]),
    );
  });

  it('refuses postbacks into private networks (npm start turns that on)', () => {
    expect(() => loadDeliveryConfig({ ...production, POSTBACK_ALLOW_PRIVATE_NETWORKS: 'true' })).toThrow(/POSTBACK_ALLOW_PRIVATE_NETWORKS: must be false in production/);
  });

  it("refuses a connector holding the simulator's development password", () => {
    const connectors = JSON.stringify([{ name: 'sim', url: 'http://mmsc-simulator:4000/mm7', username: 'mmsc', password: 'dev-mmsc-password' }]);
    expect(() => loadDeliveryConfig({ ...production, MM7_CONNECTORS: connectors })).toThrow(/MM7_CONNECTORS \("sim" password\): is a development default/);
  });
});
