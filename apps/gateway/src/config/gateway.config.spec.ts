import { ProductionConfigError } from '@mms/config';
import { loadGatewayConfig } from './gateway.config';

const production = {
  NODE_ENV: 'production',
  DATABASE_URL: 'postgresql://mmsgw:Vq8uJx2rT0pLz7Wc@db:5432/mmsgw',
  MM7_INBOUND_PASSWORD: 'p6Lc2Hs8Dv4Ng0Qe',
};

describe('loadGatewayConfig in production mode', () => {
  it('starts with secrets of its own, and without Bull Board (no ADMIN_PASSWORD)', () => {
    const config = loadGatewayConfig(production);
    expect(config.NODE_ENV).toBe('production');
    expect(config.ADMIN_PASSWORD).toBeUndefined();
  });

  it('refuses without MM7_INBOUND_PASSWORD: carriers could not report deliveries', () => {
    expect(() => loadGatewayConfig({ ...production, MM7_INBOUND_PASSWORD: undefined })).toThrow(
      new ProductionConfigError(["MM7_INBOUND_PASSWORD: is required in production: carriers' delivery reports are refused without it"]),
    );
  });

  it.each(['ADMIN_PASSWORD', 'MM7_INBOUND_PASSWORD'])('refuses the development %s of .env.example', (name) => {
    const value = name === 'ADMIN_PASSWORD' ? 'dev-admin-password' : 'dev-mmsc-password';
    expect(() => loadGatewayConfig({ ...production, [name]: value })).toThrow(new RegExp(`^refusing to start in production mode .*\\n  - ${name}: is a development default`));
  });

  it('accepts the same development values outside production mode (npm start)', () => {
    expect(() => loadGatewayConfig({ ...production, NODE_ENV: 'development', ADMIN_PASSWORD: 'dev-admin-password', MM7_INBOUND_PASSWORD: undefined })).not.toThrow();
  });
});
