import { DEV_SECRETS, DEV_SEED_POSTBACK_SECRET } from './dev-defaults';
import { ProductionConfigError, productionChecks, productionProblems } from './production';

const production = {
  NODE_ENV: 'production',
  DATABASE_URL: 'postgresql://mmsgw:Vq8uJx2rT0pLz7Wc@db:5432/mmsgw',
  REDIS_URL: 'redis://redis:6379',
  ADMIN_PASSWORD: 'b3Q4mZ9xK1nR7tYw',
  MM7_INBOUND_PASSWORD: 'p6Lc2Hs8Dv4Ng0Qe',
} as const;

function refusal(run: () => unknown): ProductionConfigError {
  try {
    run();
  } catch (error) {
    if (error instanceof ProductionConfigError) return error;
    throw error;
  }
  throw new Error('expected a ProductionConfigError, the configuration was accepted');
}

describe('productionChecks', () => {
  it('accepts a production configuration with secrets of its own', () => {
    expect(() => productionChecks(production, [{ anyOf: ['MM7_INBOUND_PASSWORD'], because: 'reports' }])).not.toThrow();
  });

  it.each(['development', 'test', undefined])('checks nothing when NODE_ENV is %s (npm start, the tests)', (NODE_ENV) => {
    const dev = { ...production, NODE_ENV, ADMIN_PASSWORD: 'dev-admin-password', POSTBACK_ALLOW_PRIVATE_NETWORKS: true };
    expect(() => productionChecks(dev, [{ anyOf: ['MM7_URL'], because: 'x' }])).not.toThrow();
  });

  it.each<[string, Record<string, unknown>, string]>([
    [
      "the .env.example's ADMIN_PASSWORD",
      { ADMIN_PASSWORD: 'dev-admin-password' },
      'ADMIN_PASSWORD: is a development default (ADMIN_PASSWORD of .env.example and npm start); set a secret of your own (`openssl rand -hex 24`)',
    ],
    [
      "the .env.example's MM7_INBOUND_PASSWORD",
      { MM7_INBOUND_PASSWORD: 'dev-mmsc-password' },
      'MM7_INBOUND_PASSWORD: is a development default (MM7_INBOUND_PASSWORD of .env.example and npm start); set a secret of your own (`openssl rand -hex 24`)',
    ],
    [
      "the demo account's postback secret as the simulator's",
      { MMSC_SIM_POSTBACK_SECRET: DEV_SEED_POSTBACK_SECRET },
      "MMSC_SIM_POSTBACK_SECRET: is a development default (the dev seed's postback secret); set a secret of your own (`openssl rand -hex 24`)",
    ],
    [
      "the dev seed's legacy password as an MMSC password",
      { MM7_PASSWORD: 'legacy-pass' },
      "MM7_PASSWORD: is a development default (the dev seed's legacy password); set a secret of your own (`openssl rand -hex 24`)",
    ],
    [
      'the development PostgreSQL password in DATABASE_URL',
      { DATABASE_URL: 'postgresql://postgres:postgres@postgres:5432/mmsgw' },
      'DATABASE_URL (its password): is a development default (the PostgreSQL password of the development compose file); set a secret of your own (`openssl rand -hex 24`)',
    ],
    [
      'a placeholder of .env.production.example',
      { ADMIN_PASSWORD: 'CHANGE-ME' },
      'ADMIN_PASSWORD: still holds a placeholder of .env.production.example; put the real value in (for a secret: `openssl rand -hex 24`)',
    ],
    [
      'a placeholder inside DATABASE_URL',
      { DATABASE_URL: 'postgresql://mmsgw:CHANGE-ME@postgres:5432/mmsgw' },
      'DATABASE_URL: still holds a placeholder of .env.production.example; put the real value in (for a secret: `openssl rand -hex 24`)',
    ],
    [
      'a placeholder in a variable that is no secret (the MMSC address)',
      { MM7_URL: 'https://change-me.invalid/mm7' },
      'MM7_URL: still holds a placeholder of .env.production.example; put the real value in (for a secret: `openssl rand -hex 24`)',
    ],
    [
      "a placeholder in a connector's field",
      { MM7_CONNECTORS: [{ name: 'uk', url: 'https://mmsc.example/mm7', username: 'change_me' }] },
      'MM7_CONNECTORS ("uk" username): still holds a placeholder of .env.production.example; put the real value in (for a secret: `openssl rand -hex 24`)',
    ],
    [
      "a connector's development password in MM7_CONNECTORS",
      { MM7_CONNECTORS: [{ name: 'uk', url: 'https://mmsc.example/mm7', password: 'dev-mmsc-password' }] },
      'MM7_CONNECTORS ("uk" password): is a development default (MM7_INBOUND_PASSWORD of .env.example and npm start); set a secret of your own (`openssl rand -hex 24`)',
    ],
    [
      'postbacks into private networks (the switch npm start sets)',
      { POSTBACK_ALLOW_PRIVATE_NETWORKS: true },
      "POSTBACK_ALLOW_PRIVATE_NETWORKS: must be false in production (a development switch of npm start): a partner's postback URL must not lead into our own network",
    ],
  ])('refuses %s, naming the variable and what to do', (_case, change, problem) => {
    const error = refusal(() => productionChecks({ ...production, ...change }));
    expect(error.problems).toStrictEqual([problem]);
    expect(error.message).toBe(`refusing to start in production mode (NODE_ENV=production); change:\n  - ${problem}`);
  });

  it('refuses every development secret there is, whatever variable holds it', () => {
    for (const secret of DEV_SECRETS.keys()) {
      expect(productionProblems({ ...production, SOME_SECRET: secret })).toHaveLength(1);
    }
  });

  it('refuses a missing requirement, naming each variable that would do and why it is needed', () => {
    const { MM7_INBOUND_PASSWORD: _unset, ...withoutInbound } = production;
    const error = refusal(() =>
      productionChecks({ ...withoutInbound, MM7_URL: '' }, [
        { anyOf: ['MM7_INBOUND_PASSWORD'], because: "carriers' delivery reports are refused without it" },
        { anyOf: ['MM7_URL', 'MM7_CONNECTORS'], because: 'no MMSC' },
      ]),
    );
    expect(error.problems).toStrictEqual([
      "MM7_INBOUND_PASSWORD: is required in production: carriers' delivery reports are refused without it",
      'MM7_URL or MM7_CONNECTORS: is required in production: no MMSC',
    ]);
  });

  it('takes any one of the alternatives of a requirement', () => {
    const connectors = [{ name: 'uk', url: 'https://mmsc.example/mm7', password: 'u9Xr3Kq7Lm2Pz5Vb' }];
    expect(productionProblems({ ...production, MM7_CONNECTORS: connectors }, [{ anyOf: ['MM7_URL', 'MM7_CONNECTORS'], because: 'x' }])).toStrictEqual([]);
  });

  it('lists every problem in one refusal, and never prints a secret that is not a known default', () => {
    const own = 'my-own-Secret-9f3Kq';
    const error = refusal(() =>
      productionChecks(
        { ...production, ADMIN_PASSWORD: 'dev-admin-password', MM7_PASSWORD: own, POSTBACK_ALLOW_PRIVATE_NETWORKS: true },
        [{ anyOf: ['MM7_URL'], because: 'no MMSC' }],
      ),
    );
    expect(error.problems.map((p) => p.split(':')[0])).toStrictEqual(['ADMIN_PASSWORD', 'MM7_URL', 'POSTBACK_ALLOW_PRIVATE_NETWORKS']);
    expect(error.message).not.toContain(own);
    expect(error.message).not.toContain('dev-admin-password');
  });

  it('leaves names and URLs that hold no secret alone', () => {
    expect(
      productionProblems({
        ...production,
        ADMIN_USERNAME: 'admin',
        MM7_INBOUND_USERNAME: 'mmsc',
        DATABASE_URL: 'postgresql://postgres@db:5432/mmsgw',
        MM7_URL: 'https://mmsc.example/mm7',
        QUEUE_PREFIX: 'tickets',
      }),
    ).toStrictEqual([]);
  });
});
