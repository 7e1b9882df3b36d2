import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { spidFor, unmappedSpidCountries } from './spid';
import { SPID_ROWS } from './spid-table';

describe('SPID', () => {
  it('the table is spid.tsv, row for row', () => {
    const rows = readFileSync(join(__dirname, 'spid.tsv'), 'utf8').trim().split('\n').slice(1).map((line) => line.split('\t'));
    expect(SPID_ROWS).toEqual(rows);
  });

  it('every country of spid.tsv has its ISO code', () => {
    expect(unmappedSpidCountries()).toEqual([]);
  });

  it.each([
    ['US', null, '0000010'],
    ['us', 'West Central Wireless', '0001130'],
    ['CA', 'telus', '0001220'],
    ['CA', 'A carrier spid.tsv does not list', '0001000'],
    ['GB', 'Vodafone', '0044640'],
    ['KR', null, spidFor('KR', null)],
    ['CW', null, spidFor('AN', null)],
  ])('%s %s -> %s (the carrier, else All Carriers)', (country, carrier, spid) => {
    expect(spid).toMatch(/^[0-9]{7}$/);
    expect(spidFor(country, carrier)).toBe(spid);
  });

  it('has none for a country spid.tsv does not list, or none known', () => {
    expect(spidFor('AQ', null)).toBeUndefined();
    expect(spidFor(null, 'Vodafone')).toBeUndefined();
  });
});
