import { ProductionConfigError } from '@mms/config';
import { loadBarcodeConfig } from './barcode.config';

describe('loadBarcodeConfig in production mode', () => {
  it('starts with a database password of its own', () => {
    expect(loadBarcodeConfig({ NODE_ENV: 'production', DATABASE_URL: 'postgresql://mmsgw:Vq8uJx2rT0pLz7Wc@db:5432/mmsgw' })).toMatchObject({ NODE_ENV: 'production' });
  });

  it("refuses the development compose file's PostgreSQL password", () => {
    expect(() => loadBarcodeConfig({ NODE_ENV: 'production', DATABASE_URL: 'postgresql://postgres:postgres@postgres:5432/mmsgw' })).toThrow(ProductionConfigError);
  });

  it('refuses a NODE_ENV that is neither development, production nor test (a typo would skip the checks)', () => {
    expect(() => loadBarcodeConfig({ NODE_ENV: 'prod', DATABASE_URL: 'postgresql://mmsgw@db:5432/mmsgw' })).toThrow(/NODE_ENV: Invalid option/);
  });
});
