import { performance } from 'node:perf_hooks';
import { xmlStructureProblem } from './xml-structure';

const LIMITS = { elements: 10, depth: 3 };

describe('xmlStructureProblem', () => {
  it.each([
    ['a small document', '<a><b>x</b><c/></a>'],
    ['self-closing elements, which open no level', '<a><b/><b/><b/></a>'],
    ['comments, CDATA and processing instructions, which are no elements', '<?xml version="1.0"?><a><!-- a comment --><![CDATA[1 & 2]]><?pi x?></a>'],
    ['a stray < in text (the validator refuses it, not this scan)', '<a>1 < 2</a>'],
    ['exactly the limits', '<a><b><c/><c/><c/><c/><c/><c/><c/><c/></b></a>'],
  ])('accepts %s', (_case, xml) => {
    expect(xmlStructureProblem(xml, LIMITS)).toBeUndefined();
  });

  it.each([
    ['one element too many', `<a>${'<b/>'.repeat(10)}</a>`, 'more than 10 elements'],
    ['one level too deep', '<a><b><c><d>x</d></c></b></a>', 'elements nested deeper than 3 levels'],
    // Tags inside comments and CDATA are counted too: erring on the side of refusing.
    ['tags hidden in a comment', '<a><!-- <b><c><d> --></a>', 'elements nested deeper than 3 levels'],
  ])('refuses %s', (_case, xml, problem) => {
    expect(xmlStructureProblem(xml, LIMITS)).toBe(problem);
  });

  it.each([
    ['a million elements', `<a>${'<b/>'.repeat(1_000_000)}</a>`],
    ['a hundred thousand levels', `${'<a>'.repeat(100_000)}${'</a>'.repeat(100_000)}`],
    ['a megabyte of unclosed tags (no backtracking)', '<a'.repeat(500_000)],
  ])('answers %s in one linear scan', (_case, xml) => {
    const started = performance.now();
    xmlStructureProblem(xml, { elements: 256, depth: 8 });
    expect(performance.now() - started).toBeLessThan(500);
  });
});
