import { SPID_ROWS } from './spid-table';

/**
 * spid.tsv names countries its own way; these are the names Intl.DisplayNames (English) does not
 * give for their ISO 3166-1 alpha-2 code. Netherlands Antilles (dissolved in 2010) is kept for
 * the islands that were part of it.
 */
const COUNTRY_ALIASES: Readonly<Record<string, readonly string[]>> = {
  'Antigua and Barbuda': ['AG'],
  'Bosnia and Herzegovina': ['BA'],
  Columbia: ['CO'],
  'Comoros Island': ['KM'],
  'Congo (RDC)': ['CD'],
  'Congo(RC)': ['CG'],
  'Czech Republic': ['CZ'],
  'Dominica Islands': ['DM'],
  'Faeroe Islands': ['FO'],
  'Guinea Bissau': ['GW'],
  'Guinea Republic': ['GN'],
  'Hong Kong': ['HK'],
  'Ivory Coast': ['CI'],
  Kazakstan: ['KZ'],
  'Korea (South)': ['KR'],
  'Korea, North': ['KP'],
  Macau: ['MO'],
  Macedonia: ['MK'],
  'Mayotte Islands': ['YT'],
  'Netherlands Antilles': ['AN', 'CW', 'SX', 'BQ'],
  'Niue Island': ['NU'],
  Palestine: ['PS'],
  Reunion: ['RE'],
  'Saint Vincent and  Grenadines': ['VC'],
  'Samoa (American)': ['AS'],
  'Samoa (Western)': ['WS'],
  'Sao Tome & Principe': ['ST'],
  'Slovak Republic': ['SK'],
  'St Helena': ['SH'],
  'St Kitts and Nevis': ['KN'],
  'St Lucia': ['LC'],
  Swaziland: ['SZ'],
  'Trinidad and Tobago': ['TT'],
  Turkey: ['TR'],
  'Turks and Caicos Islands': ['TC'],
  'Virgin Islands (British)': ['VG'],
  'Virgin Islands (US)': ['VI'],
  'Wallis and Futuna Islands': ['WF'],
};

const ALL_CARRIERS = 'All Carriers';

interface CountrySpids {
  readonly allCarriers: string | undefined;
  /** Lower-cased carrier name -> SPID. */
  readonly carriers: ReadonlyMap<string, string>;
}

/** ISO 3166-1 alpha-2 -> the country's rows; built once, on first use. */
let byCountry: ReadonlyMap<string, CountrySpids> | undefined;

function countryCodesOf(name: string, regionCodes: ReadonlyMap<string, string>): readonly string[] {
  const alias = COUNTRY_ALIASES[name];
  if (alias !== undefined) return alias;
  const code = regionCodes.get(name);
  return code === undefined ? [] : [code];
}

/** English region name -> ISO code, for every two-letter code Intl knows. */
function regionCodesByName(): Map<string, string> {
  const names = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'none' });
  const codes = new Map<string, string>();
  for (let a = 65; a <= 90; a += 1) {
    for (let b = 65; b <= 90; b += 1) {
      const code = String.fromCharCode(a, b);
      const name = names.of(code);
      if (name !== undefined && !codes.has(name)) codes.set(name, code);
    }
  }
  return codes;
}

function buildTable(): ReadonlyMap<string, CountrySpids> {
  const regionCodes = regionCodesByName();
  const table = new Map<string, { allCarriers: string | undefined; carriers: Map<string, string> }>();
  for (const [country, carrier, spid] of SPID_ROWS) {
    for (const code of countryCodesOf(country, regionCodes)) {
      const entry = table.get(code) ?? { allCarriers: undefined, carriers: new Map<string, string>() };
      if (carrier === ALL_CARRIERS) entry.allCarriers = spid;
      else entry.carriers.set(carrier.toLowerCase(), spid);
      table.set(code, entry);
    }
  }
  return table;
}

/** spid.tsv country names that map to no ISO code (spid.spec.ts keeps this empty). */
export function unmappedSpidCountries(): string[] {
  const regionCodes = regionCodesByName();
  return [...new Set(SPID_ROWS.map(([country]) => country))].filter((country) => countryCodesOf(country, regionCodes).length === 0);
}

/**
 * The SPID a postback carries: the carrier's row where the carrier is known and listed for the
 * country, else the country's `All Carriers` row; undefined where spid.tsv has neither (the
 * postback then goes without SPID, which the XSD allows).
 */
export function spidFor(country: string | null, carrier: string | null): string | undefined {
  if (country === null) return undefined;
  byCountry ??= buildTable();
  const entry = byCountry.get(country.toUpperCase());
  if (entry === undefined) return undefined;
  return (carrier === null ? undefined : entry.carriers.get(carrier.trim().toLowerCase())) ?? entry.allCarriers;
}
